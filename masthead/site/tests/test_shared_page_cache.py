"""The shared level of the page cache: one render per page per change across processes.

Two ``PageCache`` objects stand for two server processes: each has its own
memory and its own view of the content versions, and they share one Redis,
as the workers of several app servers do. The Redis is the one ``CACHE_URL``
names when it is Redis (the PostgreSQL + Redis pass, where these tests fail
if it does not answer), otherwise the local one (``TEST_REDIS_URL``, by
default ``redis://127.0.0.1:6379/0``, skipped with the reason when none
answers); each test writes under a key prefix of its own and removes it
afterwards.
"""

from __future__ import annotations

import pickle
import threading
import time
import uuid
from datetime import timedelta

import pytest
import redis
import time_machine
from django.core.handlers.wsgi import WSGIHandler
from django.utils import timezone

from masthead import clock
from masthead.factories import editor_of, make_desk, make_story, make_tag
from masthead.resilient_cache import BACKEND, ResilientRedisCache
from masthead.site.page_cache import PageCache, SharedPages
from masthead.site.tests.test_page_cache import (
    Answer,
    arrivals,
    call,
    environ_of,
    public_app,
    publish_new,
    without_nonces,
)
from masthead.stories import services, versions
from masthead.stories.models import Story

CLOSED_PORT_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1 of loopback


@pytest.fixture
def redis_cache(redis_url):
    """A cache on the test's Redis (conftest.redis_url), under a key prefix of its own.

    Its calls wait up to 5 s, not production's quarter second: these tests are
    about what processes share, and on a loaded CI machine one slow answer would
    open the breaker and make a process render alone (which is right in
    production; a hung and a stopped Redis are in masthead/tests/test_resilient_cache.py).
    """
    client = redis.Redis.from_url(redis_url)
    prefix = f"test-shared-{uuid.uuid4().hex}"
    patient = {"socket_timeout": 5, "socket_connect_timeout": 5}
    try:
        yield ResilientRedisCache(redis_url, {"KEY_PREFIX": prefix, "OPTIONS": patient})
    finally:
        for key in client.scan_iter(match=f"{prefix}:*"):
            client.delete(key)
        client.close()


def stored_keys(cache: ResilientRedisCache) -> list[str]:
    client = redis.Redis.from_url(cache.location)
    try:
        return sorted(key.decode() for key in client.scan_iter(match=f"{cache.key_prefix}:*"))
    finally:
        client.close()


def shared_level(cache, **overrides) -> SharedPages:
    shared = SharedPages(cache, max_bytes=1024 * 1024, timeout=600, wait_seconds=1.0)
    for name, value in overrides.items():
        setattr(shared, name, value)
    return shared


def counting(app, renders: list[str]):
    def counted(environ, start_response):
        renders.append(environ["PATH_INFO"])
        return app(environ, start_response)

    return counted


@pytest.fixture
def newsroom(db):
    politics = make_desk("Politics")
    iran = make_tag("Iran")
    first = make_story("First politics story", desk=politics, tags=[iran])
    services.snapshot_revision(first)
    return {"politics": politics, "iran": iran, "first": first, "editor": editor_of(politics)}


@pytest.fixture
def servers(redis_cache, live_requests, newsroom):
    """Two server processes sharing the database and Redis, and the renders they make."""
    renders: list[str] = []
    django = counting(WSGIHandler(), renders)
    one = PageCache(django, poll_seconds=0, shared=shared_level(redis_cache))
    two = PageCache(django, poll_seconds=0, shared=shared_level(redis_cache))
    return one, two, renders


# One render per page per change ---------------------------------------------


def test_a_page_rendered_by_one_server_is_served_by_the_other(servers):
    one, two, renders = servers

    first = call(one, "/")
    from_one = call(two, "/")
    again = call(two, "/")

    assert (first.outcome, from_one.outcome, again.outcome) == ("MISS", "SHARED", "HIT")
    assert renders == ["/"]
    assert from_one.body == first.body and "First politics story" in from_one.text
    assert from_one.headers["ETag"] == first.headers["ETag"]
    assert from_one.headers["X-Frame-Options"] == "DENY"
    assert call(two, "/", if_none_match=first.headers["ETag"]).status == 304


