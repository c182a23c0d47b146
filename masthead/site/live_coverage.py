"""What readers and machines see of a developing story and of a thread.

A developing story (``Story.is_developing``; the writes are
``stories/developing.py``) shows a "Developing story" marker and a timeline
of its published notes — the updates, corrections and clarifications editors
write when they publish — oldest first, each at its time in the outlet's
zone ("14:02 — White House confirms …"). Its JSON-LD is a schema.org
``LiveBlogPosting`` with ``coverageStartTime`` and one ``BlogPosting`` per
note in ``liveBlogUpdate``; once coverage ends it is the ``NewsArticle`` (or
label subtype) ``structured_data.article`` builds, and the page is a plain
article with its corrections box.

A story in a thread lists the thread's *live* stories (``Story.objects.live``)
by first publication, itself marked. The article fragment of that box is
keyed by the thread's scope (``thread:<id>``, bumped by any change to any
story of the thread) and, like lists, by its pending twin and the clock: a
scheduled story joins the list at its time with no write
(``site/fragments.py``).

The notes are the story's public ``Correction`` rows, already read for the
page (``selectors.story_parts``); nothing staff-only is read here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.http import HttpRequest
from django.utils import timezone

from masthead.site.absolute_urls import absolute_url
from masthead.site.structured_data import iso
from masthead.stories.models import Correction, Story
from masthead.stories.versions import thread_scope

# Properties schema.org defines on NewsArticle only: a LiveBlogPosting (an
# Article, not a NewsArticle) may not carry them.
NEWS_ARTICLE_ONLY = ("dateline", "printColumn", "printEdition", "printPage", "printSection")
# A BlogPosting's headline: the note's first line, cut to what search engines show.
UPDATE_HEADLINE_MAX = 110


@dataclass(frozen=True)
class TimelineEntry:
    """One published note of a developing story, as its timeline shows it."""

    pk: int
    kind: str
    kind_label: str
    note: str
    published_at: datetime
    # Whether the entry is on another day (outlet's zone) than the first publication.
    shows_date: bool

    @property
    def is_update(self) -> bool:
        return self.kind == Correction.Kind.UPDATE

    @property
    def headline(self) -> str:
        first_line = self.note.split("\n", 1)[0]
        if len(first_line) <= UPDATE_HEADLINE_MAX:
            return first_line
        return first_line[: UPDATE_HEADLINE_MAX - 1].rstrip() + "…"

    @property
    def anchor(self) -> str:
        return f"update-{self.pk}"


def timeline(story: Story, corrections: Iterable[Correction]) -> list[TimelineEntry]:
    """The story's published notes, oldest first; empty unless the story is developing."""
    if not story.is_developing:
        return []
    first_day = timezone.localtime(story.published_at).date() if story.published_at else None
    notes = sorted(corrections, key=lambda note: (note.published_at, note.pk))
    return [
        TimelineEntry(
            pk=note.pk,
            kind=note.kind,
            kind_label=note.get_kind_display(),
            note=note.note,
            published_at=note.published_at,
            shows_date=timezone.localtime(note.published_at).date() != first_day,
        )
        for note in notes
    ]


@dataclass(frozen=True)
class ThreadListing:
    title: str
    scope: str
    stories: list[Story]
    current_pk: int


def thread_of(story: Story, now: datetime | None = None) -> ThreadListing | None:
    """The story's thread with its live stories in order, or None if it lists no other.

    Drafts, scheduled stories before their time and withdrawn stories of the
    thread are never listed. The current story is listed even if it is not
    live (a preview shows where it will stand).
    """
    if not story.thread_id:
        return None
    thread = story.thread
    live = list(
        Story.objects.live(now)
        .filter(thread_id=thread.pk)
        .select_related("desk")
        .only("pk", "headline", "slug", "published_at", "desk__slug", "desk__name")
        .order_by("published_at", "pk")
    )
    if not any(member.pk != story.pk for member in live):
        return None
    if all(member.pk != story.pk for member in live):
        live.append(story)
        live.sort(key=lambda member: (member.published_at or timezone.now(), member.pk or 0))
    return ThreadListing(thread.title, thread_scope(thread.pk), live, story.pk)


def article_scopes(story: Story) -> tuple[str, ...]:
    """The scopes an article page shows besides its own story's: its thread's, if any."""
    return (thread_scope(story.thread_id),) if story.thread_id else ()


def update_object(entry: TimelineEntry, url: str) -> dict:
    return {
        "@type": "BlogPosting",
        "@id": f"{url}#{entry.anchor}",
        "url": f"{url}#{entry.anchor}",
        "headline": entry.headline,
        "articleBody": entry.note,
        "datePublished": iso(entry.published_at),
    }


def live_blog_posting(
    article: dict,
    story: Story,
    corrections: Iterable[Correction],
    request: HttpRequest | None = None,
) -> dict:
    """``article`` (from ``structured_data.article``) as a ``LiveBlogPosting`` while the
    story is developing; unchanged otherwise."""
    if not story.is_developing:
        return article
    url = absolute_url(story.get_absolute_url(), request)
    data = {name: value for name, value in article.items() if name not in NEWS_ARTICLE_ONLY}
    data["@type"] = "LiveBlogPosting"
    # Coverage of a story marked developing before it went out starts with it.
    started = story.developing_since
    if story.published_at is not None and story.published_at > started:
        started = story.published_at
    data["coverageStartTime"] = iso(started)
    entries = timeline(story, corrections)
    data["liveBlogUpdate"] = [update_object(entry, url) for entry in reversed(entries)]
    return data
