"""What every format's parser shares: URL and text checks, dates, the caps.

A parser produces :class:`~masthead.wire.items.WireCopy` values that are
checked but not stored: URLs are http(s) or "", text fields are plain text
without control characters, dates are aware UTC inside a plausible range.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import nh3
from django.utils import timezone

from masthead.wire.items import ParsedFeed, ParseError, WireCopy

MAX_BYTES = 16 * 1024 * 1024  # one document; fetch caps bytes too, this is the parser's own
MAX_ITEMS = 10_000  # per document; the rest is refused with one message
MAX_URL_CHARS = 2048
MAX_TEXT_CHARS = {"headline": 1000, "dek": 5000, "byline": 500, "dateline": 500}
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
FUTURE_SLACK = timedelta(days=2)

# C0 controls except tab, newline and carriage return; also the C1 range and
# non-characters that no editor meant to send. NUL would not even store in
# PostgreSQL.
# A character reference to a surrogate (``&#xD800;``, which feedparser decodes)
# is no character at all: it goes too, before nh3 or a database sees it.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_SPACE = re.compile(r"\s+")


def clean_url(value: object) -> str:
    """``value`` if it is an absolute http(s) URL with a host, else ""."""
    if not isinstance(value, str):
        return ""
    url = value.strip()
    if (
        not url
        or len(url) > MAX_URL_CHARS
        or _CONTROL.search(url)
        or any(c in url for c in " \t\r\n\\")
    ):
        return ""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https") or not host:
        return ""
    return url


def strip_controls(value: object) -> str:
    """``value`` without controls; "" for what is not text (feedparser may hand over None)."""
    return _CONTROL.sub("", value) if isinstance(value, str) else ""


def plain_text(value: object, *, markup: bool = True, limit: int | None = None) -> str:
    """One line of plain text from a provider's string.

    With ``markup`` (the default), tags are dropped (with script and style
    content) and entities decoded: ``<b>Iran</b> &amp; Iraq`` → ``Iran & Iraq``.
    Whitespace runs collapse to one space.
    """
    if not isinstance(value, str):
        return ""
    text = strip_controls(value)
    if markup and ("<" in text or "&" in text):
        text = html.unescape(nh3.clean(text, tags=set(), attributes={}))
        text = strip_controls(text)
    text = _SPACE.sub(" ", text).strip()
    if limit and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def text_to_html(value: str) -> str:
    """Plain text (paragraphs split by blank lines) as simple HTML."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", strip_controls(value)) if p.strip()]
    return "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)


def parse_datetime(value: object) -> tuple[datetime | None, str]:
    """An ISO 8601 date-time as aware UTC; with a problem note when doubtful.

    A date without a time zone is read as UTC (noted); a date alone is
    midnight UTC. Unreadable values give ``(None, note)``.
    """
    if not isinstance(value, str) or not value.strip():
        return None, ""
    raw = value.strip()
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        return None, f"unreadable date {raw[:40]!r}"
    note = ""
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
        if len(raw) > 10:
            note = f"date {raw[:40]!r} has no time zone; read as UTC"
    return parsed.astimezone(UTC), note


def check_dates(copy: WireCopy) -> None:
    """Flag dates outside 1990 … now + 2 days; never keep such a creation date.

    A far-future date would sort the item first everywhere; a pre-1990 one is
    a placeholder. The embargo may lie in the future (that is its point).
    """
    latest = timezone.now() + FUTURE_SLACK
    for name in ("first_created", "version_created"):
        value = getattr(copy, name)
        if value is None:
            continue
        if value > latest:
            copy.problems.append(
                f"{name.replace('_', ' ')} {value:%Y-%m-%d %H:%M} is in the future; ignored"
            )
            setattr(copy, name, None)
        elif value < EARLIEST:
            copy.problems.append(
                f"{name.replace('_', ' ')} {value:%Y-%m-%d} is before 1990; ignored"
            )
            setattr(copy, name, None)
    if copy.embargoed_until is not None and copy.embargoed_until < EARLIEST:
        copy.problems.append(f"embargo {copy.embargoed_until:%Y-%m-%d} is before 1990; ignored")
        copy.embargoed_until = None


def clean_urgency(value: object) -> tuple[int | None, str]:
    if value is None or value == "":
        return None, ""
    try:
        number = int(str(value).strip()) if not isinstance(value, bool) else None
    except ValueError:
        number = None
    if number is None or not 1 <= number <= 9:
        return None, f"urgency {str(value)[:20]!r} is not 1–9; ignored"
    return number, ""


def finish(copy: WireCopy) -> WireCopy:
    """The last pass for every item: lengths, controls, dates."""
    for name, limit in MAX_TEXT_CHARS.items():
        setattr(copy, name, plain_text(getattr(copy, name), markup=False, limit=limit))
    copy.provider_id = strip_controls(copy.provider_id).strip()
    copy.version = strip_controls(copy.version).strip()[:100]
    copy.language = plain_text(copy.language, markup=False, limit=35)
    copy.provider = plain_text(copy.provider, markup=False, limit=200)
    copy.body_html = strip_controls(copy.body_html)
    copy.url = clean_url(copy.url)
    seen: set[str] = set()
    subjects = []
    for subject in copy.subjects:
        text = plain_text(subject, markup=False, limit=200)
        if text and text not in seen:
            seen.add(text)
            subjects.append(text)
    copy.subjects = subjects
    parts = []
    for part in copy.parts:
        part = strip_controls(part).strip()
        if part and part not in parts:
            parts.append(part)
    copy.parts = parts
    check_dates(copy)
    return copy


class Collector:
    """Gathers a document's items: numbering, refusals, duplicates, the cap."""

    def __init__(self, title: str = ""):
        self.feed = ParsedFeed(title=plain_text(title, limit=300))
        self._keys: set[tuple[str, str]] = set()
        self._capped = False

    def refuse(self, number: int, reason: str) -> None:
        self.feed.refused.append(f"item {number}: {reason}")

    def add(self, number: int, copy: WireCopy) -> None:
        copy = finish(copy)
        if not copy.provider_id:
            self.refuse(number, "no id")
            return
        if len(copy.provider_id) > 500:
            self.refuse(number, "id longer than 500 characters")
            return
        key = (copy.provider_id, copy.version)
        if key in self._keys:
            self.refuse(
                number, f"duplicate of an earlier item ({copy.provider_id[:80]}); kept the first"
            )
            return
        if len(self.feed.items) >= MAX_ITEMS:
            if not self._capped:
                self.feed.refused.append(
                    f"more than {MAX_ITEMS} items in one document: item {number} and later ignored"
                )
                self._capped = True
            return
        self._keys.add(key)
        self.feed.items.append(copy)

    @property
    def full(self) -> bool:
        return self._capped

    def result(self) -> ParsedFeed:
        """The feed; a document whose every item was refused is refused whole.

        A poll that yields nothing usable is a failed poll, shown on the
        source's health with the first reason.
        """
        refused = self.feed.refused
        if not self.feed.items and refused:
            if len(refused) == 1:
                raise ParseError(refused[0].removeprefix("item 1: "))
            raise ParseError(f"none of the {len(refused)} items is usable; {refused[0]}")
        return self.feed


def check_size(body: bytes) -> None:
    if not isinstance(body, bytes | bytearray | memoryview):
        raise ParseError("expected bytes")
    if len(body) > MAX_BYTES:
        raise ParseError(f"document too large ({len(body)} bytes; the limit is {MAX_BYTES})")
    if not bytes(body).strip():
        raise ParseError("empty document")