def test_after_a_publish_only_one_server_renders_each_page(servers, newsroom):
    one, two, renders = servers
    pages = ["/", "/politics/", "/tag/iran/", newsroom["first"].get_absolute_url()]
    for page in pages:
        call(one, page)
        assert call(two, page).outcome == "SHARED"
    renders.clear()

    publish_new(newsroom, "Breaking politics story")

    for page in pages:
        rendered, shared = call(one, page), call(two, page)
        assert (rendered.outcome, shared.outcome) == ("MISS", "SHARED")
        assert "Breaking politics story" in shared.text
    assert renders == pages


def test_recent_posts_renewed_on_one_server_reach_the_others_articles(servers, newsroom):
    """Articles carry their shared part (Recent Posts) across processes: after a publish,
    one render in all gives both servers the new box for every article of the edition."""
    one, two, renders = servers
    older = [
        make_story(f"Older story {n}", desk=newsroom["politics"], age=timedelta(days=1, hours=n))
        for n in range(9)
    ]
    pages = [story.get_absolute_url() for story in older[-3:]]
    for page in pages:
        call(one, page)
        assert call(two, page).outcome == "SHARED"
    renders.clear()

    publish_new(newsroom, "Breaking politics story")
    on_one = [call(one, page) for page in pages]
    on_two = [call(two, page) for page in pages]

    assert renders == [pages[0]]
    assert [a.outcome for a in on_one] == ["MISS", "HIT", "HIT"]
    assert [a.outcome for a in on_two] == ["SHARED", "HIT", "HIT"]
    for answer in (*on_one, *on_two):
        assert "Breaking politics story" in answer.text
    assert [a.headers["ETag"] for a in on_one] == [a.headers["ETag"] for a in on_two]


def test_a_stale_shared_copy_is_never_served_as_fresh(servers, newsroom):
    one, two, renders = servers
    call(one, "/politics/")

    publish_new(newsroom, "Breaking politics story")

    # Server two has never shown the page; the only copy there is is old.
    answer = call(two, "/politics/")
    assert answer.outcome == "MISS" and "Breaking politics story" in answer.text
    assert renders == ["/politics/", "/politics/"]
    # And server one takes the new copy rather than its own old one.
    assert call(one, "/politics/").outcome == "SHARED"


def test_a_copy_from_a_server_that_had_not_seen_a_publish_is_not_taken(servers, newsroom):
    one, two, renders = servers
    call(one, "/")
    call(two, "/")
    # Server one's next poll is late: it has not seen the publish yet.
    one.watch.poll_seconds, one.watch.last_poll = 3600, clock.monotonic()

    publish_new(newsroom, "Breaking politics story")

    assert call(one, "/tag/iran/").outcome == "MISS"
    answer = call(two, "/tag/iran/")
    assert answer.outcome == "MISS" and "Breaking politics story" in answer.text
    assert renders == ["/", "/tag/iran/", "/tag/iran/"]


@pytest.mark.django_db
def test_a_page_whose_scopes_change_during_its_render_is_not_shared(redis_cache):
    renders: list[str] = []
    page = public_app(renders)

    def publishing_meanwhile(environ, start_response):
        answer = page(environ, start_response)
        if len(renders) == 1:
            versions.bump(["front"])  # a publish commits while the page renders …
            one.watch.refresh()  # … and another thread of this process polls
        return answer

    one = PageCache(publishing_meanwhile, poll_seconds=0, shared=shared_level(redis_cache))
    two = PageCache(publishing_meanwhile, poll_seconds=0, shared=shared_level(redis_cache))

    assert call(one, "/").text == "<p>render 1</p>"
    answer = call(two, "/")
    assert (answer.outcome, answer.text) == ("MISS", "<p>render 2</p>")
    again = call(one, "/")
    assert (again.outcome, again.text) == ("SHARED", "<p>render 2</p>")


