"""An edition at a host of its own (``Edition.host``; site/editions.py, newsroom/editions.py):
its pages, feeds and news sitemap at its host without the root, the old ``/fa/`` addresses
moved there, the back office nowhere but on the main host, and every address, alternate and
sitemap entry on the right host, with hostile Host headers refused or ignored."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from lxml import etree

from masthead.factories import make_desk, make_edition, make_outlet, make_story
from masthead.newsroom.editions import Edition
from masthead.site.tests.test_page_cache import app, call  # noqa: F401 - the WSGI fixture
from masthead.site.tests.test_sitemaps import NS, PARSER
from masthead.stories import translations
from masthead.stories.models import Story

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 3, 10, 16, tzinfo=UTC)
MAIN, FA = "news.example", "fa.news.example"
EN_URL = "https://news.example/politics/talks-resume/"
FA_URL = "https://fa.news.example/siasat/mozakerat-vin/"
ALTERNATE = re.compile(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">')
CANONICAL = re.compile(r'<link rel="canonical" href="([^"]+)">')
XHTML = {"x": "http://www.w3.org/1999/xhtml", **NS}


@pytest.fixture(autouse=True)
def hosts(settings):
    settings.SITE_URL = f"https://{MAIN}"
    settings.ALLOWED_HOSTS = [MAIN, FA, "ar.news.example"]
    settings.TIME_ZONE = "UTC"
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def editions():
    make_outlet(name="Test Outlet")
    persian = make_edition("fa", host=FA, publication_name="ایران فرانت پیج")
    politics = make_desk("Politics")
    siasat = make_desk("سیاست", slug="siasat", edition=persian)
    english = make_story("Talks resume in Vienna", desk=politics, slug="talks-resume")
    farsi = make_story(
        "مذاکرات در وین از سر گرفته شد",
        desk=siasat,
        slug="mozakerat-vin",
        language="fa",
        published_at=NOW - timedelta(minutes=16),
    )
    translations.link(english, farsi)
    return {"fa": persian, "politics": politics, "siasat": siasat, "en_story": english,
            "fa_story": farsi}  # fmt: skip


def get(client, url: str, host: str = MAIN, **headers):
    return client.get(url, HTTP_HOST=host, **headers)


def page(client, url: str, host: str = MAIN, status: int = 200) -> str:
    response = get(client, url, host)
    assert response.status_code == status, (host, url, response.status_code)
    return response.content.decode()


def moved(client, url: str, host: str = MAIN) -> str:
    response = get(client, url, host)
    assert response.status_code == 301, (host, url, response.status_code)
    return response["Location"]


# The field -----------------------------------------------------------------


@pytest.mark.parametrize(
    "host",
    [
        "https://fa.news.example",  # a scheme
        "fa.news.example:8443",  # a port
        "fa.news.example/fa",  # a path
        "fa.news.example.",  # a dot at the end
        "fa..news.example",
        "-fa.news.example",
        "fa_news.example",
        "fa.news.example\n",
        "evil.example",  # not in ALLOWED_HOSTS
        MAIN,  # the main host itself
        "x" * 300,
    ],
)
def test_a_host_that_is_not_a_bare_allowed_other_host_is_refused(host):
    edition = Edition(
        name="فارسی", slug="fa", language="fa", url_root="fa", publication_name="p", host=host
    )
    with pytest.raises(ValidationError) as refused:
        edition.full_clean()
    assert "host" in refused.value.message_dict


def test_a_host_is_stored_lower_case_and_unique(editions):
    other = Edition(name="عربي", slug="ar", language="ar", url_root="ar", publication_name="p",
                    host="FA.News.Example")  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        other.full_clean()  # the same host as the Persian edition's, in capitals
    assert "host" in str(refused.value)
    other.host = "AR.News.Example"
    other.full_clean()
    assert other.host == "ar.news.example"


def test_the_default_edition_has_no_host_and_a_host_needs_site_url(settings, editions):
    english = Edition.objects.get(is_default=True)
    english.host = "ar.news.example"
    with pytest.raises(ValidationError):
        english.full_clean()
    settings.SITE_URL = ""
    persian = Edition.objects.get(pk=editions["fa"].pk)
    with pytest.raises(ValidationError) as refused:
        persian.full_clean()
    assert "SITE_URL" in str(refused.value)


# Choosing the edition by host ------------------------------------------------------------


def test_the_edition_host_serves_its_edition_without_the_root(client, editions):
    home = page(client, "/", FA)
    assert '<html lang="fa" dir="rtl"' in home
    assert "مذاکرات در وین" in home and "Talks resume in Vienna" not in home
    assert 'href="/siasat/mozakerat-vin/"' in home and "/fa/siasat" not in home
    assert 'href="/siasat/"' in home and 'href="/politics/"' not in home
    assert "مذاکرات در وین" in page(client, "/siasat/", FA)
    assert "مذاکرات در وین" in page(client, "/siasat/mozakerat-vin/", FA)


def test_the_main_host_keeps_the_default_editions_pages_as_they_were(client, editions):
    home = page(client, "/")
    assert '<html lang="en" dir="ltr"' in home
    assert "Talks resume in Vienna" in home and "مذاکرات در وین" not in home
    assert 'href="/politics/talks-resume/"' in home
    assert "fa.news.example" not in home  # no link to the host edition's stories in the lists
    assert "Talks resume" in page(client, "/politics/")


@pytest.mark.parametrize("host", ["FA.NEWS.EXAMPLE", "fa.news.example:443", "Fa.News.Example:8000"])
def test_the_host_matches_whatever_its_case_or_port(client, editions, host):
    home = page(client, "/", host)
    assert "مذاکرات در وین" in home and "Talks resume in Vienna" not in home


def test_a_host_not_in_allowed_hosts_is_refused_as_before(client, editions):
    for host in ("evil.example", "fa.news.example.evil.example", "fa.news.example@evil.example"):
        response = get(client, "/", host)
        assert response.status_code == 400, host
        assert b"evil.example" not in response.content


def test_a_forwarded_host_header_does_not_choose_the_edition(client, editions):
    response = get(client, "/", MAIN, HTTP_X_FORWARDED_HOST=FA)
    home = response.content.decode()
    assert "Talks resume in Vienna" in home and "مذاکرات در وین" not in home
    response = get(client, "/", FA, HTTP_X_FORWARDED_HOST="evil.example")
    assert "evil.example" not in response.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/desk/",
        "/desk/stories/",
        "/desk/wire/",
        "/desk/corrections/",
        "/admin/",
        "/admin/login/",
        "/account/login/",
        "/api/stories",
        "/api/docs",
        "/wire/push/reuters/",
        "/healthz",
    ],
)
def test_the_back_office_api_and_admin_are_nobodys_on_the_edition_host(client, editions, path):
    response = get(client, path, FA)
    assert response.status_code == 404, path
    assert "login" not in response.get("Location", "")
    assert '<html lang="fa" dir="rtl"' in response.content.decode()


def test_the_back_office_stays_on_the_main_host(client, editions):
    response = get(client, "/desk/")
    assert response.status_code == 302 and "/account/login/" in response["Location"]


# Old addresses and the wrong host ---------------------------------------------------------


def test_the_old_root_on_the_main_host_moves_to_the_edition_host(client, editions):
    assert moved(client, "/fa/siasat/mozakerat-vin/") == FA_URL
    assert moved(client, "/fa/") == "https://fa.news.example/"
    assert moved(client, "/fa") == "https://fa.news.example/"
    assert moved(client, "/fa/feed/?x=1") == "https://fa.news.example/feed/?x=1"
    assert moved(client, "/fa//evil.example/") == "https://fa.news.example//evil.example/"
    # …and on the edition's host itself, its root is dropped.
    assert moved(client, "/fa/siasat/", FA) == "https://fa.news.example/siasat/"


def test_a_story_on_the_wrong_host_moves_to_its_own(client, editions):
    # A Persian story asked for on the main host without the root: to its host.
    assert moved(client, "/siasat/mozakerat-vin/") == FA_URL
    # An English story asked for on the Persian host: to the main host.
    assert moved(client, "/politics/talks-resume/", FA) == EN_URL
    # Another edition's desk is at neither.
    page(client, "/siasat/", MAIN, 404)
    page(client, "/politics/", FA, 404)


def test_a_hidden_story_is_on_no_host(client, editions):
    draft = make_story("پیش‌نویس", desk=editions["siasat"], slug="draft", status="draft")
    embargoed = make_story("تحریم خبری", desk=editions["siasat"], slug="embargoed")
    Story.objects.filter(pk=embargoed.pk).update(embargoed_until=NOW + timedelta(days=1))
    for story in (draft, embargoed):
        page(client, f"/siasat/{story.slug}/", FA, 404)
        page(client, f"/siasat/{story.slug}/", MAIN, 404)
        page(client, f"/politics/{story.slug}/", FA, 404)
    for url in ("/", "/siasat/", "/feed/", "/sitemaps/news.xml"):
        text = page(client, url, FA)
        assert "پیش‌نویس" not in text and "تحریم خبری" not in text, url


# Addresses, alternates and structured data ------------------------------------------------


def test_addresses_are_full_only_where_the_page_is_on_another_host(editions):
    farsi, english = editions["fa_story"], editions["en_story"]
    assert farsi.get_absolute_url() == FA_URL
    assert editions["siasat"].get_absolute_url() == "https://fa.news.example/siasat/"
    assert english.get_absolute_url() == "/politics/talks-resume/"


def test_hreflang_alternates_are_reciprocal_between_hosts(client, editions):
    expected = {("en", EN_URL), ("fa", FA_URL), ("x-default", EN_URL)}
    english = page(client, "/politics/talks-resume/")
    persian = page(client, "/siasat/mozakerat-vin/", FA)
    assert set(ALTERNATE.findall(english)) == expected
    assert set(ALTERNATE.findall(persian)) == expected
    assert f'<a href="{FA_URL}" hreflang="fa"' in english
    assert f'<a href="{EN_URL}" hreflang="en"' in persian


def test_canonical_and_json_ld_are_on_the_editions_host(client, editions):
    persian = page(client, "/siasat/mozakerat-vin/", FA)
    assert CANONICAL.findall(persian) == [FA_URL]
    assert f'<meta property="og:url" content="{FA_URL}">' in persian
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', persian, re.S)
    graph = json.dumps([json.loads(block) for block in blocks])
    assert FA_URL in graph
    assert "https://news.example/#publisher" in graph  # one outlet publishes every edition
    assert "https://news.example/siasat" not in graph and "/fa/siasat" not in graph
    home = page(client, "/", FA)
    assert '"url": "https://fa.news.example/"' in home or '"url":"https://fa.news.example/"' in home


def test_the_api_names_a_host_editions_story_at_its_host(client, editions):
    response = get(client, "/api/stories?language=fa")
    assert response.status_code == 200
    assert FA_URL in response.content.decode()


# Feeds, sitemaps and robots.txt ---------------------------------------------------------------


def test_the_edition_hosts_feeds_list_only_its_stories_at_its_host(client, editions):
    persian = page(client, "/feed/", FA)
    assert "مذاکرات در وین" in persian and "Talks resume" not in persian
    assert f"<link>{FA_URL}</link>" in persian
    assert "<link>https://fa.news.example/</link>" in persian
    assert "tag:news.example," in persian  # GUIDs keep the outlet's naming authority
    atom = page(client, "/feed/atom/", FA)
    assert "مذاکرات در وین" in atom and "Talks resume" not in atom
    english = page(client, "/feed/")
    assert "Talks resume" in english and "مذاکرات در وین" not in english
    assert "fa.news.example" not in english
    desk = page(client, "/siasat/feed.xml", FA)
    assert "مذاکرات در وین" in desk
    page(client, "/politics/feed.xml", FA, 404)


def test_the_edition_hosts_robots_txt_names_its_news_sitemap_and_the_main_index(client, editions):
    robots = page(client, "/robots.txt", FA)
    assert "Sitemap: https://fa.news.example/sitemaps/news.xml" in robots
    assert "Sitemap: https://news.example/sitemap.xml" in robots
    assert "Disallow: /preview/" in robots
    main = page(client, "/robots.txt")
    assert "Sitemap: https://news.example/sitemap.xml" in main
    assert "Sitemap: https://news.example/sitemaps/news.xml" in main
    assert "fa.news.example" not in main and "/fa/" not in main


def locations(xml: str) -> list[str]:
    return etree.fromstring(xml.encode(), PARSER).xpath("//sm:loc/text()", namespaces=NS)


def test_the_news_sitemap_of_the_host_is_at_the_host(client, editions):
    persian = page(client, "/sitemaps/news.xml", FA)
    assert locations(persian) == [FA_URL]
    assert "ایران فرانت پیج" in persian
    assert locations(page(client, "/sitemaps/news.xml")) == [EN_URL]


def test_the_site_wide_sitemaps_stay_on_the_main_host_with_each_address_on_its_host(
    client, editions
):
    assert moved(client, "/sitemap.xml", FA) == "https://news.example/sitemap.xml"
    month = "/sitemaps/stories-2026-12.xml"
    assert moved(client, month + "?p=1", FA) == "https://news.example" + month + "?p=1"
    index = locations(page(client, "/sitemap.xml"))
    assert "https://fa.news.example/sitemaps/news.xml" in index
    assert "https://news.example/sitemaps/news.xml" in index

    tree = etree.fromstring(page(client, month).encode(), PARSER)
    assert set(tree.xpath("//sm:loc/text()", namespaces=NS)) == {EN_URL, FA_URL}
    for url in (EN_URL, FA_URL):  # each names both, reciprocally, and x-default
        links = tree.xpath(f'//sm:url[sm:loc="{url}"]/x:link', namespaces=XHTML)
        assert {(link.get("hreflang"), link.get("href")) for link in links} == {
            ("en", EN_URL), ("fa", FA_URL), ("x-default", EN_URL)}  # fmt: skip
    desks = locations(page(client, "/sitemaps/desks.xml"))
    assert set(desks) == {"https://news.example/politics/", "https://fa.news.example/siasat/"}
    pages = locations(page(client, "/sitemaps/pages.xml"))
    assert "https://fa.news.example/" in pages and "https://fa.news.example/masthead/" in pages
    assert not [url for url in pages if "/fa/" in url]


# Caches and changes ---------------------------------------------------------------------


def test_the_page_cache_keeps_the_hosts_apart(app, editions):  # noqa: F811
    english, persian = call(app, "/", host=MAIN), call(app, "/", host=FA)
    assert (english.outcome, persian.outcome) == ("MISS", "MISS")
    english, persian = call(app, "/", host=MAIN), call(app, "/", host=FA)
    assert (english.outcome, persian.outcome) == ("HIT", "HIT")
    assert "مذاکرات در وین" in persian.text and "Talks resume" not in persian.text
    assert "Talks resume" in english.text and "مذاکرات در وین" not in english.text


def test_a_host_given_or_taken_away_moves_the_addresses_at_once(client, editions):
    persian = Edition.objects.get(pk=editions["fa"].pk)
    persian.host = ""
    persian.full_clean()
    persian.save()
    assert editions["fa_story"].get_absolute_url() == "/fa/siasat/mozakerat-vin/"
    assert "مذاکرات در وین" in page(client, "/fa/siasat/mozakerat-vin/")
    persian.host = FA
    persian.save()
    assert moved(client, "/fa/siasat/mozakerat-vin/") == FA_URL


def test_the_error_report_form_posts_on_the_edition_host_with_csrf(editions):
    from django.test import Client

    from masthead.sourcing.models import ErrorReport
    from masthead.sourcing.tests.test_reports import GOOD

    url = "/siasat/mozakerat-vin/report-error/"
    browser = Client(enforce_csrf_checks=True, HTTP_HOST=FA)
    form = browser.get(url, secure=True)
    assert form.status_code == 200
    assert f'action="{url}"' in form.content.decode()
    token = str(form.context["csrf_token"])
    data = {**GOOD, "csrfmiddlewaretoken": token}
    # Another origin (the main host included) may not post to the edition's host.
    for origin in ("https://news.example", "https://evil.example"):
        assert browser.post(url, data, secure=True, HTTP_ORIGIN=origin).status_code == 403
    assert not ErrorReport.objects.exists()
    posted = browser.post(
        url, data, secure=True, HTTP_ORIGIN=f"https://{FA}", HTTP_REFERER=f"https://{FA}{url}"
    )
    assert posted.status_code == 303
    assert posted["Location"].endswith("/siasat/mozakerat-vin/report-error/thanks/")
    assert ErrorReport.objects.get().story_id == editions["fa_story"].pk


def test_every_route_of_the_main_host_but_the_sites_is_kept_off_edition_hosts(settings):
    """A route added at the main host's root is staff's or machines' unless it is the public
    site's: the edition hosts must refuse it, or the back office would answer there."""
    from django.urls import get_resolver

    from masthead.site.editions import MAIN_HOST_ONLY

    served_on_edition_hosts = {"", "favicon.ico", settings.MEDIA_URL.strip("/")}
    segments = set()
    for pattern in get_resolver(settings.ROOT_URLCONF).url_patterns:
        route = str(pattern.pattern).lstrip("^")
        segment = route.split("/", 1)[0].split("(", 1)[0]
        if segment not in served_on_edition_hosts:
            segments.add(segment)
    assert {"admin", "desk", "api", "account"} <= segments
    assert segments <= MAIN_HOST_ONLY


