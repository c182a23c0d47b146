"""Readers are told the agencies a story is based on (masthead/wire/attribution.py):
on the article page, in its JSON-LD ``isBasedOn``, through the caches, and at
no cost to a warm article."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from masthead.factories import make_story
from masthead.site.tests.newsroom_data import make_newsroom
from masthead.stories import services
from masthead.stories.models import Story
from masthead.wire import editorial
from masthead.wire.models import Source, StoryBasis
from masthead.wire.tests.conftest import make_item

pytestmark = pytest.mark.django_db

LD_JSON = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.DOTALL)


@pytest.fixture
def newsroom(settings):
    settings.TIME_ZONE = "UTC"
    return make_newsroom()


@pytest.fixture
def wire(newsroom):
    return Source.objects.create(
        name="Agency feed", slug="agency", kind=Source.Kind.NINJS, provider="Reuters",
        desk=newsroom.desk,
    )  # fmt: skip


def get(client, url: str) -> tuple[str, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode(), [query["sql"] for query in queries]


def article_of(html: str) -> dict:
    blocks = [json.loads(block) for block in LD_JSON.findall(html)]
    return next(block for block in blocks if block["@type"] != "BreadcrumbList")


def published_from(newsroom, items) -> Story:
    """A story written from ``items`` by the desk's editor and published."""
    editor = newsroom.editor
    story = editorial.write_story_from(editor, items, newsroom.desk)
    services.submit_story(editor, story)
    services.claim_story(editor, story)
    return services.publish_story(editor, story)


def test_the_article_names_each_agency_once_and_lists_every_item(client, newsroom, wire):
    afp = Source.objects.create(
        name="Partner pool", slug="pool", kind=Source.Kind.RSS, provider="", desk=newsroom.desk
    )
    items = [
        make_item(wire, "First report", url="https://reuters.example/a"),
        make_item(wire, "Second report", url="javascript:alert(1)", provider=""),
        make_item(afp, "Third report", provider="AFP", url="ftp://afp.example/x"),
        make_item(afp, "Fourth report", provider=""),
    ]
    story = published_from(newsroom, items)

    html, _ = get(client, story.get_absolute_url())

    # The line itself, so a failure shows what the page said instead.
    based_on = re.search(r'<p class="article__based-on">(.*?)</p>', html, re.DOTALL)
    assert based_on is not None, html[-3000:]
    assert based_on.group(1).startswith(
        'Based on reporting by <span dir="auto">Reuters</span>, <span dir="auto">AFP</span> '
        'and <span dir="auto">Partner pool</span>.'
    ), based_on.group(1)
    reuters = {"@type": "Organization", "name": "Reuters"}
    assert article_of(html)["isBasedOn"] == [
        {"@type": "CreativeWork", "name": "First report", "url": "https://reuters.example/a",
         "publisher": reuters},
        {"@type": "CreativeWork", "name": "Second report", "publisher": reuters},
        {"@type": "CreativeWork", "name": "Third report",
         "publisher": {"@type": "Organization", "name": "AFP"}},
        {"@type": "CreativeWork", "name": "Fourth report",
         "publisher": {"@type": "Organization", "name": "Partner pool"}},
    ]  # fmt: skip
    assert "javascript:" not in html


def test_the_agencies_keep_the_items_order_whatever_their_ids(client, newsroom, wire):
    """Ids a set would put the other way round (CI's PostgreSQL pass, whose ids
    run on across tests, once named the last agency first)."""
    afp = Source.objects.create(
        name="AFP feed", slug="afp", kind=Source.Kind.RSS, provider="AFP", desk=newsroom.desk
    )
    base = 2**40  # far above any id the sequence hands out in a test run
    first_id, second_id = base + 2, base + 1 + 64
    assert list({first_id, second_id}) == [second_id, first_id]  # a set would reorder them
    items = [
        make_item(wire, "Reuters first", pk=first_id),
        make_item(afp, "AFP second", pk=second_id),
    ]
    story = published_from(newsroom, items)

    html, _ = get(client, story.get_absolute_url())
    assert (
        'Based on reporting by <span dir="auto">Reuters</span> and <span dir="auto">AFP</span>.'
        in html
    )
    assert [work["name"] for work in article_of(html)["isBasedOn"]] == [
        "Reuters first",
        "AFP second",
    ]


def test_a_story_not_based_on_the_wire_says_nothing_of_it(client, newsroom):
    html, _ = get(client, newsroom.story.get_absolute_url())
    assert "Based on reporting by" not in html
    assert "isBasedOn" not in article_of(html)


def test_hostile_agency_names_and_headlines_stay_text(client, newsroom, wire):
    item = make_item(
        wire, '</script><script>alert("h")</script>', provider='<img src=x onerror="alert(1)">'
    )
    story = published_from(newsroom, [item])
    html, _ = get(client, story.get_absolute_url())
    assert "<script>alert" not in html and "<img src=x" not in html
    based_on = article_of(html)["isBasedOn"][0]
    assert based_on["publisher"]["name"] == '<img src=x onerror="alert(1)">'


def test_a_warm_article_reads_nothing_of_the_wire(client, newsroom, wire):
    story = published_from(newsroom, [make_item(wire, "Report")])
    plain = make_story("Plain story", desk=newsroom.desk, age=timedelta(minutes=5))
    services.snapshot_revision(plain)

    cold, cold_queries = get(client, story.get_absolute_url())
    warm, warm_queries = get(client, story.get_absolute_url())
    get(client, plain.get_absolute_url())
    _, plain_warm_queries = get(client, plain.get_absolute_url())

    assert warm == cold
    assert any("wire_storybasis" in sql for sql in cold_queries)
    assert not any("wire_" in sql for sql in warm_queries)
    # The story row, and the last public change its Last-Modified is (site/http.py).
    assert len(warm_queries) == len(plain_warm_queries) == 2


def test_the_agency_shows_once_the_story_is_published_though_its_page_was_cached(
    client, newsroom, wire
):
    # A basis is added while the story is in the works; the publish bumps its
    # scope, so the page readers get is rendered with every agency.
    editor = newsroom.editor
    draft = editorial.write_story_from(editor, [make_item(wire, "Report")], newsroom.desk)
    services.submit_story(editor, draft)
    services.claim_story(editor, draft)
    assert client.get(draft.get_absolute_url()).status_code == 404  # not out yet
    later = make_item(wire, "Follow-up", provider="AFP")
    editorial.add_to_story(editor, draft, [later])
    services.publish_story(editor, draft)

    html, _ = get(client, draft.get_absolute_url())
    assert 'Reuters</span> and <span dir="auto">AFP</span>' in html


def test_no_basis_is_added_to_a_public_story_behind_the_readers_back(client, newsroom, wire):
    story = newsroom.story
    html, _ = get(client, story.get_absolute_url())
    with pytest.raises(Exception, match="published"):
        editorial.add_to_story(newsroom.editor, story, [make_item(wire)])
    assert not StoryBasis.objects.filter(story=story).exists()
    assert get(client, story.get_absolute_url())[0] == html


def test_the_back_office_preview_names_the_agency(newsroom, wire):
    from django.test import Client

    editor = newsroom.editor
    draft = editorial.write_story_from(editor, [make_item(wire, "Report")], newsroom.desk)
    client = Client()
    client.force_login(editor)
    response = client.get(f"/desk/stories/{draft.pk}/revisions/{draft.latest_revision_id}/preview/")
    assert 'Based on reporting by <span dir="auto">Reuters</span>.' in response.content.decode()