def test_a_scheduled_story_is_not_hidden_by_a_copy_made_before_its_time(
    servers, newsroom, time_machine
):
    one, two, renders = servers
    call(one, "/")
    story = make_story("Scheduled story", desk=newsroom["politics"], status=Story.Status.READY,
                       age=None)  # fmt: skip
    services.snapshot_revision(story)
    due = timezone.now() + timedelta(minutes=5)
    services.schedule_story(newsroom["editor"], story, due)
    before = call(one, "/")
    # Scheduling changed nothing readers see: the copy stands (F3).
    assert before.outcome == "HIT" and "Scheduled story" not in before.text

    time_machine.move_to(due + timedelta(seconds=1))

    after = call(two, "/")
    assert after.outcome == "MISS" and "Scheduled story" in after.text
    assert renders == ["/", "/"]


def test_a_copy_made_before_a_story_was_scheduled_is_not_taken_after_its_time(servers, newsroom):
    one, two, renders = servers
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert call(one, "/").outcome == "MISS"
        assert call(two, "/").outcome == "SHARED"
        story = make_story("Scheduled story", desk=newsroom["politics"],
                           status=Story.Status.READY, age=None)  # fmt: skip
        services.snapshot_revision(story)
        services.schedule_story(newsroom["editor"], story, start + timedelta(hours=1), embargo=True)
        # Nothing public changed: both keep their copies, nobody renders.
        assert [call(server, "/").outcome for server in (one, two)] == ["HIT", "HIT"]
        assert renders == ["/"]

    with time_machine.travel(start + timedelta(hours=1, seconds=1), tick=False):
        after = call(two, "/")
        again = call(one, "/")

    assert after.outcome == "MISS" and "Scheduled story" in after.text
    assert again.outcome == "SHARED" and "Scheduled story" in again.text


def test_a_server_started_later_uses_copies_made_before_it_started(
    redis_cache, live_requests, newsroom
):
    renders: list[str] = []
    django = counting(WSGIHandler(), renders)
    one = PageCache(django, poll_seconds=0, shared=shared_level(redis_cache))
    publish_new(newsroom, "Breaking politics story")
    call(one, "/")

    started_later = PageCache(django, poll_seconds=0, shared=shared_level(redis_cache))

    answer = call(started_later, "/")
    assert answer.outcome == "SHARED" and "Breaking politics story" in answer.text
    assert renders == ["/"]


# Single flight across processes ---------------------------------------------


def watching(cache: PageCache) -> PageCache:
    """A process whose version poll has run, with versions set by hand from here on.

    As in test_page_cache.quiet: no polling (and no database) in threads.
    """
    now = timezone.now()
    watch = cache.watch
    watch.polled_until, watch.known_since = now, now - timedelta(hours=1)
    watch.last_poll, watch.poll_seconds = clock.monotonic(), 3600
    return cache


def see_change(cache: PageCache, scope: str, counter: int, when) -> None:
    """What a poll does when it sees a bumped scope."""
    watch = cache.watch
    watch.changed_at_generation[scope] = watch.generation + 1
    watch.versions[scope] = (counter, when)
    watch.generation += 1
    watch.polled_until = timezone.now()


