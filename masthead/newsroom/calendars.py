"""Dates as an edition's readers write them: its calendar, its digits, its words.

The Gregorian calendar is Django's own date formatting; the Solar Hijri
(Jalali) calendar is ``jdatetime``'s (a well-kept library: no calendar
arithmetic here), with month names in Persian and Persian digits
(``۱۲ آذر ۱۴۰۵``). Only the text readers see changes: ``datetime``
attributes, feeds and structured data keep ISO 8601 Gregorian times.

Which digits and words a language uses is one table (``DIGITS``); a
language not in it uses ASCII digits. The public site's wording of
relative times is in ``site/relative_time.py``; the back office will use
this module for its own dates.
"""

from __future__ import annotations

from datetime import datetime

import jdatetime
from django.utils.dateformat import format as format_date

# Native digits of the languages that write them in running text.
DIGITS = {
    "fa": str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"),
}


def base_language(language: str) -> str:
    return (language or "").split("-", 1)[0].lower()


def native_digits(text: str, language: str) -> str:
    """``text`` with its ASCII digits written as ``language`` writes them (Persian: ۰-۹)."""
    table = DIGITS.get(base_language(language))
    return text.translate(table) if table else text


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


def date_time_text(moment: datetime, calendar: str, language: str, gregorian_format: str) -> str:
    """Day and time of the local ``moment``: ``۱۲ آذر ۱۴۰۵، ۱۳:۳۰`` or ``gregorian_format``."""
    if calendar != "jalali":
        return native_digits(format_date(moment, gregorian_format), language)
    day = date_text(moment, calendar, "en", gregorian_format)
    # The Persian comma (U+060C) between the day and the time.
    return native_digits(f"{day}، {moment:%H:%M}", language)
