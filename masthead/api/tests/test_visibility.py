"""DESIGN.md invariant 1 for the API: no read ever shows a story that is not live.

A draft, a submitted story, a scheduled one, an embargoed one, withdrawn
ones (at no recorded time; through the workflow while scheduled; while under
embargo) and an undated one share a desk, an author, a tag, a label and a
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
from masthead.factories import (
    editor_of,
    make_author,
    make_desk,
    make_label,
    make_story,
    make_tag,
)
from masthead.stories.models import ContentVersion, Story
from masthead.tests.answers import headers_of

pytestmark = pytest.mark.django_db

NINJS = {"HTTP_ACCEPT": ninjs.MEDIA_TYPE}


def pulled_before_readers_saw_it(headline: str, **fields) -> Story:
    """Withdrawn through the workflow while scheduled or under embargo."""
    from masthead.stories import services

    story = make_story(headline, **fields)
    services.snapshot_revision(story)
    return services.withdraw_story(editor_of(story.desk), story, "Internal: legal said no.")


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
        pulled_before_readers_saw_it(
            "Pulled secret theta", status=Story.Status.SCHEDULED, age=-timedelta(hours=1), **common
        ),
        pulled_before_readers_saw_it(
            "Pulled secret iota", embargoed_until=in_an_hour, age=timedelta(minutes=1), **common
        ),
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

    for story in hidden:
        for headers in ({}, NINJS):
            missing = client.get(f"/api/stories/{missing_id}{suffix}", **headers)
            response = client.get(f"/api/stories/{story.pk}{suffix}", **headers)
            assert response.status_code == 404
            body, expected = dict(response.json()), dict(missing.json())
            assert body.pop("instance") != expected.pop("instance")
            assert body == expected
            # Every header alike but the length, which differs as the id in `instance` does.
            assert int(response["Content-Length"]) == len(response.content)
            assert without_length(response) == without_length(missing)


def without_length(response) -> dict[str, str]:
    return {k: v for k, v in headers_of(response).items() if k != "Content-Length"}


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


# Withdrawn after publication: canceled, so that partners take their copies down.
# Withdrawn before readers saw it: exactly like a story that never existed.


def withdraw(story: Story, editor=None) -> Story:
    from masthead.factories import editor_of
    from masthead.stories import services

    editor = editor or editor_of(story.desk)
    return services.withdraw_story(editor, story, "Sourcing could not be verified.")


def assert_canceled_only(text: str, story: Story) -> None:
    """Nothing of the story's content: its id and address, that it is canceled, when."""
    assert story.headline not in text
    assert story.slug not in text
    assert "Body text" not in text
    assert "Sourcing could not be verified" not in text


@pytest.fixture
def withdrawn(stories):
    live, _ = stories
    reported = make_story(
        "Withdrawn report kappa", desk=live.desk, tags=list(live.tags.all()), language="en"
    )
    before = timezone.now()
    return withdraw(reported), before


def test_a_withdrawn_story_answers_canceled_at_its_address(client, withdrawn):
    story, _ = withdrawn

    response = client.get(f"/api/stories/{story.pk}")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"id", "api_url", "pubstatus", "withdrawn_at"}
    assert body["pubstatus"] == "canceled"
    assert body["api_url"] == f"http://testserver/api/stories/{story.pk}"
    assert_canceled_only(response.content.decode(), story)
    assert response["Cache-Control"].startswith("public")
    assert response["ETag"]


@pytest.mark.parametrize(("suffix", "headers"), [("", NINJS), ("/ninjs", {})])
def test_a_withdrawn_story_in_ninjs_is_canceled_and_newer(client, withdrawn, suffix, headers):
    from masthead.api.tests.test_ninjs import assert_valid

    story, _ = withdrawn
    last_live_version = int((story.updated_at or story.published_at).timestamp())

    response = client.get(f"/api/stories/{story.pk}{suffix}", **headers)

    assert response.status_code == 200
    assert response["Content-Type"].startswith(ninjs.MEDIA_TYPE)
    item = response.json()
    assert_valid(item)
    assert item["pubstatus"] == "canceled"
    assert item["uri"] == f"http://testserver/api/stories/{story.pk}"
    assert int(item["version"]) > last_live_version
    assert set(item) == {
        "uri", "standard", "type", "representationtype", "version", "versioncreated", "pubstatus",
    }  # fmt: skip
    assert_canceled_only(response.content.decode(), story)


def test_a_withdrawal_changes_the_etag_and_last_modified(client, stories):
    live, _ = stories
    url = f"/api/stories/{live.pk}"
    before = client.get(url)
    Story.objects.filter(pk=live.pk).update(updated_at=timezone.now() - timedelta(minutes=30))

    withdraw(Story.objects.get(pk=live.pk))
    after = client.get(url, HTTP_IF_NONE_MATCH=before["ETag"])

    assert after.status_code == 200
    assert after.json()["pubstatus"] == "canceled"
    assert after["ETag"] != before["ETag"]


