"""The reads the public site makes. Every one starts at ``Story.objects.live()``."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import QuerySet
from django.http import Http404

from masthead.newsroom.models import Author, Desk, Outlet, PolicyPage
from masthead.stories.models import Byline, Correction, Revision, Story, StoryContent, Tag

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
    """The lead and top stories editors ranked, topped up with the newest."""
    ranked = list(
        live_stories()
        .filter(top_rank__isnull=False)
        .order_by("top_rank", "-published_at")[: TOP_STORIES + 1]
    )
    shown = {story.pk for story in ranked}
    if len(ranked) < TOP_STORIES + 1:
        ranked += list(live_stories().exclude(pk__in=shown)[: TOP_STORIES + 1 - len(ranked)])
        shown = {story.pk for story in ranked}
    desks = []
    for desk in Desk.objects.all():
        latest = list(live_stories().filter(desk=desk).exclude(pk__in=shown)[:PER_DESK_ON_HOME])
        if latest:
            desks.append((desk, latest))
    return FrontPage(lead=ranked[0] if ranked else None, top=ranked[1:], desks=desks)


def paginate(queryset: QuerySet, page_number: str | None, per_page: int):
    """One page of a list; a page that is not a number or out of range is a 404."""
    paginator = Paginator(queryset, per_page, allow_empty_first_page=True)
    try:
        return paginator.page(page_number or 1)
    except (PageNotAnInteger, EmptyPage):
        raise Http404("No such page.") from None


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
    """The outlet (with its logo), read once per request."""
    if not hasattr(request, "_masthead_outlet"):
        found = Outlet.objects.select_related("logo").order_by("pk").first()
        request._masthead_outlet = found or Outlet()
    return request._masthead_outlet


def published_policies(request) -> list[PolicyPage]:
    """The outlet's published policy pages, in footer order, read once per request."""
    if not hasattr(request, "_masthead_policies"):
        request._masthead_policies = list(
            PolicyPage.objects.published().only(
                "kind", "title", "slug", "summary", "is_published", "position"
            )
        )
    return request._masthead_policies
