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
