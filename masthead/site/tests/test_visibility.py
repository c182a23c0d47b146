"""DESIGN.md invariant 1: a story that is not live appears on no public surface.

A draft, a story scheduled for later, an embargoed and a withdrawn story share
a desk, an author, a tag and a label with a live story; every public page,
feed and sitemap that exists is walked and must show the live story and none
of the others. A tag only hidden stories carry must not be named anywhere
either. Extend SURFACES when a surface is added (search, API …).
"""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from django.utils import timezone

from masthead.factories import (
    editor_of,
    make_author,
    make_desk,
    make_label,
    make_story,
    make_tag,
)
from masthead.stories.models import Story

pytestmark = pytest.mark.django_db

SURFACES = [
    "/",
    "/politics/",
    "/author/nima-sadeghi/",
    "/tag/iran/",
    "/masthead/",
    "/corrections/",
    "/politics/live-report-visible/",
    "/label/analysis/",
    # Feeds
    "/feed/",
    "/feed/atom/",
    "/politics/feed.xml",
    "/politics/atom.xml",
    "/author/nima-sadeghi/feed.xml",
    "/author/nima-sadeghi/atom.xml",
    "/tag/iran/feed.xml",
    "/tag/iran/atom.xml",
    "/label/analysis/feed.xml",
    "/label/analysis/atom.xml",
    # Sitemaps ({month}: the live story's month)
    "/robots.txt",
    "/sitemap.xml",
    "/sitemaps/stories-{month}.xml",
    "/sitemaps/news.xml",
    "/sitemaps/pages.xml",
    "/sitemaps/desks.xml",
    "/sitemaps/authors.xml",
    "/sitemaps/tags.xml",
    "/sitemaps/labels.xml",
    # The news API (every read, filter, cursor and ninjs: masthead/api/tests/test_visibility.py)
    "/api/stories",
    "/api/stories?desk=politics&author=nima-sadeghi&tag=iran&label=analysis",
    "/api/tags",
]
# Surfaces that list no stories at all (only pages of the site or other files).
LIST_NO_STORIES = {
    "/masthead/",
    "/corrections/",
    "/robots.txt",
    "/sitemap.xml",
    "/sitemaps/pages.xml",
    "/sitemaps/desks.xml",
    "/sitemaps/authors.xml",
    "/sitemaps/tags.xml",
    "/sitemaps/labels.xml",
    "/api/tags",
}


@pytest.fixture
def stories():
    desk = make_desk("Politics")
    author = make_author("Nima Sadeghi")
    tag = make_tag("Iran")
    label = make_label("Analysis")
    common = {"desk": desk, "authors": [author], "label": label}
    live = make_story("Live report visible", top_rank=2, tags=[tag], **common)
    common["tags"] = [tag, make_tag("Hidden topic")]
    hidden = [
        make_story("Draft secret alpha", status=Story.Status.DRAFT, top_rank=1, **common),
        make_story("Scheduled secret beta", age=-timedelta(hours=1), top_rank=1, **common),
        make_story("Withdrawn secret gamma", status=Story.Status.WITHDRAWN, top_rank=1, **common),
        make_story("Undated secret delta", age=None, **common),
        make_story(
            "Embargoed secret epsilon",
            status=Story.Status.SCHEDULED,
            published_at=timezone.now() - timedelta(minutes=30),
            embargoed_until=timezone.now() + timedelta(hours=2),
            **common,
        ),
    ]
    return live, hidden


@pytest.mark.parametrize("url", SURFACES)
def test_only_live_stories_on_every_surface(client, stories, url):
    live, hidden = stories
    url = url.format(month=f"{live.published_at.astimezone(UTC):%Y-%m}")

    response = client.get(url)

    assert response.status_code == 200, url
    html = response.content.decode()
    if url not in LIST_NO_STORIES:
        assert live.headline in html or live.get_absolute_url() in html
    for story in hidden:
        assert story.headline not in html
        assert story.slug not in html
    assert "hidden-topic" not in html and "Hidden topic" not in html


@pytest.mark.parametrize("index", [0, 1, 3, 4])
def test_a_hidden_story_answers_exactly_like_a_missing_one(client, stories, index):
    _, hidden = stories
    missing = client.get("/politics/never-existed/")

    response = client.get(hidden[index].get_absolute_url())

    assert response.status_code == 404
    assert response.content == missing.content


def test_a_hidden_story_is_not_shown_through_an_old_slug(client, stories):
    from masthead.stories.services import change_story_slug

    _, hidden = stories
    draft = hidden[0]
    old = draft.get_absolute_url()
    change_story_slug(editor_of(draft.desk), draft, "renamed-draft")

    assert client.get(old).status_code == 404


def test_a_scheduled_story_appears_everywhere_at_its_time(client, stories, settings):
    from django.utils import timezone

    _, hidden = stories
    scheduled = hidden[1]
    Story.objects.filter(pk=scheduled.pk).update(published_at=timezone.now() - timedelta(seconds=1))

    for url in (
        "/",
        "/politics/",
        "/author/nima-sadeghi/",
        "/tag/iran/",
        scheduled.get_absolute_url(),
    ):
        assert scheduled.headline in client.get(url).content.decode(), url
