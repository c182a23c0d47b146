"""The page cache's correctness (its speed is measured in bench/, not here).

The cache is driven through WSGI exactly as granian drives it, around
Django's own WSGI handler, and polls content versions on every request
(``poll_seconds=0``) so a test sees at once what a server sees within
``PAGE_CACHE_POLL_MS``.

These are the rules of one process's cache, so each runs without the shared
level (``shared=None``) whatever ``CACHE_URL`` says; the shared level has its
own tests in ``test_shared_page_cache.py``.
"""

from __future__ import annotations

import itertools
import re
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from io import BytesIO

import pytest
import time_machine
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from django.utils.http import http_date, parse_http_date

from masthead import clock
from masthead.factories import editor_of, make_author, make_desk, make_story, make_tag
from masthead.site.page_cache import PART_CLOSE, PART_OPEN, PageCache, _hole_of
from masthead.site.relative_time import mask_relative_times
from masthead.stories import services, versions
from masthead.stories.models import Story

pytestmark = pytest.mark.django_db


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def outcome(self) -> str | None:
        return self.headers.get("X-Page-Cache")

    @property
    def text(self) -> str:
        return self.body.decode()


def environ_of(path: str, method: str = "GET", **headers: str) -> dict:
    path, _, query = path.partition("?")
    return {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "HTTP_HOST": "testserver",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": BytesIO(b""),
        "wsgi.errors": BytesIO(),
        **{f"HTTP_{name.upper()}": value for name, value in headers.items()},
    }


def call(app, path: str, method: str = "GET", **headers: str) -> Answer:
    environ = environ_of(path, method, **headers)
    answer: dict = {}

    def start_response(status, response_headers, exc_info=None):
        answer["status"] = int(status.split()[0])
        answer["headers"] = dict(response_headers)

    result = app(environ, start_response)
    body = b"".join(result)
    if hasattr(result, "close"):
        result.close()
    return Answer(answer["status"], answer["headers"], body)


@pytest.fixture
def app(live_requests):
    return PageCache(WSGIHandler(), max_bytes=8 * 1024 * 1024, poll_seconds=0, shared=None)


@pytest.fixture
def newsroom():
    politics, economy = make_desk("Politics"), make_desk("Economy")
    iran, oil = make_tag("Iran"), make_tag("Oil")
    writer = make_author("Nima Sadeghi")
    first = make_story("First politics story", desk=politics, tags=[iran], authors=[writer])
    second = make_story("Economy story", desk=economy, tags=[oil], age=timedelta(hours=3))
    for story in (first, second):
        services.snapshot_revision(story)
    return {"politics": politics, "economy": economy, "iran": iran, "oil": oil,
            "first": first, "second": second, "editor": editor_of(politics)}  # fmt: skip


def publish_new(newsroom, headline: str) -> Story:
    story = make_story(headline, desk=newsroom["politics"], tags=[newsroom["iran"]],
                       status=Story.Status.READY, age=None)  # fmt: skip
    services.snapshot_revision(story)
    return services.publish_story(newsroom["editor"], story)


def test_a_second_view_is_answered_from_the_cache(app, newsroom):
    first = call(app, "/")
    second = call(app, "/")

    assert (first.status, first.outcome) == (200, "MISS")
    assert (second.status, second.outcome) == (200, "HIT")
    assert second.body == first.body
    assert "First politics story" in second.text


def test_each_render_is_logged_with_its_content_version_when_asked(app, newsroom, caplog):
    caplog.set_level("DEBUG", logger="masthead.site.page_cache.renders")
    call(app, "/")
    call(app, "/")
    publish_new(newsroom, "A new story for the front")
    call(app, "/")
    call(app, "/politics/")

    lines = [r.getMessage() for r in caplog.records if r.name.endswith("page_cache.renders")]
    pages = [re.match(r"render \S*\|\|\S*\|(\S+)\| version=(\w+) pid=\d+$", line) for line in lines]
    assert [page[1] for page in pages] == ["/", "/", "/politics/"]  # two renders of home
    assert pages[0][2] != pages[1][2]  # at two content versions


