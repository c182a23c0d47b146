"""Times typed in the outlet's zone: read right, refused clearly when they do not exist."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from masthead.backoffice.forms import WorkflowForm

CASES = [
    # zone, typed, the moment in UTC or the start of the error
    ("UTC", "2027-07-01T09:00:00", datetime(2027, 7, 1, 9, 0, tzinfo=UTC)),
    ("Asia/Tehran", "2027-07-01T09:00:00", datetime(2027, 7, 1, 5, 30, tzinfo=UTC)),
    ("Asia/Tehran", "2027-12-10T00:15", datetime(2027, 12, 9, 20, 45, tzinfo=UTC)),
    ("Europe/London", "2027-01-15T12:00:00", datetime(2027, 1, 15, 12, 0, tzinfo=UTC)),
    ("Europe/London", "2027-07-01T09:00:05", datetime(2027, 7, 1, 8, 0, 5, tzinfo=UTC)),
    ("Europe/London", "2027-03-28T01:30:00", "There is no 01:30 on 28 March 2027 in Europe/London"),
    ("Europe/London", "2027-10-31T01:30:00", "01:30 on 31 October 2027 happens twice"),
    ("America/New_York", "2027-03-14T02:59:59", "There is no 02:59 on 14 March 2027"),
    ("America/New_York", "2027-11-07T01:00:00", "01:00 on 7 November 2027 happens twice"),
    ("Asia/Tehran", "2027-02-30T09:00:00", "Enter a valid date/time."),
    ("Asia/Tehran", "<script>", "Enter a valid date/time."),
    ("Asia/Tehran", "9" * 5000, "Enter a valid date/time."),
]


@pytest.mark.parametrize(("zone", "typed", "expected"), CASES)
def test_a_time_is_read_in_the_outlets_zone(settings, zone, typed, expected):
    settings.TIME_ZONE = zone
    form = WorkflowForm({"when": typed})
    if isinstance(expected, datetime):
        assert form.is_valid(), form.errors
        assert form.cleaned_data["when"] == expected
    else:
        assert not form.is_valid()
        assert form.errors["when"][0].startswith(expected)


def test_the_ambiguous_hour_names_both_moments(settings):
    settings.TIME_ZONE = "Europe/London"
    form = WorkflowForm({"when": "2027-10-31T01:30:00"})
    assert "first at 31 Oct 2027, 00:30:00 UTC, then at 31 Oct 2027, 01:30:00 UTC" in str(
        form.errors["when"]
    )


@pytest.mark.parametrize(
    ("zone", "label"),
    [("Asia/Tehran", "Publish at (Asia/Tehran, UTC+03:30)"), ("UTC", "Publish at (UTC)")],
)
def test_the_time_field_names_its_zone_and_shows_utc(settings, zone, label):
    settings.TIME_ZONE = zone
    form = WorkflowForm({"when": "2027-07-01T09:00:00"})
    html = str(form["when"])
    assert form.fields["when"].label == label
    assert 'type="datetime-local"' in html and 'value="2027-07-01T09:00:00"' in html
    utc = "05:30:00" if zone == "Asia/Tehran" else "09:00:00"
    assert f"<output>1 Jul 2027, {utc} UTC</output>" in html
    assert 'aria-describedby="id_when-utc"' in html
