"""Caching headers, conditional GET, HEAD: ETags and 304s change exactly when content does."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from django.utils.http import http_date

from masthead.factories import make_story
from masthead.stories import services
from masthead.stories.models import ContentVersion, Story, Tag

pytestmark = pytest.mark.django_db

PUBLIC_READS = [
    "/api/",
    "/api/stories",
    "/api/stories?desk=politics",
    "/api/desks",
    "/api/desks/politics",
    "/api/authors",
    "/api/authors/nima-sadeghi",
    "/api/tags",
    "/api/tags/iran",
    "/api/openapi.json",
    "/api/docs",
]


def story_reads(story: Story) -> list[str]:
    return [f"/api/stories/{story.pk}", f"/api/stories/{story.pk}/ninjs"]


@pytest.fixture
def reads(newsroom):
    return PUBLIC_READS + story_reads(newsroom.story)


def test_public_reads_are_cacheable_with_validators(client, reads):
    for url in reads:
        response = client.get(url)

        assert response.status_code == 200, url
        cache_control = response["Cache-Control"]
        assert "public" in cache_control, url
        assert "max-age=60" in cache_control, url
        assert "stale-while-revalidate=" in cache_control, url
        assert response["ETag"].startswith('"'), url
        assert response["Access-Control-Allow-Origin"] == "*"


def test_story_reads_carry_last_modified(client, newsroom):
    story = newsroom.story
    # Nothing else readers see (desk names, bylines …) changed since the last update.
    ContentVersion.objects.update(changed_at=story.updated_at - timedelta(days=1))

    for url in [*story_reads(story), "/api/stories"]:
        response = client.get(url)
        assert response["Last-Modified"] == http_date(story.updated_at.timestamp()), url


def test_last_modified_moves_with_the_records_a_story_shows(client, newsroom):
    story = newsroom.story
    ContentVersion.objects.update(changed_at=story.updated_at - timedelta(days=1))
    before = client.get(f"/api/stories/{story.pk}")["Last-Modified"]

    newsroom.reporter.name = "Nima Sadeghi-Rad"
    newsroom.reporter.save()

    after = client.get(f"/api/stories/{story.pk}", HTTP_IF_MODIFIED_SINCE=before)
    assert after.status_code == 200
    assert "Nima Sadeghi-Rad" in after.content.decode()


def test_if_none_match_answers_304_without_a_body(client, reads):
    for url in reads:
        etag = client.get(url)["ETag"]

        response = client.get(url, HTTP_IF_NONE_MATCH=etag)

        assert response.status_code == 304, url
        assert response.content == b""
        assert response["ETag"] == etag


def test_if_modified_since_answers_304(client, newsroom):
    url = f"/api/stories/{newsroom.story.pk}"
    last_modified = client.get(url)["Last-Modified"]

    assert client.get(url, HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304


def test_a_stale_etag_gets_the_whole_answer(client, newsroom):
    url = f"/api/stories/{newsroom.story.pk}"

    response = client.get(url, HTTP_IF_NONE_MATCH='"not-the-current-one"')

    assert response.status_code == 200


def test_head_answers_like_get_without_a_body(client, reads):
    for url in reads:
        got = client.get(url)

        head = client.head(url)

        assert head.status_code == 200, url
        assert head.content == b""
        assert head["ETag"] == got["ETag"]
        assert head["Content-Length"] == str(len(got.content))
        assert head["Content-Type"] == got["Content-Type"]


def test_head_on_a_missing_story_is_404(client, newsroom):
    assert client.head("/api/stories/999999").status_code == 404


def etags(client, story: Story) -> dict[str, str]:
    urls = [*story_reads(story), "/api/stories", "/api/stories?tag=iran"]
    return {url: client.get(url)["ETag"] for url in urls}


def test_etags_do_not_change_when_nothing_public_does(client, newsroom, editor):
    story = newsroom.story
    before = etags(client, story)

    # An editor saves a new revision of the live story: readers still see the published one.
    content = services.Content.of(story)
    content.headline = "A headline still in the works"
    services.save_story(editor, story, content, story.latest_revision_id)
    make_story("A draft", desk=newsroom.desk, status=Story.Status.DRAFT, tags=[newsroom.tag])

    assert etags(client, story) == before


def test_etags_change_when_an_update_is_published(client, newsroom, editor):
    story = newsroom.story
    before = etags(client, story)
    old_etag = before[f"/api/stories/{story.pk}"]
    content = services.Content.of(story)
    content.headline = "Talks resume in Vienna, then stall"
    services.save_story(editor, story, content, story.latest_revision_id)

    services.publish_update(editor, story, note="Adds the stall.")

    after = etags(client, story)
    assert all(after[url] != before[url] for url in before)
    response = client.get(f"/api/stories/{story.pk}", HTTP_IF_NONE_MATCH=old_etag)
    assert response.status_code == 200
    assert response.json()["headline"] == "Talks resume in Vienna, then stall"


def test_withdrawing_a_story_changes_the_lists_validators(client, newsroom, editor):
    other = make_story("Another report", desk=newsroom.desk, tags=[newsroom.tag])
    services.snapshot_revision(other)
    list_before = client.get("/api/stories?tag=iran")

    services.withdraw_story(editor, other, "Relied on a forged document.")

    etag_answer = client.get("/api/stories?tag=iran", HTTP_IF_NONE_MATCH=list_before["ETag"])
    date_answer = client.get(
        "/api/stories?tag=iran", HTTP_IF_MODIFIED_SINCE=list_before["Last-Modified"]
    )
    assert etag_answer.status_code == 200
    assert "Another report" not in etag_answer.content.decode()
    # Last-Modified has one-second precision: a change within the same second as the
    # first answer can only be told by the ETag, which the docs ask clients to use.
    assert date_answer.status_code in (200, 304)


def test_renaming_a_desk_changes_the_stories_that_show_it(client, newsroom):
    url = f"/api/stories/{newsroom.story.pk}"
    before = client.get(url)["ETag"]

    newsroom.desk.name = "Politics & Diplomacy"
    newsroom.desk.save()

    assert client.get(url, HTTP_IF_NONE_MATCH=before).status_code == 200


def test_errors_are_not_stored_by_caches(client, newsroom):
    response = client.get("/api/stories/999999")

    assert response["Cache-Control"] == "no-store"


def test_staff_endpoints_are_private_and_never_stored(client, as_editor, newsroom):
    story = as_editor.get(f"/api/desk/stories/{newsroom.story.pk}")
    missing = as_editor.get("/api/desk/stories/999999")
    anonymous = client.get(f"/api/desk/stories/{newsroom.story.pk}")
    created = as_editor.post("/api/desk/stories", {"headline": "New", "desk": "politics"})
    for response in (story, missing, anonymous, created):
        assert response["Cache-Control"] == "private, no-store", response.status_code
        assert "Access-Control-Allow-Origin" not in response
    # The only validator a staff answer carries names the story's latest revision
    # (what a save sends back as If-Match), never a hash of the body.
    assert story["ETag"] == f'"rev-{story.json()["latest_revision"]}"'
    assert created["ETag"] == f'"rev-{created.json()["latest_revision"]}"'
    assert "ETag" not in missing and "ETag" not in anonymous


def test_head_on_a_staff_read(as_editor, newsroom):
    response = as_editor.request("HEAD", f"/api/desk/stories/{newsroom.story.pk}")

    assert response.status_code == 200
    assert response.content == b""


def pages_of(client, url: str) -> list[str]:
    """The address of each page of a list, following ``next_url``."""
    pages = []
    while url:
        pages.append(url)
        found = client.get(url).json()
        url = found["next_url"] if isinstance(found, dict) else None
    return pages


@pytest.mark.parametrize(
    "first_page",
    [
        "/api/stories?limit=1",
        "/api/stories?limit=1&desk=politics",
        "/api/stories?limit=1&updated_since=2000-01-01T00:00:00Z",
        "/api/tags?limit=1",
        "/api/desks",
        "/api/authors",
    ],
)
def test_conditional_requests_work_on_every_page_of_every_list(client, newsroom, first_page):
    make_story("An older report", desk=newsroom.desk, tags=[newsroom.tag], age=timedelta(hours=5))
    make_story("The oldest report", desk=newsroom.desk, age=timedelta(hours=9))
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        pages = pages_of(client, "http://testserver" + first_page)
        validators = {url: client.get(url) for url in pages}
    if first_page.startswith(("/api/stories", "/api/tags")):
        assert len(pages) >= 2

    # Later, nothing public having changed: every page is still the one the client has.
    with time_machine.travel(start + timedelta(minutes=3), tick=False):
        for url, first in validators.items():
            by_etag = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
            by_date = client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])

            assert (by_etag.status_code, by_etag.content) == (304, b""), url
            assert by_date.status_code == 304, url
            assert client.get(url).content == first.content, url


def test_a_change_in_another_edition_moves_the_lists_last_modified(client, newsroom, editor):
    """The lists hold every edition's stories: a Persian withdrawal dates them too."""
    from masthead.factories import editor_of, make_desk, make_edition

    siasat = make_desk("سیاست", slug="siasat", edition=make_edition("fa"))
    majlis = Tag.objects.create(name="مجلس", slug="majlis")
    farsi = make_story("گزارشی از مجلس", desk=siasat, tags=[majlis], age=timedelta(days=1))
    services.snapshot_revision(farsi)
    persian_editor = editor_of(siasat)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        before = {url: client.get(url) for url in ("/api/stories", "/api/tags")}

    with time_machine.travel(start + timedelta(seconds=5), tick=False):
        services.withdraw_story(persian_editor, farsi, "Relied on a forged document.")
        for url, answer in before.items():
            again = client.get(url, HTTP_IF_MODIFIED_SINCE=answer["Last-Modified"])
            assert again.status_code == 200, url
            assert "مجلس" not in json.dumps(again.json(), ensure_ascii=False), url