def test_renders_are_not_logged_by_default(app, newsroom, caplog):
    caplog.set_level("INFO")
    call(app, "/")

    assert not [r for r in caplog.records if r.name.endswith("page_cache.renders")]


def test_security_headers_survive_the_cache(app, newsroom):
    call(app, "/")
    hit = call(app, "/")

    assert hit.headers["X-Content-Type-Options"] == "nosniff"
    assert hit.headers["X-Frame-Options"] == "DENY"
    assert hit.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "public" in hit.headers["Cache-Control"]


def test_a_publish_changes_exactly_the_pages_it_should(app, newsroom):
    urls = {
        "home": "/",
        "politics": "/politics/",
        "economy": "/economy/",
        "iran": "/tag/iran/",
        "oil": "/tag/oil/",
        "economy story": newsroom["second"].get_absolute_url(),
        "masthead": "/masthead/",
    }
    for url in urls.values():
        call(app, url)
    assert all(call(app, url).outcome == "HIT" for url in urls.values())

    publish_new(newsroom, "Breaking politics story")

    outcomes = {name: call(app, url).outcome for name, url in urls.items()}
    assert outcomes == {
        "home": "MISS",  # the new lead
        "politics": "MISS",  # its desk
        "iran": "MISS",  # its tag
        "economy story": "MISS",  # every article shows Recent Posts
        "economy": "HIT",
        "oil": "HIT",
        "masthead": "HIT",
    }
    assert "Breaking politics story" in call(app, "/").text
    assert "Breaking politics story" in call(app, urls["economy story"]).text


def test_a_withdrawal_reaches_the_cached_article_and_lists(app, newsroom):
    story = newsroom["first"]
    call(app, story.get_absolute_url())
    call(app, "/politics/")

    services.withdraw_story(newsroom["editor"], story, "Withdrawn: a forged document.")

    gone = call(app, story.get_absolute_url())
    assert gone.status == 410 and "a forged document" in gone.text
    assert "First politics story" not in call(app, "/politics/").text


def test_an_update_shows_at_once_and_an_unpublished_edit_never(app, newsroom):
    story, editor = newsroom["first"], newsroom["editor"]
    call(app, story.get_absolute_url())
    content = services.Content.of(story.latest_revision)
    content.headline = "Unpublished headline"
    services.save_story(editor, story, content, story.latest_revision_id)

    assert call(app, story.get_absolute_url()).outcome == "HIT"
    assert "Unpublished headline" not in call(app, story.get_absolute_url()).text

    services.publish_update(editor, story, "")
    assert "Unpublished headline" in call(app, story.get_absolute_url()).text


def test_a_scheduled_story_appears_at_its_time_through_a_warm_cache(app, newsroom, time_machine):
    story = make_story(
        "Scheduled story", desk=newsroom["politics"], status=Story.Status.READY, age=None
    )
    services.snapshot_revision(story)
    due = timezone.now() + timedelta(minutes=5)
    services.schedule_story(newsroom["editor"], story, due)
    before = call(app, "/")
    assert "Scheduled story" not in before.text
    assert call(app, "/").outcome == "HIT"

    time_machine.move_to(due + timedelta(seconds=1))

    after = call(app, "/")
    assert after.outcome == "MISS" and "Scheduled story" in after.text


def test_scheduling_keeps_every_cached_page_until_the_release(app, newsroom):
    pages = ["/", "/politics/", "/tag/iran/", "/feed/", "/sitemap.xml", "/politics/scoop/"]
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        before = {page: call(app, page).body for page in pages}
        story = make_story(
            "Embargoed scoop",
            slug="scoop",
            desk=newsroom["politics"],
            tags=[newsroom["iran"]],
            status=Story.Status.READY,
            age=None,
        )
        services.snapshot_revision(story)
        services.schedule_story(newsroom["editor"], story, start + timedelta(hours=1), embargo=True)

        # Nothing readers see changed, so nothing is rendered again (F3).
        assert {page: call(app, page).outcome for page in pages} == dict.fromkeys(pages, "HIT")

    with time_machine.travel(start + timedelta(hours=1, seconds=1), tick=False):
        after = {page: call(app, page) for page in pages}

    assert {page: answer.outcome for page, answer in after.items()} == dict.fromkeys(pages, "MISS")
    assert all(answer.body != before[page] for page, answer in after.items())
    assert b"Embargoed scoop" in after["/"].body


