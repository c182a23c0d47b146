"""Parts of public pages rendered once per content version, then assembled cheaply.

The header and footer (the outlet, its desks and policy pages: the ``site``
scope), Recent Posts (``front``), the home page's lists (``front``) and an
article's own head and main part (``story:N`` with ``site``) are rendered
once per version of the scopes they show and kept in Django's cache
(local memory, or Redis through ``masthead/resilient_cache.py``: when
Redis is away every fragment is rendered again, and for a few seconds after
a failure the cache is not even asked: its circuit breaker is open). The same holds for
the outlet's records that templates read (``outlet``, its policy pages).

Keys embed the counters of those scopes (``stories/versions.py``), read once
per request; a publish, update, correction, withdrawal, a desk rename or an
outlet change bumps them, so the next render asks for a new key. Nothing is
listed or deleted (DESIGN.md invariant 7): superseded keys simply expire after
``FRAGMENT_SECONDS``. Keys also carry the site's address (absolute links in
metadata), the request's edition with what shapes its markup (language,
calendar, time zone: ``site/editions.py``) and the active interface language
(the edition's on public pages), so no edition is ever handed another's
header, lists, dates or words, and a digest of the code and settings that
shape the markup, so two releases sharing one Redis never serve each other's HTML.

Lists of stories change with the clock too: a scheduled story joins them at
its time with no bump. A fragment of a ``front`` scope (the default edition's
``front``, another's ``front:fa``: ``versions.front_scope``) therefore keeps the
time of the next scheduled publication or embargo end
(``page_cache.next_scheduled_change``), and is rendered again from then on;
its key embeds the counter of its pending twin (``pending:front``) too, which
scheduling bumps instead (nothing readers see changes before the time), so a
story scheduled after the render still brings that time forward.

Relative times ("16 mins ago") inside a fragment taken from the cache are
rewritten for the current second (``relative_time.py``), so a page assembled
from old fragments carries the time of its own second, whether or not the
page cache serves it afterwards.

Previews and staff renders never read or write fragments: a view marks its
request ``private`` (``views.preview``), and a template with ``preview`` in
its context renders every part itself (``templatetags/site_tags.py``).

Why our own code: Django's ``{% cache %}`` tag keys by time-to-live and
vary-on values; it cannot expire a list at a scheduled time nor refresh the
relative times of what it returns.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache as once
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone, translation

from masthead.site.absolute_urls import site_root
from masthead.site.editions import edition_of
from masthead.site.page_cache import (
    PART_CLOSE,
    PART_HEADER,
    PART_OPEN,
    next_scheduled_change,
    part_note,
)
from masthead.site.relative_time import refresh_relative_times_text
from masthead.stories import versions

# Superseded fragments are never read again; this bounds how long they take room.
FRAGMENT_SECONDS = 24 * 3600
# Fragments listing stories change when a scheduled story's time comes: lists
# of the front, a thread's list of its stories (``site/live_coverage.py``) and a
# translation group's alternates (``stories/translations.py``).
TIMED_SCOPES = frozenset({versions.FRONT})
TIMED_SCOPE_PREFIXES = (f"{versions.FRONT}:", "thread:", versions.TRANSLATIONS)
# Settings that change the markup of the same content (times, links).
MARKUP_SETTINGS = ("TIME_ZONE", "LANGUAGE_CODE", "STATIC_URL", "MEDIA_URL")


@dataclass(frozen=True)
class Fragment:
    """Rendered HTML (or any picklable value) and when it stops being true by the clock."""

    value: object
    valid_until: float | None = None


class PageFragments:
    """One request's access to shared fragments: the counters it embeds, read once."""

    shared = True

    def __init__(self, request: HttpRequest | None, counters: dict[str, int] | None = None):
        self.request = request
        self.counters: dict[str, int] = dict(counters or {})
        self.next_change: tuple[float | None] | None = None  # read once a request

    def counter(self, scopes: Iterable[str]) -> list[int]:
        if any(scope not in self.counters for scope in scopes):
            # Nearly every page shows these: read them with the first, in one query.
            wanted = {*scopes, versions.SITE, *front_scopes(self.request)}
            self.counters.update(versions.counters(wanted - self.counters.keys()))
        return [self.counters[scope] for scope in scopes]

    def key(self, name: str, scopes: list[str], vary: Iterable[object], digest: str = "") -> str:
        """The cache key of ``name`` at the current counters of ``scopes``; ``digest``: the
        ``varying`` digest of ``vary`` when the caller made it already (a list's pieces)."""
        timed = [versions.pending_scope(scope) for scope in scopes if is_timed(scope)]
        counters = zip([*scopes, *timed], self.counter([*scopes, *timed]), strict=True)
        versioned = ",".join(f"{scope}={counter}" for scope, counter in counters)
        return f"fragment:{release_digest()}:{name}:{versioned}:{digest or self.varying(vary)}"

    def varying(self, vary: Iterable[object]) -> str:
        """A digest of what else shapes the markup: the site's address, the edition, the
        words, the markup settings and ``vary``."""
        shaping = (getattr(settings, name) for name in MARKUP_SETTINGS)
        edition = _edition_key(self.request)
        # The words: the edition's language on public pages, but a staff page that
        # shows the site's header (the account pages) speaks the staff member's.
        language = translation.get_language()
        varying = "|".join(
            str(part) for part in (site_root(self.request), edition, language, *shaping, *vary)
        )
        digest = hashlib.blake2b(varying.encode("utf-8", "surrogateescape"), digest_size=12)
        return digest.hexdigest()

    def value(
        self, name: str, scopes: Iterable[str], produce: Callable[[], object], vary=()
    ) -> object:
        """The cached value of ``name`` for the current versions, produced on a miss."""
        if _cache_is_down():
            return produce()
        scopes = sorted(set(scopes))
        key = self.key(name, scopes, vary)
        found = cache.get(key)
        if isinstance(found, Fragment) and (
            found.valid_until is None or time.time() < found.valid_until
        ):
            return found.value
        if any(map(is_timed, scopes)) and self.next_change is None:
            # Read before the first list is: one earlier than a later render's own is as
            # true (a moment it passed only ends the fragment sooner), and one query a page.
            self.next_change = (_next_change(timezone.now()),)
        produced = produce()
        valid_until = self.next_change[0] if any(map(is_timed, scopes)) else None
        cache.set(key, Fragment(produced, valid_until), FRAGMENT_SECONDS)
        return produced

    def html(self, name: str, scopes: Iterable[str], render: Callable[[], str], vary=()) -> str:
        """Cached HTML of ``name``, with its relative times true for this second."""
        return refresh_relative_times_text(str(self.value(name, scopes, render, vary)))

    def pieces(
        self,
        name: str,
        versions_of: dict[int, int],
        produce: Callable[[list[int]], dict[int, str]],
        vary=(),
    ) -> dict[int, str]:
        """A list's pieces, one per story (a feed's items, the home page's cards), kept by
        the story's version: after a publish a list renders the one new piece, not all.

        ``versions_of`` maps each story's id to the counter of its ``story:<id>``
        scope, read with the list (``versions.story_counter``); a piece also
        shows the ``site`` scope (bylines' names, desks, labels). The kept ones
        are read in one cache call; ``produce`` makes the missing ones, given
        their ids, all together (one read of their rows), and may leave out a
        story no longer there. Relative times are not refreshed here: the
        caller's page or fragment does that once for the whole.
        """
        self.counters.update({f"story:{pk}": version for pk, version in versions_of.items()})
        digest = self.varying(vary)
        keys = {
            pk: self.key(name, [versions.SITE, f"story:{pk}"], (), digest) for pk in versions_of
        }
        found = {} if _cache_is_down() else cache.get_many(keys.values())
        kept = {pk: found[key] for pk, key in keys.items() if isinstance(found.get(key), str)}
        missing = [pk for pk in versions_of if pk not in kept]
        if missing:
            made = produce(missing)
            if not _cache_is_down():
                cache.set_many({keys[pk]: made[pk] for pk in made}, FRAGMENT_SECONDS)
            kept.update(made)
        return kept


