"""Keyset pagination of the public lists (site/pagination.py), read as a reader does.

Every test walks the pages through the links the pages themselves carry.
"""

from __future__ import annotations

import re
from datetime import timedelta
from io import BytesIO

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone

from masthead.factories import (
    editor_of,
    make_author,
    make_desk,
    make_label,
    make_story,
    make_tag,
)
from masthead.site import pagination
from masthead.site.page_cache import PageCache
from masthead.site.pagination import LEGACY_PAGE_LIMIT, Cursor
from masthead.stories import services
from masthead.stories.models import Correction, Story

pytestmark = pytest.mark.django_db

PER_PAGE = 5
HEADLINE = re.compile(r'class="card__headline" dir="auto"><a href="[^"]*">([^<]+)</a>')
# The arrows point the way the page reads: mirrored in a right-to-left edition.
ARROW = r'<span class="flip-in-rtl" aria-hidden="true">{}</span>'
OLDER = re.compile(r'<a rel="next" href="([^"]+)">Older ' + ARROW.format("→") + "</a>")
NEWER = re.compile(r'<a rel="prev" href="([^"]+)">' + ARROW.format("←") + " Newer</a>")
HIDDEN = ("Draft story", "Scheduled story", "Embargoed story", "Withdrawn story")


@pytest.fixture
def archive(settings):
    """23 live stories in one desk, author, tag and label (five share a time); and hidden ones."""
    settings.PAGE_SIZE = PER_PAGE
    desk, author, tag = make_desk("Sports"), make_author("Ali Moradi"), make_tag("Football")
    label = make_label("Analysis", "analysis")
    now = timezone.now().replace(microsecond=0)
    shared = dict(desk=desk, authors=[author], tags=[tag], label=label)
    tie = now - timedelta(hours=7)
    live = []
    for number in range(23):
        # Stories 5 to 9 share one publication time: only the id orders them.
        moment = tie if 5 <= number <= 9 else now - timedelta(hours=number + 1, minutes=number)
        live.append(make_story(f"Match {number:02d}", published_at=moment, **shared))
    live.sort(key=lambda story: (story.published_at, story.pk), reverse=True)
    make_story("Draft story", status=Story.Status.DRAFT, age=None, **shared)
    make_story("Withdrawn story", status=Story.Status.WITHDRAWN, published_at=tie, **shared)
    scheduled = make_story(
        "Scheduled story", status=Story.Status.SCHEDULED, age=-timedelta(hours=2), **shared
    )
    make_story(
        "Embargoed story", published_at=tie, embargoed_until=now + timedelta(days=1), **shared
    )
    return {"desk": desk, "live": live, "scheduled": scheduled, "tie": tie,
            "editor": editor_of(desk)}  # fmt: skip


LISTS = {"desk": "/sports/", "author": "/author/ali-moradi/", "tag": "/tag/football/",
         "label": "/label/analysis/"}  # fmt: skip


def page(client, url: str, hidden=HIDDEN) -> tuple[list[str], str | None, str | None]:
    response = client.get(url)
    assert response.status_code == 200, url
    html = response.content.decode()
    older, newer = OLDER.search(html), NEWER.search(html)
    for headline in hidden:
        assert headline not in html, (headline, url)
    return (
        HEADLINE.findall(html),
        older.group(1) if older else None,
        newer.group(1) if newer else None,
    )


def walk_older(client, url: str, hidden=HIDDEN) -> tuple[list[str], list[str]]:
    """Every headline from ``url`` on, following "Older →"; and the addresses visited."""
    seen, visited = [], []
    while url:
        visited.append(url)
        headlines, url, _ = page(client, url, hidden)
        seen += headlines
        assert len(visited) < 50
    return seen, visited


@pytest.fixture(params=["short lists paged in memory", "every list by index"])
def short_list(request, monkeypatch):
    """Author and topic lists this short are paged from their positions; or never."""
    if request.param == "every list by index":
        monkeypatch.setattr(pagination, "SHORT_LIST", 0)
    return request.param


@pytest.mark.parametrize("kind", LISTS)
def test_older_and_newer_visit_every_live_story_once_in_order(client, archive, kind, short_list):
    expected = [story.headline for story in archive["live"]]

    seen, visited = walk_older(client, LISTS[kind])

    assert seen == expected
    assert len(visited) == 5 and all("?before=" in url for url in visited[1:])
    # And back: "← Newer" from the last page to the first, the same pages in reverse.
    url, pages = visited[-1], []
    while url:
        headlines, _, url = page(client, url)
        pages.insert(0, headlines)
    assert [headline for chunk in pages for headline in chunk] == expected
    assert pages[0] == expected[:PER_PAGE]


