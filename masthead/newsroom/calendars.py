"""Dates as an edition's readers write them: its calendar, its digits, its words.

The Gregorian calendar is Django's own date formatting; the Solar Hijri
(Jalali) calendar is ``jdatetime``'s (a well-kept library: no calendar
arithmetic here), with month names in Persian and Persian digits
(``۱۲ آذر ۱۴۰۵``). Only the text readers see changes: ``datetime``
attributes, feeds and structured data keep ISO 8601 Gregorian times.

Which digits and words a language uses is one table (``DIGITS``); a
language not in it uses ASCII digits. The public site's wording of
relative times is in ``site/relative_time.py``. The back office, which
belongs to no edition, dates things in the calendar of its interface
language (``CALENDARS``, ``format_in``): a Persian interface reads
``۱۲ آذر ۱۴۰۵، ۱۳:۳۰`` where the English one reads ``3 Dec 2026, 13:30``.
"""

from __future__ import annotations

import re
from datetime import date, datetime

import jdatetime
from django.utils.dateformat import format as format_date

# Native digits of the languages that write them in running text.
DIGITS = {
    "fa": str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"),
}


# The calendar an interface language dates things in where no edition says (the back office).
CALENDARS = {
    "fa": "jalali",
}
# The comma a language writes between a day and a time ("12 Azar, 13:30").
COMMAS = {
    "fa": "،",
}
# Django's date format characters (``django.utils.dateformat``) that name or number the
# day, month or year: the calendar's. The others (hours, minutes, zones) are the same in
# every calendar and keep Django's meaning.
_CALENDAR_CHARACTERS = frozenset("jdnmFMNEbYyS")


def base_language(language: str) -> str:
    return (language or "").split("-", 1)[0].lower()


def native_digits(text: str, language: str) -> str:
    """``text`` with its ASCII digits written as ``language`` writes them (Persian: ۰-۹)."""
    table = DIGITS.get(base_language(language))
    return text.translate(table) if table else text


# Tags and character references (``&#x27;``) keep their digits: only text changes.
_MARKUP = re.compile(r"(<[^>]*>|&#?\w+;)")


def native_digits_in_markup(html: str, language: str) -> str:
    """``html`` with the digits of its text (not of its tags, attributes such as
    ``href="#p3"``, or character references) written as ``language`` writes them."""
    parts = _MARKUP.split(html)
    return "".join(
        part if index % 2 else native_digits(part, language) for index, part in enumerate(parts)
    )


def jalali(moment: datetime) -> jdatetime.datetime:
    """The local ``moment`` (already in the edition's zone) in the Solar Hijri calendar."""
    return jdatetime.datetime.fromgregorian(datetime=moment)


def date_text(moment: datetime, calendar: str, language: str, gregorian_format: str) -> str:
    """The day of the local ``moment``: ``۱۲ آذر ۱۴۰۵`` (Jalali), or ``gregorian_format``."""
    if calendar != "jalali":
        return native_digits(format_date(moment, gregorian_format), language)
    day = jalali(moment)
    text = f"{day.day} {jdatetime.date.j_months_fa[day.month - 1]} {day.year}"
    return native_digits(text, language)


def month_text(month: date | jdatetime.date, language: str) -> str:
    """A month (its first day) as a heading: ``December 2026``, or ``آذر ۱۴۰۵`` for a
    Solar Hijri month (``jdatetime.date``)."""
    if isinstance(month, jdatetime.date):
        text = f"{jdatetime.date.j_months_fa[month.month - 1]} {month.year}"
        return native_digits(text, language)
    return native_digits(format_date(month, "F Y"), language)


def date_time_text(moment: datetime, calendar: str, language: str, gregorian_format: str) -> str:
    """Day and time of the local ``moment``: ``۱۲ آذر ۱۴۰۵، ۱۳:۳۰`` or ``gregorian_format``."""
    if calendar != "jalali":
        return native_digits(format_date(moment, gregorian_format), language)
    day = date_text(moment, calendar, "en", gregorian_format)
    # The Persian comma (U+060C) between the day and the time.
    return native_digits(f"{day}، {moment:%H:%M}", language)


def calendar_of(language: str) -> str:
    """The calendar ``language`` dates things in: ``jalali`` for Persian, else ``gregorian``."""
    return CALENDARS.get(base_language(language), "gregorian")


def format_in(moment: date | datetime, django_format: str, language: str) -> str:
    """``moment`` in Django's ``date`` format, in the calendar, digits and comma of
    ``language``: ``"j M Y, H:i"`` → ``3 Dec 2026, 13:30`` or ``۱۲ آذر ۱۴۰۵، ۱۳:۳۰``."""
    if calendar_of(language) != "jalali":
        return native_digits(format_date(moment, django_format), language)
    day = (
        jalali(moment)
        if isinstance(moment, datetime)
        else jdatetime.date.fromgregorian(date=moment)
    )
    comma = COMMAS.get(base_language(language), ",")
    parts: list[str] = []
    escaped = False
    for character in django_format:
        if escaped:
            parts.append(character)
            escaped = False
        elif character == "\\":
            escaped = True
        elif character in _CALENDAR_CHARACTERS:
            parts.append(_jalali_part(day, character))
        elif character == ",":
            parts.append(comma)
        elif character.isalpha():
            parts.append(format_date(moment, character))
        else:
            parts.append(character)
    return native_digits("".join(parts), language)


def _jalali_part(day: jdatetime.date, character: str) -> str:
    month_name = jdatetime.date.j_months_fa[day.month - 1]
    return {
        "j": str(day.day),
        "d": f"{day.day:02d}",
        "S": "",  # English ordinal suffixes ("st", "nd") have no Persian equal
        "n": str(day.month),
        "m": f"{day.month:02d}",
        "F": month_name,
        "M": month_name,
        "N": month_name,
        "E": month_name,
        "b": month_name,
        "Y": str(day.year),
        "y": f"{day.year % 100:02d}",
    }[character]