def test_staff_set_the_host_in_the_admin_with_the_same_checks(rf, editions):
    from django.contrib import admin

    from masthead.factories import make_user

    request = rf.get("/admin/")
    request.user = make_user("chief", is_superuser=True, is_staff=True)
    persian = Edition.objects.get(pk=editions["fa"].pk)
    form_class = admin.site._registry[Edition].get_form(request, persian)
    data = {field: getattr(persian, field) for field in form_class.base_fields}
    refused = form_class({**data, "host": "evil.example"}, instance=persian)
    assert not refused.is_valid() and "ALLOWED_HOSTS" in str(refused.errors["host"])
    accepted = form_class({**data, "host": "AR.news.example"}, instance=persian)
    assert accepted.is_valid(), accepted.errors
    assert accepted.save().host == "ar.news.example"


def test_no_hidden_story_on_any_public_route_of_the_edition_host(client, editions):
    """The visibility walk (site/tests/surfaces.py) of every public route on the edition's
    host, following the links its answers carry: a draft, an embargoed and a withdrawn
    Persian story appear nowhere, and no English story is listed there."""
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

    def get_on_host(url: str) -> surfaces.Answer:
        response = client.get(url, HTTP_HOST=FA)
        return surfaces.Answer(url, response.status_code, dict(response.headers), response.content)

    answers = surfaces.walk(get_on_host, surfaces.public_addresses(pool))
    assert any(editions["fa_story"].headline in answer.text for answer in answers)
    for answer in answers:
        if answer.status == 410:
            continue  # the withdrawn story's own notice
        for story in hidden:
            assert story.headline not in answer.text, answer.url
            assert f"/{story.slug}/" not in answer.text, answer.url
        if answer.status == 200 and "/talks-resume/" not in answer.url:
            # The English story appears only as the Persian one's translation link.
            text = answer.text.replace(f'href="{EN_URL}"', "")
            assert "Talks resume in Vienna" not in text, answer.url


