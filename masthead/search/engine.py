"""Search stories: the one entry point every surface calls (docs/search.md).

``search_stories(query, ...)`` answers a page of results: for the public
(``staff_user=None``) only stories the public gate lets through at this
moment, read from the index's own gate columns and then once more through
``Story.objects.live()`` for the page shown; for a member of staff every
story they may read (their desks as an editor, their own as a writer, all
as a chief editor), in any state. ``rebuild_index()`` re-indexes everything
(``manage.py search_rebuild``).

Ranking blends text relevance (headline over dek over tags and bylines over
body) with recency (``engines.score``). The score does not depend on the
time of the search, so a cursor (signed: the score and id of the last
result, and a digest of the query and filters) keeps pointing at the same
place. Only the ``CANDIDATES`` freshest matches are ranked: a common word
costs what a rare one does, and deep pages of an over-broad search end
there (readers narrow it with filters).
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.core import signing
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from masthead.newsroom.models import Desk
from masthead.newsroom.roles import access_for
from masthead.search.documents import plain_text
from masthead.search.engines import current_engine
from masthead.search.highlight import highlight, snippet
from masthead.search.indexing import paused as paused_indexing
from masthead.search.indexing import rebuild_index
from masthead.search.models import StoryEntry
from masthead.search.query import InvalidQuery, Query, parse
from masthead.stories import release_clock

__all__ = [
    "InvalidCursor",
    "InvalidQuery",
    "SearchHit",
    "SearchPage",
    "paused_indexing",
    "rebuild_index",
    "search_stories",
]

CANDIDATES = 1000
MAX_LIMIT = 100
CURSOR_SALT = "masthead.search.cursor"
CURSOR_MAX_LENGTH = 300


class InvalidCursor(InvalidQuery):
    pass


@dataclass
class SearchHit:
    story: object  # masthead.stories.models.Story, with desk, label and bylines read
    headline: SafeString
    dek: SafeString
    snippet: SafeString
    score: float


@dataclass
class SearchPage:
    query: Query
    items: list[SearchHit] = field(default_factory=list)
    next_cursor: str | None = None


def search_stories(
    query: str | Query,
    *,
    staff_user=None,
    desk=None,
    author=None,
    label=None,
    since: date | datetime | None = None,
    until: date | datetime | None = None,
    cursor: str | None = None,
    limit: int = 20,
    edition=None,
) -> SearchPage:
    """A page of stories matching ``query``; ``InvalidQuery`` (a reader's message) if it
    cannot run, ``InvalidCursor`` if ``cursor`` is not one this search gave out.

    ``edition`` keeps to that edition's desks (a reader searches their edition).
    """
    parsed = query if isinstance(query, Query) else parse(query)
    limit = max(1, min(int(limit), MAX_LIMIT))
    now = release_clock.now()
    filters = _filters(desk, author, label, since, until) & _in_edition(edition)
    digest = _digest(parsed, filters, staff_user)
    after = _decode(cursor, digest) if cursor else None
    entries = _scope(staff_user, now)
    if entries is None:
        return SearchPage(query=parsed)
    window = current_engine().ranked(parsed, entries.filter(filters), CANDIDATES, after, limit + 1)
    stories = _stories(staff_user, now).in_bulk([pk for _, pk in window[:limit]])
    words = parsed.words
    items = [_hit(stories[pk], score, words) for score, pk in window[:limit] if pk in stories]
    next_cursor = None
    if len(window) > limit:
        next_cursor = _encode(window[limit - 1], digest)
    return SearchPage(query=parsed, items=items, next_cursor=next_cursor)


def _filters(desk, author, label, since, until) -> Q:
    q = Q()
    if desk is not None:
        q &= Q(desk_id=getattr(desk, "pk", desk))
    if author is not None:
        q &= Q(author_ids__contains=f"|{int(getattr(author, 'pk', author))}|")
    if label is not None:
        q &= Q(label_id=getattr(label, "pk", label))
    if since is not None:
        q &= Q(published_at__gte=_moment(since))
    if until is not None:
        end = _moment(until)
        if not isinstance(until, datetime):
            end += timedelta(days=1)  # a date includes its whole day
        q &= Q(published_at__lt=end)
    return q


def _in_edition(edition) -> Q:
    """The entries of ``edition``'s desks; no condition while it holds every desk."""
    if edition is None:
        return Q()
    desks = dict(Desk.objects.values_list("pk", "edition_id"))
    own = sorted(pk for pk, edition_id in desks.items() if edition_id == edition.pk)
    return Q() if len(own) == len(desks) else Q(desk_id__in=own)


def _moment(value: date | datetime) -> datetime:
    if isinstance(value, datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value)
    return timezone.make_aware(datetime.combine(value, time.min))


def _scope(staff_user, now: datetime) -> QuerySet | None:
    """The entries the searcher may find: the public gate, or an editor's reach."""
    if staff_user is None:
        return StoryEntry.objects.filter(is_public=True, live_from__lte=now)
    reach = _staff_reach(staff_user, "story_id")
    return None if reach is None else StoryEntry.objects.filter(reach)


def _staff_reach(user, id_field: str) -> Q | None:
    """What ``stories.permissions.can_read`` allows, as a filter (None: nothing)."""
    from masthead.stories.models import Byline, Story

    access = access_for(user)
    if not access.has_content_role:
        return None
    if access.is_chief_editor:
        return Q()
    reach = Q(desk_id__in=sorted(access.editor_desks))
    if access.user_id is not None:
        created = Story.objects.filter(created_by_id=access.user_id).values_list("pk", flat=True)
        bylined = Byline.objects.filter(author__user_id=access.user_id).values_list(
            "story_id", flat=True
        )
        reach |= Q(**{f"{id_field}__in": sorted({*created, *bylined})})
    return reach


def _stories(staff_user, now: datetime) -> QuerySet:
    from masthead.stories.models import Byline, Story

    if staff_user is None:
        stories = Story.objects.live(now)
    else:
        reach = _staff_reach(staff_user, "pk")
        stories = Story.objects.filter(reach if reach is not None else Q(pk__in=[]))
    bylines = Prefetch("bylines", queryset=Byline.objects.select_related("author"))
    return stories.select_related("label", "desk").prefetch_related(bylines)


def _hit(story, score: float, words: list[str]) -> SearchHit:
    return SearchHit(
        story=story,
        headline=highlight(story.headline, words),
        dek=highlight(story.dek, words),
        snippet=snippet(plain_text(story.body), words),
        score=score,
    )


def _digest(parsed: Query, filters: Q, staff_user) -> str:
    who = "public" if staff_user is None else f"staff:{staff_user.pk}"
    canonical = json.dumps([parsed.fts5(), str(filters), who])
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def _encode(position: tuple[float, int], digest: str) -> str:
    payload = json.dumps({"s": position[0], "i": position[1], "d": digest}, separators=(",", ":"))
    return signing.Signer(salt=CURSOR_SALT).sign(signing.b64_encode(payload.encode()).decode())


def _decode(cursor: str, digest: str) -> tuple[float, int]:
    try:
        if len(cursor) > CURSOR_MAX_LENGTH:
            raise ValueError
        raw = signing.Signer(salt=CURSOR_SALT).unsign(cursor)
        payload = json.loads(signing.b64_decode(raw.encode()))
        score, story_id = float(payload["s"]), int(payload["i"])
        if payload.get("d") != digest or not math.isfinite(score):
            raise ValueError
    except (signing.BadSignature, ValueError, KeyError, TypeError) as error:
        raise InvalidCursor(
            gettext("That page of results belongs to another search; start the search again.")
        ) from error
    return score, story_id