def test_pollers_see_a_withdrawal_in_the_changes_list(client, withdrawn):
    story, before = withdrawn
    since = before.isoformat().replace("+00:00", "Z")
    later = (timezone.now() + timedelta(seconds=1)).isoformat().replace("+00:00", "Z")

    changes = client.get("/api/stories", {"updated_since": since}).json()["items"]
    ninjs_changes = client.get("/api/stories", {"updated_since": since}, **NINJS).json()["items"]

    assert [item["id"] for item in changes] == [story.pk]
    assert changes[0]["pubstatus"] == "canceled"
    assert ninjs_changes[0]["pubstatus"] == "canceled"
    assert ninjs_changes[0]["uri"].endswith(f"/api/stories/{story.pk}")
    assert client.get("/api/stories", {"updated_since": later}).json()["items"] == []
    # Lists that are not asked for changes do not carry it.
    assert story.pk not in [item["id"] for item in client.get("/api/stories").json()["items"]]


def test_the_changes_list_pages_through_live_and_canceled_stories_once(client, stories):
    live, _ = stories
    since = (timezone.now() - timedelta(days=2)).isoformat().replace("+00:00", "Z")
    made = []
    for number in range(6):
        story = make_story(f"Report {number}", desk=live.desk, age=timedelta(minutes=10 + number))
        made.append(withdraw(story) if number % 2 else story)
    expected = [
        story.pk
        for story in sorted([live, *made], key=lambda s: (s.published_at, s.pk), reverse=True)
    ]
    url, seen = f"/api/stories?updated_since={since}&limit=2", []

    while url:
        body = client.get(url).json()
        seen += [item["id"] for item in body["items"]]
        url = body["next_url"]

    assert seen == expected


def test_filters_apply_to_canceled_stories(client, withdrawn):
    story, before = withdrawn
    since = before.isoformat().replace("+00:00", "Z")
    other_desk = make_desk("Sports")

    def ids(query: str) -> list[int]:
        return [
            item["id"]
            for item in client.get(f"/api/stories?updated_since={since}&{query}").json()["items"]
        ]

    assert ids("desk=politics") == [story.pk]
    assert ids(f"desk={other_desk.slug}") == []
    assert ids("tag=iran") == [story.pk]
    assert ids("tag=secret-merger") == []


@pytest.mark.parametrize("kind", ["scheduled", "embargoed"])
def test_a_story_withdrawn_before_readers_saw_it_stays_unknown(client, stories, kind):
    live, _ = stories
    if kind == "scheduled":
        story = make_story(
            "Scheduled then pulled", desk=live.desk, status=Story.Status.SCHEDULED,
            age=-timedelta(hours=1),
        )  # fmt: skip
    else:
        story = make_story(
            "Embargoed then pulled", desk=live.desk, age=timedelta(minutes=1),
            embargoed_until=timezone.now() + timedelta(hours=1),
        )  # fmt: skip
    withdraw(story)
    # Hours later its time and its embargo have passed: still, nobody saw it.
    now = timezone.now()
    story = Story.objects.filter(pk=story.pk)
    if kind == "scheduled":
        story.update(withdrawn_at=now - timedelta(hours=3), published_at=now - timedelta(hours=2))
    else:
        story.update(
            withdrawn_at=now - timedelta(hours=3),
            published_at=now - timedelta(hours=4),
            embargoed_until=now - timedelta(hours=1),
        )
    story = story.get()
    since = "2000-01-01T00:00:00Z"

    for suffix, headers in (("", {}), ("", NINJS), ("/ninjs", {})):
        missing = client.get(f"/api/stories/{story.pk + 1000}{suffix}", **headers)
        response = client.get(f"/api/stories/{story.pk}{suffix}", **headers)
        assert response.status_code == 404
        hidden_body, missing_body = response.json(), missing.json()
        assert hidden_body.pop("instance") != missing_body.pop("instance")
        assert hidden_body == missing_body
    for headers in ({}, NINJS):
        text = client.get(f"/api/stories?updated_since={since}", **headers).content.decode()
        assert not re.search(rf"/api/stories/{story.pk}\b", text)
        assert story.headline not in text


def test_withdrawing_a_story_readers_never_saw_changes_no_read(client, stories):
    live, _ = stories
    pulled = make_story(
        "Scheduled then pulled iota",
        desk=live.desk,
        status=Story.Status.SCHEDULED,
        age=-timedelta(hours=1),
        tags=list(live.tags.all()),
        language="en",
    )
    # Every public change so far an hour ago: one made now would show in a date.
    ContentVersion.objects.update(changed_at=timezone.now() - timedelta(hours=1))
    editor = editor_of(live.desk)  # a new account changes the outlet's records: before
    reads = [*public_reads(live), (f"/api/stories/{pulled.pk}", {}), ("/api/tags", {})]
    before = {(url, tuple(headers)): client.get(url, **headers) for url, headers in reads}

    withdraw(pulled, editor)

    for url, headers in reads:
        earlier, after = before[(url, tuple(headers))], client.get(url, **headers)
        assert after.status_code == earlier.status_code, url
        assert after.content == earlier.content, url
        assert headers_of(after) == headers_of(earlier), url
