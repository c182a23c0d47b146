"""The public site per edition (site/editions.py): each edition's pages list only its
stories, carry its root, language, direction and dates, and are cached apart."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import get_resolver

from masthead.factories import make_author, make_desk, make_edition, make_story
from masthead.newsroom.editions import reserved_roots
from masthead.site.tests.test_page_cache import app, call  # noqa: F401 - the WSGI fixture
from masthead.stories.models import Story

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 3, 10, 16, tzinfo=UTC)


@pytest.fixture
def editions(settings):
    settings.TIME_ZONE = "UTC"
    with time_machine.travel(NOW, tick=False):
        persian = make_edition("fa")
        politics = make_desk("Politics")
        siasat = make_desk("سیاست", slug="siasat", edition=persian)
        writer = make_author("Nima Sadeghi")
        english = make_story("Talks resume in Vienna", desk=politics, authors=[writer])
        farsi = make_story(
            "مذاکرات در وین از سر گرفته شد",
            desk=siasat,
            slug="vienna-talks",
            authors=[writer],
            published_at=NOW - timedelta(minutes=16),
            language="fa",
        )
        yield {"fa": persian, "politics": politics, "siasat": siasat, "en_story": english,
               "fa_story": farsi}  # fmt: skip


def text(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.content.decode()


def html_tag(page: str) -> str:
    return re.search(r"<html [^>]*>", page).group(0)


def test_each_home_page_lists_only_its_editions_stories(client, editions):
    english, persian = text(client, "/"), text(client, "/fa/")

    assert "Talks resume in Vienna" in english and "مذاکرات در وین" not in english
    assert "مذاکرات در وین" in persian and "Talks resume in Vienna" not in persian
    # Each header names its own desks (shared fragments are per edition).
    assert 'href="/politics/"' in english and "/fa/siasat/" not in english
    assert 'href="/fa/siasat/"' in persian and 'href="/politics/"' not in persian
    assert 'href="/fa/"' in persian  # the site name links to the edition's home


def test_pages_carry_the_editions_language_and_direction(client, editions):
    assert html_tag(text(client, "/")).startswith('<html lang="en" dir="ltr"')
    assert html_tag(text(client, "/fa/")).startswith('<html lang="fa" dir="rtl"')
    page = text(client, "/fa/siasat/vienna-talks/")
    assert html_tag(page).startswith('<html lang="fa" dir="rtl" data-time-zone="Asia/Tehran"')
    english = text(client, editions["en_story"].get_absolute_url())
    assert html_tag(english).startswith('<html lang="en" dir="ltr" data-time-zone="UTC"')


def test_desk_pages_are_at_their_editions_root_only(client, editions):
    assert "مذاکرات در وین" in text(client, "/fa/siasat/")
    assert "Talks resume in Vienna" in text(client, "/politics/")
    text(client, "/siasat/", 404)
    text(client, "/fa/politics/", 404)


def test_a_story_at_another_editions_root_moves_permanently_to_its_own(client, editions):
    farsi, english = editions["fa_story"], editions["en_story"]
    assert farsi.get_absolute_url() == "/fa/siasat/vienna-talks/"

    response = client.get("/siasat/vienna-talks/")
    assert (response.status_code, response["Location"]) == (301, "/fa/siasat/vienna-talks/")
    response = client.get(f"/fa/politics/{english.slug}/")
    assert (response.status_code, response["Location"]) == (301, english.get_absolute_url())
    response = client.get(f"/fa/siasat/{english.slug}/")
    assert (response.status_code, response["Location"]) == (301, english.get_absolute_url())


def test_a_hidden_story_is_at_no_root(client, editions):
    draft = make_story("پیش‌نویس", desk=editions["siasat"], slug="draft", status="draft")
    embargoed = make_story("تحریم خبری", desk=editions["siasat"], slug="embargoed")
    Story.objects.filter(pk=embargoed.pk).update(embargoed_until=NOW + timedelta(days=1))

    for story in (draft, embargoed):
        for url in (
            f"/fa/siasat/{story.slug}/",
            f"/siasat/{story.slug}/",
            f"/politics/{story.slug}/",
        ):
            text(client, url, 404)
    assert "پیش‌نویس" not in text(client, "/fa/") and "تحریم خبری" not in text(client, "/fa/")


def test_no_hidden_story_on_any_route_under_an_editions_root(client, editions):
    """The visibility walk (site/tests/surfaces.py) of every public route under ``/fa/``,
    with the links its answers carry: a draft, an embargoed and a withdrawn Persian
    story appear nowhere."""
    from masthead.site.tests import surfaces

    hidden = [
        make_story("پیش‌نویس محرمانه", desk=editions["siasat"], slug="secret", status="draft"),
        make_story("تحریم خبری محرمانه", desk=editions["siasat"], slug="embargoed"),
        make_story("خبر پس‌گرفته", desk=editions["siasat"], slug="gone", status="withdrawn"),
    ]
    Story.objects.filter(pk=hidden[1].pk).update(embargoed_until=NOW + timedelta(days=1))
    every = [editions["fa_story"], *hidden]
    pool = surfaces.Pool(
        {
            "slug": [s.slug for s in every] + ["siasat"],
            "desk_slug": ["siasat"],
            "story_id": [str(s.pk) for s in every],
        }
    )

    def get(url: str) -> surfaces.Answer:
        response = client.get(url)
        return surfaces.Answer(url, response.status_code, dict(response.headers), response.content)

    answers = surfaces.walk(get, surfaces.public_addresses(pool, root="fa"))
    # The walk reaches the edition's pages: its live story is on them.
    assert any(editions["fa_story"].headline in answer.text for answer in answers)
    for answer in answers:
        if answer.status == 410:
            continue  # the withdrawn story's own notice
        for story in hidden:
            assert story.headline not in answer.text, answer.url
            assert f"/{story.slug}/" not in answer.text, answer.url


def test_recent_posts_beside_an_article_are_its_editions(client, editions):
    make_story("Oil exports rise", desk=editions["politics"])
    make_story("صادرات نفت افزایش یافت", desk=editions["siasat"], slug="oil")

    persian = text(client, "/fa/siasat/vienna-talks/")
    box = persian.split('id="recent-posts-title"', 1)[1].split("</section>", 1)[0]
    assert "صادرات نفت افزایش یافت" in box and "/fa/siasat/oil/" in box
    assert "Oil exports rise" not in box and "Talks resume" not in box

    english = text(client, editions["en_story"].get_absolute_url())
    box = english.split('id="recent-posts-title"', 1)[1].split("</section>", 1)[0]
    assert "Oil exports rise" in box and "صادرات نفت" not in box


def test_a_persian_article_dates_in_the_solar_hijri_calendar_with_iso_attributes(client, editions):
    with time_machine.travel(NOW, tick=False):
        page = text(client, "/fa/siasat/vienna-talks/")

    # 10:00 UTC on 3 December 2026 is 13:30 on 12 Azar 1405 in Tehran.
    assert '<time datetime="2026-12-03T10:00:00Z">۱۲ آذر ۱۴۰۵، ۱۳:۳۰</time>' in page
    assert '"datePublished":"2026-12-03T10:00:00Z"' in page  # JSON-LD stays Gregorian ISO
    assert "1405" not in page.split("<main", 1)[1].split("</main>", 1)[0]  # digits are Persian

    with time_machine.travel(NOW, tick=False):
        home = text(client, "/fa/")
    assert (
        '<time datetime="2026-12-03T10:00:00Z" title="۱۲ آذر ۱۴۰۵، ۱۳:۳۰" data-relative="fa"'
        ' data-calendar="jalali" data-time-zone="Asia/Tehran">۱۶ دقیقه پیش</time>'
    ) in home


def test_the_default_editions_times_are_as_they_always_were(client, editions):
    with time_machine.travel(NOW, tick=False):
        home = text(client, "/")
    assert re.search(r'<time datetime="[^"]+" title="3 December 2026, 09:16 UTC" data-relative>'
                     r"1 hour ago</time>", home)  # fmt: skip


def test_addresses_under_a_root_are_only_the_public_sites(client, editions):
    hostile = ("/FA/", "/fa/fa/", "/fa/fa/siasat/", "/%66a%2F/", "/fa./")
    for url in ("/fa/desk/", "/fa/admin/", "/fa/api/", "/fa/account/login/", "/xx/", *hostile):
        text(client, url, 404)
    assert client.get("/fa").status_code == 301  # the slash is added, as everywhere


def test_no_edition_may_take_a_first_segment_another_app_routes():
    """A route added at the site's root must be reserved, or an edition could hide it."""
    site_routes = {"", "<str:desk_slug>/", "favicon.ico"}
    segments = set()
    for pattern in get_resolver().url_patterns:
        route = str(pattern.pattern).lstrip("^")
        if route in site_routes:
            continue
        segment = route.split("/", 1)[0]
        if segment and not segment.startswith("<"):
            segments.add(segment)
    assert segments, "the root routes were not read"
    assert segments <= reserved_roots() | {"favicon.ico"}


