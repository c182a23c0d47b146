"""The reader path: anonymous page views answered from memory, before Django.

``PageCache`` wraps the WSGI application. A GET or HEAD without a session
cookie or credentials is looked up by scheme, host, path (which holds the
edition's root, ``/fa/…``: ``site/editions.py``) and the query
parameters its page reads (``query.py``: a query with any other is answered
from the clean address's copy or by Django, and never stored) in a
per-process store; a hit is answered with the bytes and headers Django
produced (security headers included), with every relative time rewritten
for this moment, and with a 304 when the reader's ETag still matches
(or, without one, its If-Modified-Since is no older than the copy's
Last-Modified: both come from the content, ``http.py``). Only
responses Django marked ``Cache-Control: public`` and labelled with a
``Surrogate-Key`` header (the scopes they show, e.g. ``front story:12``)
are stored, so staff pages, previews and anything with a cookie never are.

Freshness is versioned, not scanned (DESIGN.md invariant 7). Publishing
bumps counters of the scopes it touches (``stories/versions.py``) in the
database, which every app server shares. Each process polls the rows
changed lately at most every ``PAGE_CACHE_POLL_SECONDS``; an entry is stale
once any of its scopes changed after it began to render. The time of the
next scheduled publication or embargo end is part of the version too, so a
scheduled story appears at its time with no worker; then the pages of what
came out (its stories' scopes, ``Releases``) go stale, not every page of every
edition. While the database is
down or read-only the poll fails; nothing can be published then, so the
entries are served by the versions last seen (``masthead/database_outage.py``
answers what is not cached). A stale entry is
re-rendered by one request while concurrent requests for it get the
previous copy (no stampede); a cold one is rendered once while the others
wait for it.

A page may mark one part of its body that many pages share and that shows
scopes the rest does not (Recent Posts beside every article: ``front``). When
only that part is stale and the process holds a newer copy of it, rendered
with another page, the copy is set into the stored bytes instead of rendering
the page again (``Hole``, ``Part``, ``PageCache._spliced``;
docs/page-cache-shared.md).

Behind this per-process store is a second, shared level in Django's cache
(Redis, ``CACHE_URL``; ``SharedPages``), so that after a publish one process
of one app server renders each page and every other process takes its copy:
an entry carries a ``Stamp`` of the content versions its renderer had seen,
and another process uses it only if nothing it knows of changed since. A
short lock in the same cache lets one process render a cold or stale page
while the others serve their previous copy or wait briefly for the new one;
a lock held longer than that wait no longer holds the others back.
A per-process cache (locmem, the default) has no second level. A cache that
is down only costs renders (docs/page-cache-shared.md).

Intervals (polls, waits) are read from ``masthead/clock.py``, so tests can
move them; dates from ``timezone.now()`` and ``time.time()``.

Why our own code: Django's cache middleware runs inside the full request
cycle, keys by time-to-live, cannot embed content versions and serves
frozen relative times; a CDN in front (see docs/operations.md) is welcome
but is not there on the small machine.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from http.cookies import CookieError, SimpleCookie

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.core.exceptions import SuspiciousOperation
from django.core.handlers.wsgi import get_bytes_from_wsgi, get_path_info
from django.db import DatabaseError, close_old_connections
from django.db.models import Q
from django.utils import timezone
from django.utils.http import http_date, parse_http_date_safe

from masthead import clock
from masthead.database_outage import is_database_outage
from masthead.site.http import content_etag
from masthead.site.query import keyed_query
from masthead.site.relative_time import refresh_relative_times
from masthead.stories import release_clock
from masthead.stories.models import ContentVersion, Story
from masthead.stories.versions import PENDING, SITE, pending_scope, story_scopes

logger = logging.getLogger(__name__)
# One DEBUG line per render, for counting renders per (page, content version): the fault
# suite turns it on (bench/faults_settings.py); off, it costs one level check per render.
renders_log = logging.getLogger(__name__ + ".renders")

CACHEABLE_STATUSES = {200, 301, 404, 410}
# A poll slower than this is logged: one reader's request waited for it.
SLOW_POLL_SECONDS = 0.25
# Re-read version rows changed this long before the last poll, so a
# transaction that committed late is still seen.
POLL_OVERLAP = timedelta(seconds=30)
# The first poll of a process with a shared level also reads what changed
# during the shared entries' lifetime, so it can vouch for copies made before
# it started; at most this many rows (the newest).
FIRST_POLL_ROWS = 10_000
# Cache backends that live inside one process: nothing to share through them.
PROCESS_LOCAL_BACKENDS = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}


# A page may mark one shared part of its body, the same on many pages, that shows
# scopes the rest of the page does not (Recent Posts beside every article: ``front``).
# The markers are in every copy of the page, Django's and the cache's, so the bytes
# (and the ETag over them) are the same either way; the header is Django's note to
# the cache of what the part is, and never reaches a reader through the cache.
PART_OPEN, PART_CLOSE = b"<!--shared-part-->", b"<!--/shared-part-->"
PART_HEADER = "X-Masthead-Part"
# How many parts a process keeps (one per host and edition in practice).
MAX_PARTS = 64


@dataclass(frozen=True)
class Hole:
    """Where an entry's shared part lies in its body, and what the part shows.

    ``name`` (with the page's scheme and host) names the part among pages:
    every page with the same name shows the same part, so a part one page
    rendered after a change can be set into the others without rendering them
    (``PageCache._spliced``), unless it lists the page's own story, whose
    pages show a part of their own.
    """

    name: str
    start: int
    end: int
    story: int | None
    scopes: frozenset[str]
    # The stories the part in this body lists, and the generation it was current
    # at (``Entry.generation`` is that of the rest).
    listed: frozenset[int]
    generation: int


def part_note(name: str, scopes: Iterable[str], story: int | None, listed: Iterable[int]) -> str:
    """The value of ``PART_HEADER`` for a page whose body holds one marked shared part."""
    story_text = "" if story is None else str(story)
    return f"{name} scopes={','.join(sorted(scopes))} story={story_text} listed=" + ",".join(
        str(pk) for pk in sorted(listed)
    )


def _parse_part_note(note: str) -> tuple[str, frozenset[str], int | None, frozenset[int]] | None:
    try:
        name, scopes, story, listed = note.split(" ")
        scopes = scopes.removeprefix("scopes=")
        story, listed = story.removeprefix("story="), listed.removeprefix("listed=")
        return (
            name,
            frozenset(scope for scope in scopes.split(",") if scope),
            int(story) if story else None,
            frozenset(int(pk) for pk in listed.split(",") if pk),
        )
    except ValueError:
        return None


@dataclass(frozen=True)
class Part:
    """The newest copy of a shared part this process has seen, from a page's render."""

    body: bytes
    listed: frozenset[int]
    generation: int
    # The Last-Modified of the page it came from: no earlier than the part's own changes.
    modified: int | None


@dataclass
class Entry:
    status: str
    headers: list[tuple[str, str]]
    body: bytes
    scopes: frozenset[str]
    generation: int
    etag: str
    size: int = 0
    hole: Hole | None = None
    # The body with relative times rewritten, and the second it was made for:
    # the rewrite runs at most once a second per page, not once a request.
    fresh_second: int = -1
    fresh_body: bytes = b""

    def body_for(self, second: int) -> bytes:
        if self.fresh_second != second:
            self.fresh_body, self.fresh_second = refresh_relative_times(self.body), second
        return self.fresh_body


@dataclass(frozen=True)
class Stamp:
    """What the process that rendered a shared entry knew when the render began.

    It had seen every change to content versions made from ``since`` until
    its last poll ``until``; ``versions`` holds the counter and the time of
    the last change it had seen of each of the entry's scopes (a scope absent
    had not changed since ``since``), and ``next_due`` the next scheduled
    change it knew of. The time makes a version unique even across a database
    restored from a backup, where counters repeat.
    """

    versions: dict[str, tuple[int, datetime]]
    since: datetime
    until: datetime
    next_due: datetime | None


class Releases:
    """The stories released by the clock in a stretch of time, and the scopes they show in.

    A scheduled story's time or an embargo's end makes a story public with no
    write, so no version row says which pages changed; they are those of the
    story's scopes, as for a publish (``versions.story_scopes``). A story
    already accounted for (the stretches overlap, for late commits) is not
    counted twice. More than ``MOST`` at once: None, every page.
    """

    MOST = 50

    def __init__(self):
        # (story, the moment it was released at): when that was counted.
        self.counted: dict[tuple[int, datetime], datetime] = {}

    def since(self, start: datetime, end: datetime) -> set[str] | None:
        public = Story.objects.filter(status__in=Story.PUBLIC_STATUSES)
        window = Q(published_at__gt=start, published_at__lte=end) | Q(
            embargoed_until__gt=start, embargoed_until__lte=end
        )
        rows = public.filter(window).select_related("desk").order_by("pk")  # desk: its edition
        found = [
            story
            for story in rows[: self.MOST + 1 + len(self.counted)]
            if (story.pk, _released_at(story)) not in self.counted
        ]
        if len(found) > self.MOST:
            return None
        scopes: set[str] = set()
        for story in found:
            scopes |= story_scopes(story)
        # Only once every query answered: a poll that fails is made again in full.
        kept = {key: at for key, at in self.counted.items() if at > start}
        self.counted = kept | {(story.pk, _released_at(story)): end for story in found}
        return scopes


def _released_at(story: Story) -> datetime:
    """When a public story became public: its time, or its embargo's end if later."""
    moments = [moment for moment in (story.published_at, story.embargoed_until) if moment]
    return max(moments, default=datetime.min.replace(tzinfo=UTC))


@dataclass
class VersionWatch:
    """This process's view of which scopes changed, and when it saw them."""

    poll_seconds: float
    # How far back the first poll looks (the shared entries' lifetime).
    lookback: timedelta = timedelta(0)
    generation: int = 1
    changed_at_generation: dict[str, int] = field(default_factory=dict)
    # The counter of each scope seen changing, and when it changed.
    versions: dict[str, tuple[int, datetime]] = field(default_factory=dict)
    last_poll: float = 0.0
    polled_until: datetime | None = None
    # Every change made since then is in ``versions`` (once polled).
    known_since: datetime | None = None
    next_due: datetime | None = None
    # Releases by the clock are accounted for up to this time (the release clock's).
    released_until: datetime | None = None
    releases: Releases = field(default_factory=lambda: Releases())
    # Held by the one polling thread (``refresh``).
    lock: threading.Lock = field(default_factory=threading.Lock)
    # Held while a poll's findings are applied, and while a render reads what it begins
    # at: a render begins before all of a poll's changes or after all of them.
    state: threading.Lock = field(default_factory=threading.Lock)

    def refresh(self) -> None:
        """Poll the version rows if the last poll is older than ``poll_seconds``."""
        if clock.monotonic() - self.last_poll < self.poll_seconds:
            return
        if not self.lock.acquire(blocking=False):
            return  # another thread is polling; its answer is moments away
        started = clock.monotonic()
        try:
            self._poll()
        finally:
            self.last_poll = clock.monotonic()
            self.lock.release()
        took = self.last_poll - started
        if took > SLOW_POLL_SECONDS:
            # The reader whose request ran it waited as long, for a cached page.
            logger.warning("Polling the content versions took %.2f s (the database was slow)", took)

    def _poll(self) -> None:
        # The database first, then the findings in one step (``state``). Applied piece by
        # piece around the queries, a render beginning in between read the new rows
        # under the old generation, and its copy was stale as it was stored: every page
        # rendered then was rendered twice for one change.
        now = timezone.now()
        rows = self._changed_rows(now)
        changed = [
            (scope, (counter, changed_at))
            for scope, counter, changed_at in rows
            if self.versions.get(scope) != (counter, changed_at)
        ]
        # Releases go by the release clock (the database's on PostgreSQL), as the
        # gate that renders the pages does; changes above by the writers' own stamps.
        released_by = release_clock.now()
        next_due = self.next_due
        if self.polled_until is None or changed:
            next_due = next_scheduled_change(released_by)
        # A scheduled story or an embargo end has come: the pages that show it change.
        released = next_due is not None and next_due <= released_by
        if released:
            next_due = next_scheduled_change(released_by)
        # Which: the scopes of the stories released since the last poll (a schedule made
        # since, a pending twin changed, may have come already too). Too many: all.
        shown: set[str] | None = set()
        rescheduled = any(scope.startswith(PENDING) for scope, _ in changed)
        if self.released_until is not None and (released or rescheduled):
            shown = self.releases.since(self.released_until - POLL_OVERLAP, released_by)
        with self.state:
            for scope, version in changed:
                self.changed_at_generation[scope] = self.generation + 1
                self.versions[scope] = version
            for scope in [SITE] if shown is None else shown:
                self.changed_at_generation[scope] = self.generation + 1
            if changed or shown != set():
                self.generation += 1
            self.next_due = next_due
            self.polled_until = now
            self.released_until = released_by

    def _changed_rows(self, now: datetime) -> list[tuple[str, int, datetime]]:
        fields = ("scope", "counter", "changed_at")
        if self.polled_until is not None:
            since = self.polled_until - POLL_OVERLAP
            return list(ContentVersion.objects.filter(changed_at__gte=since).values_list(*fields))
        since = now - POLL_OVERLAP - self.lookback
        rows = list(
            ContentVersion.objects.filter(changed_at__gte=since)
            .order_by("-changed_at")
            .values_list(*fields)[:FIRST_POLL_ROWS]
        )
        if len(rows) == FIRST_POLL_ROWS:
            # Cut short: complete only after the oldest row read.
            since = rows[-1][2] + timedelta(microseconds=1)
        self.known_since = since
        return rows

    def is_fresh(self, entry: Entry) -> bool:
        stamps, generation, hole = self.changed_at_generation, entry.generation, entry.hole
        # A part is never older than the rest of its entry (it is renewed alone).
        if stamps.get(SITE, 0) > generation:
            return False
        if hole is None or hole.generation == generation:
            return all(stamps.get(scope, 0) <= generation for scope in entry.scopes)
        return self.is_fresh_but_its_part(entry) and self.is_fresh_part(
            hole.scopes, hole.generation
        )

    def is_fresh_but_its_part(self, entry: Entry) -> bool:
        """Whether what ``entry`` shows outside its shared part is still current."""
        stamps, hole = self.changed_at_generation, entry.hole
        if stamps.get(SITE, 0) > entry.generation:
            return False
        return all(
            stamps.get(scope, 0) <= entry.generation
            for scope in entry.scopes
            if hole is None or scope not in hole.scopes
        )

    def is_fresh_part(self, scopes: frozenset[str], generation: int) -> bool:
        stamps = self.changed_at_generation
        if stamps.get(SITE, 0) > generation:
            return False
        return all(stamps.get(scope, 0) <= generation for scope in scopes)

    # Entries shared between processes --------------------------------------

    def start_render(
        self, with_versions: bool = False
    ) -> tuple[int, Stamp | None, dict[str, tuple[int, datetime]] | None]:
        """The generation a render begins at, a draft of its stamp, and (if asked) the
        versions it begins at."""
        with self.state:
            generation = self.generation
            seen = dict(self.versions) if with_versions else None
            if self.polled_until is None or self.known_since is None:
                return generation, None, seen
            return generation, Stamp({}, self.known_since, self.polled_until, self.next_due), seen

    def stamp(self, generation: int, draft: Stamp, scopes: Iterable[str]) -> Stamp | None:
        """The draft with the versions the render showed; None if one changed meanwhile."""
        versions = {}
        with self.state:
            for scope in _compared(scopes):
                if self.changed_at_generation.get(scope, 0) > generation:
                    return None
                version = self.versions.get(scope)
                if version is not None:
                    versions[scope] = version
        return replace(draft, versions=versions)

    def vouches_for(self, stamp: Stamp, scopes: Iterable[str]) -> bool:
        """Whether an entry another process rendered is fresh by what this one knows.

        The rule of ``is_fresh`` across processes: no scope of the entry (nor
        the site) changed after its render began, and no scheduled change
        came. Changes its renderer had not seen were made after ``until``
        (less the commit overlap); this process must know that whole stretch.
        """
        if self.polled_until is None or self.known_since is None:
            return False
        if stamp.until - POLL_OVERLAP < self.known_since:
            return False
        if stamp.next_due is not None and stamp.next_due <= self.polled_until:
            return False
        for scope in _compared(scopes):
            theirs, ours = stamp.versions.get(scope), self.versions.get(scope)
            if ours is None:
                # No change since we know; one the renderer saw must be older than that.
                if theirs is not None and theirs[1] >= self.known_since:
                    return False
                continue
            if theirs is None:
                # The renderer saw no change since ``stamp.since``: fine if ours came before.
                if ours[1] >= stamp.since:
                    return False
            elif ours != theirs:
                return False  # newer on one side (or another database's counters)
        return True


def version_of(versions: dict[str, tuple[int, datetime]], scopes: Iterable[str]) -> str:
    """A short name of the content version a page with ``scopes`` shows, the same in every
    process that knows the same changes: its scopes' (and the site's) counters and times."""
    seen = [(scope, versions.get(scope)) for scope in sorted(_compared(scopes))]
    return hashlib.blake2b(repr(seen).encode(), digest_size=6).hexdigest()


def _compared(scopes: Iterable[str]) -> tuple[str, ...]:
    """The scopes two processes compare for an entry: its own, the site's, and their
    pending twins, which change when a story is scheduled in them (the renderer's
    ``next_due`` may predate it)."""
    scopes = (*scopes, SITE)
    return (*scopes, *(pending_scope(scope) for scope in scopes))


def next_scheduled_change(now: datetime) -> datetime | None:
    """When the live set next changes by time alone: a schedule or an embargo ending."""
    # Two index lookups (the public and the embargo indexes), not an aggregate
    # over every public story.
    public = Story.objects.filter(status__in=Story.PUBLIC_STATUSES)
    publish = (
        public.filter(published_at__gt=now)
        .order_by("published_at")
        .values_list("published_at", flat=True)
        .first()
    )
    embargo = (
        public.filter(embargoed_until__gt=now)
        .order_by("embargoed_until")
        .values_list("embargoed_until", flat=True)
        .first()
    )
    times = [moment for moment in (publish, embargo) if moment is not None]
    return min(times) if times else None


class EntryStore:
    """A byte-bounded LRU of entries, shared by the threads of one process."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.used = 0
        self.entries: OrderedDict[str, Entry] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str) -> Entry | None:
        with self.lock:
            entry = self.entries.get(key)
            if entry is not None:
                self.entries.move_to_end(key)
            return entry

    def put(self, key: str, entry: Entry) -> bool:
        """Keep ``entry`` unless it is too large to; whether it was kept."""
        entry.size = entry_size(key, entry)
        if entry.size > self.max_bytes // 4:
            return False
        with self.lock:
            old = self.entries.pop(key, None)
            if old is not None:
                self.used -= old.size
            self.entries[key] = entry
            self.used += entry.size
            while self.used > self.max_bytes and self.entries:
                _, evicted = self.entries.popitem(last=False)
                self.used -= evicted.size
        return True


def entry_size(key: str, entry: Entry) -> int:
    return len(entry.body) + sum(len(k) + len(v) for k, v in entry.headers) + len(key)


class SharedPages:
    """The second level: entries in Django's cache, shared by every process.

    Keys are digests of the first level's keys (which only name a public
    address), so nothing a client sends reaches the cache's key space as is.
    Values are plain tuples, and entries larger than ``max_bytes`` are not
    shared. A short lock per key (``add`` with a lifetime, so a renderer that
    dies leaves nothing behind for long) elects one renderer across processes.
    """

    FORMAT = 2
    lock_seconds = 10  # longer than a slow render; a dead renderer's lock lasts no longer
    poll_seconds = 0.05  # how often a waiting request looks for the new copy

    def __init__(self, cache: BaseCache, max_bytes: int, timeout: int, wait_seconds: float = 1.0):
        self.cache = cache
        self.max_bytes = max_bytes
        self.timeout = timeout
        self.wait_seconds = wait_seconds

    @classmethod
    def from_settings(cls) -> SharedPages | None:
        """The shared level of CACHES["default"], or None when it would share nothing."""
        if not settings.PAGE_CACHE_SHARED:
            return None
        if settings.CACHES["default"]["BACKEND"] in PROCESS_LOCAL_BACKENDS:
            return None
        return cls(
            caches["default"],
            max_bytes=settings.PAGE_CACHE_SHARED_MAX_BYTES,
            timeout=settings.PAGE_CACHE_SHARED_SECONDS,
            wait_seconds=min(1.0, settings.PAGE_CACHE_WAIT_SECONDS),
        )

    @staticmethod
    def _keys(key: str) -> tuple[str, str]:
        digest = hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=20).hexdigest()
        return f"page:{digest}", f"page-lock:{digest}"

    def is_down(self) -> bool:
        """Whether the cache failed lately (``ResilientRedisCache``'s breaker is open)."""
        is_down = getattr(self.cache, "is_down", None)
        return is_down is not None and is_down()

    def get(self, key: str) -> tuple[Entry, Stamp] | None:
        """The shared entry and its stamp, if there is one."""
        if self.is_down():
            return None
        return self._load(self.cache.get(self._keys(key)[0]))

    def get_while_rendering(self, key: str) -> tuple[tuple[Entry, Stamp] | None, bool]:
        """The shared entry (as ``get``), and whether a process holds its render lock."""
        if self.is_down():
            return None, False
        entry_key, lock_key = self._keys(key)
        found = self.cache.get_many([entry_key, lock_key])
        return self._load(found.get(entry_key)), lock_key in found

    def put(self, key: str, entry: Entry, stamp: Stamp) -> None:
        if entry_size(key, entry) > self.max_bytes or self.is_down():
            return
        hole = entry.hole
        if hole is not None:
            hole = (hole.name, hole.start, hole.end, hole.story, tuple(hole.scopes),
                    tuple(hole.listed))  # fmt: skip
        value = (
            self.FORMAT, entry.status, entry.headers, entry.body, tuple(entry.scopes), entry.etag,
            stamp.versions, stamp.since, stamp.until, stamp.next_due, hole,
        )  # fmt: skip
        self.cache.set(self._keys(key)[0], value, self.timeout)

    def _load(self, value) -> tuple[Entry, Stamp] | None:
        if value is None:
            return None
        try:
            fmt, status, headers, body, scopes, etag, versions, since, until, next_due, hole = value
            if hole is not None:
                name, start, end, story, hole_scopes, listed = hole
                hole = Hole(name, start, end, story, frozenset(hole_scopes), frozenset(listed), 0)
        except (TypeError, ValueError):
            return None  # written by another version of this code
        if fmt != self.FORMAT or not isinstance(body, bytes) or len(body) > self.max_bytes:
            return None
        entry = Entry(status, list(headers), body, frozenset(scopes), 0, etag, hole=hole)
        return entry, Stamp(versions, since, until, next_due)

    def lock(self, key: str) -> bool:
        # The value is when it was taken: see ``rendering_for``.
        return self.cache.add(self._keys(key)[1], time.time(), self.lock_seconds)

    def rendering_for(self, key: str) -> float:
        """How long ago another process took the page's lock (0 if nobody holds it)."""
        taken = self.cache.get(self._keys(key)[1])
        if not isinstance(taken, float):
            return 0.0 if taken is None else float("inf")  # a lock of an older version
        return max(0.0, time.time() - taken)

    def unlock(self, key: str) -> None:
        self.cache.delete(self._keys(key)[1])


class PageCache:
    def __init__(
        self,
        app,
        max_bytes: int | None = None,
        poll_seconds: float | None = None,
        shared: SharedPages | bool | None = True,
    ):
        self.app = app
        self.store = EntryStore(max_bytes or settings.PAGE_CACHE_MAX_BYTES)
        # True: the shared level the settings configure (if any); or one given, or None.
        self.shared = SharedPages.from_settings() if shared is True else shared or None
        self.watch = VersionWatch(
            settings.PAGE_CACHE_POLL_SECONDS if poll_seconds is None else poll_seconds,
            lookback=timedelta(seconds=self.shared.timeout) if self.shared else timedelta(0),
        )
        self.rendering: dict[str, threading.Event] = {}
        self.rendering_lock = threading.Lock()
        # The newest copy seen of each shared part, by scheme, host and name.
        self.parts: OrderedDict[str, Part] = OrderedDict()
        self.parts_lock = threading.Lock()
        self.session_cookie = settings.SESSION_COOKIE_NAME
        # Files are served (and cached by browsers) on their own terms.
        self.passthrough_prefixes = (settings.STATIC_URL, settings.MEDIA_URL)

    def __call__(self, environ, start_response):
        if not self._is_cacheable_request(environ):
            return self.app(environ, start_response)
        try:
            self.watch.refresh()
        except DatabaseError as error:
            close_old_connections()
            if not is_database_outage(error) or self.watch.polled_until is None:
                # Freshness cannot be checked: let Django answer (or fail) as without a cache.
                logger.warning("page cache: cannot read content versions", exc_info=True)
                return self.app(environ, start_response)
            # The database is down or read-only, so nothing can be published meanwhile:
            # the versions last seen still hold, and the pages kept stay fresh by them.
            logger.warning("page cache: database unavailable, serving pages as of the last poll")
        try:
            key, clean = self._key(environ)
        except (SuspiciousOperation, UnicodeError):
            return self.app(environ, start_response)  # Django answers 400
        entry = self.store.get(key)
        current = self._current(key, entry)
        if current is not None:
            return self._serve(current, environ, start_response, "HIT")
        if not clean:
            # Parameters the page does not read (?utm_source=…, ?junk=…): the clean
            # address's copy when there is a fresh one, else Django's answer to this
            # request, stored nowhere (site/query.py).
            return self.app(environ, start_response)
        return self._render(key, entry, environ, start_response)

    # Requests ---------------------------------------------------------------

    def _is_cacheable_request(self, environ) -> bool:
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return False
        if environ.get("HTTP_AUTHORIZATION"):
            return False
        path = environ.get("PATH_INFO", "")
        if path.startswith(self.passthrough_prefixes):
            return False
        raw_cookie = environ.get("HTTP_COOKIE")
        if raw_cookie and self.session_cookie in raw_cookie:
            try:
                if self.session_cookie in SimpleCookie(raw_cookie):
                    return False
            except CookieError:
                return False
        return True

    @staticmethod
    def _key(environ) -> tuple[str, bool]:
        """The entry's key: scheme, host, path and the query parameters the page reads;
        and whether the query held nothing else (site/query.py)."""
        query, clean = "", True
        if environ.get("QUERY_STRING"):  # the hit path of a bare address does no more
            query, clean = keyed_query(
                get_path_info(environ), get_bytes_from_wsgi(environ, "QUERY_STRING", "")
            )
        key = "|".join(
            (
                environ.get("wsgi.url_scheme", "http"),
                environ.get("HTTP_X_FORWARDED_PROTO", ""),
                environ.get("HTTP_HOST", ""),
                environ.get("PATH_INFO", ""),
                query,
            )
        )
        return key, clean

    # Rendering --------------------------------------------------------------

    def _render(self, key: str, stale: Entry | None, environ, start_response):
        with self.rendering_lock:
            in_flight = self.rendering.get(key)
            if in_flight is None:
                in_flight = self.rendering[key] = threading.Event()
                leader = True
            else:
                leader = False
        if not leader:
            if stale is not None:
                return self._serve(stale, environ, start_response, "STALE")
            in_flight.wait(timeout=settings.PAGE_CACHE_WAIT_SECONDS)
            fresh = self._current(key, self.store.get(key))
            if fresh is not None:
                return self._serve(fresh, environ, start_response, "HIT")
            if self.shared is not None:
                # Our leader is still waiting for, or rendering, a page another process may have.
                generation = self.watch.generation
                fresh = self._vouched(key, self.shared.get(key), generation)
                if fresh is not None:
                    return self._serve(fresh, environ, start_response, "SHARED")
            return self.app(environ, start_response)
        try:
            fresh = self._current(key, self.store.get(key))
            if fresh is not None:
                # Rendered by the leader that finished between our look and our lead.
                return self._serve(fresh, environ, start_response, "HIT")
            if self.shared is None:
                return self._render_and_store(key, environ, start_response)
            return self._render_shared(key, stale, environ, start_response)
        finally:
            with self.rendering_lock:
                self.rendering.pop(key, None)
            in_flight.set()

    def _render_shared(self, key: str, stale: Entry | None, environ, start_response):
        """This process's one request for the page: a shared copy, or render under the lock."""
        shared = self.shared
        generation = self.watch.generation  # before the check, as a render would
        found = shared.get(key)  # the one round trip when another process has rendered it
        fresh = self._vouched(key, found, generation)
        if fresh is not None:
            return self._serve(fresh, environ, start_response, "SHARED")
        if environ.get("REQUEST_METHOD") == "HEAD" or shared.is_down():
            return self._render_and_store(key, environ, start_response)
        if shared.lock(key):
            try:
                return self._render_and_store(key, environ, start_response)
            finally:
                shared.unlock(key)
        if shared.is_down():  # the lock failed because the cache did
            return self._render_and_store(key, environ, start_response)
        # Another process is rendering it: our previous copy, or its new one soon.
        stale = stale or (found[0] if found is not None else None)
        if stale is not None:
            if shared.rendering_for(key) < shared.wait_seconds:
                return self._serve(stale, environ, start_response, "STALE")
            # The old copy no longer than a waiting reader would wait: that renderer is
            # slow, stuck, or gone and its lock left behind (an ``add`` Redis carried
            # out after our client had timed out). Render too.
            return self._render_and_store(key, environ, start_response)
        deadline = clock.monotonic() + shared.wait_seconds
        rendering = True
        while rendering and clock.monotonic() < deadline:
            clock.sleep(shared.poll_seconds)
            generation = self.watch.generation
            found, rendering = shared.get_while_rendering(key)
            fresh = self._vouched(key, found, generation)
            if fresh is not None:
                return self._serve(fresh, environ, start_response, "SHARED")
        # It finished without a copy for us, died, or is slow: render too, rather than fail.
        return self._render_and_store(key, environ, start_response)

    def _vouched(self, key: str, found, generation: int) -> Entry | None:
        """The shared copy, now in this process's store, if it is fresh by our versions."""
        if found is None or not self.watch.vouches_for(found[1], found[0].scopes):
            return None
        entry = found[0]
        entry.generation = generation
        if entry.hole is not None:
            entry.hole = replace(entry.hole, generation=generation)
            self._offer_part(key, entry)
        self.store.put(key, entry)
        return entry

    # Shared parts -----------------------------------------------------------

    def _current(self, key: str, entry: Entry | None) -> Entry | None:
        """``entry`` if it is fresh, or fresh but for its shared part and a newer copy of
        the part is at hand (the entry with it set in, stored in its place); else None."""
        if entry is None:
            return None
        if self.watch.is_fresh(entry):
            return entry
        if entry.hole is None or not self.watch.is_fresh_but_its_part(entry):
            return None
        return self._spliced(key, entry)

    def _spliced(self, key: str, entry: Entry) -> Entry | None:
        hole = entry.hole
        part = self.parts.get(_part_key(key, hole.name))
        if part is None or part.generation <= hole.generation or hole.story in part.listed:
            # None newer; or the page's own story is now among those the part lists: its
            # page shows a part of its own, so it is rendered.
            return None
        if not self.watch.is_fresh_part(hole.scopes, part.generation):
            return None
        body = entry.body[: hole.start] + part.body + entry.body[hole.end :]
        modified = _last_modified(entry.headers)
        if part.modified is not None and (modified is None or part.modified > modified):
            modified = part.modified
        headers = [(k, v) for k, v in entry.headers if k.lower() != "last-modified"]
        if modified is not None:
            headers.append(("Last-Modified", http_date(modified)))
        hole = replace(
            hole, end=hole.start + len(part.body), listed=part.listed, generation=part.generation
        )
        # The validator of these bytes, as Django gives it (``http.py``): a render of the
        # page now would carry the same.
        etag = _weak(content_etag(body))
        spliced = Entry(
            entry.status, headers, body, entry.scopes, entry.generation, etag, hole=hole
        )
        self.store.put(key, spliced)
        return spliced

    def _offer_part(self, key: str, entry: Entry) -> None:
        """Keep the part ``entry`` shows if it is newer than the one kept."""
        hole = entry.hole
        part = Part(
            entry.body[hole.start : hole.end],
            hole.listed,
            hole.generation,
            _last_modified(entry.headers),
        )
        part_key = _part_key(key, hole.name)
        with self.parts_lock:
            kept = self.parts.get(part_key)
            if kept is None or kept.generation < part.generation:
                self.parts[part_key] = part
                self.parts.move_to_end(part_key)
                while len(self.parts) > MAX_PARTS:
                    self.parts.popitem(last=False)

    def _render_and_store(self, key: str, environ, start_response):
        # What the render shows is what this process knew as it began.
        generation, draft, seen = self.watch.start_render(renders_log.isEnabledFor(logging.DEBUG))
        captured: dict = {}

        def capture(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, headers
            return lambda data: None  # the legacy write() callable: Django never uses it

        result = self.app(environ, capture)
        entry_headers = self._storable_headers(
            captured["status"], captured["headers"], bool(environ.get("QUERY_STRING"))
        )
        if entry_headers is None:
            # Not for the cache: hand Django's response through, streaming as it was.
            start_response(captured["status"], _without_part_note(captured["headers"]))
            return result
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        if environ.get("REQUEST_METHOD") == "HEAD":
            # Django answered HEAD without a body; store nothing, serve its headers.
            start_response(captured["status"], _without_part_note(captured["headers"]))
            return []
        scopes, etag, kept, note = entry_headers
        if seen is not None:
            renders_log.debug(
                "render %s version=%s pid=%d", key, version_of(seen, scopes), os.getpid()
            )
        etag = etag or hashlib.blake2b(body, digest_size=12).hexdigest()
        hole = _hole_of(body, note, scopes, generation)
        entry = Entry(captured["status"], kept, body, scopes, generation, _weak(etag), hole=hole)
        if hole is not None:
            self._offer_part(key, entry)
        stored = self.store.put(key, entry)
        if stored and self.shared is not None and draft is not None:
            stamp = self.watch.stamp(generation, draft, scopes)
            if stamp is not None:
                self.shared.put(key, entry, stamp)
        return self._serve(entry, environ, start_response, "MISS")

    @staticmethod
    def _storable_headers(status: str, headers, with_query: bool = False):
        """(scopes, etag, headers to keep, its part's note) if the response may be stored,
        else None.

        At an address with a query only a 200 is: the values of a page's
        parameters are the client's to choose, and one that names no page (a
        404) or an old one (a 301) would otherwise make an entry per value.
        """
        code = int(status.split(" ", 1)[0])
        if code not in CACHEABLE_STATUSES or (with_query and code != 200):
            return None
        names = {name.lower(): value for name, value in headers}
        if "set-cookie" in names or "surrogate-key" not in names:
            return None
        cache_control = names.get("cache-control", "").lower()
        if (
            "public" not in cache_control
            or "private" in cache_control
            or "no-store" in cache_control
        ):
            return None
        vary = {v.strip().lower() for v in names.get("vary", "").split(",") if v.strip()}
        if vary - {"cookie", "accept-encoding"}:
            return None
        scopes = frozenset(names["surrogate-key"].split())
        # The request id is the rendering request's own (masthead/request_id.py): a copy
        # served to others must not carry it.
        kept = [(k, v) for k, v in headers if k.lower() not in NOT_KEPT]
        return scopes, names.get("etag"), kept, names.get(PART_HEADER.lower())

    # Serving ----------------------------------------------------------------

    def _serve(self, entry: Entry, environ, start_response, outcome: str):
        headers = [*entry.headers, ("ETag", entry.etag), ("X-Page-Cache", outcome)]
        if _is_not_modified(environ, entry):
            start_response("304 Not Modified", headers)
            return []
        body = entry.body_for(int(time.time()))
        headers.append(("Content-Length", str(len(body))))
        start_response(entry.status, headers)
        return [] if environ.get("REQUEST_METHOD") == "HEAD" else [body]


NOT_KEPT = frozenset({"etag", "content-length", "x-request-id", PART_HEADER.lower()})


def _without_part_note(headers):
    return [(k, v) for k, v in headers if k.lower() != PART_HEADER.lower()]


def _hole_of(body: bytes, note: str | None, scopes: frozenset[str], generation: int) -> Hole | None:
    """The shared part Django's note announces, if the body marks it exactly once."""
    if not note:
        return None
    parsed = _parse_part_note(note)
    if parsed is None:
        return None
    name, part_scopes, story, listed = parsed
    if not part_scopes or not part_scopes <= scopes or SITE in part_scopes:
        return None  # a part must show scopes of the page, and the site's are everyone's
    if body.count(PART_OPEN) != 1 or body.count(PART_CLOSE) != 1:
        return None
    start = body.index(PART_OPEN) + len(PART_OPEN)
    end = body.index(PART_CLOSE)
    if end < start:
        return None
    return Hole(name, start, end, story, part_scopes, listed, generation)


def _part_key(key: str, name: str) -> str:
    # The page's scheme, forwarded scheme and host (``PageCache._key``), and the part.
    return "|".join((*key.split("|", 3)[:3], name))


def _last_modified(headers) -> int | None:
    value = next((v for k, v in headers if k.lower() == "last-modified"), "")
    return parse_http_date_safe(value) if value else None


def _weak(etag: str) -> str:
    """Cached copies rewrite relative times, so their validators are weak (RFC 9110 8.8.1)."""
    bare = etag.removeprefix("W/").strip('"')
    return f'W/"{bare}"'


def _is_not_modified(environ, entry: Entry) -> bool:
    """RFC 9110 13.2.2 for a stored copy: If-None-Match (compared weakly) when sent,
    else If-Modified-Since against the copy's Last-Modified (a date from its
    content, ``http.py``, so the same on every process)."""
    if_none_match = environ.get("HTTP_IF_NONE_MATCH", "")
    if if_none_match:
        return _etag_matches(if_none_match, entry.etag)
    if_modified_since = environ.get("HTTP_IF_MODIFIED_SINCE", "")
    if not if_modified_since:
        return False
    since = parse_http_date_safe(if_modified_since)
    modified = _last_modified(entry.headers)
    return since is not None and modified is not None and modified <= since


def _etag_matches(if_none_match: str, etag: str) -> bool:
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    bare = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == bare for tag in if_none_match.split(","))