def test_the_cached_masthead_follows_roles_and_departures(app, newsroom):
    from masthead.backoffice.services import RoleGrant, edit_staff_account, set_staff_active
    from masthead.factories import make_staff
    from masthead.newsroom.models import StaffRole

    admin = make_staff(StaffRole.Role.ADMINISTRATOR)
    writer = make_staff(StaffRole.Role.WRITER, newsroom["politics"], username="reza")
    assert "Reza Person" in call(app, "/masthead/").text
    assert call(app, "/masthead/").outcome == "HIT"

    grants = [RoleGrant(StaffRole.Role.WRITER, newsroom["economy"])]
    edit_staff_account(
        admin, writer, full_name="Reza Person", email=writer.email, job_title="", grants=grants
    )
    staff = call(app, "/masthead/").text

    def on_desk(desk) -> bool:
        start = staff.index(f'id="staff-desk-{desk.pk}"')
        return "Reza Person" in staff[start : staff.index("</section>", start)]

    assert on_desk(newsroom["economy"]) and not on_desk(newsroom["politics"])

    set_staff_active(admin, writer, False)
    assert "Reza Person" not in call(app, "/masthead/").text


def test_staff_requests_never_enter_or_read_the_shared_cache(app, newsroom):
    staff = call(app, "/", cookie="sessionid=abc123; other=1")
    assert staff.outcome is None

    anonymous = call(app, "/")
    assert anonymous.outcome == "MISS"
    assert call(app, "/", cookie="sessionid=abc123").outcome is None
    assert call(app, "/", authorization="Bearer token").outcome is None


def test_responses_not_marked_public_are_not_stored(app, newsroom):
    from masthead.factories import make_preview_link

    token = make_preview_link(newsroom["first"].latest_revision)
    for _ in range(2):
        answer = call(app, f"/preview/{token}/")
        assert answer.status == 200 and answer.outcome is None
    assert call(app, "/admin/login/").outcome is None


def test_relative_times_are_true_on_a_cached_page(app, newsroom, monkeypatch):
    from masthead.site import page_cache

    call(app, newsroom["second"].get_absolute_url())
    later = timezone.now() + timedelta(hours=2)
    monkeypatch.setattr(page_cache, "refresh_relative_times", lambda body: refresh(body, later))
    for entry in app.store.entries.values():
        entry.fresh_second = -1  # as if the next second had begun

    hit = call(app, newsroom["second"].get_absolute_url())

    assert hit.outcome == "HIT"
    assert "data-relative>3 hours ago</time>" in hit.text  # the first story, 1 h + 2 h
    assert "1 hour ago</time>" not in hit.text


def refresh(body: bytes, now):
    from masthead.site.relative_time import refresh_relative_times

    return refresh_relative_times(body, now)


def test_conditional_get_and_head_on_a_hit(app, newsroom):
    call(app, "/")
    hit = call(app, "/")
    etag = hit.headers["ETag"]

    assert etag.startswith('W/"')
    not_modified = call(app, "/", if_none_match=etag)
    assert not_modified.status == 304 and not_modified.body == b""
    head = call(app, "/", method="HEAD")
    assert head.status == 200 and head.body == b""
    assert head.headers["Content-Length"] == str(len(hit.body))


