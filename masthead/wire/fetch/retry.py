"""When to try a failing source again: Retry-After, and back-off with full jitter."""

from __future__ import annotations

import email.utils
import random
from datetime import UTC, datetime

from django.conf import settings


def parse_retry_after(value: str, *, now: datetime | None = None) -> float | None:
    """Seconds from a Retry-After header (delay-seconds or an HTTP-date), else None."""
    value = value.strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    seconds = (when - (now or datetime.now(UTC))).total_seconds()
    return max(0.0, seconds)


def backoff(
    failures: int,
    interval: int,
    retry_after: float | None = None,
    *,
    cap: float | None = None,
    rng: random.Random | None = None,
) -> float:
    """Seconds until the next attempt after ``failures`` failures in a row.

    Never sooner than the source's own ``interval``; each failure doubles the
    extra wait, with full jitter (a uniform draw between none and all of it)
    so many sources failing together do not come back together, up to
    ``cap`` (WIRE_MAX_BACKOFF, 6 hours by default). A server's Retry-After is
    honoured as the minimum, itself capped so a bogus date cannot silence a
    source for a year.
    """
    interval = max(1.0, float(interval))
    cap = float(cap if cap is not None else getattr(settings, "WIRE_MAX_BACKOFF", 6 * 3600))
    cap = max(cap, interval)
    failures = max(0, int(failures))
    extra = min(cap - interval, interval * (2 ** min(failures, 32) - 1))
    delay = interval + (rng or random).uniform(0, extra)
    if retry_after is not None and retry_after > 0:
        delay = max(delay, min(float(retry_after), cap))
    return min(delay, cap)
