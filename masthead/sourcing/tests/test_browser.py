"""In headless Chromium: a publish refused by a sourcing rule, an approval, a publish.

The desk editor opens a story that relies on an unapproved unnamed source and
presses "Publish now": the page says which rule refused it and links the
policy. The editor approves the source with a reason on the same page and
publishes. As in the back office's browser tests, everything is in the
database before Playwright starts, and each person's session is handed to
their tab as its cookie.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import expect, sync_playwright
from pytest_django.live_server_helper import LiveServer

from masthead.browser_testing import (
    failed_for_real,
    launch_chromium,
    report_csp_violations,
    screenshot_path,
    whitenoise_live_server,
)

pytestmark = pytest.mark.browser
expect.set_options(timeout=15_000)


@pytest.fixture(scope="module")
def live_server(collected_static) -> Iterator[LiveServer]:
    with whitenoise_live_server() as server:
        yield server


@pytest.fixture
def newsroom(live_server, transactional_db, settings) -> dict:
    from django.test import Client

    from masthead.factories import editor_of, make_desk
    from masthead.newsroom.models import PolicyPage
    from masthead.sourcing.tests.helpers import OUTLET, UNNAMED, in_edit

    settings.REQUIRE_2FA_FOR = []
    desk = make_desk("Politics")
    editor = editor_of(desk)
    editor.first_name, editor.last_name = "Maryam", "Karimi"
    editor.save()
    PolicyPage.objects.create(
        kind=PolicyPage.Kind.UNNAMED_SOURCES, title="Unnamed sources", slug="unnamed-sources"
    )
    story = in_edit(editor, desk, UNNAMED, OUTLET, headline="Talks resumed, two officials say")
    client = Client()
    client.force_login(editor)
    return {"story": story.pk, "session": client.cookies[settings.SESSION_COOKIE_NAME].value}


def test_a_refused_publish_an_approval_and_a_publish(live_server, newsroom):
    base = live_server.url
    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        context = browser.new_context(viewport={"width": 1400, "height": 1100}, locale="en-GB")
        report_csp_violations(context, lambda text: problems.append(f"CSP: {text}"))
        page = context.new_page()
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on(
            "requestfailed",
            lambda request: failed_for_real(request) and problems.append(request.url),
        )
        context.add_cookies([{"name": "sessionid", "value": newsroom["session"], "url": base}])
        page.goto(f"{base}/desk/stories/{newsroom['story']}/")

        approvals = page.get_by_role("region", name="Unnamed sources: approvals")
        expect(approvals.get_by_text("Not approved")).to_be_visible()

        page.get_by_role("button", name="Publish now").click()
        refusal = page.get_by_role("alert").filter(has_text="unnamed_needs_approval")
        expect(refusal).to_contain_text("An unnamed source needs an editor's approval")
        expect(refusal).to_contain_text("“two US officials”")
        expect(refusal).to_contain_text("/policies/unnamed-sources/")
        expect(page.get_by_text("The workflow step was not taken")).to_be_visible()
        refusal.scroll_into_view_if_needed()
        page.screenshot(path=screenshot_path("sourcing-refused.png"), animations="disabled")

        approvals.get_by_label("Why we rely on this source unnamed").fill(
            "Two officials, each confirmed separately by our Washington bureau."
        )
        approvals.get_by_role("button", name="Approve source 1").click()
        expect(page.get_by_text("The source is approved")).to_be_visible()
        approvals = page.get_by_role("region", name="Unnamed sources: approvals")
        expect(approvals).to_contain_text("Approved by Maryam Karimi")
        page.locator("#source-approvals").scroll_into_view_if_needed()
        page.screenshot(path=screenshot_path("sourcing-approved.png"), animations="disabled")

        page.get_by_role("button", name="Publish now").click()
        expect(page.get_by_text("Done: the story is now published.")).to_be_visible()
        browser.close()
    assert problems == []
