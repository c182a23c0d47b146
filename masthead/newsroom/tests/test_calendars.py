"""Solar Hijri dates and Persian digits (newsroom/calendars.py), on dates whose answer is known."""

from __future__ import annotations

from datetime import UTC, date, datetime

import jdatetime
import pytest
from django.utils import timezone

from masthead.newsroom.calendars import (
    calendar_of,
    date_text,
    date_time_text,
    format_in,
    jalali,
    month_text,
    native_digits,
    native_digits_in_markup,
)

TEHRAN = "Asia/Tehran"


def at_noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("gregorian", "persian"),
    [
        (date(2026, 12, 3), "۱۲ آذر ۱۴۰۵"),  # the example
        (date(2024, 3, 20), "۱ فروردین ۱۴۰۳"),  # Nowruz 1403
        (date(2025, 3, 20), "۳۰ اسفند ۱۴۰۳"),  # Esfand 30: 1403 is a leap year
        (date(2025, 3, 21), "۱ فروردین ۱۴۰۴"),  # the day after it
        (date(2026, 3, 20), "۲۹ اسفند ۱۴۰۴"),  # 1404 is not: Esfand ends on the 29th
        (date(2026, 3, 21), "۱ فروردین ۱۴۰۵"),
        (date(2026, 9, 22), "۳۱ شهریور ۱۴۰۵"),  # the first half's months have 31 days
        (date(2026, 9, 23), "۱ مهر ۱۴۰۵"),
    ],
)
def test_jalali_dates_of_known_days(gregorian, persian):
    assert date_text(at_noon(gregorian), "jalali", "fa", "j M Y") == persian


def test_the_library_agrees_that_1403_is_leap_and_1404_is_not():
    assert jdatetime.date(1403, 1, 1).isleap() and not jdatetime.date(1404, 1, 1).isleap()
    with pytest.raises(ValueError):
        jdatetime.date(1404, 12, 30)


def test_the_day_is_the_day_in_the_editions_zone():
    # 21:00 UTC on 2 December is 00:30 on 3 December in Tehran (UTC+03:30).
    moment = datetime(2026, 12, 2, 21, 0, tzinfo=UTC)
    local = timezone.localtime(moment, timezone.get_fixed_timezone(0))
    assert date_text(local, "jalali", "fa", "j M Y") == "۱۱ آذر ۱۴۰۵"

    import zoneinfo

    local = timezone.localtime(moment, zoneinfo.ZoneInfo(TEHRAN))
    assert date_text(local, "jalali", "fa", "j M Y") == "۱۲ آذر ۱۴۰۵"
    assert date_time_text(local, "jalali", "fa", "j F Y, H:i T") == "۱۲ آذر ۱۴۰۵، ۰۰:۳۰"
    assert jalali(local).strftime("%Y-%m-%d") == "1405-09-12"


def test_gregorian_dates_are_djangos_with_the_languages_digits():
    moment = at_noon(date(2026, 12, 3))
    assert date_text(moment, "gregorian", "en", "j M Y") == "3 Dec 2026"
    assert date_text(moment, "gregorian", "fa", "j M Y") == "۳ Dec ۲۰۲۶"


def test_digits():
    assert native_digits("1405-09-12, 16", "fa") == "۱۴۰۵-۰۹-۱۲, ۱۶"
    assert native_digits("1405", "fa-IR") == "۱۴۰۵"
    assert native_digits("1405", "en") == "1405"
    assert native_digits("1405", "de") == "1405"


# --- the back office: dates in the interface language's calendar (format_in) -----------


@pytest.mark.parametrize(
    ("django_format", "persian", "english"),
    [
        ("j M Y, H:i", "۱۲ آذر ۱۴۰۵، ۱۳:۳۰", "3 Dec 2026, 13:30"),
        ("j M, H:i", "۱۲ آذر، ۱۳:۳۰", "3 Dec, 13:30"),
        ("j M H:i:s", "۱۲ آذر ۱۳:۳۰:۰۵", "3 Dec 13:30:05"),
        ("j F Y", "۱۲ آذر ۱۴۰۵", "3 December 2026"),
        ("d/m/y", "۱۲/۰۹/۰۵", "03/12/26"),
        ("H:i \\o\\n j F", "۱۳:۳۰ on ۱۲ آذر", "13:30 on 3 December"),  # escapes stay literal
    ],
)
def test_format_in_writes_the_interface_languages_calendar(django_format, persian, english):
    moment = datetime(2026, 12, 3, 13, 30, 5)

    assert format_in(moment, django_format, "fa") == persian
    assert format_in(moment, django_format, "en") == english


@pytest.mark.parametrize(
    ("day", "persian"),
    [
        (date(2025, 3, 20), "۳۰ اسفند ۱۴۰۳"),  # a leap year's last day
        (date(2026, 3, 20), "۲۹ اسفند ۱۴۰۴"),
        (date(2026, 3, 21), "۱ فروردین ۱۴۰۵"),
    ],
)
def test_format_in_takes_plain_dates_too(day, persian):
    assert format_in(day, "j F Y", "fa") == persian


def test_calendar_of_an_interface_language():
    assert calendar_of("fa") == calendar_of("fa-IR") == "jalali"
    assert calendar_of("en") == calendar_of("") == "gregorian"


def test_month_text_names_a_solar_hijri_month_or_djangos_month():
    assert month_text(jdatetime.date(1405, 9, 1), "fa") == "آذر ۱۴۰۵"
    assert month_text(date(2026, 12, 1), "en") == "December 2026"


def test_digits_in_markup_change_only_in_text():
    html = '<a href="/desk/stories/12/#p3" data-n="4">Revision 12</a> &#x27;5&#39;'

    assert native_digits_in_markup(html, "fa") == (
        '<a href="/desk/stories/12/#p3" data-n="4">Revision ۱۲</a> &#x27;۵&#39;'
    )
    assert native_digits_in_markup(html, "en") == html