class PrivateFragments(PageFragments):
    """For previews and staff: everything is produced for this request alone."""

    shared = False

    def value(self, name, scopes, produce, vary=()):
        return produce()

    def html(self, name, scopes, render, vary=()):
        return render()

    def pieces(self, name, versions_of, produce, vary=()):
        return produce(list(versions_of))


def _edition_key(request: HttpRequest | None) -> str:
    """What of the request's edition shapes markup: which it is, its words, dates and root."""
    if request is None:
        return ""
    edition = edition_of(request)
    parts = (edition.pk, edition.language, edition.calendar, edition.zone_name, edition.url_root)
    return ":".join(str(part) for part in parts)


def front_scopes(request: HttpRequest | None) -> tuple[str, str]:
    """The front scope of the request's edition (its lists) and that scope's pending twin."""
    front = versions.front_scope(edition_of(request).pk if request is not None else None)
    return front, versions.pending_scope(front)


def is_timed(scope: str) -> bool:
    """Whether what a fragment of ``scope`` shows also changes by the clock."""
    return scope in TIMED_SCOPES or scope.startswith(TIMED_SCOPE_PREFIXES)


def fragments_for(request: HttpRequest | None) -> PageFragments:
    """The request's fragments (shared unless marked private), made on first use."""
    if request is None:
        return PrivateFragments(None)
    found = getattr(request, "_masthead_fragments", None)
    if found is None:
        found = request._masthead_fragments = PageFragments(request)
    return found