OWN_MEDIA = [
    "/media/images/a.jpg",
    f"https://{MAIN}/media/images/a.jpg",
    f"https://{FA}/media/images/a.jpg",
    f"http://{FA}/media/images/a.jpg",
]
NOT_OWN_MEDIA = [
    f"https://{FA}.evil.test/media/images/a.jpg",  # a lookalike: the host is evil.test's
    "https://evil-fa.news.example/media/images/a.jpg",
    "https://fanews.example/media/images/a.jpg",
    f"https://{FA}@evil.test/media/images/a.jpg",  # user info: the host is evil.test
    f"https://evil.test@{FA}/media/images/a.jpg",  # user@host is never ours
    f"https://{FA}:8443/media/images/a.jpg",  # another port is another origin
    "https://ar.news.example/media/images/a.jpg",  # allowed, but no edition's host
    f"https://{FA}/desk/stories/1/",  # ours, but not media
    f"https://{FA}/media/../desk/",
    f"ftp://{FA}/media/images/a.jpg",
]


@pytest.mark.parametrize("url", OWN_MEDIA)
def test_media_on_an_edition_host_is_the_outlets_own(editions, url):
    from masthead.newsroom.sanitize import is_own_media

    assert is_own_media(url)


@pytest.mark.parametrize("url", NOT_OWN_MEDIA)
def test_lookalike_hosts_of_an_edition_host_are_refused(editions, url):
    from masthead.newsroom.sanitize import is_own_media, sanitize_body

    assert not is_own_media(url)
    assert "<img" not in sanitize_body(f'<figure><img src="{url}" alt="x"></figure>')


def test_a_body_figure_on_the_edition_host_is_kept_until_the_host_is_taken_away(editions):
    from masthead.newsroom.sanitize import sanitize_body

    body = f'<figure><img src="https://{FA}/media/images/a.jpg" alt="نقشه"></figure>'
    assert f'src="https://{FA}/media/images/a.jpg"' in sanitize_body(body)

    persian = Edition.objects.get(pk=editions["fa"].pk)
    persian.host = ""
    persian.save()
    assert "<img" not in sanitize_body(body)


def test_a_source_on_the_edition_host_is_not_an_outside_link(editions):
    from masthead.site.reporting import is_external

    assert not is_external(FA_URL)
    assert not is_external(EN_URL)
    assert is_external(f"https://{FA}.evil.test/siasat/")
    assert is_external("https://ar.news.example/")
