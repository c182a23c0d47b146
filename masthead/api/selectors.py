"""The reads the public API makes. Every story read starts at ``Story.objects.live()``.

Desks and active authors are public on the site already (section and
author pages); a tag is shown only once a live story carries it, so a tag
made for a story still in the works (an embargoed merger, say) does not
announce it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery

from masthead.newsroom.editions import all_editions, default_edition
from masthead.newsroom.models import Author, Desk, Edition
from masthead.stories import versions
from masthead.stories.models import Byline, Correction, Label, Story, Tag

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20


@dataclass(frozen=True)
class StoryFilters:
    desk: str | None = None
    author: str | None = None
    tag: str | None = None
    label: str | None = None
    language: str | None = None
    updated_since: datetime | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "desk": self.desk,
            "author": self.author,
            "tag": self.tag,
            "label": self.label,
            "language": self.language,
            "updated_since": self.updated_since.isoformat() if self.updated_since else None,
        }


def live_stories() -> QuerySet[Story]:
    """Live stories with everything a representation shows, newest first."""
    return (
        Story.objects.live()
        .select_related("label", "desk", "lead_image", "thread")
        .prefetch_related(
            Prefetch("bylines", queryset=Byline.objects.select_related("author")),
            Prefetch("tags", queryset=Tag.objects.order_by("name")),
            Prefetch("corrections", queryset=Correction.objects.order_by("published_at", "pk")),
        )
        .newest_first()
    )


def story_page(
    filters: StoryFilters, after: tuple[datetime, int] | None, limit: int
) -> tuple[list[Story], bool]:
    """One page of live stories after the cursor position, and whether more follow."""
    stories = _matching(live_stories(), filters)
    if filters.updated_since:
        stories = stories.filter(updated_at__gte=filters.updated_since)
    return _page(stories, after, limit)


class NoSuchFilter(Exception):
    """A filter names a desk, author or label that does not exist: nothing matches."""


def search_filters(desk: str | None, author: str | None, label: str | None) -> dict[str, object]:
    """The list's slug filters as the search engine takes them (``search_stories``)."""
    found: dict[str, object] = {}
    for name, slug, rows in (
        ("desk", desk, Desk.objects.all()),
        ("author", author, Author.objects.filter(is_active=True)),
        ("label", label, Label.objects.public()),
    ):
        if slug:
            found[name] = rows.filter(slug=slug).first()
            if found[name] is None:
                raise NoSuchFilter(name)
    return found


def live_in_order(story_ids: list[int]) -> list[Story]:
    """These live stories, as ``live_stories`` reads them, in the order given."""
    return _in_order(live_stories(), story_ids)


def _in_order(stories: QuerySet[Story], story_ids: list[int]) -> list[Story]:
    """Those of ``stories`` with these ids, in the order given."""
    by_id = stories.in_bulk(story_ids)
    return [by_id[pk] for pk in story_ids if pk in by_id]


def _matching(stories: QuerySet[Story], filters: StoryFilters) -> QuerySet[Story]:
    """``stories`` that match the filters other than ``updated_since``."""
    if filters.desk:
        stories = stories.filter(desk__slug=filters.desk)
    if filters.author:
        stories = stories.filter(
            bylines__author__slug=filters.author, bylines__author__is_active=True
        )
    if filters.tag:
        stories = stories.filter(tags__slug=filters.tag)
    if filters.label:
        named = Label.objects.filter(slug=filters.label).values("pk")
        stories = stories.of_label(Subquery(named))
    if filters.language:
        stories = stories.filter(language__iexact=filters.language)
    return stories


def _page(
    stories: QuerySet[Story], after: tuple[datetime, int] | None, limit: int
) -> tuple[list[Story], bool]:
    """Up to ``limit`` of ``stories`` (newest first) after the cursor, and whether more follow."""
    if after is not None:
        published_at, story_id = after
        # The first bound starts the index range at the cursor; without it the
        # OR alone is a filter, and a deep cursor walks every newer story first.
        stories = stories.filter(
            Q(published_at__lte=published_at),
            Q(published_at__lt=published_at) | Q(pk__lt=story_id),
        )
    # The page's ids first, then its rows: sorting a tag's or a writer's every
    # story whole (bodies and all) took 1–2 s at 1,000,000 stories on SQLite;
    # sorting their dates and ids alone does not.
    rows = _in_order(stories, list(stories.values_list("pk", flat=True)[: limit + 1]))
    return rows[:limit], len(rows) > limit


