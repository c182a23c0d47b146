"""A reader reports an error and the desk corrects it, in headless Chromium.

The reader opens a Politics story of the demo outlet, follows "Report an
error" and sends the form (no script takes part: JavaScript is off in the
reader's tab); the Politics desk editor sees the report counted in the back
office's navigation, opens the queue and the report, accepts it, corrects
the story and publishes a correction; the article shows the correction and
that it followed a reader's report, and the reader's mailbox (Django's
locmem backend in tests) holds the outcome. Screenshots: the form and the
queue (``screenshot_path``; ``bin/screenshots`` refreshes the docs' copies).

As in the back office's browser tests, the demo and every database read
happen before Playwright starts (Django refuses database calls from a thread
running an event loop), and the editor's session is handed to the tab.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core import mail
from playwright.sync_api import Browser, expect, sync_playwright
from pytest_django.live_server_helper import LiveServer

from masthead.browser_testing import (
    failed_for_real,
    launch_chromium,
    load_demo_with_tasks_queued,
    report_csp_violations,
    screenshot_path,
    whitenoise_live_server,
)
from masthead.sourcing.models import ErrorReport

pytestmark = pytest.mark.browser
expect.set_options(timeout=15_000)

BODY = "[contenteditable=true].ProseMirror"
WHAT = "The third paragraph gives the vote as 14 to 7; the council's minutes say 15 to 6."
NOTE = "An earlier version gave the result of the vote as 14 to 7. It was 15 to 6."


@pytest.fixture(scope="module")
def live_server(collected_static) -> Iterator[LiveServer]:
    with whitenoise_live_server() as server:
        yield server


@pytest.fixture
def newsroom(live_server, transactional_db, settings) -> dict:
    from django.contrib.auth import get_user_model
    from django.test import Client

    from masthead.stories.models import Story

    settings.REQUIRE_2FA_FOR = []
    settings.TIME_ZONE = "UTC"
    settings.SITE_URL = live_server.url
    load_demo_with_tasks_queued(settings)
    story = Story.objects.live().filter(desk__slug="politics").order_by("-published_at").first()
    client = Client()
    client.force_login(get_user_model().objects.get(username="editor.politics"))
    return {
        "story_url": story.get_absolute_url(),
        "headline": story.headline,
        "story_id": story.pk,
        "session": client.cookies[settings.SESSION_COOKIE_NAME].value,
    }


@pytest.fixture
def browser(newsroom) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


def open_tab(browser: Browser, problems: list, javascript: bool = True):
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="en-GB", java_script_enabled=javascript
    )
    page = context.new_page()
    report_csp_violations(context, lambda text: problems.append(f"CSP: {text}"))
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "requestfailed",
        lambda request: failed_for_real(request) and problems.append(f"failed: {request.url}"),
    )
    return page


def test_a_reader_reports_an_error_and_the_desk_corrects_it(
    browser, live_server, newsroom, orm_beside_playwright
):
    # Playwright's loop runs in this thread: the one count below reads the ORM from it.
    base, problems = live_server.url, []
    mail.outbox = []

    # The reader, without JavaScript, reports the error from the article.
    reader = open_tab(browser, problems, javascript=False)
    reader.goto(base + newsroom["story_url"])
    reader.get_by_role("link", name="Report an error").click()
    expect(reader.get_by_role("heading", level=1)).to_have_text("Report an error")
    reader.get_by_label("What is wrong?").fill(WHAT)
    reader.get_by_label("A link to evidence (optional)").fill("https://example.org/minutes")
    reader.get_by_label("Your e-mail (optional)").fill("reader@example.net")
    reader.screenshot(path=screenshot_path("report-error-form.png"), animations="disabled")
    reader.get_by_role("button", name="Send the report").click()
    expect(reader.get_by_role("heading", level=1)).to_have_text("Thank you")
    assert reader.url == f"{base}{newsroom['story_url']}report-error/thanks/"

    # The desk editor sees it counted, in the queue, and accepts it.
    editor = open_tab(browser, problems)
    editor.context.add_cookies([{"name": "sessionid", "value": newsroom["session"], "url": base}])
    editor.goto(f"{base}/desk/")
    nav = editor.get_by_role("navigation", name="Back office")
    # The demo outlet has its own new report on the same desk: this one adds one.
    waiting = ErrorReport.objects.filter(
        status=ErrorReport.Status.NEW, story__desk__slug="politics"
    ).count()
    expect(nav.get_by_role("link", name=f"Reader reports {waiting} new")).to_be_visible()
    nav.get_by_role("link", name="Reader reports").click()
    expect(editor.get_by_role("heading", level=1)).to_have_text("Readers' reports")
    row = editor.get_by_role("row").filter(has_text=newsroom["headline"])
    expect(row).to_contain_text("The third paragraph gives the vote")
    editor.screenshot(path=screenshot_path("report-error-queue.png"), animations="disabled")
    row.get_by_role("link", name=WHAT[:40]).click()
    expect(editor.get_by_role("heading", level=1)).to_contain_text("Reader's report")
    editor.get_by_role("button", name="Accept and correct the story").click()
    expect(editor.get_by_text("Report accepted.")).to_be_visible()
    expect(editor.get_by_text("1 accepted reader report")).to_be_visible()

    # … corrects the story and publishes the correction.
    editor.locator(BODY).click()
    editor.keyboard.press("Control+End")
    editor.keyboard.type(" The vote was 15 to 6.")
    editor.get_by_label("Note for this step").fill(NOTE)
    editor.get_by_label("Kind").select_option("correction")
    editor.get_by_role("button", name="Publish correction").click()
    expect(editor.get_by_text("Done: the story is now published.")).to_be_visible()
    expect(editor.get_by_text("accepted reader report")).to_have_count(0)

    # The article shows the correction, and that it followed a reader's report.
    reader.goto(base + newsroom["story_url"])
    reader.reload()  # revalidates the browser's copy (max-age=60) with the server
    corrections = reader.get_by_role("region", name="Corrections and updates")
    expect(corrections).to_contain_text(NOTE)
    expect(corrections).to_contain_text("One correction followed readers' reports.")
    editor.goto(f"{base}/desk/corrections/?status=done")
    expect(editor.get_by_role("row").filter(has_text=newsroom["headline"])).to_contain_text(
        "Corrected"
    )

    # The reader's mailbox has the outcome.
    (message,) = mail.outbox
    assert message.to == ["reader@example.net"]
    assert NOTE in message.body and base + newsroom["story_url"] in message.body
    assert problems == []