def test_a_copy_and_a_new_render_later_carry_the_same_validators(app, newsroom):
    """Another process (a new PageCache) rendering the page fifteen minutes later gives
    the validators this process's copy carries, its rewritten relative times aside."""
    Story.objects.filter(pk=newsroom["first"].pk).update(
        published_at=timezone.now() - timedelta(minutes=1)
    )
    services.snapshot_revision(newsroom["first"])
    publish_new(newsroom, "Bump the front")
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        first = call(app, "/politics/")
    with time_machine.travel(start + timedelta(minutes=15), tick=False):
        hit = call(app, "/politics/")
        other_process = PageCache(WSGIHandler(), max_bytes=8 * 1024 * 1024, poll_seconds=0,
                                  shared=None)  # fmt: skip
        rendered = call(other_process, "/politics/")
        by_date = call(app, "/politics/", if_modified_since=first.headers["Last-Modified"])
        by_tag = call(other_process, "/politics/", if_none_match=first.headers["ETag"])

    assert (first.outcome, hit.outcome, rendered.outcome) == ("MISS", "HIT", "MISS")
    assert ">1 min ago</time>" in first.text and ">16 mins ago</time>" in rendered.text
    assert ">16 mins ago</time>" in hit.text
    for answer in (hit, rendered):
        assert answer.headers["ETag"] == first.headers["ETag"]
        assert answer.headers["Last-Modified"] == first.headers["Last-Modified"]
    assert by_date.status == 304 and by_date.body == b""
    assert by_tag.status == 304
    earlier = http_date(parse_http_date(first.headers["Last-Modified"]) - 1)
    assert call(app, "/politics/", if_modified_since=earlier).status == 200
    # If-None-Match, when sent, decides alone (RFC 9110 13.2.2).
    assert call(app, "/politics/", if_none_match='W/"other"',
                if_modified_since=first.headers["Last-Modified"]).status == 200  # fmt: skip


def test_unknown_addresses_are_cached_until_something_is_published(app, newsroom):
    assert call(app, "/politics/not-yet/").status == 404
    assert call(app, "/politics/not-yet/").outcome == "HIT"

    publish_new(newsroom, "Not yet")

    answer = call(app, "/politics/not-yet/")
    assert (answer.status, answer.outcome) == (200, "MISS")


def public_app(
    renders: list,
    gate: threading.Event | None = None,
    started: threading.Event | None = None,
):
    """A WSGI app answering like a public page: what the single-flight rules act on.

    A render sets ``started``, then waits for ``gate`` (if given) before it answers.
    """

    def app(environ, start_response):
        renders.append(environ["PATH_INFO"])
        if started is not None:
            started.set()
        if gate is not None:
            assert gate.wait(timeout=30), "the test never opened the gate"
        start_response(
            "200 OK",
            [
                ("Content-Type", "text/html; charset=utf-8"),
                ("Cache-Control", "public, max-age=60"),
                ("Surrogate-Key", "site front"),
            ],
        )
        return [f"<p>render {len(renders)}</p>".encode()]

    return app


def arrivals(app, expected: int) -> tuple[Callable, threading.Event]:
    """``app`` behind a door that counts requests; the event is set once ``expected`` came in."""
    count = itertools.count(1)
    everyone_in = threading.Event()

    def door(environ, start_response):
        if next(count) >= expected:
            everyone_in.set()
        return app(environ, start_response)

    return door, everyone_in


def mark_changed(cache: PageCache, scope: str) -> None:
    """What a poll does when it sees a bumped scope."""
    watch = cache.watch
    watch.changed_at_generation[scope] = watch.generation + 1
    watch.generation += 1


def quiet(cache: PageCache) -> PageCache:
    # Versions are set by hand in these tests: no polling (and no database) in threads.
    cache.watch.last_poll = clock.monotonic()
    cache.watch.poll_seconds = 3600
    return cache


