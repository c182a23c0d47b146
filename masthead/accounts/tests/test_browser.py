"""Signing in with two-factor in headless Chromium, driven by Playwright.

The demo's superuser opens the admin, is sent to the sign-in page, mistypes
the password, signs in, sets up an authenticator app from the secret shown on
the page (the code is computed here, as the app would), keeps the backup
codes and reaches the admin; signing in again asks for a code. The run
takes the sign-in screenshots (``screenshot_path``; ``bin/screenshots`` refreshes the docs').

As in the other browser tests, the demo is loaded before Playwright starts
and nothing here touches the database while it runs.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from django_otp.oath import TOTP
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

pytestmark = pytest.mark.browser

PASSWORD = "masthead-demo"


@pytest.fixture(scope="module")
def live_server(collected_static) -> Iterator[LiveServer]:
    """pytest-django's live server, with static files served by WhiteNoise as in production."""
    with whitenoise_live_server() as server:
        yield server


@pytest.fixture
def demo(live_server, transactional_db, settings):
    settings.REQUIRE_2FA_FOR = ["editors", "administrators"]
    load_demo_with_tasks_queued(settings)


@pytest.fixture
def browser(demo) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


def app_code(secret: str, steps_ahead: int = 0) -> str:
    """What an authenticator app shows for ``secret`` (base32, as the page prints it)."""
    compact = secret.replace(" ", "")
    key = base64.b32decode(compact + "=" * (-len(compact) % 8))
    totp = TOTP(key)
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def shoot(page: Page, name: str) -> None:
    page.screenshot(path=screenshot_path(name), full_page=True, animations="disabled")


def sign_in(page: Page, password: str = PASSWORD) -> None:
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_superuser_sets_up_two_factor_and_reaches_the_admin(browser, live_server):
    base = live_server.url
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    problems: list[str] = []
    report_csp_violations(context, lambda text: problems.append(f"CSP: {text}"))
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on(
        "requestfailed",
        lambda request: failed_for_real(request) and problems.append(f"failed: {request.url}"),
    )
    hosts: set[str] = set()
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))

    page.goto(f"{base}/admin/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    assert urlsplit(page.url).path == "/account/login/"
    shoot(page, "sign-in.png")

    sign_in(page, "not the password")
    expect(page.get_by_role("alert")).to_contain_text("do not match an account")
    expect(page.get_by_label("Username")).to_have_attribute("autocomplete", "username")

    sign_in(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor sign-in")
    expect(page.locator("figure.qr svg")).to_be_visible()
    secret = page.locator("code.secret").inner_text()
    code = page.get_by_label("Code")
    expect(code).to_have_attribute("autocomplete", "one-time-code")
    shoot(page, "two-factor-setup.png")

    code.fill("000000")
    page.get_by_role("button", name="Turn on two-factor").click()
    expect(page.locator(".errorlist")).to_contain_text("does not match the new secret")
    expect(page.get_by_label("Code")).to_have_attribute(
        "aria-describedby", "id_code_helptext id_code_error"
    )

    page.wait_for_timeout(1100)  # one wrong code: the next try waits a second
    page.get_by_label("Code").fill(app_code(secret))
    page.get_by_role("button", name="Turn on two-factor").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Backup codes")
    expect(page.locator(".backup-codes li")).to_have_count(10)
    shoot(page, "backup-codes.png")

    page.get_by_role("link", name="I have kept them — continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Site administration")

    # Signing out and in again asks for the app's code.
    page.get_by_role("button", name="Log out").click()
    page.goto(f"{base}/account/login/?next=/admin/")
    sign_in(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Two-factor check")
    page.get_by_label("Code").fill(app_code(secret, steps_ahead=1))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Site administration")

    assert problems == []
    assert hosts == {urlsplit(base).netloc}
