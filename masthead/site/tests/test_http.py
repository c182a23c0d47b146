"""HTTP semantics: validators, conditional GET, caching headers and HEAD on every public channel."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from django.utils import timezone
from django.utils.http import http_date, parse_http_date

from masthead.factories import make_story
from masthead.site.tests.newsroom_data import make_newsroom, publish_update, save_draft_edit
from masthead.stories import services
from masthead.stories.models import Story

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_last_changed(monkeypatch):
    # Each address's "last changed" record lives in the shared cache: give this
    # test records of its own instead of flushing a cache others may be using.
    import uuid

    from masthead.site import http

    prefix, original = uuid.uuid4().hex, http._last_changed_key
    monkeypatch.setattr(http, "_last_changed_key", lambda request: prefix + original(request))


@pytest.fixture
def newsroom():
    return make_newsroom()


def month_sitemap(story: Story) -> str:
    return f"/sitemaps/stories-{story.published_at.astimezone(UTC):%Y-%m}.xml"


def channels(newsroom) -> list[str]:
    """One address of each kind of public channel that shows the story."""
    return [
        newsroom.story.get_absolute_url(),
        "/",
        "/politics/",
        "/author/nima-sadeghi/",
        "/tag/iran/",
        "/label/analysis/",
        "/feed/",
        "/feed/atom/",
        "/politics/feed.xml",
        "/tag/iran/atom.xml",
        "/sitemap.xml",
        month_sitemap(newsroom.story),
        "/sitemaps/news.xml",
    ]


def etags(client, urls) -> dict[str, str]:
    return {url: client.get(url)["ETag"] for url in urls}


def test_public_channels_have_validators_and_shared_cache_headers(client, newsroom, settings):
    settings.PUBLIC_CACHE_SECONDS = 90
    settings.PUBLIC_STALE_SECONDS = 300
    for url in [*channels(newsroom), "/robots.txt", "/masthead/", "/corrections/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["ETag"].startswith('"'), url
        assert parse_http_date(response["Last-Modified"]) <= timezone.now().timestamp() + 1
        cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
        assert {"public", "max-age=90", "stale-while-revalidate=300"} <= cache_control, url


@pytest.mark.parametrize("index", range(13))
def test_if_none_match_answers_304(client, newsroom, index):
    url = channels(newsroom)[index]
    first = client.get(url)

    again = client.get(url, headers={"If-None-Match": first["ETag"]})

    assert again.status_code == 304, url
    assert again.content == b""
    assert again["ETag"] == first["ETag"]
    assert "stale-while-revalidate" in again["Cache-Control"]
    other = client.get(url, headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200


def test_if_modified_since_answers_304_until_the_page_changes(client, newsroom):
    url = newsroom.story.get_absolute_url()
    first = client.get(url)
    last_modified = first["Last-Modified"]
    # A page first seen dates from the story's last public update.
    assert last_modified == http_date(newsroom.story.updated_at.timestamp())

    assert client.get(url, headers={"If-Modified-Since": last_modified}).status_code == 304
    earlier = http_date(parse_http_date(last_modified) - 60)
    assert client.get(url, headers={"If-Modified-Since": earlier}).status_code == 200

    publish_update(newsroom, newsroom.story, dek="New standfirst.")
    changed = client.get(url, headers={"If-Modified-Since": last_modified})
    assert changed.status_code == 200
    assert parse_http_date(changed["Last-Modified"]) >= parse_http_date(last_modified)
    assert changed["Last-Modified"] != last_modified or changed["ETag"] != first["ETag"]


def test_if_none_match_wins_over_if_modified_since(client, newsroom):
    url = "/feed/"
    first = client.get(url)

    response = client.get(
        url, headers={"If-None-Match": '"stale"', "If-Modified-Since": first["Last-Modified"]}
    )

    assert response.status_code == 200


def test_etags_change_when_an_update_is_published(client, newsroom):
    urls = channels(newsroom)
    before = etags(client, urls)

    publish_update(newsroom, newsroom.story, headline="Talks resume in Vienna, then stall")

    after = etags(client, urls)
    unchanged = [url for url in urls if before[url] == after[url]]
    # The index lists files, not stories; their lastmod moves with the update.
    assert unchanged == []


def test_etags_change_when_a_new_story_goes_live(client, newsroom):
    urls = ["/", "/politics/", "/feed/", "/politics/atom.xml", month_sitemap(newsroom.story)]
    before = etags(client, urls)

    story = services.create_story(
        newsroom.editor, services.Content(headline="Fresh report", desk=newsroom.desk)
    )
    services.submit_story(newsroom.editor, story)
    services.claim_story(newsroom.editor, story)
    services.publish_story(newsroom.editor, story)

    after = etags(client, urls)
    assert all(before[url] != after[url] for url in urls)


def test_etags_do_not_change_for_an_unpublished_edit(client, newsroom):
    urls = channels(newsroom)
    before = etags(client, urls)

    save_draft_edit(newsroom, newsroom.story, headline="SECRET DRAFT HEADLINE", body="<p>x</p>")
    make_story("Another draft", desk=newsroom.desk, status=Story.Status.DRAFT)
    make_story("Later", desk=newsroom.desk, published_at=timezone.now() + timedelta(hours=3))
    Story.objects.filter(pk=newsroom.story.pk).update(notes_to_editor="internal only")

    assert etags(client, urls) == before
    assert b"SECRET DRAFT" not in client.get(newsroom.story.get_absolute_url()).content


def test_etags_change_when_a_scheduled_story_comes_due(client, newsroom, time_machine):
    due = timezone.now() + timedelta(minutes=5)
    make_story("Due soon", desk=newsroom.desk, published_at=due)
    before = etags(client, ["/", "/feed/"])

    # The clock, not a write, brings it out: fragments keyed by version expire at its time.
    time_machine.move_to(due + timedelta(seconds=1))

    after = etags(client, ["/", "/feed/"])
    assert before["/"] != after["/"] and before["/feed/"] != after["/feed/"]


@pytest.mark.parametrize("index", range(13))
def test_head_answers_like_get_without_a_body(client, newsroom, index):
    url = channels(newsroom)[index]
    got = client.get(url)

    head = client.head(url)

    assert head.status_code == 200
    assert head.content == b""
    assert head["ETag"] == got["ETag"]
    assert head["Content-Type"] == got["Content-Type"]
    assert int(head["Content-Length"]) == len(got.content)


def test_not_found_and_gone_are_cacheable_without_validators(client, newsroom):
    missing = client.get("/politics/never-was/")
    services.withdraw_story(
        newsroom.editor, Story.objects.get(pk=newsroom.story.pk), "Withdrawn: wrong."
    )
    gone = client.get(newsroom.story.get_absolute_url())

    for response, status in ((missing, 404), (gone, 410)):
        assert response.status_code == status
        assert "public" in response["Cache-Control"]
        assert not response.has_header("ETag")


def test_staff_only_previews_are_private_and_not_stored(client, newsroom):
    from masthead.factories import make_preview_link

    story = Story.objects.get(pk=newsroom.story.pk)
    response = client.get(f"/preview/{make_preview_link(story.latest_revision)}/")

    assert response.status_code == 200
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= cache_control
    assert "public" not in cache_control
    assert not response.has_header("ETag")


def test_the_etag_names_exactly_the_body(client, newsroom):
    import hashlib

    response = client.get("/")

    assert response["ETag"] == '"' + hashlib.sha256(response.content).hexdigest()[:32] + '"'


def test_private_response_marks_staff_views(rf):
    from django.http import HttpResponse

    from masthead.site.http import private_response

    @private_response
    def staff_view(request):
        response = HttpResponse("mine")
        response["ETag"] = '"x"'
        return response

    response = staff_view(rf.get("/"))

    assert response["Cache-Control"] == "private, no-store"
    assert not response.has_header("ETag")