def test_a_cold_page_is_rendered_once_for_concurrent_readers(settings):
    settings.PAGE_CACHE_WAIT_SECONDS = 60  # a bound for a broken test, never reached
    renders: list[str] = []
    gate = threading.Event()
    app = quiet(PageCache(public_app(renders, gate=gate), shared=None))
    door, everyone_in = arrivals(app, 6)
    results: list[Answer] = []
    threads = [threading.Thread(target=lambda: results.append(call(door, "/"))) for _ in range(6)]

    for thread in threads:
        thread.start()
    # The render goes on only once all six requests are in the cache, waiting for it.
    assert everyone_in.wait(timeout=30)
    gate.set()
    for thread in threads:
        thread.join(timeout=30)

    assert renders == ["/"]
    assert [r.status for r in results] == [200] * 6
    assert {r.text for r in results} == {"<p>render 1</p>"}
    assert sorted(r.outcome for r in results) == ["HIT"] * 5 + ["MISS"]


def test_readers_get_the_previous_copy_while_a_stale_page_re_renders():
    renders: list[str] = []
    gate, started = threading.Event(), threading.Event()
    app = quiet(PageCache(public_app(renders, gate=gate, started=started), shared=None))
    gate.set()
    assert call(app, "/").text == "<p>render 1</p>"
    gate.clear()
    started.clear()
    mark_changed(app, "front")

    leader: list[Answer] = []
    thread = threading.Thread(target=lambda: leader.append(call(app, "/")))
    thread.start()
    assert started.wait(timeout=30)  # the leader is rendering
    meanwhile = call(app, "/")
    gate.set()
    thread.join(timeout=30)

    assert (meanwhile.outcome, meanwhile.text) == ("STALE", "<p>render 1</p>")
    assert (leader[0].outcome, leader[0].text) == ("MISS", "<p>render 2</p>")
    assert call(app, "/").outcome == "HIT"


def test_a_change_to_another_scope_keeps_the_entry():
    renders: list[str] = []
    app = quiet(PageCache(public_app(renders), shared=None))
    call(app, "/")

    mark_changed(app, "desk:9")

    assert call(app, "/").outcome == "HIT"
    mark_changed(app, "site")
    assert call(app, "/").outcome == "MISS"


def test_two_servers_sharing_the_database_agree(newsroom):
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        one = PageCache(WSGIHandler(), poll_seconds=0, shared=None)
        two = PageCache(WSGIHandler(), poll_seconds=0, shared=None)
        for server in (one, two):
            call(server, "/")
            assert call(server, "/").outcome == "HIT"

        publish_new(newsroom, "Published through server one")

        assert "Published through server one" in call(one, "/").text
        assert "Published through server one" in call(two, "/").text
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_a_renamed_desk_refreshes_every_page(app, newsroom):
    call(app, "/economy/")
    desk = newsroom["politics"]
    desk.name = "Politics and Power"
    desk.save()

    answer = call(app, "/economy/")
    assert answer.outcome == "MISS" and "Politics and Power" in answer.text


def test_a_publish_renews_the_sitemap_of_its_month_and_the_index_only(app, newsroom):
    from datetime import UTC, datetime

    archive = make_story(
        "Archive piece", desk=newsroom["politics"], published_at=datetime(2024, 3, 5, tzinfo=UTC)
    )
    services.snapshot_revision(archive)
    march = "/sitemaps/stories-2024-03.xml"
    this_month = f"/sitemaps/stories-{timezone.now().astimezone(UTC):%Y-%m}.xml"
    for path in (march, this_month, "/sitemap.xml"):
        call(app, path)
        assert call(app, path).outcome == "HIT", path

    story = publish_new(newsroom, "Fresh sitemap entry")

    assert call(app, march).outcome == "HIT"
    renewed = call(app, this_month)
    assert renewed.outcome == "MISS" and story.slug in renewed.text
    assert call(app, "/sitemap.xml").outcome == "MISS"


# The key: host, path and the query parameters the page reads (RELIABILITY F2) --


def without_nonces(body: bytes) -> bytes:
    """The bytes of a page less what differs on every render by design (CSP nonces)."""
    return re.sub(rb' nonce="[^"]*"', b"", body)


def junk() -> str:
    return f"junk={uuid.uuid4().hex}"


