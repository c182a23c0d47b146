"""A cache that is down makes Masthead slower, never wrong or failing."""

from __future__ import annotations

import pytest
from django.core.cache import caches

from masthead.factories import make_story

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