def test_the_page_cache_keeps_each_editions_pages_apart(app, editions):  # noqa: F811
    with time_machine.travel(NOW, tick=False):
        english, persian = call(app, "/"), call(app, "/fa/")
    assert (english.outcome, persian.outcome) == ("MISS", "MISS")

    # Half an hour later both come from the cache, each rewritten in its own words.
    with time_machine.travel(NOW + timedelta(minutes=30), tick=False):
        english, persian = call(app, "/"), call(app, "/fa/")
    assert (english.outcome, persian.outcome) == ("HIT", "HIT")
    assert "مذاکرات در وین" in persian.text and "Talks resume" not in persian.text
    assert "۴۶ دقیقه پیش</time>" in persian.text and "mins ago" not in persian.text
    assert "1 hour ago</time>" in english.text and "دقیقه" not in english.text


def test_a_publish_in_one_edition_shows_on_its_home_and_not_the_others(client, editions):
    from masthead.factories import editor_of
    from masthead.stories import services

    text(client, "/"), text(client, "/fa/")  # warm every fragment
    story = make_story(
        "خبر فوری", desk=editions["siasat"], slug="breaking", status="ready", age=None
    )
    services.snapshot_revision(story)
    services.publish_story(editor_of(editions["siasat"]), story)

    assert "خبر فوری" in text(client, "/fa/")
    assert "خبر فوری" not in text(client, "/")


