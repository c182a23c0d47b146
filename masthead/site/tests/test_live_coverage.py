"""Developing stories and threads on the public site (site/live_coverage.py):
the marker and timeline, the thread box, their JSON-LD, and the caches that keep them true."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from io import BytesIO

import pytest
import time_machine
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone

from masthead.factories import make_story
from masthead.site.page_cache import PageCache
from masthead.site.tests.newsroom_data import make_newsroom, publish_update
from masthead.stories import developing, services
from masthead.stories.models import Story

pytestmark = pytest.mark.django_db

LD_JSON = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.DOTALL)
TIMELINE = re.compile(r'<ol class="developing__timeline">(.*?)</ol>', re.DOTALL)
THREAD = re.compile(r'<nav class="thread".*?</nav>', re.DOTALL)


@pytest.fixture
def newsroom(settings):
    settings.TIME_ZONE = "Asia/Tehran"
    return make_newsroom()


def page(client, story: Story) -> str:
    response = client.get(story.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def article_data(client, story: Story) -> dict:
    blocks = [json.loads(block) for block in LD_JSON.findall(page(client, story))]
    return next(block for block in blocks if block["@type"] != "BreadcrumbList")


def develop_with_two_updates(newsroom) -> Story:
    story = developing.start_developing(newsroom.editor, newsroom.story)
    publish_update(newsroom, story, body="<p>Officials confirm the talks.</p>")
    services.publish_update(
        newsroom.editor, Story.objects.get(pk=story.pk), "White House confirms the talks."
    )
    later = Story.objects.get(pk=story.pk)
    services.publish_correction(newsroom.editor, later, "The talks are in Vienna, not Geneva.")
    return Story.objects.get(pk=story.pk)


def test_a_story_that_is_not_developing_shows_no_marker(client, newsroom):
    html = page(client, newsroom.story)

    assert "Developing story" not in html
    assert article_data(client, newsroom.story)["@type"] == "AnalysisNewsArticle"


def test_a_developing_story_shows_its_timeline_in_order(client, newsroom):
    story = develop_with_two_updates(newsroom)

    html = page(client, story)

    assert "Developing story" in html
    timeline = TIMELINE.search(html).group(1)
    assert timeline.index("White House confirms") < timeline.index("not Geneva")
    assert "<strong>Correction:</strong>" in timeline
    # The notes are not listed twice: the timeline takes the corrections box's place.
    assert 'class="corrections"' not in html
    # Times: a machine-readable instant, and the words in the outlet's zone.
    notes = list(story.corrections.order_by("published_at", "pk"))
    for note in notes:
        stamp = note.published_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        assert f'<time datetime="{stamp}"' in timeline
        assert timezone.localtime(note.published_at).strftime("%H:%M") in timeline


def test_an_entry_on_another_day_shows_its_date(client, newsroom, time_machine):
    story = developing.start_developing(newsroom.editor, newsroom.story)
    time_machine.move_to(timezone.now() + timedelta(days=2))
    services.publish_update(newsroom.editor, Story.objects.get(pk=story.pk), "Day three.")

    timeline = TIMELINE.search(page(client, story)).group(1)

    moment = timezone.localtime(story.corrections.get().published_at)
    assert f"{moment.day} {moment:%b}, {moment:%H:%M}" in timeline


def test_ended_coverage_is_a_plain_article_again(client, newsroom):
    story = develop_with_two_updates(newsroom)
    developing.end_developing(newsroom.editor, story)

    html = page(client, story)

    assert "Developing story" not in html
    assert 'class="corrections"' in html and "White House confirms" in html
    article = article_data(client, story)
    assert article["@type"] == "AnalysisNewsArticle"
    assert "liveBlogUpdate" not in article


def test_hostile_notes_are_escaped_in_the_timeline(client, newsroom):
    story = developing.start_developing(newsroom.editor, newsroom.story)
    hostile = '<script>alert(1)</script> "quoted" \u202eevil'
    services.publish_update(newsroom.editor, Story.objects.get(pk=story.pk), hostile)

    html = page(client, story)

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in TIMELINE.search(html).group(1)


# JSON-LD ------------------------------------------------------------------------

# schema.org: the properties a LiveBlogPosting may carry in what we emit (its own,
# BlogPosting's, Article's, CreativeWork's, Thing's), and those Google requires.
LIVE_BLOG_PROPERTIES = {
    "@context", "@type", "@id", "url", "mainEntityOfPage", "headline", "description",
    "datePublished", "dateModified", "inLanguage", "isAccessibleForFree", "author",
    "publisher", "articleSection", "image", "genre", "keywords", "correction",
    "isBasedOn", "coverageStartTime", "coverageEndTime", "liveBlogUpdate",
    "backstory", "citation", "contentLocation", "articleBody", "about",
}  # fmt: skip
LIVE_BLOG_REQUIRED = {"headline", "coverageStartTime", "liveBlogUpdate", "datePublished"}
BLOG_POSTING_REQUIRED = {"@type", "headline", "articleBody", "datePublished"}
ISO_INSTANT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def check_live_blog_posting(data: dict) -> None:
    assert data["@type"] == "LiveBlogPosting"
    assert data.keys() >= LIVE_BLOG_REQUIRED
    assert data.keys() <= LIVE_BLOG_PROPERTIES, data.keys() - LIVE_BLOG_PROPERTIES
    assert ISO_INSTANT.fullmatch(data["coverageStartTime"])
    for update in data["liveBlogUpdate"]:
        assert update.keys() >= BLOG_POSTING_REQUIRED
        assert update["@type"] == "BlogPosting"
        assert ISO_INSTANT.fullmatch(update["datePublished"])
        assert 0 < len(update["headline"]) <= 110
        assert update["url"].startswith(data["url"] + "#update-")


def test_a_developing_story_is_a_live_blog_posting(client, newsroom):
    story = develop_with_two_updates(newsroom)

    data = article_data(client, story)

    check_live_blog_posting(data)
    assert "dateline" not in data  # a NewsArticle property only
    assert data["coverageStartTime"] == story.developing_since.astimezone(UTC).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )
    bodies = [update["articleBody"] for update in data["liveBlogUpdate"]]
    assert bodies == ["The talks are in Vienna, not Geneva.", "White House confirms the talks."]
    assert data["correction"][0]["text"] == "The talks are in Vienna, not Geneva."


def test_coverage_of_a_story_marked_before_it_went_out_starts_with_it(client, newsroom):
    draft = make_story("Embassy talks", desk=newsroom.desk, status=Story.Status.READY, age=None)
    services.snapshot_revision(draft)
    developing.start_developing(newsroom.editor, draft)
    published = services.publish_story(newsroom.editor, Story.objects.get(pk=draft.pk))

    data = article_data(client, published)

    check_live_blog_posting(data)
    assert data["coverageStartTime"] == data["datePublished"]
    assert data["liveBlogUpdate"] == []


def test_a_long_note_gets_a_short_headline_and_stays_inside_the_script(client, newsroom):
    story = developing.start_developing(newsroom.editor, newsroom.story)
    note = "</script><script>alert(1)</script> " + "word " * 60
    services.publish_update(newsroom.editor, Story.objects.get(pk=story.pk), note)

    html = page(client, story)
    data = article_data(client, story)

    assert "<script>alert(1)" not in html
    (update,) = data["liveBlogUpdate"]
    assert update["headline"].endswith("…") and len(update["headline"]) == 110
    assert update["articleBody"] == note.strip()


# Threads -------------------------------------------------------------------------


@pytest.fixture
def thread(newsroom):
    return developing.create_thread(newsroom.editor, "Talks in Vienna <b>live</b>")


def in_thread(newsroom, thread, headline: str, **fields) -> Story:
    story = make_story(headline, desk=newsroom.desk, **fields)
    services.snapshot_revision(story)
    return developing.add_to_thread(newsroom.editor, story, thread)


def test_every_live_story_of_a_thread_shows_the_thread(client, newsroom, thread):
    first = developing.add_to_thread(newsroom.editor, newsroom.story, thread)
    follow_up = in_thread(newsroom, thread, "Officials confirm", age=timedelta(hours=1))

    for story, other in ((first, follow_up), (follow_up, first)):
        box = THREAD.search(page(client, story)).group(0)
        assert "Talks in Vienna &lt;b&gt;live&lt;/b&gt;" in box
        assert f'href="{other.get_absolute_url()}"' in box
        assert f'href="{story.get_absolute_url()}"' not in box
        assert re.search(r'aria-current="page"[^>]*>' + re.escape(story.headline), box)
    box = THREAD.search(page(client, first)).group(0)
    assert box.index(first.headline) < box.index(follow_up.headline)


def test_a_thread_never_shows_drafts_scheduled_or_withdrawn_stories(client, newsroom, thread):
    live = developing.add_to_thread(newsroom.editor, newsroom.story, thread)
    other = in_thread(newsroom, thread, "Public follow-up")
    in_thread(newsroom, thread, "Secret draft", status=Story.Status.DRAFT, age=None)
    in_thread(newsroom, thread, "Withdrawn report", status=Story.Status.WITHDRAWN)
    in_thread(
        newsroom,
        thread,
        "Scheduled denial",
        status=Story.Status.SCHEDULED,
        published_at=timezone.now() + timedelta(hours=1),
    )
    in_thread(
        newsroom,
        thread,
        "Embargoed piece",
        embargoed_until=timezone.now() + timedelta(hours=1),
    )

    for story in (live, other):
        html = page(client, story)
        for hidden in ("Secret draft", "Withdrawn report", "Scheduled denial", "Embargoed piece"):
            assert hidden not in html


def test_a_story_alone_in_its_thread_shows_no_box(client, newsroom, thread):
    story = developing.add_to_thread(newsroom.editor, newsroom.story, thread)
    in_thread(newsroom, thread, "Secret draft", status=Story.Status.DRAFT, age=None)

    assert 'class="thread"' not in page(client, story)


# Caches -------------------------------------------------------------------------


def call(app, path: str) -> tuple[int, dict, str]:
    environ = {
        "REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "",
        "SERVER_NAME": "testserver", "SERVER_PORT": "80", "HTTP_HOST": "testserver",
        "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": "http",
        "wsgi.input": BytesIO(b""), "wsgi.errors": BytesIO(),
    }  # fmt: skip
    answer: dict = {}

    def start_response(status, headers, exc_info=None):
        answer["status"], answer["headers"] = int(status.split()[0]), dict(headers)

    body = b"".join(app(environ, start_response)).decode()
    return answer["status"], answer["headers"], body


@pytest.fixture
def app():
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield PageCache(WSGIHandler(), max_bytes=8 * 1024 * 1024, poll_seconds=0, shared=None)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_cached_pages_follow_the_developing_state(app, newsroom):
    url = newsroom.story.get_absolute_url()
    call(app, url)
    assert call(app, url)[1]["X-Page-Cache"] == "HIT"

    story = developing.start_developing(newsroom.editor, newsroom.story)
    assert "Developing story" in call(app, url)[2]
    services.publish_update(newsroom.editor, Story.objects.get(pk=story.pk), "Envoys arrive.")
    assert "Envoys arrive." in TIMELINE.search(call(app, url)[2]).group(1)

    developing.end_developing(newsroom.editor, story)
    assert "Developing story" not in call(app, url)[2]


def test_a_change_to_one_story_reaches_every_cached_page_of_its_thread(app, newsroom, thread):
    first = developing.add_to_thread(newsroom.editor, newsroom.story, thread)
    url = first.get_absolute_url()
    _status, headers, body = call(app, url)
    assert f"thread:{thread.pk}" in headers["Surrogate-Key"].split()
    assert 'class="thread"' not in body

    follow_up = in_thread(newsroom, thread, "Officials confirm")
    assert "Officials confirm" in call(app, url)[2]

    publish_update(newsroom, follow_up, headline="Officials confirm, then deny")
    assert "Officials confirm, then deny" in call(app, url)[2]

    services.withdraw_story(newsroom.editor, Story.objects.get(pk=follow_up.pk), "Wrong.")
    assert "Officials confirm" not in call(app, url)[2]


def test_a_scheduled_story_joins_the_cached_thread_at_its_time(app, newsroom, thread):
    start = datetime.now(UTC).replace(microsecond=0)
    with time_machine.travel(start, tick=False) as traveller:
        first = developing.add_to_thread(newsroom.editor, newsroom.story, thread)
        in_thread(newsroom, thread, "Earlier follow-up")
        url = first.get_absolute_url()
        denial = make_story("The denial", desk=newsroom.desk, status=Story.Status.READY, age=None)
        services.snapshot_revision(denial)
        developing.add_to_thread(newsroom.editor, denial, thread)
        due = start + timedelta(minutes=5)
        services.schedule_story(newsroom.editor, Story.objects.get(pk=denial.pk), due)
        assert "The denial" not in call(app, url)[2]
        assert call(app, url)[1]["X-Page-Cache"] == "HIT"

        traveller.move_to(due + timedelta(seconds=1))

        assert "The denial" in call(app, url)[2]


# Feeds ---------------------------------------------------------------------------


def test_the_atom_feed_carries_the_last_published_update(client, newsroom, time_machine):
    story = developing.start_developing(newsroom.editor, newsroom.story)
    time_machine.move_to(timezone.now() + timedelta(minutes=3))
    services.publish_update(newsroom.editor, Story.objects.get(pk=story.pk), "Envoys arrive.")
    updated_at = Story.objects.get(pk=story.pk).updated_at

    feed = client.get("/feed/atom/").content.decode()

    entry = re.search(r"<entry>.*?Talks resume in Vienna.*?</entry>", feed, re.DOTALL).group(0)
    stamp = updated_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    assert re.search(rf"<updated>{stamp}(\.\d+)?(\+00:00|Z)</updated>", entry), entry
    assert updated_at > story.published_at


def test_a_preview_shows_where_a_draft_will_stand(client, newsroom, thread):
    from masthead.factories import make_preview_link

    live = developing.add_to_thread(newsroom.editor, newsroom.story, thread)
    draft = in_thread(newsroom, thread, "The coming denial", status=Story.Status.DRAFT, age=None)
    developing.start_developing(newsroom.editor, draft)
    token = make_preview_link(Story.objects.get(pk=draft.pk).latest_revision)

    response = client.get(f"/preview/{token}/")

    html = response.content.decode()
    assert response.status_code == 200 and "private" in response["Cache-Control"]
    assert "Developing story" in html
    box = THREAD.search(html).group(0)
    assert f'href="{live.get_absolute_url()}"' in box
    assert re.search(r'aria-current="page"[^>]*>The coming denial', box)
    # … and the live story's page still does not show the draft.
    assert "The coming denial" not in page(client, live)
