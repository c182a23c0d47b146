"""The readers' search page: results, filters, pages, messages, never cached or indexed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from masthead.factories import make_author, make_desk, make_story
from masthead.stories.models import Story

pytestmark = pytest.mark.django_db


@pytest.fixture
def stories():
    politics = make_desk("Politics")
    writer = make_author("Sara Writer")
    make_story(
        "Parliament debates",
        desk=politics,
        authors=[writer],
        dek="A long night in the chamber.",
        body="<p>Members argued over the <em>pistachio</em> export levy.</p>",
    )
    make_story("Draft pistachio plan", desk=politics, status=Story.Status.DRAFT)
    return politics, writer


def test_results_show_headline_dek_desk_byline_and_marked_matches(client, stories):
    response = client.get("/search/", {"q": "pistachio"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Parliament debates" in html
    assert "A long night in the chamber." in html
    assert "Politics" in html and "Sara Writer" in html
    assert "<mark>pistachio</mark>" in html
    assert "Draft pistachio plan" not in html
    assert '<meta name="robots" content="noindex">' in html
    assert response["Cache-Control"] == "private, no-store"
    assert "Surrogate-Key" not in response


def test_every_page_has_the_search_form(client, stories):
    html = client.get("/").content.decode()
    assert 'role="search"' in html and 'action="/search/"' in html


def test_filters_by_desk_author_and_dates(client, stories):
    _, writer = stories
    make_story("Harvest of pistachio", desk=make_desk("Economy"), age=timedelta(days=30))
    assert (
        "Harvest of"
        not in client.get("/search/", {"q": "pistachio", "desk": "politics"}).content.decode()
    )
    html = client.get("/search/", {"q": "pistachio", "author": writer.slug}).content.decode()
    assert "Parliament debates" in html and "Harvest of" not in html
    old = (timezone.now() - timedelta(days=10)).date().isoformat()
    html = client.get("/search/", {"q": "pistachio", "to": old}).content.decode()
    assert "Harvest of" in html and "Parliament debates" not in html


@pytest.mark.parametrize(
    "params, message",
    [
        ({"q": ""}, "Type a word"),
        ({"q": "x" * 300}, "longer than 200"),
        ({"q": '"*^:'}, "letters or numbers"),
        ({"q": "-war"}, "not only what to leave out"),
        ({"q": "war", "desk": "no-such-desk"}, "filters"),
        ({"q": "war", "from": "yesterday"}, "filters"),
        ({"q": "war", "after": "forged"}, "another search"),
    ],
)
def test_a_query_that_cannot_run_gets_a_clear_message(client, stories, params, message):
    response = client.get("/search/", params)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert response["Cache-Control"] == "private, no-store"


def test_no_results_says_so(client, stories):
    response = client.get("/search/", {"q": "zeppelin"})
    assert response.status_code == 200
    assert "No published stories match" in response.content.decode()


def test_the_bare_page_shows_the_form(client):
    response = client.get("/search/")
    assert response.status_code == 200
    assert 'role="search"' in response.content.decode()


def test_more_results_by_cursor(client):
    for n in range(25):
        make_story(f"Saffron story {n}", age=timedelta(hours=n + 1))
    first = client.get("/search/", {"q": "saffron"})
    html = first.content.decode()
    assert html.count('class="search-result"') == 20
    next_url = first.context["next_url"]
    assert next_url
    second = client.get(next_url).content.decode()
    assert second.count('class="search-result"') == 5
