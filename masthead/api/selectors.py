"""The reads the public API makes. Every story read starts at ``Story.objects.live()``.

Desks and active authors are public on the site already (section and
author pages); a tag is shown only once a live story carries it, so a tag
made for a story still in the works (an embargoed merger, say) does not
announce it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Max, Prefetch, Q, QuerySet

from masthead.newsroom.models import Author, Desk
from masthead.stories import versions
from masthead.stories.models import Byline, ContentVersion, Correction, Story, Tag

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
        .select_related("label", "desk", "lead_image")
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
    stories = live_stories()
    if filters.desk:
        stories = stories.filter(desk__slug=filters.desk)
    if filters.author:
        stories = stories.filter(
            bylines__author__slug=filters.author, bylines__author__is_active=True
        )
    if filters.tag:
        stories = stories.filter(tags__slug=filters.tag)
    if filters.label:
        stories = stories.filter(label__slug=filters.label)
    if filters.language:
        stories = stories.filter(language__iexact=filters.language)
    if filters.updated_since:
        stories = stories.filter(updated_at__gte=filters.updated_since)
    if after is not None:
        published_at, story_id = after
        stories = stories.filter(
            Q(published_at__lt=published_at) | Q(published_at=published_at, pk__lt=story_id)
        )
    rows = list(stories[: limit + 1])
    return rows[:limit], len(rows) > limit


def live_story(story_id: int) -> Story:
    """The live story with this id; Story.DoesNotExist for any other, hidden or missing."""
    return live_stories().get(pk=story_id)


def desks() -> QuerySet[Desk]:
    return Desk.objects.select_related("editor").order_by("position", "name")


def authors() -> QuerySet[Author]:
    return Author.objects.filter(is_active=True).select_related("photo").order_by("name", "pk")


def public_tags() -> QuerySet[Tag]:
    return Tag.objects.filter(stories__in=Story.objects.live()).distinct().order_by("name")


def last_public_change(scopes: list[str]) -> datetime | None:
    """When content in these scopes last changed for readers (see stories/versions.py)."""
    return (
        ContentVersion.objects.filter(scope__in=[versions.SITE, *scopes])
        .aggregate(latest=Max("changed_at"))
        .get("latest")
    )


def story_scope(story: Story) -> str:
    return f"story:{story.pk}"


LIST_SCOPE = versions.FRONT
