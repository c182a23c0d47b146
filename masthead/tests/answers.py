"""Comparing two answers as a reader or a crawler sees them (the visibility tests).

Two answers are the same when their status, body and headers are, but for
what only says when and which request it was: ``Date`` and ``X-Request-ID``
(masthead/request_id.py), which every answer has its own of.
"""

from __future__ import annotations

PER_REQUEST = ("Date", "X-Request-ID")


def headers_of(response, *also: str) -> dict[str, str]:
    """Every header but the per-request ones (and ``also``)."""
    skipped = {name.lower() for name in (*PER_REQUEST, *also)}
    return {name: value for name, value in response.headers.items() if name.lower() not in skipped}
