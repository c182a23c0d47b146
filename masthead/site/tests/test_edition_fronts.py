"""Each edition's lists change with its own stories only (``versions.front_scope``).

A publish in one edition bumps that edition's front scope (``front`` for the
default edition, ``front:fa`` for the Persian one): the other edition's home,
Recent Posts and feed keep their cached copies and fragments, while what
lists every edition (the sitemap index, a 404 that a story may replace, the
API's lists) follows both. Driven through the WSGI page cache, as readers
reach the site, and through the fragments alone (Django's test client).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from masthead.factories import editor_of, make_desk, make_edition, make_staff, make_story
from masthead.newsroom.models import StaffRole
from masthead.site import selectors
from masthead.site.tests.test_page_cache import app, call  # noqa: F401 - the WSGI fixture
from masthead.stories import services, versions
from masthead.stories.models import Story

pytestmark = pytest.mark.django_db


@pytest.fixture
def editions():
    persian = make_edition("fa")
    politics = make_desk("Politics")
    siasat = make_desk("سیاست", slug="siasat", edition=persian)
    english = make_story("Talks resume in Vienna", desk=politics, slug="talks")
    farsi = make_story("مذاکرات در وین از سر گرفته شد", desk=siasat, slug="vienna-talks")
    for story in (english, farsi):
        services.snapshot_revision(story)
    # Staff first: a new account changes the masthead, so every page (the "site" scope).
    editors = {"politics": editor_of(politics), "siasat": editor_of(siasat)}
    return {"fa": persian, "politics": politics, "siasat": siasat, "en_story": english,
            "fa_story": farsi, "editors": editors,
            "chief": make_staff(StaffRole.Role.CHIEF_EDITOR)}  # fmt: skip


def new_story(editions, desk: str, headline: str, slug: str) -> Story:
    story = make_story(
        headline, desk=editions[desk], slug=slug, status=Story.Status.READY, age=None
    )
    services.snapshot_revision(story)
    return story


def publish_new(editions, desk: str, headline: str, slug: str) -> Story:
    story = new_story(editions, desk, headline, slug)
    return services.publish_story(editions["editors"][desk], story)


def pages(editions, edition: str) -> list[str]:
    """An edition's home, site feed, desk page and an article (its Recent Posts)."""
    if edition == "en":
        return ["/", "/feed/", "/politics/", editions["en_story"].get_absolute_url()]
    return ["/fa/", "/fa/feed/", "/fa/siasat/", editions["fa_story"].get_absolute_url()]


def test_the_edition_scopes_are_front_for_the_default_and_the_root_for_another(editions):
    assert versions.front_scope(editions["politics"].edition_id) == "front"
    assert versions.front_scope(editions["fa"].pk) == "front:fa"
    assert versions.every_front_scope() == ["front", "front:fa"]
    assert "front:fa" in versions.story_scopes(editions["fa_story"])
    assert "front" not in versions.story_scopes(editions["fa_story"])


def test_a_persian_publish_leaves_the_english_lists_cached_and_renews_the_persian(
    app,  # noqa: F811 - the WSGI fixture
    editions,
):
    english, persian = pages(editions, "en"), pages(editions, "fa")
    for url in (*english, *persian, "/sitemap.xml"):
        call(app, url)

    publish_new(editions, "siasat", "خبر فوری از مجلس", "breaking-majlis")

    assert {url: call(app, url).outcome for url in english} == dict.fromkeys(english, "HIT")
    after = {url: call(app, url) for url in persian}
    assert {url: answer.outcome for url, answer in after.items()} == dict.fromkeys(persian, "MISS")
    for url in ("/fa/", "/fa/feed/", editions["fa_story"].get_absolute_url()):
        assert "خبر فوری از مجلس" in after[url].text, url
    assert "خبر فوری از مجلس" not in call(app, "/").text
    # The sitemap index lists every edition's news sitemap and months.
    assert call(app, "/sitemap.xml").outcome == "MISS"


def test_an_english_publish_leaves_the_persian_lists_cached_and_renews_the_english(
    app,  # noqa: F811 - the WSGI fixture
    editions,
):
    english, persian = pages(editions, "en"), pages(editions, "fa")
    for url in (*english, *persian):
        call(app, url)

    publish_new(editions, "politics", "Parliament passes the budget", "budget")

    assert {url: call(app, url).outcome for url in persian} == dict.fromkeys(persian, "HIT")
    after = {url: call(app, url) for url in english}
    assert {url: answer.outcome for url, answer in after.items()} == dict.fromkeys(english, "MISS")
    for url in ("/", "/feed/", editions["en_story"].get_absolute_url()):
        assert "Parliament passes the budget" in after[url].text, url


