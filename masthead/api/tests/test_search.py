"""``q=`` on the public story list: found through the public gate only, clear 400s."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from masthead.factories import make_desk, make_story, make_tag
from masthead.stories.models import Story

pytestmark = pytest.mark.django_db

NINJS = "application/ninjs+json"


@pytest.fixture
def stories():
    politics = make_desk("Politics")
    make_story("Hidden lighthouse draft", desk=politics, status=Story.Status.DRAFT)
    make_story(
        "Embargoed lighthouse",
        desk=politics,
        embargoed_until=timezone.now() + timedelta(hours=1),
    )
    make_story("Withdrawn lighthouse", status=Story.Status.WITHDRAWN, withdrawn_at=timezone.now())
    make_story("Lighthouse keeper retires", desk=politics, body="<p>After forty years.</p>")
    make_story(
        "Harbour news",
        desk=make_desk("Coast"),
        body="<p>A lighthouse was repainted.</p>",
        age=timedelta(days=3),
    )
    return politics


def headlines(response) -> list[str]:
    return [item["headline"] for item in response.json()["items"]]


def test_q_finds_live_stories_only_most_relevant_first(client, stories):
    response = client.get("/api/stories", {"q": "lighthouse"})
    assert response.status_code == 200
    assert headlines(response) == ["Lighthouse keeper retires", "Harbour news"]
    text = response.content.decode()
    assert "Hidden" not in text and "Embargoed" not in text and "Withdrawn" not in text


def test_q_in_ninjs(client, stories):
    response = client.get("/api/stories", {"q": "forty"}, HTTP_ACCEPT=NINJS)
    assert response.status_code == 200
    [item] = response.json()["items"]
    assert item["headlines"][0]["value"] == "Lighthouse keeper retires"


def test_q_with_filters_and_pages(client, stories):
    response = client.get("/api/stories", {"q": "lighthouse", "desk": "politics"})
    assert headlines(response) == ["Lighthouse keeper retires"]
    assert client.get("/api/stories", {"q": "lighthouse", "desk": "nope"}).json()["items"] == []
    first = client.get("/api/stories", {"q": "lighthouse", "limit": 1}).json()
    assert len(first["items"]) == 1 and first["next_url"]
    second = client.get(first["next_url"]).json()
    assert [item["headline"] for item in second["items"]] == ["Harbour news"]
    assert second["next_cursor"] is None


@pytest.mark.parametrize(
    "params, detail",
    [
        ({"q": ""}, "Type a word"),
        ({"q": "x" * 201}, "longer than 200"),
        ({"q": '"*^:'}, "letters or numbers"),
        ({"q": "-only"}, "leave out"),
        ({"q": "a", "tag": "t"}, "cannot be combined with tag"),
        ({"q": "lighthouse", "cursor": "forged"}, "another search"),
    ],
)
def test_bad_q_is_a_clear_400(client, stories, params, detail):
    make_tag("t")
    response = client.get("/api/stories", params)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
    assert detail in response.json()["detail"]


def test_without_q_the_list_is_unchanged(client, stories):
    assert headlines(client.get("/api/stories"))[0] == "Lighthouse keeper retires"
