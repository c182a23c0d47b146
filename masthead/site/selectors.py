"""The reads the public site makes. Every one starts at ``Story.objects.live()``."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from django.db.models import QuerySet

from masthead.newsroom.models import Author, Desk, Outlet, PolicyPage
from masthead.site.fragments import fragments_for
from masthead.stories.models import Byline, Correction, Revision, Story, StoryContent, Tag
from masthead.stories.versions import SITE

RECENT_POSTS = 6
TOP_STORIES = 4
PER_DESK_ON_HOME = 4


def live_stories() -> QuerySet[Story]:
    return Story.objects.live().for_listing().newest_first()


def recent_posts(exclude: Story | None = None) -> list[Story]:
    stories = (
        Story.objects.live()
        .select_related("desk")
        .only("headline", "dek", "slug", "published_at", "desk__slug")
        .newest_first()
    )
    if exclude is not None:
        stories = stories.exclude(pk=exclude.pk)
    return list(stories[:RECENT_POSTS])


@dataclass
class FrontPage:
    lead: Story | None
    top: list[Story]
    desks: list[tuple[Desk, list[Story]]]


def front_page() -> FrontPage:
    """The lead and top stories editors ranked, topped up with the newest, then each desk's newest.

    Four reads whatever the number of desks: the desks, the ids of the ranked,
    the newest and each desk's newest (one UNION ALL of index scans where the
    database allows LIMIT in it), those stories, and their bylines.
    """
    wanted = TOP_STORIES + 1
    desks = list(Desk.objects.only("name", "slug"))
    newest = Story.objects.live().newest_first().values_list("pk", flat=True)
    # Each list is read long enough to survive dropping what is shown above it.
    parts = [
        newest.filter(top_rank__isnull=False).order_by("top_rank", "-published_at")[:wanted],
        newest[: wanted * 2],
        *(newest.filter(desk=desk)[: PER_DESK_ON_HOME + wanted] for desk in desks),
    ]
    if connection.features.supports_slicing_ordering_in_compound:
        ids = list(parts[0].union(*parts[1:], all=True))
    else:  # SQLite: no LIMIT inside a UNION; it holds few stories and reads them fast
        ids = [pk for part in parts for pk in part]
    return _front_page_from(list(live_stories().filter(pk__in=set(ids))), desks)


def _front_page_from(rows: list[Story], desks: list[Desk]) -> FrontPage:
    """Split the one list ``front_page`` read into the lead, the top and the desk blocks."""
    live = {story.pk: story for story in rows}
    ranked = sorted(
        (story for story in live.values() if story.top_rank is not None),
        key=lambda story: (story.top_rank, -story.published_at.timestamp()),
    )[: TOP_STORIES + 1]
    newest = sorted(live.values(), key=_newest_first)
    shown = {story.pk for story in ranked}
    for story in newest:
        if len(ranked) >= TOP_STORIES + 1:
            break
        if story.pk not in shown:
            ranked.append(story)
            shown.add(story.pk)
    blocks = []
    for desk in desks:
        latest = [s for s in newest if s.desk_id == desk.pk and s.pk not in shown]
        if latest:
            blocks.append((desk, latest[:PER_DESK_ON_HOME]))
    return FrontPage(lead=ranked[0] if ranked else None, top=ranked[1:], desks=blocks)


def _newest_first(story: Story) -> tuple:
    return (-story.published_at.timestamp(), -story.pk)


def public_corrections() -> QuerySet[Correction]:
    """Corrections and clarifications of live stories, newest first."""
    return (
        Correction.objects.filter(
            story__in=Story.objects.live(),
            kind__in=(Correction.Kind.CORRECTION, Correction.Kind.CLARIFICATION),
        )
        .select_related("story", "story__desk")
        .order_by("-published_at", "-pk")
    )


@dataclass
class PreviewStory:
    story: Story
    bylines: list[Byline]
    tags: list[Tag]


def story_from_revision(revision: Revision) -> PreviewStory:
    """An unsaved story carrying ``revision``'s content, to render as readers will see it."""
    original = revision.story
    story = Story(
        pk=original.pk,
        slug=original.slug,
        desk=revision.desk,
        status=original.status,
        published_at=original.published_at or revision.created_at,
        updated_at=original.updated_at or revision.created_at,
        **{name: getattr(revision, name) for name in StoryContent.CONTENT_FIELDS},
    )
    authors = Author.objects.in_bulk(revision.author_ids)
    bylines = [
        Byline(author=authors[pk], position=position)
        for position, pk in enumerate(revision.author_ids)
        if pk in authors
    ]
    tags = list(Tag.objects.filter(pk__in=revision.tag_ids).order_by("name"))
    return PreviewStory(story=story, bylines=bylines, tags=tags)


def outlet_of(request) -> Outlet:
    """The outlet (with its logo): from the cache of the current ``site`` version."""
    return _site_records(request)[0]


def published_policies(request) -> list[PolicyPage]:
    """The outlet's published policy pages, in footer order (cached like ``outlet_of``)."""
    return _site_records(request)[1]


def nav_desks(request) -> list[Desk]:
    """The desks in menu order (cached like ``outlet_of``)."""
    return _site_records(request)[2]


def _site_records(request) -> tuple[Outlet, list[PolicyPage], list[Desk]]:
    """The outlet's own records every page shows, read once per ``site`` version and request."""
    if not hasattr(request, "_masthead_site_records"):
        request._masthead_site_records = fragments_for(request).value(
            "site-records", [SITE], _read_site_records
        )
    return request._masthead_site_records


def _read_site_records() -> tuple[Outlet, list[PolicyPage], list[Desk]]:
    outlet = Outlet.objects.select_related("logo").order_by("pk").first() or Outlet()
    policies = list(
        PolicyPage.objects.published().only(
            "kind", "title", "slug", "summary", "is_published", "position"
        )
    )
    return outlet, policies, list(Desk.objects.all())
