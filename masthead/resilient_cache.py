"""Django's RedisCache, made to degrade instead of fail when Redis is away.

A cache that is down must make Masthead slower, never wrong and never
failing: reads answer "not cached", writes are dropped, counters (rate
limits) count nothing, and one warning per minute says so. Redis errors are
only the connection kind (refused, reset, timed out); anything else still
raises. Configure with ``CACHE_URL=redis://…``; short socket timeouts keep
a dead Redis from stalling requests, and ``failed_within`` lets a caller
with a cheaper way round (the shared page cache) skip Redis for a few
seconds after a failure instead of paying a timeout on every request.
"""

from __future__ import annotations

import logging
import time
from functools import wraps

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
UNAVAILABLE = (RedisConnectionError, RedisTimeoutError, ConnectionError, TimeoutError)
_WARN_EVERY_SECONDS = 60


def _degrade(fallback):
    def decorate(method):
        @wraps(method)
        def wrapper(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except UNAVAILABLE:
                ResilientRedisCache._failed_at[self._location] = time.monotonic()
                self._warn(method.__name__)
                return fallback(*args, **kwargs) if callable(fallback) else fallback

        return wrapper

    return decorate


class ResilientRedisCache(RedisCache):
    _last_warning = 0.0
    # When each server last failed in this process (Django makes one cache
    # object per thread; they share this).
    _failed_at: dict[str, float] = {}

    def __init__(self, server, params):
        options = params.setdefault("OPTIONS", {})
        options.setdefault("socket_connect_timeout", 0.25)
        options.setdefault("socket_timeout", 0.5)
        super().__init__(server, params)
        self._location = str(server)

    def failed_within(self, seconds: float) -> bool:
        """Whether a call to this server failed in the last ``seconds``."""
        failed_at = ResilientRedisCache._failed_at.get(self._location)
        return failed_at is not None and time.monotonic() - failed_at < seconds

    def _warn(self, operation: str) -> None:
        now = time.monotonic()
        if now - ResilientRedisCache._last_warning > _WARN_EVERY_SECONDS:
            ResilientRedisCache._last_warning = now
            logger.warning("cache unavailable (%s): serving without it", operation, exc_info=True)

    get = _degrade(lambda key, default=None, version=None: default)(RedisCache.get)
    get_many = _degrade({})(RedisCache.get_many)
    has_key = _degrade(False)(RedisCache.has_key)
    set = _degrade(None)(RedisCache.set)
    set_many = _degrade(lambda data, *a, **k: list(data))(RedisCache.set_many)
    add = _degrade(False)(RedisCache.add)
    touch = _degrade(False)(RedisCache.touch)
    delete = _degrade(False)(RedisCache.delete)
    delete_many = _degrade(None)(RedisCache.delete_many)
    incr = _degrade(lambda key, delta=1, version=None: delta)(RedisCache.incr)
    decr = _degrade(lambda key, delta=1, version=None: -delta)(RedisCache.decr)
    clear = _degrade(None)(RedisCache.clear)
