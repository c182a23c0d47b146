"""DESIGN.md invariant 1 for the API: no read ever shows a story that is not live.

A draft, a submitted story, a scheduled one, an embargoed one, a withdrawn
one and an undated one share a desk, an author, a tag, a label and a
language with a live story. Every public read — lists with every filter,
every cursor page, by id, ninjs by Accept and by path, the tag list — must
show the live story and none of the others, and a hidden story must answer
exactly like one that never existed.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from masthead.api import ninjs
from masthead.factories import make_author, make_desk, make_label, make_story, make_tag
from masthead.stories.models import Story

pytestmark = pytest.mark.django_db

NINJS = {"HTTP_ACCEPT": ninjs.MEDIA_TYPE}


@pytest.fixture
def stories():
    desk = make_desk("Politics")
    author = make_author("Nima Sadeghi")
    common = {
        "desk": desk,
        "authors": [author],
        "tags": [make_tag("Iran")],
        "label": make_label(),
        "language": "en",
    }
    live = make_story("Live report visible", top_rank=2, **common)
    secret_tag = make_tag("Secret merger")
    in_an_hour = timezone.now() + timedelta(hours=1)
    hidden = [
        make_story("Draft secret alpha", status=Story.Status.DRAFT, **common),
        make_story("Submitted secret beta", status=Story.Status.SUBMITTED, **common),
        make_story(
            "Scheduled secret gamma",
            status=Story.Status.SCHEDULED,
            age=-timedelta(hours=1),
            **common,
        ),
        make_story(
            "Embargoed secret delta",
            embargoed_until=in_an_hour,
            age=timedelta(minutes=1),
            **common,
        ),
        make_story("Withdrawn secret epsilon", status=Story.Status.WITHDRAWN, **common),
        make_story("Undated secret zeta", age=None, **common),
        make_story("Future secret eta", age=-timedelta(minutes=5), **common),
    ]
    for story in hidden:
        story.tags.add(secret_tag)
        # Recently "updated": catches a leak through updated_since.
        Story.objects.filter(pk=story.pk).update(updated_at=timezone.now())
    return live, hidden


SINCE = "2000-01-01T00:00:00Z"


def public_reads(live: Story) -> list[tuple[str, dict]]:
    lists = [
        "/api/stories",
        "/api/stories?desk=politics",
        "/api/stories?author=nima-sadeghi",
        "/api/stories?tag=iran",
        "/api/stories?label=exclusive",
        "/api/stories?language=en",
        f"/api/stories?updated_since={SINCE}",
        "/api/stories?desk=politics&author=nima-sadeghi&tag=iran&label=exclusive&language=en",
    ]
    reads = [(url, {}) for url in lists] + [(url, NINJS) for url in lists]
    reads += [
        (f"/api/stories/{live.pk}", {}),
        (f"/api/stories/{live.pk}", NINJS),
        (f"/api/stories/{live.pk}/ninjs", {}),
    ]
    return reads


def assert_shows_none_of(text: str, hidden: list[Story]) -> None:
    for story in hidden:
        assert story.headline not in text
        assert story.slug not in text
        assert not re.search(rf"/api/stories/{story.pk}\b", text)


def test_no_read_shows_a_hidden_story(client, stories):
    live, hidden = stories

    for url, headers in public_reads(live):
        response = client.get(url, **headers)
        assert response.status_code == 200, url
        text = response.content.decode()
        assert live.headline in text, url
        assert_shows_none_of(text, hidden)


def test_no_cursor_page_shows_a_hidden_story(client, stories):
    live, hidden = stories
    url, seen = "/api/stories?limit=1", []

    while url:
        response = client.get(url)
        assert_shows_none_of(response.content.decode(), hidden)
        body = response.json()
        seen += [item["id"] for item in body["items"]]
        url = body["next_url"]

    assert seen == [live.pk]


def test_tags_of_hidden_stories_are_not_listed(client, stories):
    text = client.get("/api/tags").content.decode()

    assert "secret-merger" not in text
    assert client.get("/api/tags/secret-merger").status_code == 404
    assert client.get("/api/stories?tag=secret-merger").json()["items"] == []


@pytest.mark.parametrize("suffix", ["", "/ninjs"])
def test_a_hidden_story_answers_exactly_like_a_missing_one(client, stories, suffix):
    _, hidden = stories
    missing_id = max(story.pk for story in hidden) + 1000
    missing = client.get(f"/api/stories/{missing_id}{suffix}")

    for story in hidden:
        for headers in ({}, NINJS):
            response = client.get(f"/api/stories/{story.pk}{suffix}", **headers)
            assert response.status_code == 404
            body, expected = dict(response.json()), dict(missing.json())
            assert body.pop("instance") != expected.pop("instance")
            assert body == expected
            assert sorted(response.headers) == sorted(missing.headers)


def test_lists_do_not_change_when_hidden_stories_do(client, stories):
    live, hidden = stories
    before = {url: client.get(url, **headers)["ETag"] for url, headers in public_reads(live)}

    for story in hidden:
        Story.objects.filter(pk=story.pk).update(headline=story.headline + " (edited)")
    make_story(
        "Another draft", desk=live.desk, status=Story.Status.DRAFT, tags=list(live.tags.all())
    )

    after = {url: client.get(url, **headers)["ETag"] for url, headers in public_reads(live)}
    assert after == before


def test_a_scheduled_story_appears_at_its_time(client, stories):
    _, hidden = stories
    scheduled = hidden[2]
    Story.objects.filter(pk=scheduled.pk).update(published_at=timezone.now() - timedelta(seconds=1))

    assert scheduled.headline in client.get("/api/stories").content.decode()
    assert client.get(f"/api/stories/{scheduled.pk}").status_code == 200


def test_staff_of_another_desk_cannot_read_hidden_stories_through_the_desk_api(client, stories):
    from masthead.api.tests.conftest import JsonClient, bearer
    from masthead.factories import make_staff
    from masthead.newsroom.models import StaffRole

    _, hidden = stories
    outsider = JsonClient(client, bearer(make_staff(StaffRole.Role.WRITER, make_desk("Sports"))))

    for story in hidden:
        response = outsider.get(f"/api/desk/stories/{story.pk}")
        assert response.status_code == 404
        assert story.headline not in response.content.decode()
