"""The story editor in headless Chromium with mixed Persian and English text,
under ``<html dir="ltr">`` (today's back office) and ``dir="rtl"`` (the back
office for Persian staff): each field and each body paragraph reads in its
own direction, and the layout mirrors without breaking (docs/editions.md,
"Right to left").
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client
from playwright.sync_api import Browser, Page, expect, sync_playwright
from pytest_django.live_server_helper import LiveServer

from masthead.browser_testing import (
    launch_chromium,
    report_csp_violations,
    screenshot_path,
    whitenoise_live_server,
)
from masthead.factories import make_desk, make_staff
from masthead.newsroom.models import StaffRole
from masthead.stories import services
from masthead.stories.services import Content

pytestmark = pytest.mark.browser
expect.set_options(timeout=15_000)

HEADLINE = "مذاکرات در وین از سر گرفته شد"
ENGLISH_QUOTE = "We are ready to talk, the minister told Reuters."
BODY = (
    "<p>دور تازه مذاکرات روز جمعه در وین آغاز شد.</p>"
    f"<p>{ENGLISH_QUOTE}</p>"
    "<ul><li>نخستین نشست</li></ul>"
    "<blockquote><p>سخنگو گفت ۱۲ نشست دیگر در راه است.</p></blockquote>"
)


@pytest.fixture(scope="module")
def live_server(collected_static) -> Iterator[LiveServer]:
    with whitenoise_live_server() as server:
        yield server


@pytest.fixture
def story_and_session(live_server, transactional_db, settings) -> tuple[int, str]:
    settings.REQUIRE_2FA_FOR = []
    desk = make_desk("Politics")
    writer = make_staff(StaffRole.Role.WRITER, desk, username="writer")
    story = services.create_story(writer, Content(headline=HEADLINE, desk=desk, body=BODY))
    client = Client()
    client.force_login(writer)
    return story.pk, client.cookies[settings.SESSION_COOKIE_NAME].value


@pytest.fixture
def browser(story_and_session) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


def open_editor(browser: Browser, base: str, story: int, session: str, direction: str):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-GB")
    problems: list[str] = []
    report_csp_violations(context, lambda text: problems.append(text))
    context.add_cookies([{"name": "sessionid", "value": session, "url": base}])
    page = context.new_page()
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(f"{base}/desk/stories/{story}/")
    expect(page.locator(".ProseMirror[contenteditable=true]")).to_be_visible()
    # What the back office does for Persian staff (its language's direction).
    page.evaluate("(direction) => { document.documentElement.dir = direction; }", direction)
    return page, problems


def reads(page: Page, selector: str) -> str:
    return page.locator(selector).first.evaluate(
        "(element) => element.matches(':dir(rtl)') ? 'rtl' : 'ltr'"
    )


def starts_at(page: Page, selector: str, text: str) -> str:
    """Which edge of its block the first line of the paragraph starting ``text`` touches."""
    return page.evaluate(
        """([selector, text]) => {
             const block = [...document.querySelectorAll(selector)]
               .find((element) => element.textContent.startsWith(text));
             const range = document.createRange(); range.selectNodeContents(block);
             const line = range.getClientRects()[0], box = block.getBoundingClientRect();
             return line.left - box.left < 2 ? "left" : box.right - line.right < 2 ? "right" : "?";
           }""",
        [selector, text],
    )


@pytest.mark.parametrize("direction", ["ltr", "rtl"])
def test_the_editor_reads_each_field_and_paragraph_in_its_own_direction(
    browser, live_server, story_and_session, direction
):
    story, session = story_and_session
    page, problems = open_editor(browser, live_server.url, story, session, direction)

    assert reads(page, "#id_headline") == "rtl"
    assert page.locator("#id_headline").get_attribute("dir") == "auto"
    page.locator("#id_dek").fill("Talks resume in Vienna")
    assert reads(page, "#id_dek") == "ltr"
    page.locator("#id_lead_image_caption").fill("وین، جمعه")
    assert reads(page, "#id_lead_image_caption") == "rtl"

    body = ".field--body .ProseMirror p"
    assert starts_at(page, body, "دور تازه") == "right"
    assert starts_at(page, body, ENGLISH_QUOTE[:10]) == "left"

    # The layout mirrors and nothing spills sideways.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    main = page.locator(".editor__main").bounding_box()
    side = page.locator(".editor__side").bounding_box()
    if direction == "rtl":
        assert side["x"] + side["width"] <= main["x"]
    else:
        assert main["x"] + main["width"] <= side["x"]
    assert problems == []
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=screenshot_path(f"editor-{direction}.png"), animations="disabled")


@pytest.mark.parametrize("path", ["/desk/", "/desk/board/", "/desk/stories/{story}/history/"])
def test_back_office_pages_mirror_under_rtl(browser, live_server, story_and_session, path):
    story, session = story_and_session
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
    page = context.new_page()
    page.goto(live_server.url + path.format(story=story))
    page.evaluate("document.documentElement.dir = 'rtl'")

    # The outlet's name starts the bar on the right, the account's links end it on the left.
    name, user = (
        page.locator(".bar__name").bounding_box(),
        page.locator(".bar__user").bounding_box(),
    )
    assert user["x"] + user["width"] < name["x"]
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    name = path.strip("/").replace("/", "-").replace("{story}", "story")
    page.screenshot(path=screenshot_path(f"rtl-{name}.png"), animations="disabled")
    context.close()


@pytest.fixture
def persian_editor_session(live_server, transactional_db, settings) -> tuple[int, str, str]:
    """A Persian desk's editor, who chose فارسی for the back office, and a draft of theirs."""
    from masthead.factories import make_edition

    settings.REQUIRE_2FA_FOR = []
    desk = make_desk("سیاست", slug="siasat", edition=make_edition("fa", name="فارسی"))
    editor = make_staff(StaffRole.Role.DESK_EDITOR, desk, username="dabir")
    story = services.create_story(editor, Content(headline=HEADLINE, desk=desk, body=BODY))
    # Submitted by its writer and taken by the desk: the editor may publish it now.
    services.claim_story(editor, services.submit_story(editor, story))
    client = Client()
    client.force_login(editor)
    return (
        story.pk,
        client.cookies[settings.SESSION_COOKIE_NAME].value,
        settings.LANGUAGE_COOKIE_NAME,
        story.get_absolute_url(),
    )


