"""Adding a wire source in headless Chromium, and reading its health.

The Politics desk editor opens Wire sources from the back office's
navigation, adds an RSS source with a routing rule, asks for a poll, and
reads the source's health once a worker has polled it: last success, the
last error with its reason, items received and the next poll, as relative
times. The page must raise no script error and no Content-Security-Policy
violation. Saves ``wire-sources.png`` and ``wire-source-form.png`` (``screenshot_path``).

As in the back office's browser tests, the session is made before the
browser starts and handed to the tab as its cookie, and the database is
touched while the browser runs only from another thread (Django refuses
database calls from a thread running an event loop): that thread plays the
worker that polled the source.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, expect, sync_playwright
from pytest_django.live_server_helper import LiveServer

from masthead.browser_testing import (
    failed_for_real,
    launch_chromium,
    report_csp_violations,
    screenshot_path,
    whitenoise_live_server,
)
from masthead.factories import make_desk, make_outlet, make_staff
from masthead.newsroom.models import StaffRole
from masthead.wire.models import Source

pytestmark = pytest.mark.browser
expect.set_options(timeout=15_000)
ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


@pytest.fixture(scope="module")
def live_server(collected_static) -> Iterator[LiveServer]:
    with whitenoise_live_server() as server:
        yield server


@pytest.fixture
def session(live_server, transactional_db, settings) -> str:
    from django.test import Client

    settings.REQUIRE_2FA_FOR = []
    settings.TIME_ZONE = "UTC"
    make_outlet(name="Tehran Times Test")
    politics = make_desk("Politics")
    make_desk("Economy")
    editor = make_staff(
        StaffRole.Role.DESK_EDITOR, politics, username="maryam", first_name="Maryam"
    )
    client = Client()
    client.force_login(editor)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


@pytest.fixture
def browser(session) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


def as_worker(work) -> None:
    """Run ``work`` on a thread of its own, as a worker process would, and wait for it."""
    errors: list[BaseException] = []

    def run():
        from django.db import connection

        try:
            work()
        except BaseException as error:  # handed back to the test below
            errors.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]


def worker_polled(slug: str) -> None:
    now = timezone.now()
    Source.objects.filter(slug=slug).update(
        last_polled_at=now - timedelta(minutes=3),
        last_success_at=now - timedelta(minutes=18),
        last_error="The server answered 503 Service Unavailable; retrying after 5 minutes",
        last_error_at=now - timedelta(minutes=3),
        failures=2,
        items_received=48,
        next_poll_at=now + timedelta(minutes=4, seconds=30),
    )


def test_an_editor_adds_a_source_and_reads_its_health(browser, live_server, session):
    base = live_server.url
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="en-GB")
    problems: list[str] = []
    report_csp_violations(context, lambda text: problems.append(f"CSP: {text}"))
    page = context.new_page()
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on(
        "requestfailed",
        lambda request: failed_for_real(request) and problems.append(f"failed: {request.url}"),
    )
    page.context.add_cookies([{"name": "sessionid", "value": session, "url": base}])
    page.goto(f"{base}/desk/")
    page.get_by_role("link", name="Wire sources").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Wire sources")
    expect(page.get_by_text("No sources feed your desks yet.")).to_be_visible()

    page.get_by_role("link", name="New source").click()
    page.get_by_label("Name", exact=True).fill("Reuters World")
    page.get_by_label("Kind").select_option("rss")
    page.get_by_label("Provider").fill("Reuters")
    page.get_by_label("Address (URL)").fill("javascript:alert(1)")
    page.get_by_label("Desk", exact=True).select_option(label="Politics")
    page.get_by_role("button", name="Add source").click()
    expect(page.get_by_text("only http and https addresses can be fetched")).to_be_visible()
    expect(page.get_by_label("Name", exact=True)).to_have_value("Reuters World")
    # The refused form answers 400, as every refused back-office form does: Chromium logs it.
    assert problems == [
        "Failed to load resource: the server responded with a status of 400 (Bad Request)"
    ]
    problems.clear()

    page.get_by_label("Address (URL)").fill("https://feeds.reuters.example/world.xml")
    page.get_by_label("Rule 1: Desk").select_option(label="Economy")
    page.get_by_label("Rule 1: Keywords").fill("oil, sanctions")
    page.get_by_role("button", name="Add source").click()
    expect(page.get_by_text("Source “Reuters World” added.")).to_be_visible()
    row = page.locator('tr[data-source="reuters-world"]')
    expect(row.locator(".health")).to_have_text("Not polled yet")

    row.get_by_role("button", name="Poll now").click()
    expect(page.get_by_text("“Reuters World” is due now")).to_be_visible()

    as_worker(lambda: worker_polled("reuters-world"))
    page.reload()
    row = page.locator('tr[data-source="reuters-world"]')
    expect(row.locator(".health")).to_have_text("Failing")
    expect(row).to_contain_text("18 mins ago")
    expect(row).to_contain_text("The server answered 503 Service Unavailable")
    expect(row).to_contain_text("3 mins ago")
    expect(row).to_contain_text("48")
    expect(row).to_contain_text("in 4 mins")
    expect(row.locator("time[data-when]").first).to_have_attribute("datetime", ISO_UTC)
    page.screenshot(
        path=screenshot_path("wire-sources.png"), full_page=False, animations="disabled"
    )

    row.get_by_role("link", name="Reuters World").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Source “Reuters World”")
    expect(page.get_by_text("Wire source added")).to_be_visible()
    expect(page.get_by_label("Rule 1: Keywords")).to_have_value("oil, sanctions")
    page.screenshot(
        path=screenshot_path("wire-source-form.png"), full_page=True, animations="disabled"
    )
    assert problems == []
