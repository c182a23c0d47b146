"""A cache that is down makes Masthead slower, never wrong or failing."""

from __future__ import annotations

import pytest
import redis
from django.core.cache import caches

from masthead.api.services import issue_token
from masthead.factories import editor_of, make_desk, make_story
from masthead.fault_servers import HungServer
from masthead.resilient_cache import BACKEND, DOWN_SECONDS
from masthead.stories import services

DEAD_REDIS = {
    "default": {
        # Nothing listens on port 1 of loopback: every connection is refused.
        "BACKEND": "masthead.resilient_cache.ResilientRedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
    }
}


def test_operations_degrade_to_not_cached(settings):
    settings.CACHES = DEAD_REDIS
    cache = caches["default"]

    assert cache.get("k", "fallback") == "fallback"
    assert cache.get_many(["a", "b"]) == {}
    assert cache.add("k", 1) is False
    cache.set("k", 1)
    cache.delete("k")
    assert cache.incr("hits") == 1
    assert not cache.has_key("k")


@pytest.mark.django_db
def test_pages_are_served_while_the_cache_is_down(settings, client):
    settings.CACHES = DEAD_REDIS
    story = make_story("Still readable")

    for url in ("/", story.get_absolute_url()):
        response = client.get(url)
        assert response.status_code == 200
        assert "Still readable" in response.content.decode()


# A hung Redis: it accepts connections and never answers (RELIABILITY.md L6) ---


@pytest.fixture
def hung_redis(settings):
    with HungServer() as server:
        settings.CACHES = {
            "default": {
                "BACKEND": BACKEND,
                "LOCATION": server.url,
            }
        }
        yield server


@pytest.fixture
def newsroom():
    desk = make_desk("Politics")
    stories = [make_story(f"Story {number}", desk=desk) for number in range(3)]
    for story in stories:
        services.snapshot_revision(story)
    return {"desk": desk, "story": stories[0], "editor": editor_of(desk)}


@pytest.mark.django_db
def test_a_hung_redis_is_waited_for_once_then_left_alone(settings, client, hung_redis, newsroom):
    settings.API_PUBLIC_RATE_LIMIT = "1000/min"  # so public API reads count in the cache too
    token = issue_token(newsroom["editor"], "wire").raw
    story = newsroom["story"]

    answers = [
        client.get(url)
        for url in ("/sitemap.xml", "/", "/politics/", story.get_absolute_url(), "/api/stories")
    ]
    answers.append(
        client.get(f"/api/desk/stories/{story.pk}", headers={"Authorization": f"Bearer {token}"})
    )

    assert [answer.status_code for answer in answers] == [200] * 6
    assert "Story 0" in answers[2].content.decode()
    # One call waited for the hung server's timeout; every later one went without it.
    assert hung_redis.connections() == 1


@pytest.mark.django_db
def test_a_hung_redis_is_tried_again_once_a_while(settings, client, hung_redis, manual_clock):
    cache = caches["default"]
    assert cache.get("k", "fallback") == "fallback"
    assert cache.is_down()

    for _ in range(20):
        cache.set("k", 1)
        assert cache.get("k", "fallback") == "fallback"
    assert hung_redis.connections() == 1

    manual_clock.advance(DOWN_SECONDS)
    assert not cache.is_down()  # the next call may try
    assert cache.get("k", "fallback") == "fallback"
    assert cache.incr("hits") == 1
    assert cache.is_down()
    assert hung_redis.connections() == 2


def test_a_redis_that_answers_again_is_used_again(settings, redis_url, manual_clock):
    address = redis.Redis.from_url(redis_url).connection_pool.connection_kwargs
    with HungServer() as hung:
        settings.CACHES = {
            "default": {"BACKEND": BACKEND, "LOCATION": hung.url, "KEY_PREFIX": "recovers"},
        }
        cache = caches["default"]
        cache.set("story", "first", 60)  # waits, fails: the breaker opens
        hung.recover((address["host"], address["port"]))

        assert cache.get("story", "missed") == "missed"  # not tried: still open
        manual_clock.advance(DOWN_SECONDS)
        cache.set("story", "second", 60)  # tried: Redis answers, the breaker closes

        assert not cache.is_down()
        assert cache.get("story") == "second"
        assert hung.connections() == 2  # the failed call, and one kept for the rest
        cache.delete("story")
