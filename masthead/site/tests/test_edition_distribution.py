"""Feeds, sitemaps, robots.txt and search per edition, with translations' alternates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest
import time_machine
from lxml import etree

from masthead.factories import make_desk, make_edition, make_outlet, make_story
from masthead.site.tests.test_sitemaps import NS, PARSER, _schema, fetch, validate
from masthead.stories import translations
from masthead.stories.models import Story

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 3, 10, 16, tzinfo=UTC)
XHTML = {"x": "http://www.w3.org/1999/xhtml", **NS}
EN_URL = "http://testserver/politics/talks-resume/"
FA_URL = "http://testserver/fa/siasat/mozakerat-vin/"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def editions():
    make_outlet(name="Test Outlet")
    persian = make_edition("fa", publication_name="ایران فرانت پیج")
    politics = make_desk("Politics")
    siasat = make_desk("سیاست", slug="siasat", edition=persian)
    english = make_story("Talks resume in Vienna", desk=politics, slug="talks-resume")
    farsi = make_story(
        "مذاکرات در وین از سر گرفته شد", desk=siasat, slug="mozakerat-vin", language="fa"
    )
    translations.link(english, farsi)
    return {"fa": persian, "en_story": english, "fa_story": farsi, "siasat": siasat}


@pytest.fixture(scope="module")
def urlset_schema():
    return _schema("sitemap-with-extensions.xsd")


def body(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.content.decode()


def test_each_editions_feeds_list_its_stories_in_its_language(client, editions):
    persian, english = body(client, "/fa/feed/"), body(client, "/feed/")

    assert "مذاکرات در وین" in persian and "Talks resume" not in persian
    assert "Talks resume" in english and "مذاکرات در وین" not in english
    assert "<language>fa</language>" in persian and "<language>en</language>" in english
    assert "<title>ایران فرانت پیج</title>" in persian
    assert f"<link>{FA_URL}</link>" in persian
    atom = etree.fromstring(body(client, "/fa/feed/atom/").encode(), PARSER)
    assert atom.get("{http://www.w3.org/XML/1998/namespace}lang") == "fa"


def test_a_desks_feed_is_at_its_own_editions_root_only(client, editions):
    assert "مذاکرات در وین" in body(client, "/fa/siasat/feed.xml")
    body(client, "/siasat/feed.xml", 404)
    body(client, "/fa/politics/feed.xml", 404)


def test_month_sitemaps_give_each_story_its_address_and_its_translations(
    client, editions, urlset_schema
):
    document = fetch(client, "http://testserver/sitemaps/stories-2026-12.xml")
    validate(urlset_schema, document)

    by_location = {
        url.findtext("sm:loc", namespaces=NS): {
            (link.get("hreflang"), link.get("href"))
            for link in url.findall("x:link", namespaces=XHTML)
        }
        for url in document.findall("sm:url", namespaces=NS)
    }
    expected = {("en", EN_URL), ("fa", FA_URL), ("x-default", EN_URL)}
    assert by_location == {EN_URL: expected, FA_URL: expected}


def test_a_translation_readers_cannot_see_is_not_an_alternate_in_sitemaps(
    client, editions, urlset_schema
):
    Story.objects.filter(pk=editions["fa_story"].pk).update(status=Story.Status.DRAFT)

    document = fetch(client, "http://testserver/sitemaps/stories-2026-12.xml")
    validate(urlset_schema, document)
    assert document.findall(".//x:link", namespaces=XHTML) == []
    assert "mozakerat" not in etree.tostring(document).decode()


def test_each_edition_has_its_own_news_sitemap_under_its_publication_name(
    client, editions, urlset_schema
):
    persian = fetch(client, "http://testserver/fa/sitemaps/news.xml")
    english = fetch(client, "http://testserver/sitemaps/news.xml")
    for document in (persian, english):
        validate(urlset_schema, document)

    def publications(document):
        return [
            (
                url.findtext("sm:loc", namespaces=NS),
                url.findtext(".//news:name", namespaces=NS),
                url.findtext(".//news:language", namespaces=NS),
            )
            for url in document.findall("sm:url", namespaces=NS)
        ]

    assert publications(persian) == [(FA_URL, "ایران فرانت پیج", "fa")]
    assert publications(english) == [(EN_URL, "Test Outlet", "en")]


def test_the_index_lists_every_editions_news_and_lives_at_the_default_root(client, editions):
    index = fetch(client, "http://testserver/sitemap.xml")
    listed = index.xpath("//sm:sitemap/sm:loc/text()", namespaces=NS)

    assert "http://testserver/sitemaps/news.xml" in listed
    assert "http://testserver/fa/sitemaps/news.xml" in listed
    assert not [address for address in listed if "/fa/" in address and "news" not in address]
    # The site-wide files answer at one address only.
    moved = client.get("/fa/sitemap.xml")
    assert moved.status_code == 301 and moved["Location"] == "/sitemap.xml"
    moved = client.get("/fa/sitemaps/stories-2026-12.xml?p=1")
    assert moved.status_code == 301 and moved["Location"] == "/sitemaps/stories-2026-12.xml?p=1"


def test_news_sitemap_of_an_edition_with_no_recent_story_is_empty_and_not_indexed(client, editions):
    Story.objects.filter(pk=editions["fa_story"].pk).update(published_at=NOW - timedelta(days=5))
    assert (
        fetch(client, "http://testserver/fa/sitemaps/news.xml").findall("sm:url", namespaces=NS)
        == []
    )
    listed = fetch(client, "http://testserver/sitemap.xml").xpath(
        "//sm:sitemap/sm:loc/text()", namespaces=NS
    )
    assert "http://testserver/fa/sitemaps/news.xml" not in listed


def test_robots_txt_names_every_editions_news_sitemap(client, editions):
    text = body(client, "/robots.txt")

    assert "Sitemap: http://testserver/fa/sitemaps/news.xml\n" in text
    assert "Sitemap: http://testserver/sitemaps/news.xml\n" in text
    assert "Disallow: /fa/preview/\n" in text


def test_a_reader_searches_their_own_edition(client, editions):
    persian = body(client, "/fa/search/?q=%D9%88%DB%8C%D9%86")  # وین
    english = body(client, "/search/?q=vienna")

    assert "mozakerat-vin" in persian
    assert "talks-resume" in english and "mozakerat-vin" not in english
    assert "talks-resume" not in body(client, "/fa/search/?q=vienna")
    # The desk filter offers the edition's desks, and refuses another edition's.
    assert 'value="siasat"' in persian and 'value="politics"' not in persian
    body(client, "/fa/search/?q=vienna&desk=politics", 400)


# Persian slugs ---------------------------------------------------------------

ARABIC_KEYBOARD = "مذاكرات در وين"  # Arabic kaf and yeh
PERSIAN_KEYBOARD = "مذاکرات در وین"


def test_a_headline_typed_on_either_keyboard_gets_one_slug(editions):
    first = Story.objects.create(headline=PERSIAN_KEYBOARD, desk=editions["siasat"])
    second = Story.objects.create(headline=ARABIC_KEYBOARD + "\u064e", desk=editions["siasat"])

    assert first.slug == "مذاکرات-در-وین"
    assert second.slug == "مذاکرات-در-وین-2"  # the same words: a duplicate, numbered


def test_a_persian_slug_works_in_pages_feeds_sitemaps_and_redirects(client, editions):
    story = make_story(PERSIAN_KEYBOARD + " ۱۴۰۵", desk=editions["siasat"], language="fa")
    assert story.slug == "مذاکرات-در-وین-1405"
    address = story.get_absolute_url()
    assert address == "/fa/siasat/" + quote("مذاکرات-در-وین-1405") + "/"

    assert client.get(address).status_code == 200
    assert f"http://testserver{address}" in body(client, "/fa/feed/")
    document = fetch(client, "http://testserver/sitemaps/stories-2026-12.xml")
    assert f"http://testserver{address}" in document.xpath("//sm:loc/text()", namespaces=NS)
    # Typed with the Arabic keyboard's letters: one redirect to its address.
    typed = "/fa/siasat/" + "مذاكرات-در-وين-1405" + "/"
    moved = client.get(typed)
    assert moved.status_code == 301 and moved["Location"] == address


def test_each_editions_home_describes_its_own_website(client, editions):
    import json
    import re

    def website(path: str) -> dict:
        page = body(client, path)
        blocks = re.findall(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', page, re.S)
        graphs = [json.loads(block) for block in blocks]
        found = [item for graph in graphs for item in graph.get("@graph", [graph])]
        return next(item for item in found if item.get("@type") == "WebSite")

    persian, english = website("/fa/"), website("/")
    assert (persian["url"], persian["inLanguage"], persian["name"]) == (
        "http://testserver/fa/",
        "fa",
        "ایران فرانت پیج",
    )
    assert (english["url"], english["inLanguage"], english["name"]) == (
        "http://testserver/",
        "en",
        "Test Outlet",
    )
    assert persian["publisher"] == english["publisher"]  # one outlet publishes both


def test_articles_say_their_language_in_structured_data_and_ninjs(client, editions):
    import json

    story = editions["fa_story"]
    page = body(client, story.get_absolute_url())
    assert '"inLanguage": "fa"' in page or '"inLanguage":"fa"' in page
    listed = json.loads(body(client, "/api/stories?language=fa"))
    items = listed.get("items", listed if isinstance(listed, list) else [])
    assert [item["language"] for item in items] == ["fa"]


# Labels in the edition's language ---------------------------------------------


def test_a_label_shows_its_name_in_the_editions_language(client, editions):
    from masthead.factories import make_label

    analysis = make_label("Analysis", kind="analysis")
    analysis.names = {"fa": "تحلیل"}
    analysis.full_clean()
    analysis.save()
    Story.objects.filter(pk__in=[editions["fa_story"].pk, editions["en_story"].pk]).update(
        label=analysis
    )

    persian = body(client, editions["fa_story"].get_absolute_url())
    english = body(client, editions["en_story"].get_absolute_url())

    assert '<p class="kicker kicker--analysis">تحلیل</p>' in persian
    assert '<p class="kicker kicker--analysis">Analysis</p>' in english
    assert '<h1 dir="auto">تحلیل</h1>' in body(client, "/fa/label/analysis/")


@pytest.mark.parametrize("names", [["fa"], {"fa": 3}, "تحلیل", {"fa": ["x"]}])
def test_label_names_that_are_not_names_by_language_are_refused(names):
    from django.core.exceptions import ValidationError

    from masthead.stories.models import Label

    label = Label(name="Analysis", slug="analysis", names=names)
    with pytest.raises(ValidationError, match="by language code"):
        label.full_clean()


def test_the_desk_sitemap_lists_each_desk_at_its_editions_root(client, editions):
    tree = fetch(client, "http://testserver/sitemaps/desks.xml")
    listed = set(tree.xpath("//sm:loc/text()", namespaces=NS))
    assert "http://testserver/fa/siasat/" in listed and "http://testserver/siasat/" not in listed
    for address in listed:  # each one answers
        assert client.get(address.removeprefix("http://testserver")).status_code == 200, address
