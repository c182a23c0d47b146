"""Sitemaps: valid against the published schemas, complete, bounded, and only live stories.

The index and the section sitemaps keep summaries in Django's cache under
content versions (each test has cache keys of its own: conftest.py).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from lxml import etree

from masthead.factories import make_desk, make_story, make_tag
from masthead.newsroom.models import PolicyPage
from masthead.site.sitemaps import news_language
from masthead.site.tests.newsroom_data import make_newsroom
from masthead.stories import services
from masthead.stories.models import ContentVersion, Story

pytestmark = pytest.mark.django_db

SCHEMAS = Path(__file__).parent / "schemas"
NS = {
    "sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "image": "http://www.google.com/schemas/sitemap-image/1.1",
    "news": "http://www.google.com/schemas/sitemap-news/0.9",
}
# No network, no entities: a sitemap is plain XML.
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def _schema(name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMAS / name), PARSER))


@pytest.fixture(scope="module")
def index_schema():
    return _schema("siteindex.xsd")


@pytest.fixture(scope="module")
def urlset_schema():
    return _schema("sitemap-with-extensions.xsd")


@pytest.fixture
def newsroom():
    return make_newsroom()


def fetch(client, address: str):
    """GET an absolute sitemap address; the parsed document."""
    parts = urlsplit(address)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    response = client.get(path)
    assert response.status_code == 200, address
    assert response["Content-Type"].startswith("application/xml")
    return etree.fromstring(response.content, PARSER)


def validate(schema: etree.XMLSchema, document) -> None:
    assert schema.validate(document), schema.error_log


def index_locations(client, index_schema) -> list[str]:
    index = fetch(client, "http://testserver/sitemap.xml")
    validate(index_schema, index)
    return index.xpath("//sm:sitemap/sm:loc/text()", namespaces=NS)


def locations(document) -> list[str]:
    return document.xpath("//sm:url/sm:loc/text()", namespaces=NS)


def test_every_sitemap_in_the_index_is_valid(client, newsroom, index_schema, urlset_schema):
    PolicyPage.objects.create(kind="ethics", title="Ethics policy", slug="ethics", body="<p>x</p>")

    listed = index_locations(client, index_schema)

    month = f"{newsroom.story.published_at.astimezone(UTC):%Y-%m}"
    assert listed == [
        "http://testserver/sitemaps/pages.xml",
        "http://testserver/sitemaps/news.xml",
        "http://testserver/sitemaps/desks.xml",
        "http://testserver/sitemaps/authors.xml",
        "http://testserver/sitemaps/tags.xml",
        "http://testserver/sitemaps/labels.xml",
        f"http://testserver/sitemaps/stories-{month}.xml",
    ]
    for address in listed:
        document = fetch(client, address)
        validate(urlset_schema, document)
        assert locations(document), address


def test_story_entries_have_lastmod_and_image(client, newsroom, urlset_schema):
    later = newsroom.story.published_at + timedelta(minutes=30)
    Story.objects.filter(pk=newsroom.story.pk).update(updated_at=later)
    month = f"{newsroom.story.published_at.astimezone(UTC):%Y-%m}"

    document = fetch(client, f"http://testserver/sitemaps/stories-{month}.xml")

    validate(urlset_schema, document)
    (url,) = document.xpath("//sm:url", namespaces=NS)
    assert url.findtext("sm:loc", namespaces=NS) == (
        "http://testserver/politics/talks-resume-in-vienna/"
    )
    lastmod = datetime.fromisoformat(url.findtext("sm:lastmod", namespaces=NS))
    assert lastmod == later.replace(microsecond=0)
    image = url.xpath("image:image/image:loc/text()", namespaces=NS)
    assert image == ["http://testserver" + newsroom.image.file.url]


def test_desk_author_tag_label_and_page_sitemaps_list_their_pages(client, newsroom):
    make_desk("Empty desk")
    make_tag("Unused")
    PolicyPage.objects.create(kind="corrections", title="Corrections", slug="corrections-policy")
    PolicyPage.objects.create(kind="ethics", title="Draft", slug="draft-ethics", is_published=False)

    def listed(section):
        return locations(fetch(client, f"http://testserver/sitemaps/{section}.xml"))

    assert listed("desks") == ["http://testserver/politics/", "http://testserver/empty-desk/"]
    assert listed("authors") == [
        "http://testserver/author/nima-sadeghi/",
        "http://testserver/author/ifp-editorial-staff/",
    ]
    assert listed("tags") == ["http://testserver/tag/iran/"]
    assert listed("labels") == ["http://testserver/label/analysis/"]
    assert listed("pages") == [
        "http://testserver/",
        "http://testserver/masthead/",
        "http://testserver/corrections/",
        "http://testserver/policies/corrections-policy/",
    ]


def test_a_month_with_more_stories_than_a_file_holds_is_paginated(
    client, newsroom, settings, index_schema, urlset_schema
):
    settings.SITEMAP_URLS_PER_FILE = 2
    start = datetime(2024, 3, 1, tzinfo=UTC)
    for day in range(5):
        make_story(
            f"March story {day}", desk=newsroom.desk, published_at=start + timedelta(days=day)
        )

    listed = index_locations(client, index_schema)

    march = [address for address in listed if "stories-2024-03" in address]
    assert march == [
        "http://testserver/sitemaps/stories-2024-03.xml",
        "http://testserver/sitemaps/stories-2024-03.xml?p=2",
        "http://testserver/sitemaps/stories-2024-03.xml?p=3",
    ]
    seen = []
    for address in march:
        document = fetch(client, address)
        validate(urlset_schema, document)
        assert len(locations(document)) <= 2
        seen += locations(document)
    assert len(seen) == len(set(seen)) == 5
    assert client.get("/sitemaps/stories-2024-03.xml?p=4").status_code == 404


def test_a_warm_index_reads_no_month_of_stories_however_long_the_archive(
    client, newsroom, django_assert_max_num_queries
):
    start = datetime(2020, 1, 15, tzinfo=UTC)
    for month in range(36):
        make_story(
            f"Archive {month}", desk=newsroom.desk, published_at=start + timedelta(days=31 * month)
        )
    cold = client.get("/sitemap.xml")

    # Versions, cached summaries and two probes for the month list: no query per month.
    # + 1: Last-Modified, the last public change of what it shows (site/http.py).
    with django_assert_max_num_queries(15):
        warm = client.get("/sitemap.xml")

    assert warm.content == cold.content
    assert warm.content.count(b"/sitemaps/stories-") == 37


def test_a_month_sitemap_reads_one_page_of_values(
    client, newsroom, settings, django_assert_max_num_queries
):
    settings.SITEMAP_URLS_PER_FILE = 3
    for day in range(10):
        make_story(
            f"Day {day}", desk=newsroom.desk, published_at=datetime(2023, 5, 1 + day, tzinfo=UTC)
        )

    with django_assert_max_num_queries(8):
        response = client.get("/sitemaps/stories-2023-05.xml?p=2")

    assert response.content.count(b"<url>") == 3


def test_news_sitemap_holds_the_last_two_days(client, newsroom, urlset_schema):
    now = timezone.now()
    make_story("Forty-seven hours old", desk=newsroom.desk, published_at=now - timedelta(hours=47))
    make_story("Forty-nine hours old", desk=newsroom.desk, published_at=now - timedelta(hours=49))
    make_story("Later today", desk=newsroom.desk, published_at=now + timedelta(hours=2))

    document = fetch(client, "http://testserver/sitemaps/news.xml")

    validate(urlset_schema, document)
    titles = document.xpath("//news:news/news:title/text()", namespaces=NS)
    assert titles == ["Talks resume in Vienna", "Forty-seven hours old"]
    assert (
        document.xpath("//news:publication/news:name/text()", namespaces=NS)
        == ["Iran Front Page"] * 2
    )
    assert set(document.xpath("//news:publication/news:language/text()", namespaces=NS)) == {"en"}
    published = document.xpath("//news:publication_date/text()", namespaces=NS)[0]
    assert datetime.fromisoformat(published) == newsroom.story.published_at.replace(microsecond=0)


def test_news_sitemap_stops_at_a_thousand(client, newsroom, urlset_schema):
    now = timezone.now()
    Story.objects.bulk_create(
        Story(
            headline=f"Flash {number}",
            slug=f"flash-{number}",
            desk=newsroom.desk,
            status=Story.Status.PUBLISHED,
            published_at=now - timedelta(seconds=number + 1),
            updated_at=now - timedelta(seconds=number + 1),
        )
        for number in range(1005)
    )

    document = fetch(client, "http://testserver/sitemaps/news.xml")

    validate(urlset_schema, document)
    entries = locations(document)
    assert len(entries) == 1000
    assert entries[0] == "http://testserver/politics/flash-0/"


@pytest.mark.parametrize(
    ("code", "expected"),
    [("en", "en"), ("en-GB", "en"), ("fa", "fa"), ("zh-hans", "zh-cn"), ("zh-TW", "zh-tw")],
)
def test_news_languages_are_what_google_news_accepts(code, expected):
    assert news_language(code) == expected


def test_robots_txt_points_at_the_sitemaps(client, newsroom, settings):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert "Sitemap: http://testserver/sitemap.xml\n" in text
    assert "Sitemap: http://testserver/sitemaps/news.xml\n" in text
    assert "Disallow: /admin/" in text

    settings.SITE_URL = "https://news.example"
    assert "Sitemap: https://news.example/sitemap.xml" in client.get("/robots.txt").content.decode()


def test_sitemaps_use_the_site_url_when_set(client, newsroom, settings, index_schema):
    settings.SITE_URL = "https://news.example"

    listed = index_locations(client, index_schema)

    assert all(address.startswith("https://news.example/sitemaps/") for address in listed)
    document = fetch(client, "https://news.example/sitemaps/pages.xml")
    assert locations(document)[0] == "https://news.example/"


@pytest.mark.parametrize(
    "url",
    [
        "/sitemaps/stories-1999-01.xml",
        "/sitemaps/stories-2026-13.xml",
        "/sitemaps/whatever.xml",
        "/sitemaps/tags.xml?p=9",
        "/sitemaps/tags.xml?p=x",
    ],
)
def test_unknown_sitemaps_answer_404(client, newsroom, url):
    assert client.get(url).status_code == 404


def test_without_recent_stories_the_index_leaves_news_out(client, newsroom, index_schema):
    Story.objects.filter(pk=newsroom.story.pk).update(
        published_at=timezone.now() - timedelta(days=5)
    )

    listed = index_locations(client, index_schema)

    assert "http://testserver/sitemaps/news.xml" not in listed


# Months and their content versions ---------------------------------------------


def month_of(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%Y-%m}"


def month_versions() -> dict[str, int]:
    rows = ContentVersion.objects.filter(scope__startswith="month:")
    return dict(rows.values_list("scope", "counter"))


def bumped_months(before: dict[str, int]) -> set[str]:
    after = month_versions()
    return {scope for scope, counter in after.items() if before.get(scope) != counter}


def index_entries(client) -> dict[str, str | None]:
    """Address → lastmod of every file in the index."""
    index = etree.fromstring(client.get("/sitemap.xml").content, PARSER)
    return {
        entry.findtext("sm:loc", namespaces=NS): entry.findtext("sm:lastmod", namespaces=NS)
        for entry in index.xpath("//sm:sitemap", namespaces=NS)
    }


def month_address(month: str) -> str:
    return f"http://testserver/sitemaps/stories-{month}.xml"


def test_a_publish_changes_its_month_and_the_index_through_a_warm_cache(client, newsroom):
    old = make_story(
        "March report", desk=newsroom.desk, published_at=datetime(2024, 3, 5, tzinfo=UTC)
    )
    services.snapshot_revision(old)
    this_month = month_of(newsroom.story.published_at)
    before_entries = index_entries(client)  # summaries now cached
    before = month_versions()

    services.publish_update(newsroom.editor, old, "Updated with new figures.")

    assert bumped_months(before) == {"month:2024-03"}
    entries = index_entries(client)
    assert entries[month_address("2024-03")] != before_entries[month_address("2024-03")]
    old.refresh_from_db()
    # The update's time, or the version's, taken in the same transaction just after.
    lastmod = datetime.fromisoformat(entries[month_address("2024-03")])
    assert old.updated_at.replace(microsecond=0) <= lastmod <= old.updated_at + timedelta(seconds=1)
    assert entries[month_address(this_month)] == before_entries[month_address(this_month)]
    response = client.get("/sitemaps/stories-2024-03.xml")
    assert response["Surrogate-Key"] == "site month:2024-03"


def test_a_withdrawn_story_leaves_its_month_and_an_emptied_month_leaves_the_index(client, newsroom):
    march = make_story(
        "March report", desk=newsroom.desk, published_at=datetime(2024, 3, 5, tzinfo=UTC)
    )
    services.snapshot_revision(march)
    assert month_address("2024-03") in index_entries(client)
    before = month_versions()

    services.withdraw_story(newsroom.editor, march, "Sources could not be verified.")

    assert bumped_months(before) == {"month:2024-03"}
    assert month_address("2024-03") not in index_entries(client)
    assert client.get("/sitemaps/stories-2024-03.xml").status_code == 404


def test_publishing_a_scheduled_story_early_moves_it_between_months(client, newsroom):
    story = make_story("Planned feature", desk=newsroom.desk, status=Story.Status.READY, age=None)
    services.snapshot_revision(story)
    later = timezone.now() + timedelta(days=70)
    services.schedule_story(newsroom.editor, story, later)
    index_entries(client)
    before = month_versions()

    services.publish_story(newsroom.editor, story)

    story.refresh_from_db()
    assert bumped_months(before) == {
        f"month:{month_of(later)}",
        f"month:{month_of(story.published_at)}",
    }
    document = fetch(client, month_address(month_of(story.published_at)))
    assert "http://testserver" + story.get_absolute_url() in locations(document)
    assert month_address(month_of(later)) not in index_entries(client)


def test_a_scheduled_story_joins_its_month_at_its_time_through_a_warm_cache(
    client, newsroom, settings, time_machine
):
    settings.SITEMAP_URLS_PER_FILE = 1  # a second story in the month shows as a second file
    make_story("Earlier today", desk=newsroom.desk, age=timedelta(seconds=30))
    story = make_story("Scheduled story", desk=newsroom.desk, status=Story.Status.READY, age=None)
    services.snapshot_revision(story)
    when = timezone.now() + timedelta(minutes=5)
    month = month_of(when)
    services.schedule_story(newsroom.editor, story, when)
    page_count = sum(month_address(month) in address for address in index_entries(client))
    second_page = client.get(f"/sitemaps/stories-{month}.xml?p={page_count + 1}")
    assert second_page.status_code == 404

    time_machine.move_to(when + timedelta(seconds=1))

    entries = index_entries(client)
    assert sum(month_address(month) in address for address in entries) == page_count + 1
    assert datetime.fromisoformat(entries[month_address(month)]) >= when.replace(microsecond=0)
    shown = fetch(client, f"{month_address(month)}?p={page_count + 1}")
    assert locations(shown) == ["http://testserver" + story.get_absolute_url()]


def test_a_section_sitemap_follows_an_update_through_a_warm_cache(client, newsroom):
    def tag_lastmod():
        document = fetch(client, "http://testserver/sitemaps/tags.xml")
        (url,) = document.xpath("//sm:url", namespaces=NS)
        return datetime.fromisoformat(url.findtext("sm:lastmod", namespaces=NS))

    first = tag_lastmod()

    services.publish_update(newsroom.editor, newsroom.story, "New details.")

    newsroom.story.refresh_from_db()
    updated = newsroom.story.updated_at
    # The version's time, taken in the same transaction just after updated_at.
    assert first < updated.replace(microsecond=0) <= tag_lastmod() <= updated + timedelta(seconds=1)


def test_story_addresses_in_a_month_sitemap_are_quoted_as_reverse_quotes_them(client, newsroom):
    story = make_story(
        "گزارش ویژه از تهران", desk=newsroom.desk, published_at=datetime(2025, 2, 3, tzinfo=UTC)
    )
    assert "%" in story.get_absolute_url()

    document = fetch(client, month_address("2025-02"))

    assert locations(document) == ["http://testserver" + story.get_absolute_url()]


@pytest.mark.parametrize(
    "path",
    [
        "/sitemaps/stories-0000-00.xml",
        "/sitemaps/stories-2026-00.xml",
        "/sitemaps/stories-9999-12.xml",
        "/sitemaps/stories-0001-01.xml",
        "/sitemaps/stories-2026-1.xml",
        "/sitemaps/stories-20261-11.xml",
        "/sitemaps/stories-٢٠٢٦-١١.xml",
        "/sitemaps/stories-2026-11%0A.xml",
        "/sitemaps/stories-2026-11.xml.xml",
        "/sitemaps/%2E%2E%2Fsettings.xml",
        "/sitemaps/../sitemap.xml",
        "/sitemaps/" + "stories-" * 2000 + ".xml",
        "/sitemaps/خبرها.xml",
        "/sitemaps/%00.xml",
        "/sitemaps/news%20.xml",
        "/sitemaps/{month}.xml?p=0",
        "/sitemaps/{month}.xml?p=-1",
        "/sitemaps/{month}.xml?p=2",
        "/sitemaps/{month}.xml?p=1e3",
        "/sitemaps/{month}.xml?p=²",
        "/sitemaps/{month}.xml?p=99999999999999999999999999",
    ],
)
def test_hostile_sitemap_addresses_answer_404(client, newsroom, path):
    month = f"stories-{month_of(newsroom.story.published_at)}"

    response = client.get(path.format(month=month))

    assert response.status_code == 404
