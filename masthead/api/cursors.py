"""Opaque cursors for the API's lists: where the last page ended, signed.

A cursor holds the position of the last item a page showed — (published_at,
id) of a story, (name, id) of a tag — and a digest of the list and filters
it was made for, signed with Django's signing
(SECRET_KEY, so every app server reads every other's cursors). A cursor that
was altered, made by another installation, or brought to a list with other
filters is refused with ``InvalidCursor`` rather than silently showing the
wrong page. It tells nothing that the page itself did not show.

The signature carries no time (``Signer``, not ``signing.dumps``): the same
position gives the same cursor, so a page's body, and with it its ETag,
stays the same until the list changes, and conditional requests answer 304
on every page. Cursors never expired, so nothing is lost; those signed with
a time before (``LEGACY_SALT``) are still read.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

from django.core import signing
from django.utils.dateparse import parse_datetime

SALT = "masthead.api.cursor.v2"
LEGACY_SALT = "masthead.api.cursor"  # timestamped cursors given out before v2
# The longest cursor given out is a tag list's after an 80-character name of
# characters outside the BMP (JSON escapes each as a surrogate pair): 1,398.
# A Persian name of 35 letters already passed the 400 this once was, and the
# next page of /api/tags was refused. The bound only stops oversized input
# before the signature check.
MAX_LENGTH = 1600


class InvalidCursor(Exception):
    pass


def filters_digest(filters: dict[str, object]) -> str:
    canonical = json.dumps(
        {name: str(value) for name, value in sorted(filters.items()) if value not in (None, "")},
        sort_keys=True,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def encode(published_at: datetime, story_id: int, filters: dict[str, object]) -> str:
    return _sign({"p": published_at.isoformat(), "i": story_id}, filters)


def decode(cursor: str, filters: dict[str, object]) -> tuple[datetime, int]:
    """The (published_at, id) the cursor points after; InvalidCursor if it is not ours."""
    payload = _unsign(cursor, filters)
    published_at = parse_datetime(str(payload.get("p", "")))
    story_id = payload.get("i")
    if published_at is None or not isinstance(story_id, int):
        raise InvalidCursor("The cursor is not one this list gave out.")
    return published_at, story_id


def encode_name(name: str, item_id: int, list_name: str) -> str:
    """A cursor for a list in alphabetical order (tags), after ``name`` and ``item_id``."""
    return _sign({"n": name, "i": item_id}, {"list": list_name})


def decode_name(cursor: str, list_name: str) -> tuple[str, int]:
    """The (name, id) the cursor points after; InvalidCursor if it is not this list's."""
    payload = _unsign(cursor, {"list": list_name})
    name, item_id = payload.get("n"), payload.get("i")
    if not isinstance(name, str) or not isinstance(item_id, int):
        raise InvalidCursor("The cursor is not one this list gave out.")
    return name, item_id


def _sign(position: dict[str, object], filters: dict[str, object]) -> str:
    return signing.Signer(salt=SALT).sign_object({**position, "f": filters_digest(filters)})


def _unsign(cursor: str, filters: dict[str, object]) -> dict[str, object]:
    if len(cursor) > MAX_LENGTH:
        raise InvalidCursor("The cursor is too long.")
    try:
        cursor.encode("utf-8")  # text that is not Unicode (a lone surrogate) is no cursor
        payload = signing.Signer(salt=SALT).unsign_object(cursor)
    except (signing.BadSignature, UnicodeEncodeError):
        try:
            payload = signing.loads(cursor, salt=LEGACY_SALT)
        except (signing.BadSignature, UnicodeEncodeError):
            raise InvalidCursor("The cursor is not one this list gave out.") from None
    if not isinstance(payload, dict) or payload.get("f") != filters_digest(filters):
        raise InvalidCursor("The cursor belongs to a list with other filters.")
    return payload
