"""The script that keeps relative times true (static/site/relative-time.js), in every
edition's words, against the server's own wording (site/relative_time.py).

Runs in Chromium on a page of ``<time>`` elements as the templates write them, with
the browser's clock set, so the script and the server are compared on the same ages.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, sync_playwright

from masthead.browser_testing import launch_chromium
from masthead.site.relative_time import relative_time, style_attributes

pytestmark = pytest.mark.browser

SCRIPT = Path(__file__).resolve().parents[1] / "static" / "site" / "relative-time.js"
NOW = datetime(2026, 12, 3, 10, 16, tzinfo=UTC)
AGES = [
    timedelta(seconds=20),
    timedelta(minutes=1),
    timedelta(minutes=16),
    timedelta(hours=1),
    timedelta(hours=4, minutes=59),
    timedelta(days=1),
    timedelta(days=6, hours=23),
    timedelta(days=7),
    timedelta(days=400),
    # 21:00 UTC is past midnight in Tehran: the date is the zone's.
    NOW - datetime(2026, 11, 10, 21, 0, tzinfo=UTC),
]
STYLES = [
    ("en", "gregorian", ""),
    ("fa", "jalali", "Asia/Tehran"),
    ("fa", "jalali", ""),
]


@pytest.fixture(scope="module")
def page() -> Iterator[Page]:
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        tab = chromium.new_page()
        tab.clock.install(time=NOW)
        yield tab
        chromium.close()


def time_element(moment: datetime, language: str, calendar: str, zone: str) -> str:
    attributes = style_attributes(language, calendar, zone)
    return f'<time datetime="{moment.isoformat()}" data-relative{attributes}>stale</time>'


@pytest.mark.parametrize(("language", "calendar", "zone"), STYLES)
def test_the_script_words_every_age_as_the_server_does(page, settings, language, calendar, zone):
    settings.TIME_ZONE = "UTC"  # the page's zone, for the elements that name none
    moments = [NOW - age for age in AGES]
    elements = "".join(f"<p>{time_element(m, language, calendar, zone)}</p>" for m in moments)
    page.set_content(f'<html lang="{language}" data-time-zone="UTC"><body>{elements}</body></html>')
    page.add_script_tag(content=SCRIPT.read_text())
    page.clock.set_fixed_time(NOW)
    page.evaluate("window.mastheadRelativeTime.refresh()")

    shown = page.locator("time").all_text_contents()
    expected = [
        relative_time(m, NOW, language=language, calendar=calendar, zone=zone) for m in moments
    ]
    assert shown == expected
    if language == "fa":  # and not merely equal: in Persian, on the Solar Hijri calendar
        assert shown[2] == "۱۶ دقیقه پیش" and shown[7] == "۵ آذر ۱۴۰۵"
