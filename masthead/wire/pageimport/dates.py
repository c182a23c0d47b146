"""Publication dates as the page states them, and never otherwise.

Two sources only: a machine-readable value (JSON-LD ``datePublished``, a
``<meta>`` such as ``article:published_time``, ``<time datetime>``), read by
``machine_date``; and, in scraped text, an explicit date line near the
headline ("Published: 21 June 2019", "June 21, 2019 10:30 GMT"), read by
``written_date``. A relative age ("16 mins ago") is never a date, nor is a
date without a year, nor a calendar we do not convert (a Solar Hijri
"1398/03/31" is refused, not misread as the year 1398).

The result is an ISO 8601 string that keeps what the page said: a date
alone stays a date ("2019-06-21"), a time keeps its offset, and a time
without one stays without one. Python's ``datetime.fromisoformat`` (3.11)
and ``email.utils`` do the parsing; the month names are ours.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

EARLIEST_YEAR = 1900
# Eastern Arabic and Persian digits → ASCII, so "۲۰۱۹-۰۶-۲۱" reads as a date.
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_TIME = (
    r"(?:\s*(?:[,|\-–—@]|at)?\s*(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?"
    r"\s*(?P<ampm>[ap]\.?m\.?)?\s*(?P<zone>GMT|UTC|Z|[+-]\d{2}:?\d{2}|(?:GMT|UTC)[+-]\d{1,2}"
    r"(?::?\d{2})?)?)?"
)
_WEEKDAY = r"(?:(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*\.?,?\s+)?"
_WRITTEN = [
    re.compile(
        _WEEKDAY + _MONTH + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<year>\d{4})" + _TIME, re.I
    ),
    re.compile(
        _WEEKDAY
        + r"(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+"
        + _MONTH
        + r",?\s+(?P<year>\d{4})"
        + _TIME,
        re.I,
    ),
    re.compile(r"(?P<year>\d{4})-(?P<monthnum>\d{2})-(?P<day>\d{2})" + _TIME, re.I),
]
# What may stand around a date on a date line; anything else means it is a sentence.
_DATE_LINE_PREFIX = re.compile(
    r"^(?:(?:published|posted|first published|date|on|تاریخ انتشار|تاريخ النشر)"
    r"(?:\s+on)?\s*[:\-–—]?\s*)?",
    re.I,
)
_UPDATED = re.compile(r"^(?:updated|last updated|modified|edited)\b", re.I)


class NotADate(ValueError):
    pass


def machine_date(value: str | None) -> str:
    """ISO 8601 for a machine-readable date value, or "" when it is not one we trust."""
    if not value or not isinstance(value, str):
        return ""
    text = value.strip().translate(_DIGITS)
    try:
        return _iso(_parse_machine(text))
    except NotADate:
        return ""


def _parse_machine(text: str) -> date | datetime:
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise NotADate(text) from None
    candidate = text.replace(" ", "T", 1) if re.match(r"\d{4}-\d{2}-\d{2} \d", text) else text
    try:
        return datetime.fromisoformat(candidate)
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(text)  # RFC 2822, as some <meta> tags carry
    except (TypeError, ValueError, IndexError):
        raise NotADate(text) from None


def written_date(line: str) -> str:
    """ISO 8601 for a line that is a date and nothing else (a dateline), or ""."""
    text = line.strip().translate(_DIGITS)
    if _UPDATED.match(text) or len(text) > 80:
        return ""
    text = _DATE_LINE_PREFIX.sub("", text, count=1)
    for pattern in _WRITTEN:
        match = pattern.fullmatch(text.strip(" .|"))
        if match:
            try:
                return _iso(_from_match(match))
            except NotADate:
                return ""
    return ""


def _from_match(match: re.Match) -> date | datetime:
    parts = match.groupdict()
    month = int(parts["monthnum"]) if parts.get("monthnum") else MONTHS[parts["month"].lower()]
    try:
        day = date(int(parts["year"]), month, int(parts["day"]))
    except ValueError:
        raise NotADate(match.group(0)) from None
    if parts.get("hour") is None:
        return day
    hour, minute = int(parts["hour"]), int(parts["minute"])
    ampm = (parts.get("ampm") or "").replace(".", "").lower()
    if ampm == "pm" and hour < 12:
        hour += 12
    if ampm == "am" and hour == 12:
        hour = 0
    if hour > 23 or minute > 59:
        raise NotADate(match.group(0))
    moment = datetime(day.year, day.month, day.day, hour, minute, int(parts.get("second") or 0))
    zone = parts.get("zone")
    return moment.replace(tzinfo=_zone(zone)) if zone else moment


def _zone(text: str) -> timezone:
    text = text.upper().removeprefix("GMT").removeprefix("UTC")
    if text in ("", "Z"):
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = (int(digits), 0) if len(digits) <= 2 else (int(digits[:-2]), int(digits[-2:]))
    if hours > 14 or minutes > 59:
        raise NotADate(text)
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _iso(value: date | datetime) -> str:
    if value.year < EARLIEST_YEAR or value.year > datetime.now().year + 1:
        raise NotADate(str(value))
    return value.isoformat()