def live_story(story_id: int) -> Story:
    """The live story with this id; Story.DoesNotExist for any other, hidden or missing."""
    return live_stories().get(pk=story_id)


def canceled_stories() -> QuerySet[Story]:
    """Withdrawn stories that readers saw (``Story.objects.gone()``), newest first.

    Each carries ``withdrawn_at``. A story withdrawn before readers saw it
    (scheduled, embargoed, or withdrawn at no recorded time) is not here, and
    stays exactly like one that never existed — as on the site.
    """
    return (
        Story.objects.gone()
        .only("pk", "status", "published_at", "updated_at", "embargoed_until", "withdrawn_at")
        .newest_first()
    )


def canceled_story(story_id: int) -> Story:
    """The story with this id if readers saw it before it was withdrawn; else DoesNotExist."""
    return canceled_stories().get(pk=story_id)


def canceled_page(
    filters: StoryFilters, after: tuple[datetime, int] | None, limit: int
) -> tuple[list[Story], bool]:
    """Stories withdrawn since ``filters.updated_since``, in the list's order, after the cursor."""
    stories = _matching(canceled_stories(), filters)
    if filters.updated_since:
        # By the withdrawal index: the withdrawals since then, not every withdrawn story ever.
        stories = stories.filter(withdrawn_at__gte=filters.updated_since)
    return _page(stories, after, limit)


def desks(language: str | None = None) -> QuerySet[Desk]:
    """The desks in menu order; with ``language``, only those of the editions in it (any case).

    A language no edition is in lists none, as the story list's ``language`` does.
    """
    found = Desk.objects.select_related("editor", "edition").order_by("position", "name")
    if language:
        found = found.filter(edition__language=language.lower())  # stored lower-case
    return found


def edition_in(language: str) -> Edition | None:
    """The edition written in ``language`` (any case); None if none is.

    Two editions in one language (rare: one outlet, two audiences) give the default edition
    if it is one of them, else the first by name (``all_editions``' order).
    """
    language = language.lower()  # stored lower-case (``Edition.clean``)
    return next((edition for edition in editions() if edition.language == language), None)


def editions() -> list[Edition]:
    """The outlet's editions; in a database without any (a new install, or one a test
    emptied), the one the settings describe, which every page is read in (``default_edition``)."""
    return all_editions() or [default_edition()]


def authors() -> QuerySet[Author]:
    return Author.objects.filter(is_active=True).select_related("photo").order_by("name", "pk")


def public_tags() -> QuerySet[Tag]:
    """Tags that some live story carries, by name."""
    # EXISTS, not a join: at a million stories the join with DISTINCT took seconds;
    # this walks the tags in name order and stops at each one's first live story
    # (through its links: a list of every live story for the links to be ``IN``
    # made SQLite read them all).
    carried = Story.objects.live().filter(tags=OuterRef("pk"))
    return Tag.objects.filter(Exists(carried)).order_by("name", "pk")


def tag_page(after: tuple[str, int] | None, limit: int) -> tuple[list[Tag], bool]:
    """One page of public tags by name after the cursor position, and whether more follow."""
    tags = public_tags()
    if after is not None:
        name, tag_id = after
        tags = tags.filter(Q(name__gt=name) | Q(name=name, pk__gt=tag_id))
    rows = list(tags[: limit + 1])
    return rows[:limit], len(rows) > limit


# When content in some scopes last changed for readers: the pages use it too.
last_public_change = versions.last_public_change


def story_scope(story: Story) -> str:
    return f"story:{story.pk}"


def list_scopes() -> list[str]:
    """What the lists show: the stories of every edition, so every edition's front scope."""
    return versions.every_front_scope()
