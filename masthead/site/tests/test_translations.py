"""Translations on the public site: reciprocal hreflang alternates between live versions only."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from masthead.factories import make_desk, make_edition, make_story
from masthead.stories import translations
from masthead.stories.models import Story

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 3, 10, 16, tzinfo=UTC)
ALTERNATE = re.compile(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">')


@pytest.fixture
def pair():
    with time_machine.travel(NOW, tick=False):
        persian = make_edition("fa")
        english = make_story(
            "Talks resume in Vienna", desk=make_desk("Politics"), slug="talks-resume"
        )
        farsi = make_story(
            "مذاکرات در وین از سر گرفته شد",
            desk=make_desk("سیاست", slug="siasat", edition=persian),
            slug="mozakerat-vin",
            language="fa",
        )
        yield english, farsi


def alternates(client, url: str) -> set[tuple[str, str]]:
    response = client.get(url)
    assert response.status_code == 200, url
    return set(ALTERNATE.findall(response.content.decode()))


def test_linked_live_versions_name_each_other_and_the_default(client, pair):
    english, farsi = pair
    translations.link(english, farsi)
    en_url = "http://testserver/politics/talks-resume/"
    fa_url = "http://testserver/fa/siasat/mozakerat-vin/"
    expected = {("en", en_url), ("fa", fa_url), ("x-default", en_url)}

    with time_machine.travel(NOW, tick=False):
        # Reciprocal: each page names itself, the other, and the default edition's.
        assert alternates(client, english.get_absolute_url()) == expected
        assert alternates(client, farsi.get_absolute_url()) == expected
        page = client.get(english.get_absolute_url()).content.decode()
    assert '<a href="/fa/siasat/mozakerat-vin/" hreflang="fa" lang="fa" dir="rtl">' in page


def test_an_unlinked_story_has_no_alternates(client, pair):
    english, _ = pair
    with time_machine.travel(NOW, tick=False):
        page = client.get(english.get_absolute_url()).content.decode()
    assert "hreflang" not in page


@pytest.mark.parametrize(
    "hidden",
    [
        {"status": Story.Status.DRAFT, "published_at": None},
        {"embargoed_until": NOW + timedelta(hours=2)},
        {"status": Story.Status.WITHDRAWN},
    ],
    ids=["draft", "embargoed", "withdrawn"],
)
def test_a_translation_readers_cannot_see_is_named_nowhere(client, pair, hidden):
    english, farsi = pair
    Story.objects.filter(pk=farsi.pk).update(**hidden)
    translations.link(english, farsi)

    with time_machine.travel(NOW, tick=False):
        page = client.get(english.get_absolute_url()).content.decode()
    assert "hreflang" not in page and "mozakerat-vin" not in page and "وین" not in page


def test_a_page_cached_before_a_link_names_the_translation_after_it(client, pair):
    english, farsi = pair
    with time_machine.travel(NOW, tick=False):
        assert alternates(client, english.get_absolute_url()) == set()  # fragments now cached
        translations.link(english, farsi)
        assert ("fa", "http://testserver/fa/siasat/mozakerat-vin/") in alternates(
            client, english.get_absolute_url()
        )
        translations.unlink(farsi)
        assert alternates(client, english.get_absolute_url()) == set()


def test_a_scheduled_translation_joins_the_alternates_at_its_time(client, pair):
    english, farsi = pair
    release = NOW + timedelta(minutes=30)
    Story.objects.filter(pk=farsi.pk).update(status=Story.Status.SCHEDULED, published_at=release)
    translations.link(english, farsi)

    with time_machine.travel(NOW, tick=False):
        assert alternates(client, english.get_absolute_url()) == set()
    with time_machine.travel(release + timedelta(seconds=1), tick=False):
        # No write happened at the release: the fragments' next change is its time.
        assert ("fa", "http://testserver/fa/siasat/mozakerat-vin/") in alternates(
            client, english.get_absolute_url()
        )