def use_counters(request: HttpRequest, counters: dict[str, int]) -> None:
    """Counters the view read with its rows (one statement, one snapshot): use those."""
    fragments_for(request).counters.update(counters)


def private(request: HttpRequest) -> None:
    """Keep this request away from shared fragments (previews, staff renders)."""
    request._masthead_fragments = PrivateFragments(request)


def shared_part(
    request: HttpRequest, html: str, name: str, scopes: Iterable[str], story: int, listed
) -> str:
    """``html`` marked as the page's shared part, for the page cache to renew alone.

    A part shown by many pages (Recent Posts beside every article) and made of
    scopes the rest of the page does not show: after a change to those, the
    page cache sets the part one page rendered into the others instead of
    rendering each (``page_cache.PageCache._spliced``). ``listed`` are the
    stories the part lists: a page of one of them needs a part of its own.
    """
    request._masthead_part = part_note(name, scopes, story, listed)
    return PART_OPEN.decode() + html + PART_CLOSE.decode()


def label_shared_part(request: HttpRequest, response) -> None:
    """Tell the page cache about the part ``shared_part`` marked in this response (the
    cache takes the header off; without a page cache, nothing is said)."""
    note = getattr(request, "_masthead_part", None)
    if note is not None and settings.PAGE_CACHE:
        response[PART_HEADER] = note


def _cache_is_down() -> bool:
    # Redis failed lately (its breaker is open): not worth reading the counters of a key.
    is_down = getattr(cache, "is_down", None)
    return is_down is not None and is_down()


def _next_change(now) -> float | None:
    # The page cache's clock: the next scheduled publication or embargo end.
    moment = next_scheduled_change(now)
    return moment.timestamp() if moment is not None else None


@once
def release_digest() -> str:
    """Digest of the code that renders markup: one release, one set of keys."""
    package = Path(__file__).resolve().parents[1]
    digest = hashlib.blake2b(digest_size=8)
    for path in sorted(package.rglob("*")):
        if path.suffix in (".py", ".html") and "tests" not in path.parts:
            digest.update(str(path.relative_to(package)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()
