"""Django's RedisCache, made to degrade instead of fail when Redis is away or hung.

A cache that is down must make Masthead slower, never wrong and never
failing: reads answer "not cached", writes are dropped, counters (rate
limits) count nothing, and one warning per minute says so. Redis errors are
only the connection kind (refused, reset, timed out); anything else still
raises. Configure with ``CACHE_URL=redis://…``.

A Redis that refuses connections costs nothing; one that accepts and never
answers (hung, or starved of CPU) costs a socket timeout per call, and a
page makes several calls (fragments, sitemap summaries, Last-Modified
records, rate limits, the shared page cache). So every call goes through a
**circuit breaker**, one per Redis server and process: after a call fails,
no call is made for ``DOWN_SECONDS`` (each answers at once as if Redis had
failed); then one call tries again, and its success closes the breaker. A
hung Redis thus costs one timeout (``SOCKET_TIMEOUT``, connects
``CONNECT_TIMEOUT``), without retries, and then nothing until it is tried
again. Callers with a cheaper way round ask ``is_down()`` (the shared page
cache then renders without taking a lock).
"""

from __future__ import annotations

import logging
import threading
from functools import wraps

from django.core.cache.backends.redis import RedisCache
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry

from masthead import clock

logger = logging.getLogger(__name__)
UNAVAILABLE = (RedisConnectionError, RedisTimeoutError, ConnectionError, TimeoutError)
_WARN_EVERY_SECONDS = 60
# The dotted path of the backend, as settings.CACHES names it.
BACKEND = f"{__name__}.ResilientRedisCache"
# RELIABILITY.md L6: no request waits on Redis for more than a quarter second.
CONNECT_TIMEOUT = 0.25
SOCKET_TIMEOUT = 0.25
# After a call fails, go without Redis this long before trying it again.
DOWN_SECONDS = 5.0


class CircuitBreaker:
    """Whether calls to one server may go out: shut after a failure, for ``down_seconds``.

    Closed, a call costs one attribute read. Open, every call is refused until
    ``down_seconds`` after the last failure; then exactly one call goes out
    (the others are still refused while it is under way), and how it ends
    closes the breaker or opens it again.
    """

    def __init__(self, down_seconds: float):
        self.down_seconds = down_seconds
        self.failures = 0  # since the process started
        self._failed_at: float | None = None
        self._trying = False
        self._lock = threading.Lock()

    def allows(self) -> bool:
        if self._failed_at is None:
            return True
        with self._lock:
            if self._failed_at is None:
                return True
            if self._trying or clock.monotonic() - self._failed_at < self.down_seconds:
                return False
            self._trying = True
            return True

    def is_open(self) -> bool:
        """Whether a call made now would be refused."""
        failed_at = self._failed_at
        if failed_at is None:
            return False
        return self._trying or clock.monotonic() - failed_at < self.down_seconds

    def succeeded(self) -> None:
        if self._failed_at is None and not self._trying:
            return
        with self._lock:
            self._failed_at, self._trying = None, False

    def failed(self) -> None:
        with self._lock:
            self._failed_at, self._trying = clock.monotonic(), False
            self.failures += 1


def _degrade(fallback):
    def decorate(method):
        @wraps(method)
        def wrapper(self, *args, **kwargs):
            breaker = self.breaker
            if breaker.allows():
                try:
                    result = method(self, *args, **kwargs)
                except UNAVAILABLE:
                    breaker.failed()
                    self._warn(method.__name__)
                except BaseException:
                    breaker.succeeded()  # Redis answered (a missing key, say)
                    raise
                else:
                    breaker.succeeded()
                    return result
            return fallback(*args, **kwargs) if callable(fallback) else fallback

        return wrapper

    return decorate


class ResilientRedisCache(RedisCache):
    _last_warning = -float("inf")
    # One breaker per server per process: Django makes one cache object per
    # thread, and they share these.
    _breakers: dict[str, CircuitBreaker] = {}
    _breakers_lock = threading.Lock()

    def __init__(self, server, params):
        options = params.setdefault("OPTIONS", {})
        options.setdefault("socket_connect_timeout", CONNECT_TIMEOUT)
        options.setdefault("socket_timeout", SOCKET_TIMEOUT)
        # A call that timed out is not sent again: the breaker decides when to try.
        options.setdefault("retry", Retry(NoBackoff(), 0))
        super().__init__(server, params)
        self.location = str(server)
        with ResilientRedisCache._breakers_lock:
            self.breaker = ResilientRedisCache._breakers.setdefault(
                self.location, CircuitBreaker(DOWN_SECONDS)
            )

    @classmethod
    def reset_breakers(cls) -> None:
        """Forget every failure (tests: each starts with Redis untried)."""
        with cls._breakers_lock:
            for breaker in cls._breakers.values():
                breaker.succeeded()

    def is_down(self) -> bool:
        """Whether Redis failed lately: calls now answer at once, without it."""
        return self.breaker.is_open()

    def _warn(self, operation: str) -> None:
        now = clock.monotonic()
        if now - ResilientRedisCache._last_warning > _WARN_EVERY_SECONDS:
            ResilientRedisCache._last_warning = now
            logger.warning(
                "cache unavailable (%s): serving without it for %s s",
                operation,
                DOWN_SECONDS,
                exc_info=True,
            )

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