def test_the_first_page_has_no_newer_link_and_pages_link_back_to_it(client, archive):
    _, older, newer = page(client, "/sports/")
    assert newer is None and older.startswith("/sports/?before=")
    _, _, back = page(client, older)
    assert back == "/sports/"  # the first page, by its one address


def test_cursor_pages_name_their_place_in_the_title_and_navigation(client, archive):
    _, older, _ = page(client, "/sports/")
    html = client.get(older).content.decode()

    assert re.search(r"<title>Sports — published up to \d+ \w+ \d{4} — ", html)
    assert '<nav class="pagination" aria-label="More stories">' in html
    assert re.search(r'<span aria-current="page">Published <time datetime="[^"]+">', html)


@pytest.mark.parametrize("url", ["/sports/", "/tag/football/"])
def test_publishing_and_withdrawing_between_two_views_keeps_navigation_whole(
    client, archive, short_list, url
):
    live = archive["live"]
    _, second_page, _ = page(client, url)
    boundary = live[PER_PAGE - 1]  # the story the cursor names
    on_page_two = live[PER_PAGE + 1]
    editor = archive["editor"]
    for story in (boundary, on_page_two):
        services.withdraw_story(editor, story, "Withdrawn: wrong match.")
    fresh = make_story(
        "Just in",
        desk=archive["desk"],
        tags=live[0].tags.all(),
        status=Story.Status.READY,
        age=None,
    )
    services.snapshot_revision(fresh)
    services.publish_story(editor, fresh)

    seen, _ = walk_older(client, second_page)

    gone = {boundary.headline, on_page_two.headline}
    assert seen == [s.headline for s in live[PER_PAGE:] if s.headline not in gone]
    first, _, _ = page(client, url)
    assert first[0] == "Just in" and boundary.headline not in first


@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "garbage",
        "9" * 10_000,
        "-1",
        "20261125T143005Z--5",
        "20261125T143005Z-0",
        "20261125T143005Z-05",
        "20261125T143005Z-99999999999999999999",
        "20261125T143005Z-9223372036854775808",
        "20261325T143005Z-5",
        "20260230T143005Z-5",
        "20261125T143005.000000Z-5",
        "20261125T143005.5Z-5",
        "2026-11-25T14:30:05Z-5",
        "20261125T143005+0100-5",
        "２０２６１１２５T143005Z-5",
        "20261125T143005Z-５",
        "20261125T143005Z-5\x00",
        "20261125T143005Z-5 ",
        "' OR 1=1 --",
        "20261125T143005Z-5; DROP TABLE stories_story",
        "1764081005",
        "00000101T000000Z-1",
    ],
)
@pytest.mark.parametrize("direction", ["before", "after"])
def test_hostile_cursors_answer_404(client, archive, direction, cursor):
    for url in ("/sports/", "/tag/football/"):
        assert client.get(url, {direction: cursor}).status_code == 404, url


@pytest.mark.parametrize(
    "query",
    [
        "before=20261125T143005Z-5&before=20261125T143005Z-6",
        "before=20261125T143005Z-5&after=20261125T143005Z-6",
        "page=2&before=20261125T143005Z-5",
    ],
)
def test_two_cursors_answer_404(client, archive, query):
    assert client.get(f"/sports/?{query}").status_code == 404


@pytest.mark.parametrize("url", ["/sports/", "/tag/football/"])
def test_a_cursor_beyond_either_end_shows_only_live_stories(client, archive, short_list, url):
    headlines, older, newer = page(client, f"{url}?before=99991231T235959Z-1")
    assert headlines == [s.headline for s in archive["live"][:PER_PAGE]]
    # Only the scheduled story is newer than these, and it is not there yet.
    assert newer is None and older is not None
    assert client.get(f"{url}?before=00010101T000000Z-1").status_code == 404
    assert client.get(f"{url}?after=99991231T235959Z-1").status_code == 404
    headlines, _, _ = page(client, f"{url}?after=00010101T000000Z-1")
    assert headlines == [s.headline for s in archive["live"][-PER_PAGE:]]


@pytest.mark.parametrize("url", ["/sports/", "/tag/football/"])
def test_a_scheduled_story_cannot_be_found_or_inferred_through_a_cursor(
    client, archive, short_list, url
):
    scheduled, newest = archive["scheduled"], archive["live"][0]
    at_scheduled = Cursor.of(scheduled)
    next_to_it = Cursor(scheduled.published_at, scheduled.pk + 1)

    assert page(client, f"{url}?before={at_scheduled}") == page(
        client, f"{url}?before={next_to_it}"
    )
    # Nothing is newer than the newest live story, whatever is scheduled after it.
    assert client.get(f"{url}?after={Cursor.of(newest)}").status_code == 404
    headlines, _, newer = page(client, f"{url}?before={Cursor.of(newest)}")
    assert newer == url and newest.headline not in headlines


