"""Relative times as readers of news sites know them: “16 mins ago”, “۱۶ دقیقه پیش”.

Django's ``naturaltime`` says “16 minutes ago” and has no cut-off; news
pages use the short WordPress-style wording and switch to a date after a
week. The same rules are in ``static/site/relative-time.js``, which keeps
every ``<time data-relative>`` element true in the browser, including on a
page served from a cache; keep the two in step.

An edition in another language or calendar says so on the element
(``data-relative="fa" data-calendar="jalali" data-time-zone="Asia/Tehran"``),
so a cached page or fragment is rewritten in its own words and dates
whichever request serves it; the default English edition's markup is the
plain ``data-relative`` it always was. The words per language are one table
(``WORDING``); a language without an entry is worded in English. Persian
keeps the noun singular after a number (``۱ دقیقه``, ``۱۶ دقیقه``) and writes
Persian digits; dates past a week are in the edition's calendar
(``newsroom/calendars.py``).
"""

from __future__ import annotations

import re
import zoneinfo
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from masthead.newsroom.calendars import base_language, date_text, native_digits

MINUTE = 60
HOUR = 60 * MINUTE
DAY = 24 * HOUR
WEEK = 7 * DAY
DATE_FORMAT = "j M Y"


@dataclass(frozen=True)
class Wording:
    just_now: str
    # unit: (after one, after more than one)
    units: dict[str, tuple[str, str]]
    ago: str  # "{count} {unit} ago"


WORDING = {
    "en": Wording(
        "just now",
        {"minute": ("min", "mins"), "hour": ("hour", "hours"), "day": ("day", "days")},
        "{count} {unit} ago",
    ),
    # A Persian noun stays singular after a number: ۱ دقیقه, ۱۶ دقیقه.
    "fa": Wording(
        "همین حالا",
        {"minute": ("دقیقه", "دقیقه"), "hour": ("ساعت", "ساعت"), "day": ("روز", "روز")},
        "{count} {unit} پیش",
    ),
}


def wording_language(language: str) -> str:
    """The ``WORDING`` entry ``language`` is worded with (English when it has none)."""
    base = base_language(language)
    return base if base in WORDING else "en"


def _ago(count: int, unit: str, language: str) -> str:
    wording = WORDING[wording_language(language)]
    one, more = wording.units[unit]
    text = wording.ago.format(count=count, unit=one if count == 1 else more)
    return native_digits(text, language)


def relative_time(
    moment: datetime,
    now: datetime | None = None,
    *,
    language: str = "en",
    calendar: str = "gregorian",
    zone: str = "",
) -> str:
    """“just now”, “1 min ago”, “16 mins ago”, “4 hours ago”, “3 days ago”, else a date;
    in ``language``'s words and digits, the date in ``calendar`` and ``zone`` (default: the
    current time zone)."""
    now = now or timezone.now()
    seconds = int((now - moment).total_seconds())
    if seconds < MINUTE:
        # A time a little in the future (clock skew between servers) reads as now.
        return WORDING[wording_language(language)].just_now
    if seconds < HOUR:
        return _ago(seconds // MINUTE, "minute", language)
    if seconds < DAY:
        return _ago(seconds // HOUR, "hour", language)
    if seconds < WEEK:
        return _ago(seconds // DAY, "day", language)
    local = timezone.localtime(moment, zoneinfo.ZoneInfo(zone) if zone else None)
    return date_text(local, calendar, language, DATE_FORMAT)


def style_attributes(language: str, calendar: str, zone: str) -> str:
    """The attributes after ``data-relative`` that name an edition's style ("" for the default)."""
    parts = []
    if wording_language(language) != "en":
        parts.append(f'="{base_language(language)}"')
    if calendar != "gregorian":
        parts.append(f' data-calendar="{calendar}"')
    if zone:
        parts.append(f' data-time-zone="{zone}"')
    return "".join(parts)


# What ``reltime`` writes between the datetime and data-relative (a title of
# the full date) is bounded: an unbounded ``[^>]*?`` scanned to the end of the
# page from every "<time datetime=" without a ">", and 1 MB of those took
# minutes (bench/fuzz_budget.py); bounded, the scan is linear.
_RELATIVE_TIME = re.compile(
    rb'(<time datetime="([0-9T:+\-Z]{20,25})"[^<>]{0,500}?\sdata-relative'
    rb'(?:="([a-z]{2,3})")?(?: data-calendar="(gregorian|jalali)")?'
    rb'(?: data-time-zone="([A-Za-z0-9_+\-/]{1,64})")?>)([^<]*)(</time>)'
)
_RELATIVE_TIME_TEXT = re.compile(_RELATIVE_TIME.pattern.decode())


def refresh_relative_times(html: bytes, now: datetime | None = None) -> bytes:
    """Rewrite every ``<time data-relative>`` text for ``now``: cached pages stay true.

    Used when a page comes out of the page cache, so a copy rendered an hour
    ago still says "16 mins ago" about a story published sixteen minutes ago,
    with or without script in the reader's browser.
    """
    if b"data-relative" not in html:
        return html
    now = now or timezone.now()
    return _RELATIVE_TIME.sub(lambda match: _rewritten(match, now, bytes.decode, str.encode), html)


def refresh_relative_times_text(html: str, now: datetime | None = None) -> str:
    """``refresh_relative_times`` for text: a cached fragment of a page being assembled."""
    if "data-relative" not in html:
        return html
    now = now or timezone.now()
    return _RELATIVE_TIME_TEXT.sub(lambda match: _rewritten(match, now, str, str), html)


def mask_relative_times(html: bytes) -> bytes:
    """``html`` with the text of every ``<time data-relative>`` emptied: what the page
    says apart from the clock's words ("16 mins ago"), which every copy rewrites.

    Page validators are computed over this (``site/http.py``), so a page
    rendered again a minute later, by another worker, or refreshed out of the
    page cache keeps its ETag. The element's ``datetime`` (and its title, the
    full date) stay: a different moment is a different page.
    """
    if b"data-relative" not in html:
        return html
    return _RELATIVE_TIME.sub(rb"\1\7", html)


def _rewritten(match: re.Match, now: datetime, decode, encode):
    stamp, language, calendar, zone = (
        decode(group) if group else "" for group in match.group(2, 3, 4, 5)
    )
    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
        text = relative_time(
            moment, now, language=language or "en", calendar=calendar or "gregorian", zone=zone
        )
    except (ValueError, zoneinfo.ZoneInfoNotFoundError):
        return match.group(0)
    return match.group(1) + encode(text) + match.group(7)