@pytest.mark.parametrize("width", [1280, 390])
def test_a_persian_editor_writes_and_publishes_in_the_right_to_left_back_office(
    persian_editor_session, browser, live_server, width
):
    # The session first: its rows are written before Playwright's loop starts in this thread.
    story, session, language_cookie, address = persian_editor_session
    context = browser.new_context(viewport={"width": width, "height": 1000}, locale="fa-IR")
    problems: list[str] = []
    report_csp_violations(context, lambda text: problems.append(text))
    context.add_cookies(
        [
            {"name": "sessionid", "value": session, "url": live_server.url},
            {"name": language_cookie, "value": "fa", "url": live_server.url},
        ]
    )
    page = context.new_page()
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(f"{live_server.url}/desk/stories/{story}/")
    expect(page.locator(".ProseMirror[contenteditable=true]")).to_be_visible()

    # The server's page, not a test's change: Persian words, right to left.
    html = page.locator("html")
    assert (html.get_attribute("lang"), html.get_attribute("dir")) == ("fa", "rtl")
    # Nothing wider than the screen once the editor has laid itself out: for a moment
    # after it becomes editable the page can be wider (seen in CI at 390 px, and in 2 of 3
    # runs here); a layout that stays too wide still fails after 5 s. A function, not an
    # expression: Playwright polls an expression with eval(), which the page's CSP refuses.
    page.wait_for_function(
        "() => document.documentElement.scrollWidth <= window.innerWidth", timeout=5000
    )
    page.locator("#id_dek").fill("دور تازهٔ گفت‌وگوها با حضور هیئت‌های دو کشور آغاز شد")
    suffix = "" if width > 600 else "-phone"
    page.screenshot(path=screenshot_path(f"desk-editor-fa{suffix}.png"), animations="disabled")

    page.locator("button[name=action][value=publish]").click()
    expect(page.locator(".state--published")).to_be_visible()

    # Readers get it, with the dek typed here (no database reads: Playwright's loop runs).
    reader = context.new_page()
    reader.goto(live_server.url + address)
    expect(reader.locator(".article__dek")).to_have_text(
        "دور تازهٔ گفت‌وگوها با حضور هیئت‌های دو کشور آغاز شد"
    )
    assert reader.locator("html").get_attribute("dir") == "rtl"
    assert problems == []
    context.close()
