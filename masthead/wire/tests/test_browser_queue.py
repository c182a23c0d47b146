"""The Media Wire queue in headless Chromium, driven by Playwright.

The demo's wire editor opens the desk's queue; a flash item arrives while
the page is open and appears on top without a reload (the page polls, here
every second), announced in words; the editor opens it and writes a story
from it, landing in the story editor with the item's words. Screenshots:
``wire-queue.png`` and ``wire-item.png`` (``screenshot_path``).

As in the back office's browser tests, the demo is loaded before Playwright
starts and the test touches the database only from another thread while the
browser runs (Django refuses database calls from a thread running an event
loop).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect, sync_playwright
from pytest_django.live_server_helper import LiveServer

from masthead.browser_testing import (
    failed_for_real,
    launch_chromium,
    load_demo_with_tasks_queued,
    report_csp_violations,
    screenshot_path,
    whitenoise_live_server,
)
from masthead.demo import wire
from masthead.wire import ingest, views
from masthead.wire.models import Source, WireItem
from masthead.wire.parsers import parse
from masthead.wire.tests.conftest import make_item

pytestmark = pytest.mark.browser
expect.set_options(timeout=15_000)

EDITOR = "editor.mediawire"
FLASH = "Protesters block the road to a Basra oil field over jobs"


@pytest.fixture(scope="module")
def live_server(collected_static) -> Iterator[LiveServer]:
    with whitenoise_live_server() as server:
        yield server


@pytest.fixture
def demo(live_server, transactional_db, settings, monkeypatch):
    settings.REQUIRE_2FA_FOR = []
    settings.TIME_ZONE = "UTC"
    monkeypatch.setattr(views, "POLL_SECONDS", 1)
    load_demo_with_tasks_queued(settings)

    # What the demo's agencies had sent eight minutes after it started,
    # stored as its worker stores it (masthead/demo/wire.py).
    start = timezone.now() - timezone.timedelta(minutes=8)
    for source in Source.objects.all():
        pairs = wire.released(source.slug, start, timezone.now())
        body, content_type = wire.RENDERERS[source.kind](
            source.provider, "https://x.example/", pairs, start
        )
        ingest.store(source, parse(body, source.kind, content_type=content_type))
    return Source.objects.get(slug="gulf-wire-service")


@pytest.fixture
def session(demo, settings) -> str:
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username=EDITOR))
    return client.cookies[settings.SESSION_COOKIE_NAME].value


@pytest.fixture
def browser(session) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


def open_tab(browser: Browser) -> tuple[Page, list[str]]:
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="en-GB")
    page = context.new_page()
    problems: list[str] = []
    report_csp_violations(context, lambda text: problems.append(f"CSP: {text}"))
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "console",
        lambda message: problems.append(message.text) if message.type == "error" else None,
    )
    page.on(
        "requestfailed",
        lambda request: failed_for_real(request) and problems.append(f"failed: {request.url}"),
    )
    return page, problems


def in_another_thread(work) -> None:
    """Run database work beside the browser's event loop, and wait for it."""
    errors = []

    def run():
        from django.db import connection

        try:
            work()
        except Exception as error:  # handed to the test below
            errors.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]


def test_a_flash_arrives_without_reload_and_becomes_a_story(browser, live_server, session, demo):
    base = live_server.url
    page, problems = open_tab(browser)
    page.context.add_cookies([{"name": "sessionid", "value": session, "url": base}])
    page.goto(f"{base}/desk/")
    page.get_by_role("link", name="Wire", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Wire: Media Wire")
    rows = page.locator("#wire-rows tr.wire-item")
    queued = []
    in_another_thread(
        lambda: queued.append(WireItem.objects.filter(desk__slug="media-wire").count())
    )
    expect(rows).to_have_count(queued[0])
    expect(page.get_by_text("Held until")).to_be_visible()

    loaded_at = page.evaluate("performance.timeOrigin")
    in_another_thread(
        lambda: make_item(
            demo, FLASH, urgency=1, dateline="BASRA", byline="Gulf Wire Service",
            dek="Local men demand work at the field; the oil company says output is unaffected.",
            body="<p>Protesters blocked the main road to an oil field north of Basra on "
            "Wednesday, demanding jobs for local men, police said.</p><p>The state oil "
            "company said production had not been affected and that talks with tribal "
            "elders were under way.</p>",
        )
    )  # fmt: skip

    flash_row = rows.first
    expect(flash_row).to_contain_text(FLASH)
    expect(flash_row.locator(".wire-urgency")).to_have_text("Flash")
    expect(page.locator("#wire-announce")).to_contain_text(FLASH)
    assert page.evaluate("performance.timeOrigin") == loaded_at  # no reload
    expect(rows).to_have_count(queued[0] + 1)
    page.wait_for_timeout(2200)  # the arrival highlight fades before the picture
    page.screenshot(path=screenshot_path("wire-queue.png"), animations="disabled")

    flash_row.get_by_role("link", name=FLASH).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(FLASH)
    expect(page.get_by_role("region", name="Seen by")).to_contain_text(EDITOR)
    page.screenshot(path=screenshot_path("wire-item.png"), animations="disabled")

    page.get_by_role("button", name="Write a story from this item").click()
    expect(page.get_by_label("Headline")).to_have_value(FLASH)
    expect(page.get_by_role("region", name="Based on wire items")).to_contain_text(FLASH)
    expect(page.get_by_text("A draft was written from the wire")).to_be_visible()
    assert problems == []