def test_unknown_query_parameters_make_no_entry(app, newsroom):
    clean_render = call(PageCache(WSGIHandler(), shared=None, poll_seconds=0), "/politics/")

    cold = [call(app, f"/politics/?{junk()}") for _ in range(20)]

    assert [answer.status for answer in cold] == [200] * 20
    assert {without_nonces(answer.body) for answer in cold} == {without_nonces(clean_render.body)}
    assert app.store.entries == {} and app.store.used == 0

    clean = call(app, "/politics/")
    warm = [call(app, f"/politics/?{junk()}") for _ in range(20)]

    assert clean.outcome == "MISS"
    assert {(answer.outcome, answer.body) for answer in warm} == {("HIT", clean.body)}
    assert len(app.store.entries) == 1


@pytest.mark.parametrize(
    "poisoned",
    [
        "utm_source=newsletter;x=1",
        "utm_source=newsletter&utm_medium=email",
        "page=2",  # a parameter of other pages: this one reads none
        "=x&&",
        "x-http-method-override=POST",
    ],
)
def test_a_poisoned_query_changes_nothing_a_reader_gets(app, newsroom, poisoned):
    url = newsroom["first"].get_absolute_url()

    first = call(app, f"{url}?{poisoned}")
    normal = call(app, url)

    assert first.status == normal.status == 200
    assert without_nonces(first.body) == without_nonces(normal.body)
    assert normal.outcome == "MISS"  # the poisoned request stored nothing …
    assert call(app, f"{url}?{poisoned}").outcome == "HIT"  # … and gets the clean copy
    assert len(app.store.entries) == 1


@pytest.mark.parametrize(
    "header",
    [
        {"x_forwarded_host": "evil.example"},
        {"x_original_url": "/admin/"},
        {"x_http_method_override": "POST"},
        {"accept": "application/json"},
        {"accept_language": "fa"},
    ],
)
def test_unkeyed_headers_change_nothing_a_reader_gets(app, newsroom, header):
    poisoned = call(app, "/politics/", **header)
    normal = call(app, "/politics/")

    assert poisoned.status == normal.status == 200
    assert (normal.outcome, normal.body) == ("HIT", poisoned.body)
    assert "evil.example" not in normal.text


def test_the_query_parameters_a_page_reads_are_keyed_in_one_order(app, newsroom):
    for number in range(25):
        make_story(f"Older story {number}", desk=newsroom["politics"], age=timedelta(days=2))
    first_page = call(app, "/politics/")
    older = re.search(r'href="/politics/\?before=([^"]+)"', first_page.text).group(1)

    page_two = call(app, f"/politics/?before={older}")
    with_junk = call(app, f"/politics/?utm_source=x&before={older}")
    cold_with_junk = call(app, f"/politics/?after={older}&utm_source=x")

    assert page_two.outcome == "MISS" and "Older story" in page_two.text
    assert (with_junk.outcome, with_junk.body) == ("HIT", page_two.body)
    assert cold_with_junk.status == 200 and cold_with_junk.outcome is None  # rendered, not stored
    assert len(app.store.entries) == 2


def test_an_invalid_value_of_a_page_parameter_is_not_stored(app, newsroom):
    answers = [call(app, f"/politics/?before=not-a-cursor-{number}") for number in range(5)]

    assert {answer.status for answer in answers} == {404}
    assert app.store.entries == {}


# Recent Posts, the part every article shares --------------------------------


@pytest.fixture
def archive(newsroom):
    """Ten more stories, an hour apart: the oldest articles are in nobody's Recent Posts."""
    stories = [
        make_story(f"Archive story {n}", desk=newsroom["economy"], age=timedelta(hours=4 + n))
        for n in range(10)
    ]
    for story in stories:
        services.snapshot_revision(story)
    return stories


def counted_app(renders: list[str]) -> PageCache:
    django = WSGIHandler()

    def counted(environ, start_response):
        renders.append(environ["PATH_INFO"])
        return django(environ, start_response)

    return PageCache(counted, max_bytes=8 * 1024 * 1024, poll_seconds=0, shared=None)