def in_threads(*requests) -> list[Answer]:
    """Run each (cache, path) request at once, one thread each; answers in order."""
    answers: list[Answer | None] = [None] * len(requests)

    def run(index, cache, path):
        answers[index] = call(cache, path)

    threads = [
        threading.Thread(target=run, args=(index, cache, path))
        for index, (cache, path) in enumerate(requests)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return answers


def test_a_cold_page_is_rendered_once_across_processes(redis_cache, settings):
    # Bounds for a broken test, never reached: the waits end when the copy comes.
    settings.PAGE_CACHE_WAIT_SECONDS = 60
    renders: list[str] = []
    gate = threading.Event()
    app = public_app(renders, gate=gate)
    # The lock outlives the wait for six threads on a loaded machine.
    patient = {"wait_seconds": 60, "lock_seconds": 60}
    one = watching(PageCache(app, shared=shared_level(redis_cache, **patient)))
    two = watching(PageCache(app, shared=shared_level(redis_cache, **patient)))
    door_one, all_in_one = arrivals(one, 3)
    door_two, all_in_two = arrivals(two, 3)

    def open_when_all_are_in():
        # The render goes on only once all six requests are in the two processes.
        if all_in_one.wait(timeout=30) and all_in_two.wait(timeout=30):
            gate.set()

    opener = threading.Thread(target=open_when_all_are_in)
    opener.start()
    answers = in_threads(*[(door_one, "/")] * 3, *[(door_two, "/")] * 3)
    opener.join(timeout=30)

    assert renders == ["/"]
    assert [answer.status for answer in answers] == [200] * 6
    assert {answer.text for answer in answers} == {"<p>render 1</p>"}
    assert {answer.outcome for answer in answers} <= {"MISS", "SHARED", "HIT"}


def test_other_processes_serve_their_copy_while_one_re_renders(redis_cache):
    renders: list[str] = []
    gate, started = threading.Event(), threading.Event()
    app = public_app(renders, gate=gate, started=started)
    one = watching(PageCache(app, shared=shared_level(redis_cache)))
    two = watching(PageCache(app, shared=shared_level(redis_cache)))
    gate.set()
    assert call(one, "/").outcome == "MISS"
    assert call(two, "/").outcome == "SHARED"
    gate.clear()
    started.clear()
    published_at = timezone.now()
    for server in (one, two):
        see_change(server, "front", 2, published_at)

    leader: list[Answer] = []
    thread = threading.Thread(target=lambda: leader.append(call(one, "/")))
    thread.start()
    assert started.wait(timeout=30)  # process one is rendering, under the lock
    meanwhile = call(two, "/")
    gate.set()
    thread.join(timeout=30)

    assert (meanwhile.outcome, meanwhile.text) == ("STALE", "<p>render 1</p>")
    assert (leader[0].outcome, leader[0].text) == ("MISS", "<p>render 2</p>")
    after = call(two, "/")
    assert (after.outcome, after.text) == ("SHARED", "<p>render 2</p>")
    assert len(renders) == 2


def test_a_lock_left_by_a_crashed_renderer_expires(redis_cache, manual_clock):
    renders: list[str] = []
    app = public_app(renders)
    shared = shared_level(redis_cache, lock_seconds=2, wait_seconds=0.3)
    two = watching(PageCache(app, shared=shared))
    key = PageCache._key(environ_of("/"))[0]
    # A process took the lock for "/" and died before it rendered or let go.
    assert shared.lock(key)

    started = manual_clock.monotonic()
    waited = call(two, "/")
    waited_for = manual_clock.monotonic() - started

    # It waited for a copy that never came, as long as the wait and no longer, then rendered.
    assert (waited.status, waited.outcome, waited.text) == (200, "MISS", "<p>render 1</p>")
    bounds = (shared.wait_seconds, shared.wait_seconds + shared.poll_seconds)
    assert bounds[0] - 1e-6 <= waited_for <= bounds[1] + 1e-6  # (sums of 0.05 s are inexact)
    assert shared.get_while_rendering(key)[1], "the dead renderer's lock is still there"
    client = redis.Redis.from_url(redis_cache.location)
    try:
        lifetime_ms = client.pttl(redis_cache.make_key(shared._keys(key)[1]))
    finally:
        client.close()
    assert 0 < lifetime_ms <= shared.lock_seconds * 1000, "the lock expires after its lifetime"


def test_a_stale_copy_is_served_no_longer_than_the_wait_while_a_lock_is_held(redis_cache):
    # The two-server stalls (docs/bench-phases.md): under CPU starvation a Redis
    # ``SET NX`` can be carried out after the client gave up on it, and the lock
    # then stays for ``lock_seconds`` with nobody rendering. Every process would
    # serve the old page that long; after ``wait_seconds`` one renders instead.
    renders: list[str] = []
    app = public_app(renders)
    shared = shared_level(redis_cache, wait_seconds=1.0)
    one = watching(PageCache(app, shared=shared))
    two = watching(PageCache(app, shared=shared))
    assert call(one, "/").outcome == "MISS"
    assert call(two, "/").outcome == "SHARED"
    published_at = timezone.now()
    for server in (one, two):
        see_change(server, "front", 2, published_at)
    key = PageCache._key(environ_of("/"))[0]
    lock_key = shared._keys(key)[1]
    assert shared.lock(key)  # and nobody renders

    at_once = call(two, "/")
    # The same lock, as if taken 1.5 s ago (no sleep: a loaded machine cannot make it flaky).
    redis_cache.set(lock_key, time.time() - 1.5, shared.lock_seconds)
    later = call(two, "/")

    assert (at_once.outcome, at_once.text) == ("STALE", "<p>render 1</p>")
    assert (later.outcome, later.text) == ("MISS", "<p>render 2</p>")
    assert (call(one, "/").outcome, len(renders)) == ("SHARED", 2)
    assert shared.rendering_for(key) >= 1.5, "the lock is its taker's to let go"


def test_a_failed_render_lets_go_of_the_lock(redis_cache):
    def broken(environ, start_response):
        raise RuntimeError("the template is broken")

    shared = shared_level(redis_cache)
    one = watching(PageCache(broken, shared=shared))

    with pytest.raises(RuntimeError):
        call(one, "/")

    key = PageCache._key(environ_of("/"))[0]
    assert shared.get_while_rendering(key) == (None, False)


def test_a_head_request_takes_no_lock_and_stores_nothing(redis_cache):
    renders: list[str] = []
    one = watching(PageCache(public_app(renders), shared=shared_level(redis_cache)))

    head = call(one, "/", method="HEAD")

    assert head.status == 200 and head.body == b""
    assert stored_keys(redis_cache) == []


# A cache that is down, or none to share ------------------------------------


@pytest.mark.django_db
def test_pages_are_right_when_the_shared_cache_is_down(settings, live_requests, newsroom):
    settings.CACHES = {
        "default": {"BACKEND": "masthead.resilient_cache.ResilientRedisCache",
                    "LOCATION": CLOSED_PORT_REDIS},
    }  # fmt: skip
    renders: list[str] = []
    server = PageCache(counting(WSGIHandler(), renders), poll_seconds=0)
    assert server.shared is not None

    first, second = call(server, "/"), call(server, "/")
    publish_new(newsroom, "Breaking politics story")
    third = call(server, "/")

    assert [first.outcome, second.outcome, third.outcome] == ["MISS", "HIT", "MISS"]
    assert first.status == third.status == 200
    assert "First politics story" in first.text and "Breaking politics story" in third.text
    assert renders == ["/", "/"]
    assert server.shared.is_down()  # so later misses do not even try it


def test_a_per_process_cache_has_no_shared_level(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert PageCache(public_app([])).shared is None
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    assert PageCache(public_app([])).shared is None


def test_redis_gives_a_shared_level_unless_turned_off(settings):
    settings.CACHES = {
        "default": {"BACKEND": "masthead.resilient_cache.ResilientRedisCache",
                    "LOCATION": CLOSED_PORT_REDIS},
    }  # fmt: skip
    assert isinstance(PageCache(public_app([])).shared, SharedPages)
    settings.PAGE_CACHE_SHARED = False
    assert PageCache(public_app([])).shared is None


# What is never shared ---------------------------------------------------------


def answering(status: str, headers: list[tuple[str, str]], body: bytes, renders: list[str]):
    def app(environ, start_response):
        renders.append(environ["PATH_INFO"])
        start_response(status, headers)
        return [body]

    return app


PUBLIC = [
    ("Content-Type", "text/html; charset=utf-8"),
    ("Cache-Control", "public, max-age=60"),
    ("Surrogate-Key", "site front"),
]


@pytest.mark.parametrize(
    "headers, body",
    [
        pytest.param(PUBLIC, b"x" * 20_000, id="larger than the shared limit"),
        pytest.param([*PUBLIC, ("Set-Cookie", "sessionid=abc")], b"<p>mine</p>", id="cookie"),
        pytest.param(
            [("Cache-Control", "private"), ("Surrogate-Key", "site")], b"<p>x</p>", id="private"
        ),
        pytest.param([("Cache-Control", "public")], b"<p>x</p>", id="no scopes"),
        pytest.param([*PUBLIC, ("Vary", "Accept-Language")], b"<p>x</p>", id="varies"),
    ],
)
def test_responses_the_cache_refuses_are_not_shared(redis_cache, headers, body):
    renders: list[str] = []
    app = answering("200 OK", headers, body, renders)
    one = watching(PageCache(app, shared=shared_level(redis_cache, max_bytes=10_000)))
    two = watching(PageCache(app, shared=shared_level(redis_cache, max_bytes=10_000)))

    call(one, "/")
    answer = call(two, "/")

    assert answer.body == body and answer.outcome != "SHARED"
    assert renders == ["/", "/"]
    assert stored_keys(redis_cache) == []


def test_staff_requests_never_read_or_fill_the_shared_level(redis_cache):
    renders: list[str] = []
    one = watching(PageCache(public_app(renders), shared=shared_level(redis_cache)))

    staff = call(one, "/", cookie="sessionid=abc123")
    token = call(one, "/", authorization="Bearer token")

    assert staff.outcome is None and token.outcome is None
    assert stored_keys(redis_cache) == []


def test_keys_in_the_shared_cache_are_digests_of_the_address(redis_cache):
    renders: list[str] = []
    one = watching(PageCache(public_app(renders), shared=shared_level(redis_cache)))
    hostile = "/" + "é\r\nSET x 1 " * 300

    call(one, hostile)

    [key] = stored_keys(redis_cache)
    assert key.startswith(f"{redis_cache.key_prefix}:1:page:")
    digest = key.rsplit(":", 1)[1]
    assert len(digest) == 40 and all(c in "0123456789abcdef" for c in digest)


def test_a_garbled_shared_value_is_ignored(redis_cache):
    renders: list[str] = []
    app = public_app(renders)
    one = watching(PageCache(app, shared=shared_level(redis_cache)))
    call(one, "/")
    [key] = stored_keys(redis_cache)
    client = redis.Redis.from_url(redis_cache.location)
    try:
        for garbage in (("not", "an", "entry"), {"body": 1}, (99, *range(9))):
            client.set(key, pickle.dumps(garbage))
            fresh = watching(PageCache(app, shared=shared_level(redis_cache)))
            answer = call(fresh, "/")
            assert answer.status == 200 and answer.outcome == "MISS"
    finally:
        client.close()


# Unknown query parameters (RELIABILITY F2) -------------------------------------


def test_unknown_query_parameters_add_nothing_to_redis(
    settings, redis_cache, live_requests, newsroom
):
    # Django's own cache (fragments, Last-Modified records) on the same Redis and prefix.
    settings.CACHES = {
        "default": {
            "BACKEND": BACKEND,
            "LOCATION": redis_cache.location,
            "KEY_PREFIX": redis_cache.key_prefix,
        }
    }
    one = PageCache(WSGIHandler(), poll_seconds=0, shared=shared_level(redis_cache))
    clean = call(one, "/politics/")
    keys = stored_keys(redis_cache)
    # A process that has no copy of the page: each of these is rendered by Django.
    two = PageCache(WSGIHandler(), poll_seconds=0, shared=shared_level(redis_cache))

    flood = [call(two, f"/politics/?junk={uuid.uuid4().hex}") for _ in range(20)]
    flood += [call(two, "/politics/?utm_source=x;x=1"), call(two, "/politics/?page=1&junk=1")]

    assert {answer.status for answer in flood} <= {200, 301}
    assert {without_nonces(answer.body) for answer in flood if answer.status == 200} == {
        without_nonces(clean.body)
    }
    assert any(key.startswith(f"{redis_cache.key_prefix}:1:page:") for key in keys)
    assert stored_keys(redis_cache) == keys
