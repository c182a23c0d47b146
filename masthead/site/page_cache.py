"""The reader path: anonymous page views answered from memory, before Django.

``PageCache`` wraps the WSGI application. A GET or HEAD without a session
cookie or credentials is looked up by scheme, host, path and query in a
per-process store; a hit is answered with the bytes and headers Django
produced (security headers included), with every relative time rewritten
for this moment, and with a 304 when the reader's ETag still matches. Only
responses Django marked ``Cache-Control: public`` and labelled with a
``Surrogate-Key`` header (the scopes they show, e.g. ``front story:12``)
are stored, so staff pages, previews and anything with a cookie never are.

Freshness is versioned, not scanned (DESIGN.md invariant 7). Publishing
bumps counters of the scopes it touches (``stories/versions.py``) in the
database, which every app server shares. Each process polls the rows
changed lately at most every ``PAGE_CACHE_POLL_SECONDS``; an entry is stale
once any of its scopes changed after it began to render. The time of the
next scheduled publication or embargo end is part of the version too, so a
scheduled story appears at its time with no worker. A stale entry is
re-rendered by one request while concurrent requests for it get the
previous copy (no stampede); a cold one is rendered once while the others
wait for it.

Why our own code: Django's cache middleware runs inside the full request
cycle, keys by time-to-live, cannot embed content versions and serves
frozen relative times; a CDN in front (see docs/operations.md) is welcome
but is not there on the small machine.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http.cookies import CookieError, SimpleCookie

from django.conf import settings
from django.db import DatabaseError, close_old_connections
from django.utils import timezone

from masthead.site.relative_time import refresh_relative_times
from masthead.stories.models import ContentVersion, Story
from masthead.stories.versions import SITE

logger = logging.getLogger(__name__)

CACHEABLE_STATUSES = {200, 301, 404, 410}
# Re-read version rows changed this long before the last poll, so a
# transaction that committed late is still seen.
POLL_OVERLAP = timedelta(seconds=30)


@dataclass
class Entry:
    status: str
    headers: list[tuple[str, str]]
    body: bytes
    scopes: frozenset[str]
    generation: int
    etag: str
    size: int = 0
    # The body with relative times rewritten, and the second it was made for:
    # the rewrite runs at most once a second per page, not once a request.
    fresh_second: int = -1
    fresh_body: bytes = b""

    def body_for(self, second: int) -> bytes:
        if self.fresh_second != second:
            self.fresh_body, self.fresh_second = refresh_relative_times(self.body), second
        return self.fresh_body


@dataclass
class VersionWatch:
    """This process's view of which scopes changed, and when it saw them."""

    poll_seconds: float
    generation: int = 1
    changed_at_generation: dict[str, int] = field(default_factory=dict)
    counters: dict[str, int] = field(default_factory=dict)
    last_poll: float = 0.0
    polled_until: datetime | None = None
    next_due: datetime | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def refresh(self) -> None:
        """Poll the version rows if the last poll is older than ``poll_seconds``."""
        if time.monotonic() - self.last_poll < self.poll_seconds:
            return
        if not self.lock.acquire(blocking=False):
            return  # another thread is polling; its answer is moments away
        try:
            self._poll()
        finally:
            self.last_poll = time.monotonic()
            self.lock.release()

    def _poll(self) -> None:
        now = timezone.now()
        since = (self.polled_until or now) - POLL_OVERLAP
        changed = False
        rows = ContentVersion.objects.filter(changed_at__gte=since).values_list("scope", "counter")
        for scope, counter in rows:
            if self.counters.get(scope) != counter:
                self.counters[scope] = counter
                self.changed_at_generation[scope] = self.generation + 1
                changed = True
        if self.polled_until is None or changed:
            self.next_due = next_scheduled_change(now)
        if self.next_due is not None and self.next_due <= now:
            # A scheduled story or an embargo end has come: every list may change.
            self.changed_at_generation[SITE] = self.generation + 1
            self.next_due = next_scheduled_change(now)
            changed = True
        if changed:
            self.generation += 1
        self.polled_until = now

    def is_fresh(self, entry: Entry) -> bool:
        stamps = self.changed_at_generation
        if stamps.get(SITE, 0) > entry.generation:
            return False
        return all(stamps.get(scope, 0) <= entry.generation for scope in entry.scopes)


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

    def put(self, key: str, entry: Entry) -> None:
        entry.size = len(entry.body) + sum(len(k) + len(v) for k, v in entry.headers) + len(key)
        if entry.size > self.max_bytes // 4:
            return
        with self.lock:
            old = self.entries.pop(key, None)
            if old is not None:
                self.used -= old.size
            self.entries[key] = entry
            self.used += entry.size
            while self.used > self.max_bytes and self.entries:
                _, evicted = self.entries.popitem(last=False)
                self.used -= evicted.size