def recent_posts_of(answer: Answer) -> str:
    return answer.text.split('class="recent-posts"', 1)[1].split("</section>", 1)[0]


def masked(answer: Answer) -> bytes:
    return mask_relative_times(answer.body)


def test_a_publish_renews_recent_posts_beside_every_article_with_one_render(
    live_requests, newsroom, archive, time_machine
):
    renders: list[str] = []
    app = counted_app(renders)
    old = [story.get_absolute_url() for story in archive[-4:]]
    before = {url: call(app, url) for url in old}
    renders.clear()

    # Some seconds later: Last-Modified counts whole seconds.
    time_machine.move_to(timezone.now() + timedelta(seconds=5))
    publish_new(newsroom, "Breaking: the budget passes")
    after = {url: call(app, url) for url in old}

    # One article is rendered again; the others get the Recent Posts it rendered.
    assert renders == [old[0]]
    assert [answer.outcome for answer in after.values()] == ["MISS", "HIT", "HIT", "HIT"]
    fresh = PageCache(WSGIHandler(), max_bytes=8 * 1024 * 1024, poll_seconds=0, shared=None)
    for url, answer in after.items():
        assert "Breaking: the budget passes" in recent_posts_of(answer)
        assert "Breaking: the budget passes" not in recent_posts_of(before[url])
        assert "X-Masthead-Part" not in answer.headers
        # Exactly what Django renders for the page now, with the same validators.
        rendered = call(fresh, url)
        assert masked(answer) == masked(rendered)
        assert answer.headers["ETag"] == rendered.headers["ETag"] != before[url].headers["ETag"]
        assert answer.headers["Last-Modified"] == rendered.headers["Last-Modified"]
        assert answer.headers["Content-Length"] == str(len(answer.body))
        # A reader holding the page of before gets the new one, by tag and by date.
        assert call(app, url, if_none_match=before[url].headers["ETag"]).status == 200
        since = before[url].headers["Last-Modified"]
        assert call(app, url, if_modified_since=since).status == 200
        assert call(app, url, if_none_match=answer.headers["ETag"]).status == 304
    assert renders == [old[0]]


def test_an_article_that_joins_recent_posts_gets_a_box_without_itself(
    live_requests, newsroom, archive
):
    """The seventh newest is in nobody's box until a newer story leaves: then its page
    must not be given the box the others now show, which lists it."""
    renders: list[str] = []
    app = counted_app(renders)
    newest_first = list(Story.objects.live().newest_first())
    seventh, eighth = newest_first[6], newest_first[7]
    for story in (seventh, eighth):
        assert seventh.headline not in recent_posts_of(call(app, story.get_absolute_url()))

    services.withdraw_story(newsroom["editor"], newest_first[0], "Withdrawn: a forged document.")
    renders.clear()
    other = call(app, eighth.get_absolute_url())  # renders the new box, which lists the seventh
    own = call(app, seventh.get_absolute_url())

    assert seventh.headline in recent_posts_of(other)
    assert own.outcome == "MISS" and renders == [
        eighth.get_absolute_url(),
        seventh.get_absolute_url(),
    ]
    assert seventh.headline not in recent_posts_of(own)
    assert newest_first[0].headline not in recent_posts_of(own)


def test_a_change_to_the_article_itself_is_rendered_not_spliced(live_requests, newsroom, archive):
    renders: list[str] = []
    app = counted_app(renders)
    story, other = archive[-1], archive[-2]
    call(app, story.get_absolute_url())
    call(app, other.get_absolute_url())

    Story.objects.filter(pk=story.pk).update(headline="A corrected headline")
    versions.bump(versions.story_scopes(Story.objects.get(pk=story.pk)))
    renders.clear()
    call(app, other.get_absolute_url())  # a new box (the bump touched the front)
    changed = call(app, story.get_absolute_url())

    assert changed.outcome == "MISS" and "A corrected headline" in changed.text
    assert renders == [other.get_absolute_url(), story.get_absolute_url()]


