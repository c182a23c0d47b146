"""Rate limits of the API: a fixed-window counter in Django's cache.

Per token for the staff API (``API_RATE_LIMIT``, default ``120/min``);
per client address for invalid tokens (``LOGIN_FAILURE_LIMIT`` of them in a
``LOGIN_COOLOFF_MINUTES`` window, like wrong passwords: ``authentication.py``
counts each failure with ``hit`` and asks ``check`` before looking a token
up); and, if an operator turns it on, per client address for public reads
(``API_PUBLIC_RATE_LIMIT``, default ``off``: public reads are the same for
everyone and carry cache headers, so a CDN or proxy in front answers most of
them, and behind one every reader shares a few edge addresses).

Our own, in a few lines, because ninja's throttles keep a list of request
times per client and rewrite it with get/set, which two app servers sharing
Redis race on. Here each window is one counter: ``cache.add`` creates it,
``cache.incr`` counts atomically on Redis and under LocMem's lock; it expires
with its window, so nothing is listed or scanned.
"""

from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured

PERIODS = {"s": 1, "sec": 1, "second": 1, "min": 60, "minute": 60, "h": 3600, "hour": 3600}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*([a-z]+)\s*$")
OFF = {"", "off", "none", "0"}

# The time windows are counted in; tests hold it still so no window ends mid-test.
clock = time.time


@dataclass(frozen=True)
class Rate:
    requests: int
    period: int  # seconds


class RateLimited(Exception):
    def __init__(self, retry_after: int, rate: Rate, detail: str = ""):
        self.retry_after = retry_after
        self.rate = rate
        self.detail = detail or (
            f"The limit is {rate.requests} per {rate.period} s; try again in {retry_after} s."
        )
        super().__init__(f"More than {rate.requests} requests in {rate.period} seconds.")


def parse_rate(name: str, raw: str | None) -> Rate | None:
    """``"120/min"`` → Rate(120, 60); ``off`` → None; anything else stops start-up."""
    value = (raw or "").strip().lower()
    if value in OFF:
        return None
    match = _RATE.match(value)
    if not match or match.group(2) not in PERIODS or int(match.group(1)) < 1:
        raise ImproperlyConfigured(
            f"{name}={raw!r} is not a rate (use e.g. 120/min, 10/s, 5000/hour, or off)"
        )
    return Rate(int(match.group(1)), PERIODS[match.group(2)])


def configured_rates() -> tuple[Rate | None, Rate | None]:
    """(per token, per public client), read from settings each time (tests change them)."""
    return (
        parse_rate("API_RATE_LIMIT", settings.API_RATE_LIMIT),
        parse_rate("API_PUBLIC_RATE_LIMIT", settings.API_PUBLIC_RATE_LIMIT),
    )


def _window(scope: str, who: str, rate: Rate, now: float | None) -> tuple[str, int, float]:
    now = clock() if now is None else now
    window = int(now // rate.period)
    retry_after = max(1, math.ceil((window + 1) * rate.period - now))
    return f"api-rate:{scope}:{who}:{window}", retry_after, now


def hit(scope: str, who: str, rate: Rate | None, now: float | None = None) -> None:
    """Count one request of ``who``; RateLimited once the window is full."""
    if rate is None:
        return
    key, retry_after, now = _window(scope, who, rate, now)
    # A little longer than the window, so the key outlives clock skew between servers.
    timeout = rate.period + 5
    cache.add(key, 0, timeout=timeout)
    try:
        count = cache.incr(key)
    except ValueError:
        # The key expired between add and incr: this request opens the window.
        cache.add(key, 1, timeout=timeout)
        count = 1
    if count > rate.requests:
        raise RateLimited(retry_after, rate)


def check(
    scope: str, who: str, rate: Rate | None, now: float | None = None, detail: str = ""
) -> None:
    """RateLimited if ``who``'s window is already full; counts nothing (``hit`` counts)."""
    if rate is None:
        return
    key, retry_after, now = _window(scope, who, rate, now)
    if (cache.get(key) or 0) >= rate.requests:
        detail = f"{detail} Try again in {retry_after} s." if detail else ""
        raise RateLimited(retry_after, rate, detail)
