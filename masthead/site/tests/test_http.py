"""HTTP semantics: validators, conditional GET, caching headers and HEAD on every public channel."""

from __future__ import annotations

import hashlib
from datetime import UTC, timedelta

import pytest
import time_machine
from django.utils import timezone
from django.utils.http import http_date, parse_http_date

from masthead.factories import make_story
from masthead.site.relative_time import mask_relative_times
from masthead.site.tests.newsroom_data import make_newsroom, publish_update, save_draft_edit
from masthead.stories import services
from masthead.stories.models import Story
from masthead.stories.versions import bump_story_change, story_scopes

pytestmark = pytest.mark.django_db


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
        assert response["ETag"].startswith('W/"'), url
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
    # The newest public change the page shows: the story's update, or a later one
    # of what it lists (Recent Posts) or of the outlet's records; never the clock.
    assert parse_http_date(last_modified) >= int(newsroom.story.updated_at.timestamp())
    assert parse_http_date(last_modified) <= timezone.now().timestamp()

    assert client.get(url, headers={"If-Modified-Since": last_modified}).status_code == 304
    earlier = http_date(parse_http_date(last_modified) - 60)
    assert client.get(url, headers={"If-Modified-Since": earlier}).status_code == 200

    # Last-Modified counts whole seconds (RFC 9110): an update in the same second
    # as the date a client holds is told by the ETag only, so this one comes later.
    with time_machine.travel(timezone.now() + timedelta(seconds=2), tick=True):
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


def test_the_etag_names_the_body_but_the_words_of_its_relative_times(client, newsroom):
    response = client.get("/")

    masked = mask_relative_times(response.content)
    assert b"data-relative>2 hours ago</time>" in response.content
    assert b"data-relative></time>" in masked
    assert response["ETag"] == 'W/"' + hashlib.sha256(masked).hexdigest()[:32] + '"'


# Pages that show relative times ("16 mins ago"), and two that do not.
DATED_PAGES = ["/", "/politics/", "/author/nima-sadeghi/", "/tag/iran/", "/feed/", "/sitemap.xml"]


def validators(client, urls) -> dict[str, tuple[str, str]]:
    found = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        found[url] = (response["ETag"], response["Last-Modified"])
    return found


def test_the_same_content_later_has_the_same_validators(client, newsroom):
    """RELIABILITY F3 / L8: re-rendered sixteen minutes later (another worker, a copy
    that left a cache), a page whose content did not change keeps ETag and Last-Modified."""
    start = timezone.now()
    urls = [*DATED_PAGES, newsroom.story.get_absolute_url()]
    with time_machine.travel(start, tick=False):
        before = validators(client, urls)
    with time_machine.travel(start + timedelta(minutes=16), tick=False):
        after = validators(client, urls)
        # Asked with the copy it has, a reader's cache gets a 304.
        for url in urls:
            answer = client.get(url, headers={"If-None-Match": before[url][0]})
            assert answer.status_code == 304, url
            answer = client.get(url, headers={"If-Modified-Since": before[url][1]})
            assert answer.status_code == 304, url

    assert after == before


def test_relative_times_that_change_words_keep_the_validators(client, newsroom):
    story = newsroom.story
    Story.objects.filter(pk=story.pk).update(published_at=timezone.now() - timedelta(minutes=1))
    bump_story_change(story_scopes(story), seen_by_readers=True)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        first = client.get("/")
    with time_machine.travel(start + timedelta(minutes=15), tick=False):
        second = client.get("/")

    assert b">1 min ago</time>" in first.content and b">16 mins ago</time>" in second.content
    assert (second["ETag"], second["Last-Modified"]) == (first["ETag"], first["Last-Modified"])


def test_a_publish_changes_the_validators_of_the_pages_that_list_it(client, newsroom):
    start = timezone.now().replace(microsecond=0)
    urls = ["/", "/politics/", "/feed/", "/sitemap.xml"]
    with time_machine.travel(start, tick=False):
        before = validators(client, urls)
    with time_machine.travel(start + timedelta(minutes=3), tick=False):
        story = services.create_story(
            newsroom.editor, services.Content(headline="Fresh report", desk=newsroom.desk)
        )
        services.submit_story(newsroom.editor, story)
        services.claim_story(newsroom.editor, story)
        services.publish_story(newsroom.editor, story)
    with time_machine.travel(start + timedelta(minutes=10), tick=False):
        after = validators(client, urls)
        stale = client.get("/", headers={"If-None-Match": before["/"][0]})
        dated = client.get("/", headers={"If-Modified-Since": before["/"][1]})

    published_at = http_date((start + timedelta(minutes=3)).timestamp())
    for url in urls:
        assert after[url][0] != before[url][0], url
        # Dated by the publish, not by when the page was asked for.
        assert after[url][1] == published_at, url
    assert stale.status_code == 200 and dated.status_code == 200


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
