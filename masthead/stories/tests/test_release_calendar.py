"""Scheduled and embargoed stories go public at the instant the desk typed, in the outlet's zone,
across the boundaries a calendar has (RELIABILITY.md R1 (5) and L14, with time-machine).

The desk types a wall-clock time in the outlet's zone (``TIME_ZONE``); the
back office reads it as that zone's instant (``backoffice/outlet_time.py``),
the story is scheduled for it, and the gate releases it when the clock
passes it: one second before, the story is on no public page; at the
instant, it is. The boundaries: the nights a zone with daylight saving
(Europe/London) moves its clocks, where a time is skipped or repeated and
the desk is told so; Asia/Tehran (+03:30, no daylight saving since 2022);
a leap day; a year change; and Nowruz, the first day of the Solar Hijri
year, on which the Persian edition's dates turn to the new year.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jdatetime
import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.utils import timezone

from masthead.backoffice.outlet_time import outlet_aware
from masthead.factories import editor_of, make_desk, make_story
from masthead.newsroom.calendars import date_text
from masthead.stories import services
from masthead.stories.models import Story

pytestmark = pytest.mark.django_db
S = Story.Status

# (zone, the wall-clock time typed, the instant in UTC it means)
BOUNDARIES = [
    # London: the clocks go forward at 01:00 GMT on 28 March 2027 (01:00 -> 02:00 BST).
    ("Europe/London", "2027-03-28T00:59:59", "2027-03-28T00:59:59"),
    ("Europe/London", "2027-03-28T02:30:00", "2027-03-28T01:30:00"),
    # … and back at 01:00 GMT on 31 October 2027 (02:00 BST -> 01:00 GMT).
    ("Europe/London", "2027-10-31T00:30:00", "2027-10-30T23:30:00"),
    ("Europe/London", "2027-10-31T02:30:00", "2027-10-31T02:30:00"),
    # Tehran, +03:30 all year: the half hour, and the day before in UTC.
    ("Asia/Tehran", "2027-03-21T00:00:00", "2027-03-20T20:30:00"),  # Nowruz 1406
    ("Asia/Tehran", "2027-09-22T00:00:00", "2027-09-21T20:30:00"),  # once a DST end
    # A leap day, and the instants either side of a year change.
    ("Asia/Tehran", "2028-02-29T09:00:00", "2028-02-29T05:30:00"),
    ("Europe/London", "2028-02-29T23:59:59", "2028-02-29T23:59:59"),
    ("Asia/Tehran", "2027-12-31T23:59:59", "2027-12-31T20:29:59"),
    ("Asia/Tehran", "2028-01-01T00:00:00", "2027-12-31T20:30:00"),
    ("Europe/London", "2028-01-01T00:00:00", "2028-01-01T00:00:00"),
]


def typed(zone: str, wall: str) -> datetime:
    with override_settings(TIME_ZONE=zone), timezone.override(zone):
        return outlet_aware(datetime.fromisoformat(wall))


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(("zone", "wall", "instant"), BOUNDARIES)
@pytest.mark.parametrize("embargo", [False, True], ids=["scheduled", "embargoed"])
def test_a_story_goes_public_at_the_instant_typed_and_not_a_second_before(
    zone, wall, instant, embargo
):
    desk = make_desk("Politics")
    story = make_story("Calendar boundary story", desk=desk, status=S.READY, age=None)
    services.snapshot_revision(story)
    when = typed(zone, wall)
    assert when == utc(instant)

    with time_machine.travel(when - timedelta(days=1), tick=False):
        services.schedule_story(editor_of(desk), story, when, embargo=embargo)
    story.refresh_from_db()
    assert story.published_at == utc(instant)

    reader = Client()
    before = when - timedelta(seconds=1)
    with override_settings(TIME_ZONE=zone), time_machine.travel(before, tick=False):
        assert not Story.objects.live().filter(pk=story.pk).exists()
        assert not story.is_live()
        assert b"Calendar boundary story" not in reader.get("/").content
        assert reader.get(story.get_absolute_url()).status_code == 404
    with override_settings(TIME_ZONE=zone), time_machine.travel(when, tick=False):
        assert Story.objects.live().filter(pk=story.pk).exists()
        assert story.effective_status() == S.PUBLISHED
        assert b"Calendar boundary story" in reader.get("/").content
        assert reader.get(story.get_absolute_url()).status_code == 200


@pytest.mark.parametrize(
    ("wall", "told"),
    [
        ("2027-03-28T01:30:00", "There is no 01:30 on 28 March 2027 in Europe/London"),
        ("2027-10-31T01:30:00", "01:30 on 31 October 2027 happens twice in Europe/London"),
    ],
)
def test_a_time_the_clocks_skip_or_repeat_is_refused_with_what_happens(wall, told):
    with pytest.raises(ValidationError) as refused:
        typed("Europe/London", wall)

    assert told in refused.value.messages[0]


def test_the_persian_date_turns_to_the_new_year_at_nowruz_in_tehran():
    # Nowruz 1406 is 21 March 2027 (jdatetime's calendar, not ours).
    assert jdatetime.date(1406, 1, 1).togregorian().isoformat() == "2027-03-21"
    new_year = typed("Asia/Tehran", "2027-03-21T00:00:00")
    zone = timezone.get_fixed_timezone(210)

    before = (new_year - timedelta(seconds=1)).astimezone(zone)
    at = new_year.astimezone(zone)

    assert date_text(before, "jalali", "fa", "j F Y") == "۲۹ اسفند ۱۴۰۵"
    assert date_text(at, "jalali", "fa", "j F Y") == "۱ فروردین ۱۴۰۶"


def test_the_persian_leap_year_has_a_thirtieth_of_esfand():
    # 1408 is a leap year of the Solar Hijri calendar: its Esfand has 30 days, and
    # the day after is Nowruz 1409, whatever the Gregorian leap day did.
    last = jdatetime.date(1408, 12, 30)
    assert last.isleap()
    zone = timezone.get_fixed_timezone(210)
    moment = datetime.combine(last.togregorian(), datetime.min.time()).replace(tzinfo=zone)

    assert date_text(moment, "jalali", "fa", "j F Y") == "۳۰ اسفند ۱۴۰۸"
    following = moment + timedelta(days=1)
    assert date_text(following, "jalali", "fa", "j F Y") == "۱ فروردین ۱۴۰۹"
