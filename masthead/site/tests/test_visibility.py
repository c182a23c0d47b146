"""DESIGN.md invariant 1: a story that is not live appears on no public surface.

A draft, a story scheduled for later and a withdrawn story share a desk, an
author and a tag with a live story; every public page that exists is walked
and must show the live story's headline and none of the others'. Extend
SURFACES when a surface is added (feeds, sitemaps, search, API …).
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from masthead.factories import editor_of, make_author, make_desk, make_story, make_tag
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
]


@pytest.fixture
def stories():
    desk = make_desk("Politics")
    author = make_author("Nima Sadeghi")
    tag = make_tag("Iran")
    common = {"desk": desk, "authors": [author], "tags": [tag]}
    live = make_story("Live report visible", top_rank=2, **common)
    hidden = [
        make_story("Draft secret alpha", status=Story.Status.DRAFT, top_rank=1, **common),
        make_story("Scheduled secret beta", age=-timedelta(hours=1), top_rank=1, **common),
        make_story("Withdrawn secret gamma", status=Story.Status.WITHDRAWN, top_rank=1, **common),
        make_story("Undated secret delta", age=None, **common),
    ]
    return live, hidden


@pytest.mark.parametrize("url", SURFACES)
def test_only_live_stories_on_every_surface(client, stories, url):
    live, hidden = stories

    html = client.get(url).content.decode()

    if url not in ("/masthead/", "/corrections/"):
        assert live.headline in html
    for story in hidden:
        assert story.headline not in html
        assert story.slug not in html


@pytest.mark.parametrize("index", [0, 1, 3])
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
