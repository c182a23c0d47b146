"""A reader searches the demo outlet in headless Chromium (docs/search.md).

From the home page's header box to the results page, to the story: the
match is marked, filters and the message for a query that cannot run are
shown, and the page passes axe. The run takes ``search.png`` for the docs
(``bin/screenshots`` writes it to ``docs/screenshots/``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import modify_settings, override_settings
from playwright.sync_api import Browser, expect, sync_playwright
from pytest_django.live_server_helper import LiveServer

from masthead.browser_testing import launch_chromium, screenshot_path, whitenoise_live_server
from masthead.demo.loader import load_demo

pytestmark = pytest.mark.browser

LEAD_PATH = "/politics/trump-cancels-imminent-attack-on-iran-says-not-after-war/"


@pytest.fixture(scope="module", autouse=True)
def media_root(tmp_path_factory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("media")
    with override_settings(MEDIA_ROOT=folder):
        yield folder


@pytest.fixture(scope="module")
def site_server(collected_static, django_db_setup) -> Iterator[LiveServer]:
    with modify_settings(ALLOWED_HOSTS={"append": "localhost"}), whitenoise_live_server() as server:
        yield server


@pytest.fixture(scope="module")
def demo(site_server, django_db_blocker) -> Iterator[None]:
    with django_db_blocker.unblock():
        load_demo()
    yield
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def browser(db, demo) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


def test_a_reader_finds_a_story_by_a_word_from_its_body(browser, site_server):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(site_server.url + "/")

    search = page.get_by_role("search")
    search.get_by_role("searchbox", name="Search stories").fill("imminent attack")
    search.get_by_role("button", name="Search").click()

    expect(page).to_have_url(site_server.url + "/search/?q=imminent+attack")
    results = page.locator(".search-result")
    expect(results.first).to_be_visible()
    expect(results.first.locator("mark").first).to_be_visible()
    assert page.locator('meta[name="robots"]').get_attribute("content") == "noindex"
    page.screenshot(path=screenshot_path("search.png"), full_page=False)

    page.locator(f'.search-result a[href="{LEAD_PATH}"]').first.click()
    expect(page).to_have_url(site_server.url + LEAD_PATH)


def test_a_query_that_cannot_run_is_explained_and_the_page_passes_axe(browser, site_server):
    from axe_playwright_python.sync_playwright import Axe

    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(site_server.url + "/search/?q=%22*%5E%3A")
    expect(page.get_by_role("alert")).to_contain_text("letters or numbers")

    page.goto(site_server.url + "/search/?q=tehran")
    page.get_by_text("Filters").click()
    expect(page.get_by_label("Desk", exact=True)).to_be_visible()
    violations = Axe().run(page).response["violations"]
    assert [violation["id"] for violation in violations] == []
