"""Last-Modified per edition (issue 13): a publish in one edition does not date the other's pages.

A page's Last-Modified counts the releases that came by the clock, because a
list changes when a scheduled story's time comes, with no write. It counted
every edition's: a Persian publish moved the Last-Modified of every English
page, so a reader's `If-Modified-Since` and a crawler's dates said the English
site had changed when it had not. Now each page counts the releases of the
editions it lists (its own, and those whose front it shows), and of its
translation group, whose pages name each other across editions.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from masthead.factories import editor_of, make_author, make_desk, make_edition, make_story
from masthead.stories import services, translations

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)


@pytest.fixture
def editions():
    with time_machine.travel(NOW, tick=False):
        persian = make_edition("fa")
        politics = make_desk("Politics")
        siasat = make_desk("سیاست", slug="siasat", edition=persian)
        writer = make_author("Nima Sadeghi")
        english = make_story(
            "Talks resume in Vienna", desk=politics, authors=[writer], slug="talks-resume"
        )
        alone = make_story("Budget passes", desk=politics, authors=[writer], slug="budget")
        farsi = make_story(
            "مذاکرات در وین از سر گرفته شد", desk=siasat, slug="vienna-talks",
            authors=[writer], language="fa", age=timedelta(hours=3),
        )  # fmt: skip
        translations.link(english, farsi)
        # Staff join before the clock starts: a new editor changes the masthead page (site).
        editor = editor_of(siasat)
    return {"siasat": siasat, "english": english, "alone": alone, "farsi": farsi, "editor": editor}


def modified(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response["Last-Modified"]


ENGLISH = ["/", "/politics/", "/feed/", "/politics/budget/", "/author/nima-sadeghi/"]


def publish_persian(editions, when: datetime, *, scheduled: bool = False):
    story = make_story(
        "خبر فوری", desk=editions["siasat"], slug="khabar", status="ready", age=None,
        language="fa",
    )  # fmt: skip
    services.snapshot_revision(story)
    if scheduled:
        return services.schedule_story(editions["editor"], story, when)
    return services.publish_story(editions["editor"], story)


def test_a_persian_publish_leaves_the_english_pages_dates(client, editions):
    with time_machine.travel(NOW + timedelta(minutes=1), tick=False):
        before = {url: modified(client, url) for url in [*ENGLISH, "/fa/", "/sitemap.xml"]}
    with time_machine.travel(NOW + timedelta(minutes=30), tick=False):
        publish_persian(editions, NOW)
        after = {url: modified(client, url) for url in [*ENGLISH, "/fa/", "/sitemap.xml"]}

    assert {url: after[url] for url in ENGLISH} == {url: before[url] for url in ENGLISH}
    # What lists the Persian edition is dated by it: its home, and the index of both.
    assert after["/fa/"] == "Fri, 04 Dec 2026 09:30:00 GMT" != before["/fa/"]
    assert after["/sitemap.xml"] == "Fri, 04 Dec 2026 09:30:00 GMT"


def test_a_persian_release_by_the_clock_dates_the_persian_pages_only(client, editions):
    release = NOW + timedelta(hours=1)
    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        publish_persian(editions, release, scheduled=True)
        before = {url: modified(client, url) for url in [*ENGLISH, "/fa/"]}
    with time_machine.travel(release + timedelta(minutes=1), tick=False):
        after = {url: modified(client, url) for url in [*ENGLISH, "/fa/"]}

    assert {url: after[url] for url in ENGLISH} == {url: before[url] for url in ENGLISH}
    assert after["/fa/"] == "Fri, 04 Dec 2026 10:00:00 GMT" != before["/fa/"]


def test_the_english_page_of_a_translation_is_dated_by_its_persian_twins_release(client, editions):
    """The English page names its Persian translation (hreflang): the translation going
    live by the clock changes the page, so it changes its date."""
    english = editions["english"]
    release = NOW + timedelta(hours=1)
    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        farsi = make_story(
            "خبر ترجمه", desk=editions["siasat"], slug="tarjome", status="ready", age=None,
            language="fa",
        )  # fmt: skip
        translations.unlink(editions["farsi"])
        translations.link(english, farsi)
        services.snapshot_revision(farsi)
        services.schedule_story(editions["editor"], farsi, release)
        url = english.get_absolute_url()
        before = client.get(url)
    with time_machine.travel(release + timedelta(minutes=1), tick=False):
        after = client.get(url)

    assert b'hreflang="fa"' not in before.content
    assert b'hreflang="fa"' in after.content
    assert after["Last-Modified"] == "Fri, 04 Dec 2026 10:00:00 GMT" != before["Last-Modified"]
