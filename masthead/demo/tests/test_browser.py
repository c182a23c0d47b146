"""The demo outlet's home page in headless Chromium: no hole under the lead story.

At desktop width the lead (2/3) and the top stories (1/3) sit side by side;
the loader decides what the lead card holds (picture, standfirst), so it
decides whether the lead column ends where the top stories end.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.management import call_command
from django.test import modify_settings
from playwright.sync_api import sync_playwright
from pytest_django.live_server_helper import LiveServer

from masthead.browser_testing import launch_chromium, whitenoise_live_server
from masthead.demo.loader import load_demo

pytestmark = pytest.mark.browser

# Two lines of a top story's text: more than that under the lead reads as a hole.
LARGEST_GAP = 48
COLUMNS = """() => {
    const lead = document.querySelector('.front__lead .card').getBoundingClientRect();
    const top = [...document.querySelectorAll('.front__top .card')].pop().getBoundingClientRect();
    return [lead.bottom, top.bottom, lead.right <= top.left];
}"""


@pytest.fixture(scope="module")
def site(collected_static, django_db_setup, django_db_blocker) -> Iterator[LiveServer]:
    with modify_settings(ALLOWED_HOSTS={"append": "localhost"}), whitenoise_live_server() as server:
        with django_db_blocker.unblock():
            load_demo()
        yield server
        with django_db_blocker.unblock():
            call_command("flush", interactive=False, verbosity=0)


@pytest.mark.parametrize("width", [1280, 1366, 1920])
def test_no_gap_under_the_lead_on_the_home_page(db, site, width):
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        page = chromium.new_page(viewport={"width": width, "height": 900})
        page.goto(site.url + "/", wait_until="networkidle")
        lead_bottom, top_bottom, side_by_side = page.evaluate(COLUMNS)
        chromium.close()

    assert side_by_side
    assert abs(top_bottom - lead_bottom) <= LARGEST_GAP, (lead_bottom, top_bottom)
