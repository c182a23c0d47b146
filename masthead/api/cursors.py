"""Opaque cursors for the story list: where the last page ended, signed.

A cursor holds the (published_at, id) of the last story a page showed and a
digest of the filters it was made for, signed with Django's signing
(SECRET_KEY, so every app server reads every other's cursors). A cursor that
was altered, made by another installation, or brought to a list with other
filters is refused with ``InvalidCursor`` rather than silently showing the
wrong page. It tells nothing that the page itself did not show.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

from django.core import signing
from django.utils.dateparse import parse_datetime

SALT = "masthead.api.cursor"
MAX_LENGTH = 400


class InvalidCursor(Exception):
    pass


def filters_digest(filters: dict[str, object]) -> str:
    canonical = json.dumps(
        {name: str(value) for name, value in sorted(filters.items()) if value not in (None, "")},
        sort_keys=True,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def encode(published_at: datetime, story_id: int, filters: dict[str, object]) -> str:
    return signing.dumps(
        {"p": published_at.isoformat(), "i": story_id, "f": filters_digest(filters)}, salt=SALT
    )


def decode(cursor: str, filters: dict[str, object]) -> tuple[datetime, int]:
    """The (published_at, id) the cursor points after; InvalidCursor if it is not ours."""
    if len(cursor) > MAX_LENGTH:
        raise InvalidCursor("The cursor is too long.")
    try:
        payload = signing.loads(cursor, salt=SALT)
    except signing.BadSignature:
        raise InvalidCursor("The cursor is not one this list gave out.") from None
    if not isinstance(payload, dict) or payload.get("f") != filters_digest(filters):
        raise InvalidCursor("The cursor belongs to a list with other filters.")
    published_at = parse_datetime(str(payload.get("p", "")))
    story_id = payload.get("i")
    if published_at is None or not isinstance(story_id, int):
        raise InvalidCursor("The cursor is not one this list gave out.")
    return published_at, story_id