class PageCache:
    def __init__(self, app, max_bytes: int | None = None, poll_seconds: float | None = None):
        self.app = app
        self.store = EntryStore(max_bytes or settings.PAGE_CACHE_MAX_BYTES)
        self.watch = VersionWatch(
            settings.PAGE_CACHE_POLL_SECONDS if poll_seconds is None else poll_seconds
        )
        self.rendering: dict[str, threading.Event] = {}
        self.rendering_lock = threading.Lock()
        self.session_cookie = settings.SESSION_COOKIE_NAME
        # Files are served (and cached by browsers) on their own terms.
        self.passthrough_prefixes = (settings.STATIC_URL, settings.MEDIA_URL)

    def __call__(self, environ, start_response):
        if not self._is_cacheable_request(environ):
            return self.app(environ, start_response)
        try:
            self.watch.refresh()
        except DatabaseError:
            # Freshness cannot be checked: let Django answer (or fail) as without a cache.
            logger.warning("page cache: cannot read content versions", exc_info=True)
            close_old_connections()
            return self.app(environ, start_response)
        key = self._key(environ)
        entry = self.store.get(key)
        if entry is not None and self.watch.is_fresh(entry):
            return self._serve(entry, environ, start_response, "HIT")
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
    def _key(environ) -> str:
        return "|".join(
            (
                environ.get("wsgi.url_scheme", "http"),
                environ.get("HTTP_X_FORWARDED_PROTO", ""),
                environ.get("HTTP_HOST", ""),
                environ.get("PATH_INFO", ""),
                environ.get("QUERY_STRING", ""),
            )
        )

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
            fresh = self.store.get(key)
            if fresh is not None and self.watch.is_fresh(fresh):
                return self._serve(fresh, environ, start_response, "HIT")
            return self.app(environ, start_response)
        try:
            return self._render_and_store(key, environ, start_response)
        finally:
            with self.rendering_lock:
                self.rendering.pop(key, None)
            in_flight.set()

    def _render_and_store(self, key: str, environ, start_response):
        generation = self.watch.generation
        captured: dict = {}

        def capture(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, headers
            return lambda data: None  # the legacy write() callable: Django never uses it

        result = self.app(environ, capture)
        entry_headers = self._storable_headers(captured["status"], captured["headers"])
        if entry_headers is None:
            # Not for the cache: hand Django's response through, streaming as it was.
            start_response(captured["status"], captured["headers"])
            return result
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        if environ.get("REQUEST_METHOD") == "HEAD":
            # Django answered HEAD without a body; store nothing, serve its headers.
            start_response(captured["status"], captured["headers"])
            return []
        scopes, etag, kept = entry_headers
        etag = etag or hashlib.blake2b(body, digest_size=12).hexdigest()
        entry = Entry(captured["status"], kept, body, scopes, generation, _weak(etag))
        self.store.put(key, entry)
        return self._serve(entry, environ, start_response, "MISS")

    @staticmethod
    def _storable_headers(status: str, headers):
        """(scopes, etag, headers to keep) if the response may be stored, else None."""
        if int(status.split(" ", 1)[0]) not in CACHEABLE_STATUSES:
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
        kept = [(k, v) for k, v in headers if k.lower() not in ("etag", "content-length")]
        return scopes, names.get("etag"), kept

    # Serving ----------------------------------------------------------------

    def _serve(self, entry: Entry, environ, start_response, outcome: str):
        headers = [*entry.headers, ("ETag", entry.etag), ("X-Page-Cache", outcome)]
        if _etag_matches(environ.get("HTTP_IF_NONE_MATCH", ""), entry.etag):
            start_response("304 Not Modified", headers)
            return []
        body = entry.body_for(int(time.time()))
        headers.append(("Content-Length", str(len(body))))
        start_response(entry.status, headers)
        return [] if environ.get("REQUEST_METHOD") == "HEAD" else [body]


def _weak(etag: str) -> str:
    """Cached copies rewrite relative times, so their validators are weak (RFC 9110 8.8.1)."""
    bare = etag.removeprefix("W/").strip('"')
    return f'W/"{bare}"'


def _etag_matches(if_none_match: str, etag: str) -> bool:
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    bare = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == bare for tag in if_none_match.split(","))