@pytest.mark.parametrize(
    "note",
    [
        "",
        "recent-posts:1",
        "recent-posts:1 scopes=site story=1 listed=",  # the site's scope is everyone's
        "recent-posts:1 scopes=desk:9 story=1 listed=",  # a scope the page does not show
        "recent-posts:1 scopes=front story=x listed=1",
        "recent-posts:1 scopes=front story=1 listed=1,,two",
    ],
)
def test_a_part_note_that_does_not_hold_marks_no_part(note):
    body = b"<p>a</p>" + PART_OPEN + b"<ol></ol>" + PART_CLOSE + b"<p>b</p>"
    scopes = frozenset({"site", "story:1", "front"})

    assert _hole_of(body, note, scopes, 1) is None


def test_a_part_is_marked_only_when_its_markers_are_there_once():
    note = "recent-posts:1 scopes=front story=1 listed=2,3"
    scopes = frozenset({"site", "story:1", "front"})
    body = b"<p>a</p>" + PART_OPEN + b"<ol></ol>" + PART_CLOSE + b"<p>b</p>"

    hole = _hole_of(body, note, scopes, 7)
    assert body[hole.start : hole.end] == b"<ol></ol>"
    assert (hole.story, hole.listed, hole.scopes, hole.generation) == (
        1, frozenset({2, 3}), frozenset({"front"}), 7,
    )  # fmt: skip
    assert _hole_of(body + PART_OPEN, note, scopes, 7) is None
    assert _hole_of(body.replace(PART_CLOSE, b""), note, scopes, 7) is None
    assert _hole_of(PART_CLOSE + b"x" + PART_OPEN, note, scopes, 7) is None


def test_a_render_begins_before_all_of_a_polls_changes_or_after_them(newsroom, monkeypatch):
    """A render that began while a poll was half applied read the new rows under the old
    generation: its copy was stale as it was stored, and the page was rendered twice."""
    from masthead.site import page_cache
    from masthead.site.page_cache import VersionWatch

    watch = VersionWatch(0)
    watch.refresh()
    seen_mid_poll = []
    real = page_cache.next_scheduled_change

    def and_a_render_begins(now):
        # Another thread's request begins a render while the poll asks the database.
        seen_mid_poll.append(watch.start_render(with_versions=True))
        return real(now)

    monkeypatch.setattr(page_cache, "next_scheduled_change", and_a_render_begins)
    before = watch.generation
    publish_new(newsroom, "A story published between two polls")
    watch.last_poll = 0
    watch.refresh()

    assert watch.generation > before
    generation, _draft, seen = seen_mid_poll[0]
    after = dict(watch.versions)
    # Begun mid-poll, it begins before the poll's changes: the old versions under the old
    # generation (never the new versions under the old generation).
    assert generation == before and seen != after


def test_without_a_page_cache_no_part_note_reaches_a_reader(client, newsroom, archive, settings):
    article = archive[-1].get_absolute_url()
    assert "X-Masthead-Part" in client.get(article).headers  # Django's note to the cache

    settings.PAGE_CACHE = False

    assert "X-Masthead-Part" not in client.get(article).headers


@pytest.mark.django_db
def test_a_slow_poll_is_logged_as_the_wait_it_was(manual_clock, monkeypatch, caplog):
    """The request that runs a poll waits for it: a slow database shows in the log."""
    from masthead.site import page_cache
    from masthead.site.page_cache import VersionWatch

    watch = VersionWatch(0)
    real = page_cache.VersionWatch._changed_rows

    def slow_database(self, now):
        manual_clock.advance(0.9)
        return real(self, now)

    watch.refresh()  # a quick one: nothing said
    assert "Polling the content versions" not in caplog.text
    monkeypatch.setattr(page_cache.VersionWatch, "_changed_rows", slow_database)
    manual_clock.advance(1)

    watch.refresh()

    assert "Polling the content versions took 0.90 s (the database was slow)" in caplog.text
