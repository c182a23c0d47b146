from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from masthead.site.relative_time import relative_time

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("age", "text"),
    [
        (timedelta(seconds=0), "just now"),
        (timedelta(seconds=59), "just now"),
        (timedelta(seconds=-30), "just now"),
        (timedelta(minutes=1), "1 min ago"),
        (timedelta(minutes=16), "16 mins ago"),
        (timedelta(minutes=59, seconds=59), "59 mins ago"),
        (timedelta(hours=1), "1 hour ago"),
        (timedelta(hours=4, minutes=59), "4 hours ago"),
        (timedelta(hours=23, minutes=59), "23 hours ago"),
        (timedelta(days=1), "1 day ago"),
        (timedelta(days=6, hours=23), "6 days ago"),
        (timedelta(days=7), "18 Nov 2026"),
        (timedelta(days=400), "21 Oct 2025"),
    ],
)
def test_wording(age, text):
    assert relative_time(NOW - age, now=NOW) == text


def test_dates_are_in_the_outlets_time_zone(settings):
    settings.TIME_ZONE = "Asia/Tehran"
    late_evening_utc = datetime(2026, 11, 10, 22, 0, tzinfo=UTC)

    assert relative_time(late_evening_utc, now=NOW) == "11 Nov 2026"


# Editions in Persian on the Solar Hijri calendar --------------------------------------


@pytest.mark.parametrize(
    ("age", "text"),
    [
        (timedelta(seconds=0), "همین حالا"),
        (timedelta(seconds=-30), "همین حالا"),
        # After a number a Persian noun stays singular: one minute, sixteen minute.
        (timedelta(minutes=1), "۱ دقیقه پیش"),
        (timedelta(minutes=16), "۱۶ دقیقه پیش"),
        (timedelta(minutes=59, seconds=59), "۵۹ دقیقه پیش"),
        (timedelta(hours=1), "۱ ساعت پیش"),
        (timedelta(hours=4, minutes=59), "۴ ساعت پیش"),
        (timedelta(days=1), "۱ روز پیش"),
        (timedelta(days=6, hours=23), "۶ روز پیش"),
        # Past a week, the day in the Solar Hijri calendar: 18 Nov 2026 is 27 Aban 1405.
        (timedelta(days=7), "۲۷ آبان ۱۴۰۵"),
    ],
)
def test_persian_wording(age, text):
    assert relative_time(NOW - age, now=NOW, language="fa", calendar="jalali") == text


def test_a_persian_date_is_the_day_in_the_editions_zone():
    late_evening_utc = datetime(2026, 11, 10, 22, 0, tzinfo=UTC)  # 11 Nov, 01:30 in Tehran

    assert relative_time(late_evening_utc, now=NOW, language="fa", calendar="jalali") == (
        "۱۹ آبان ۱۴۰۵"
    )
    assert relative_time(
        late_evening_utc, now=NOW, language="fa", calendar="jalali", zone="Asia/Tehran"
    ) == ("۲۰ آبان ۱۴۰۵")


def test_a_language_without_its_own_words_is_worded_in_english():
    assert relative_time(NOW - timedelta(minutes=16), now=NOW, language="de") == "16 mins ago"


def test_cached_persian_times_are_rewritten_in_persian_and_english_ones_in_english():
    from masthead.site.relative_time import refresh_relative_times, refresh_relative_times_text

    published = (NOW - timedelta(minutes=16)).isoformat()
    persian = (
        f'<time datetime="{published}" title="x" data-relative="fa" data-calendar="jalali"'
        ' data-time-zone="Asia/Tehran">همین حالا</time>'
    )
    english = f'<time datetime="{published}" title="x" data-relative>just now</time>'
    page = persian + english

    expected = persian.replace("همین حالا", "۱۶ دقیقه پیش") + english.replace(
        "just now", "16 mins ago"
    )
    assert refresh_relative_times_text(page, now=NOW) == expected
    assert refresh_relative_times(page.encode(), now=NOW) == expected.encode()


@pytest.mark.parametrize(
    ("attributes", "age", "text"),
    [
        # No such zone: an age is still an age; a date, which needs the zone, is left as it was.
        ('data-relative="fa" data-time-zone="Mars/Olympus"', timedelta(minutes=16), "۱۶ دقیقه پیش"),
        ('data-relative="fa" data-time-zone="Mars/Olympus"', timedelta(days=8), "then"),
        ('data-relative="xx"', timedelta(minutes=16), "16 mins ago"),  # no such words: English
        # Not a calendar, or a zone with characters no zone has: not ours, untouched.
        ('data-relative="fa" data-calendar="julian"', timedelta(minutes=16), "then"),
        ('data-relative="fa" data-time-zone="../../etc/passwd"', timedelta(minutes=16), "then"),
    ],
)
def test_hostile_or_unknown_styles_never_break_the_page(attributes, age, text):
    from masthead.site.relative_time import refresh_relative_times_text

    published = (NOW - age).isoformat()
    page = f'<p><time datetime="{published}" title="x" {attributes}>then</time></p>'

    rewritten = refresh_relative_times_text(page, now=NOW)

    assert rewritten == page.replace(">then<", f">{text}<")
