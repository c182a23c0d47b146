"""Addresses of the outlet's previous site (stories.OldAddress) answer 301, and only for
public stories; the article path never reads them."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from masthead.factories import make_desk, make_staff, make_story
from masthead.newsroom.models import StaffRole
from masthead.stories.models import OldAddress, Story
from masthead.stories.services import withdraw_story

pytestmark = pytest.mark.django_db


@pytest.fixture
def story():
    found = make_story("Caspian ports expect record grain", desk=make_desk("Economy"))
    for path in ("/2024/05/12/caspian-ports-record-grain", "/?p=101", "/fa/بندر-انزلی"):
        OldAddress.objects.create(path=path, story=found)
    return found


@pytest.mark.parametrize(
    "address",
    [
        "/2024/05/12/caspian-ports-record-grain/",
        "/2024/05/12/caspian-ports-record-grain",
        "/?p=101",
        "/index.php?p=101",
        "/?p=101&utm_source=newsletter",
        "/fa/%D8%A8%D9%86%D8%AF%D8%B1-%D8%A7%D9%86%D8%B2%D9%84%DB%8C/",
        "/fa/%d8%a8%d9%86%d8%af%d8%b1-%d8%a7%d9%86%d8%b2%d9%84%db%8c/",
    ],
)
def test_an_old_address_answers_301_to_the_story(client, story, address):
    response = client.get(address)
    assert response.status_code == 301
    assert response["Location"] == story.get_absolute_url()
    assert response["Cache-Control"].startswith("public")
    assert f"story:{story.pk}" in response["Surrogate-Key"].split()
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.parametrize(
    "status, age",
    [
        (Story.Status.DRAFT, None),
        (Story.Status.SUBMITTED, None),
        (Story.Status.SCHEDULED, -timedelta(days=2)),
    ],
)
def test_a_story_readers_may_not_see_has_no_old_address(client, status, age):
    hidden = make_story("Hidden", status=status, age=age)
    OldAddress.objects.create(path="/?p=7", story=hidden)
    OldAddress.objects.create(path="/2024/hidden", story=hidden)
    never = client.get("/?p=99999")
    for address in ("/?p=7", "/2024/hidden/"):
        response = client.get(address)
        # Exactly the answer for an address that never existed: nothing leaks.
        assert response.status_code == 404
        assert response.content == never.content
        assert "Location" not in response


def test_a_withdrawn_story_seen_by_readers_leads_to_its_410(client, story):
    chief = make_staff(StaffRole.Role.CHIEF_EDITOR)
    withdraw_story(chief, story, "Legal reasons.")
    response = client.get("/?p=101")
    assert response.status_code == 301
    assert client.get(response["Location"]).status_code == 410


def test_the_story_moved_since_is_reached_at_its_new_address(client, story):
    story.desk = make_desk("Politics")
    story.save()
    assert client.get("/?p=101")["Location"] == story.get_absolute_url()


def test_the_front_page_is_untouched_and_other_queries_find_nothing(client, story):
    assert client.get("/").status_code == 200
    assert client.get("/?utm_source=x").status_code == 200
    for address in ("/?p=abc", "/?p=", "/?p=١٠١", "/?p=102", "/?page_id=101"):
        assert client.get(address).status_code == 404, address


@pytest.mark.parametrize(
    "address",
    [
        "//evil.example/",
        "/%2F%2Fevil.example",
        "/\\evil.example",
        "/2024/05/12/caspian-ports-record-grain/https://evil.example",
        "/?p=101/../../evil",
    ],
)
def test_no_address_redirects_off_the_site(client, story, address):
    response = client.get(address)
    location = response.get("Location")
    if location is not None:  # Django's own slash redirect, or ours: a path on this site
        assert location.startswith("/") and location[1:2] not in ("/", "\\")
        assert not urlsplit(location).netloc


def test_the_article_path_never_reads_old_addresses(client, story):
    client.get(story.get_absolute_url())  # warm
    with CaptureQueriesContext(connection) as queries:
        assert client.get(story.get_absolute_url()).status_code == 200
    assert not [query for query in queries if "oldaddress" in query["sql"].lower()]


def test_keys_are_normalised_as_the_importer_stores_them():
    key = OldAddress.key
    assert key("/a/b/") == key("/a/b") == "/a/b"
    assert key("/", {"p": "12"}) == key("/index.php", {"p": ["12"]}) == "/?p=12"
    assert key("/blog/", {"p": "12"}) == "/blog/?p=12"
    assert key("/", {"page_id": "007"}) == "/?page_id=7"
    assert key("/") is None and key("") is None and key("relative/path") is None
    assert key("/a\nb") is None and key("/" + "x" * 600) is None
    assert key("/", {"p": "1" * 30}) is None


def test_a_scheduled_story_answers_once_its_time_has_come(client):
    later = make_story("Later", status=Story.Status.SCHEDULED, age=-timedelta(hours=1))
    OldAddress.objects.create(path="/?p=5", story=later)
    assert client.get("/?p=5").status_code == 404
    Story.objects.filter(pk=later.pk).update(published_at=timezone.now() - timedelta(minutes=1))
    assert client.get("/?p=5").status_code == 301