def counted(read, reads: list[str]):
    def reading(*args, **kwargs):
        reads.append(read.__name__)
        return read(*args, **kwargs)

    return reading


def test_a_publish_in_one_edition_leaves_the_others_lists_fragments_as_they_were(
    client, editions, monkeypatch
):
    """Without the page cache: the other edition's home and Recent Posts are not even read."""
    article = editions["en_story"].get_absolute_url()
    client.get("/"), client.get(article)
    reads = []
    for name in ("front_page", "recent_posts"):
        monkeypatch.setattr(selectors, name, counted(getattr(selectors, name), reads))

    publish_new(editions, "siasat", "خبر فوری از مجلس", "breaking-majlis")
    assert "Talks resume" in client.get("/").content.decode()
    assert "Talks resume" in client.get(article).content.decode()
    assert reads == []

    assert "خبر فوری از مجلس" in client.get("/fa/").content.decode()
    assert reads == ["front_page"]


def test_a_scheduled_persian_story_reaches_its_editions_lists_at_its_time(client, editions):
    """Scheduling bumps only ``pending:front:fa``; the Persian home's fragment, rendered before,
    still learns the time, and shows the story from then on with no write."""
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert "خبر زمان‌بندی‌شده" not in client.get("/fa/").content.decode()
        story = new_story(editions, "siasat", "خبر زمان‌بندی‌شده", "scheduled")
        services.schedule_story(editions["editors"]["siasat"], story, start + timedelta(hours=1))
        assert "خبر زمان‌بندی‌شده" not in client.get("/fa/").content.decode()
        assert "خبر زمان‌بندی‌شده" not in client.get("/fa/feed/").content.decode()

    with time_machine.travel(start + timedelta(hours=1, seconds=1), tick=False):
        assert "خبر زمان‌بندی‌شده" in client.get("/fa/").content.decode()
        assert "خبر زمان‌بندی‌شده" in client.get("/fa/feed/").content.decode()
        assert "خبر زمان‌بندی‌شده" not in client.get("/").content.decode()


def test_a_scheduled_story_reaches_the_cached_lists_of_its_edition_at_its_time(
    app,  # noqa: F811 - the WSGI fixture
    editions,
):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        call(app, "/fa/")
        story = new_story(editions, "siasat", "خبر زمان‌بندی‌شده", "scheduled")
        services.schedule_story(editions["editors"]["siasat"], story, start + timedelta(hours=1))
        assert call(app, "/fa/").outcome == "HIT"

    with time_machine.travel(start + timedelta(hours=1, seconds=1), tick=False):
        assert "خبر زمان‌بندی‌شده" in call(app, "/fa/").text


def test_a_story_moved_to_the_other_editions_desk_leaves_one_home_and_joins_the_other(
    app,  # noqa: F811 - the WSGI fixture
    editions,
):
    chief, story = editions["chief"], editions["en_story"]
    for url in ("/", "/fa/"):
        call(app, url)

    content = services.Content.of(story.latest_revision)
    content.desk = editions["siasat"]
    services.save_story(chief, story, content, story.latest_revision_id)
    services.publish_update(chief, Story.objects.get(pk=story.pk), "")

    english, persian = call(app, "/"), call(app, "/fa/")
    assert (english.outcome, persian.outcome) == ("MISS", "MISS")
    assert "Talks resume in Vienna" not in english.text
    assert "Talks resume in Vienna" in persian.text


def test_a_cached_404_becomes_the_redirect_to_a_story_published_in_another_edition(
    app,  # noqa: F811 - the WSGI fixture
    editions,
):
    """``/siasat/…`` on the main host: a Persian story's address without its root."""
    assert call(app, "/siasat/breaking-majlis/").status == 404
    assert call(app, "/siasat/breaking-majlis/").outcome == "HIT"

    publish_new(editions, "siasat", "خبر فوری از مجلس", "breaking-majlis")

    moved = call(app, "/siasat/breaking-majlis/")
    assert (moved.status, moved.headers["Location"]) == (301, "/fa/siasat/breaking-majlis/")
