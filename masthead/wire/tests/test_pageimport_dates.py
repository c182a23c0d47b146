"""Dates only as the page states them (masthead/wire/pageimport/dates.py)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from masthead.wire.pageimport.dates import machine_date, written_date


@pytest.mark.parametrize(
    ("value", "iso"),
    [
        ("2019-06-21T10:00:00Z", "2019-06-21T10:00:00+00:00"),
        ("2019-06-21T10:00:00.000Z", "2019-06-21T10:00:00+00:00"),
        ("2019-06-21T10:00:00+04:30", "2019-06-21T10:00:00+04:30"),
        ("2019-06-21 10:00:00+0430", "2019-06-21T10:00:00+04:30"),
        ("2019-06-21T10:00:00", "2019-06-21T10:00:00"),  # no offset stated: none invented
        ("2019-06-21", "2019-06-21"),  # a date alone stays a date
        ("Fri, 21 Jun 2019 10:00:00 GMT", "2019-06-21T10:00:00+00:00"),
        ("۲۰۱۹-۰۶-۲۱", "2019-06-21"),  # Persian digits
        ("٢٠١٩-٠٦-٢١T١٠:٠٠:٠٠Z", "2019-06-21T10:00:00+00:00"),  # Arabic-Indic digits
        (" 2019-06-21T10:00:00Z\n", "2019-06-21T10:00:00+00:00"),
    ],
)
def test_machine_readable_dates(value, iso):
    assert machine_date(value) == iso


@pytest.mark.parametrize(
    "value",
    [
        "",
        None,
        "16 mins ago",
        "yesterday",
        "1398/03/31",  # Solar Hijri: not misread as the year 1398
        "1398-03-31",
        "2019-02-30",
        "0001-01-01",
        "9999-12-31T00:00:00Z",  # far in the future
        "June 2019",
        "21 June",  # no year
        "2019-06-21T25:00:00",
        ["2019-06-21"],
    ],
)
def test_what_is_not_a_date_stays_empty(value):
    assert machine_date(value) == ""


@pytest.mark.parametrize(
    ("line", "iso"),
    [
        ("June 21, 2019", "2019-06-21"),
        ("Friday, June 21, 2019", "2019-06-21"),
        ("21 June 2019", "2019-06-21"),
        ("21st Jun. 2019", "2019-06-21"),
        ("Published: 21 June 2019 10:30 GMT", "2019-06-21T10:30:00+00:00"),
        ("Posted on June 21, 2019 at 3:30 pm", "2019-06-21T15:30:00"),
        ("21 Jun 2019 | 10:30", "2019-06-21T10:30:00"),
        ("2019-06-21 09:15 GMT+3:30", "2019-06-21T09:15:00+03:30"),
        ("June 21, 2019 12:05 a.m.", "2019-06-21T00:05:00"),
    ],
)
def test_written_date_lines(line, iso):
    assert written_date(line) == iso


@pytest.mark.parametrize(
    "line",
    [
        "Updated: June 21, 2019",  # an update is not the publication
        "The strike happened on June 21, 2019.",  # a sentence, not a date line
        "4 hours ago",
        "June 31, 2019",
        "21 June 2019 25:61",
        "۱۳ اسفند ۱۴۰۲",  # Solar Hijri, not converted
        "Monday",
    ],
)
def test_lines_that_are_not_date_lines(line):
    assert written_date(line) == ""


@given(st.text(max_size=200))
def test_any_text_is_a_date_or_empty_never_an_error(text):
    for result in (machine_date(text), written_date(text)):
        assert isinstance(result, str)