def test_a_scheduled_story_joins_the_pages_at_its_time(client, archive):
    scheduled = archive["scheduled"]
    Story.objects.filter(pk=scheduled.pk).update(published_at=timezone.now() - timedelta(seconds=1))

    still_hidden = [headline for headline in HIDDEN if headline != "Scheduled story"]
    headlines, _, _ = page(client, "/sports/", still_hidden)
    seen, _ = walk_older(client, "/sports/", still_hidden)

    assert headlines[0] == "Scheduled story"
    assert seen.count("Scheduled story") == 1 and len(seen) == 24


@pytest.mark.parametrize("url", ["/sports/", "/tag/football/"])
def test_old_page_numbers_redirect_or_404(client, archive, short_list, url):
    first = client.get(f"{url}?page=1")
    assert first.status_code == 301 and first["Location"] == url

    second = client.get(f"{url}?page=2")
    assert second.status_code == 302
    assert second["Location"] == f"{url}?before={Cursor.of(archive['live'][PER_PAGE - 1])}"
    headlines, _, _ = page(client, second["Location"])
    assert headlines == [s.headline for s in archive["live"][PER_PAGE : 2 * PER_PAGE]]

    assert client.get(f"{url}?page=5").status_code == 302  # 23 stories: page 5 has 3
    for bad in ("6", str(LEGACY_PAGE_LIMIT + 1), "0", "-1", "x", "1.5", "２", "9" * 30, "%00"):
        assert client.get(url, {"page": bad}).status_code == 404, bad


def test_corrections_page_pages_by_cursor_and_shows_only_live_stories(client, archive):
    live_story = archive["live"][0]
    hidden = Story.objects.get(headline="Embargoed story")
    moment = timezone.now() - timedelta(days=1)
    for number in range(52):
        Correction.objects.create(
            story=live_story, note=f"Fix number {number}.", published_at=moment
        )
    Correction.objects.create(story=hidden, note="Secret fix.", published_at=moment)

    html = client.get("/corrections/").content.decode()
    older = OLDER.search(html).group(1)
    rest = client.get(older).content.decode()

    notes = re.findall(r"Fix number (\d+)\.", html) + re.findall(r"Fix number (\d+)\.", rest)
    assert sorted(notes, key=int) == [str(n) for n in range(52)] and len(set(notes)) == 52
    assert "Secret fix" not in html + rest
    assert OLDER.search(rest) is None and NEWER.search(rest).group(1) == "/corrections/"


# Through the page cache -------------------------------------------------------


def call(app, url: str) -> tuple[int, str | None, str]:
    path, _, query = url.partition("?")
    environ = {
        "REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query,
        "SERVER_NAME": "testserver", "SERVER_PORT": "80", "HTTP_HOST": "testserver",
        "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": "http",
        "wsgi.input": BytesIO(b""), "wsgi.errors": BytesIO(),
    }  # fmt: skip
    answer: dict = {}

    def start_response(status, headers, exc_info=None):
        answer["status"], answer["headers"] = int(status.split()[0]), dict(headers)

    body = b"".join(app(environ, start_response)).decode()
    return answer["status"], answer["headers"].get("X-Page-Cache"), body


@pytest.fixture
def app():
    # As Django's test client does: the test's transaction must survive requests.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield PageCache(WSGIHandler(), max_bytes=8 * 1024 * 1024, poll_seconds=0, shared=None)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_the_page_cache_serves_cursor_pages_and_a_change_refreshes_them(app, archive):
    live = archive["live"]
    url = f"/sports/?before={Cursor.of(live[PER_PAGE - 1])}"
    on_it = live[PER_PAGE]

    assert call(app, url)[:2] == (200, "MISS")
    status, outcome, body = call(app, url)
    assert (status, outcome) == (200, "HIT") and on_it.headline in body

    services.withdraw_story(archive["editor"], on_it, "Withdrawn: wrong match.")
    status, outcome, body = call(app, url)
    assert (status, outcome) == (200, "MISS") and on_it.headline not in body

    fresh = make_story("Just in", desk=archive["desk"], status=Story.Status.READY, age=None)
    services.snapshot_revision(fresh)
    call(app, "/sports/")
    services.publish_story(archive["editor"], fresh)
    status, outcome, body = call(app, "/sports/")
    assert (status, outcome) == (200, "MISS") and "Just in" in body
    assert call(app, url)[1] == "MISS"  # every page of the desk is re-rendered