def test_a_preview_link_to_a_persian_story_shows_it_as_its_readers_will(client, editions):
    from masthead.factories import editor_of
    from masthead.stories import services
    from masthead.stories.models import Story

    story = Story.objects.get(pk=editions["fa_story"].pk)
    services.snapshot_revision(story)
    _, token = services.share_preview(editor_of(editions["siasat"]), story)

    with time_machine.travel(NOW, tick=False):
        page = text(client, f"/preview/{token}/")

    assert html_tag(page).startswith('<html lang="fa" dir="rtl"')
    assert "۱۲ آذر ۱۴۰۵" in page


def test_older_pages_of_a_persian_desk_are_dated_in_its_calendar(client, settings, editions):
    settings.PAGE_SIZE = 2
    for number in range(3):
        make_story(
            f"خبر {number}",
            desk=editions["siasat"],
            slug=f"news-{number}",
            published_at=NOW - timedelta(days=2, hours=number),
        )

    first = text(client, "/fa/siasat/")
    older = re.search(r'<a rel="next" href="([^"]+)"', first).group(1)
    assert older.startswith("/fa/siasat/")
    page = text(client, older.replace("&amp;", "&"))

    title = re.search(r"<title>([^<]*)</title>", page).group(1)
    assert "آذر ۱۴۰۵" in title and "2026" not in title
    assert re.search(r'<time datetime="2026-12-01T[^"]+">[۰-۹]+ آذر ۱۴۰۵</time>', page)


ENGLISH_PAGES = ["/", "/politics/", "/feed/", "/masthead/"]


def schedule_persian(editions, when):
    from masthead.stories import services

    story = make_story(
        "خبر زمان‌بندی‌شده", desk=editions["siasat"], slug="zamanbandi", status="ready",
        age=None, language="fa",
    )  # fmt: skip
    services.snapshot_revision(story)
    return services.schedule_story(editions["editor"], story, when)


@pytest.fixture
def with_editor(editions):
    from masthead.factories import editor_of

    with time_machine.travel(NOW, tick=False):
        # Before any page is cached: a new editor changes the masthead page (site).
        return {**editions, "editor": editor_of(editions["siasat"])}


def test_a_release_by_the_clock_in_one_edition_keeps_the_others_cached_pages(app, with_editor):  # noqa: F811
    pages = [*ENGLISH_PAGES, with_editor["en_story"].get_absolute_url(), "/fa/"]
    release = NOW + timedelta(hours=1)
    with time_machine.travel(NOW + timedelta(minutes=1), tick=False):
        for page in pages:
            call(app, page)
        schedule_persian(with_editor, release)
        assert {page: call(app, page).outcome for page in pages} == dict.fromkeys(pages, "HIT")

    with time_machine.travel(release + timedelta(seconds=1), tick=False):
        outcomes = {page: call(app, page).outcome for page in pages}
        persian_home = call(app, "/fa/").text

    # The English pages were not rendered again for a Persian story; the Persian home was.
    assert outcomes == {**dict.fromkeys(pages, "HIT"), "/fa/": "MISS"}
    assert "خبر زمان‌بندی‌شده" in persian_home


def test_a_story_scheduled_and_due_between_two_polls_still_appears(app, with_editor):  # noqa: F811
    """The poll that first sees the schedule comes after its time: the page cache must
    not take the release for one still to come, nor miss it."""
    release = NOW + timedelta(minutes=2)
    with time_machine.travel(NOW + timedelta(minutes=1), tick=False):
        call(app, "/fa/")
        assert call(app, "/fa/").outcome == "HIT"
        schedule_persian(with_editor, release)
    with time_machine.travel(release + timedelta(seconds=1), tick=False):
        answer = call(app, "/fa/")

    assert answer.outcome == "MISS"
    assert "خبر زمان‌بندی‌شده" in answer.text
