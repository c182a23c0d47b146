"""A day at the desk in headless Chromium, driven by Playwright.

A writer of the demo outlet drafts a story (autosave included) and submits
it with the keyboard; the Politics desk editor takes it from the board,
edits it, reads the diff and schedules it a few seconds ahead; the story
appears on the public home page at its time; the editor publishes a
correction and readers see its note. A second test makes two editors save
over each other and merges on the conflict page. The run takes the back
office's screenshots (``screenshot_path``; ``bin/screenshots`` refreshes the docs' copies).

As in ``masthead/site/tests/test_browser.py``: the demo is loaded before
Playwright starts and nothing here touches the database while it runs
(Django refuses database calls from a thread running an event loop).
Signing in is the accounts app's to test (two-factor is off here): each
person's session is made before the browser starts and handed to their tab
as its cookie. (Its sign-in page cannot be used from Chromium at the moment:
it sends ``Referrer-Policy: no-referrer``, so Chromium posts the form with
``Origin: null`` and Django's CSRF check refuses it — reported.)
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
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
from masthead.sourcing.kinds import is_approved
from masthead.sourcing.services import approve_source
from masthead.stories.models import Story

pytestmark = pytest.mark.browser
# A shared 2-core machine running other suites can take more than the default 5 s.
expect.set_options(timeout=15_000)

HEADLINE = "Tehran council approves new bus lanes"
EDITED_HEADLINE = "Tehran council approves 40 km of new bus lanes"
BODY = "[contenteditable=true].ProseMirror"


@pytest.fixture(scope="module")
def live_server(collected_static) -> Iterator[LiveServer]:
    """pytest-django's live server, with static files served by WhiteNoise as in production."""
    with whitenoise_live_server() as server:
        yield server


@pytest.fixture
def demo(live_server, transactional_db, settings):
    settings.REQUIRE_2FA_FOR = []
    settings.TIME_ZONE = "UTC"
    load_demo_with_tasks_queued(settings)


PEOPLE = ("writer.nima", "editor.politics", "chief")


@pytest.fixture
def sessions(demo, settings) -> dict[str, str]:
    from django.contrib.auth import get_user_model
    from django.test import Client

    cookies = {}
    for username in PEOPLE:
        client = Client()
        client.force_login(get_user_model().objects.get(username=username))
        cookies[username] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return cookies


@pytest.fixture
def browser(sessions) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


class Problems(list):
    """Script errors and failed requests of one tab."""


def open_tab(browser: Browser, width: int = 1400, height: int = 1000) -> tuple[Page, Problems]:
    context = browser.new_context(viewport={"width": width, "height": height}, locale="en-GB")
    page = context.new_page()
    problems = Problems()
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


def sign_in(page: Page, base: str, session: str) -> None:
    page.context.add_cookies([{"name": "sessionid", "value": session, "url": base}])
    page.goto(f"{base}/desk/")
    expect(page.get_by_role("heading", level=1)).to_have_text("My stories")


def press(page: Page, keys: str) -> None:
    page.keyboard.press(keys)


def workflow_state(page: Page):
    return page.locator(".workflow__state .state")


def shoot(page: Page, name: str) -> None:
    page.screenshot(path=screenshot_path(name), full_page=False, animations="disabled")


def test_a_day_at_the_desk(browser, live_server, sessions, time_machine):
    base = live_server.url

    # The writer drafts, the editor's autosave keeps it, the keyboard submits.
    writer, writer_problems = open_tab(browser)
    writer.clock.install()
    sign_in(writer, base, sessions["writer.nima"])
    writer.get_by_label("New story for").select_option(label="Politics")
    writer.get_by_role("button", name="Start writing").click()
    headline = writer.get_by_label("Headline")
    headline.fill(HEADLINE)
    expect(writer.locator('output[for="id_headline"]')).to_have_text(f"{len(HEADLINE)} / 200")
    writer.get_by_label("Dek").fill("The plan adds lanes on five avenues.")
    writer.locator(BODY).click()
    writer.keyboard.type("The city council voted on Sunday to add bus lanes.")
    press(writer, "Control+s")
    expect(writer.get_by_text("Story created.")).to_be_visible()
    story_url = writer.url
    assert re.search(r"/desk/stories/\d+/$", story_url)

    writer.locator(BODY).click()
    writer.keyboard.press("End")
    writer.keyboard.type(" Buses will run every five minutes.")
    writer.clock.fast_forward("00:25")
    expect(writer.locator("#save-status")).to_contain_text("Saved automatically at")
    press(writer, "Control+Enter")
    expect(writer.get_by_text("Done: the story is now submitted.")).to_be_visible()
    expect(writer.get_by_text("You can read this story but not change it")).to_be_visible()
    assert writer_problems == []

    # The desk editor finds it on the board and takes it.
    editor, editor_problems = open_tab(browser)
    sign_in(editor, base, sessions["editor.politics"])
    editor.goto(f"{base}/desk/board/")
    submitted = editor.get_by_role("region", name="Submitted")
    expect(submitted.get_by_role("link", name=HEADLINE)).to_be_visible()
    shoot(editor, "desk-board.png")
    submitted.get_by_role("link", name=HEADLINE).click()
    editor.get_by_role("button", name="Take for editing").click()
    expect(workflow_state(editor)).to_have_text("In edit")

    # … edits it and reads the diff against the writer's version.
    editor.get_by_label("Headline").fill(EDITED_HEADLINE)
    editor.locator(BODY).click()
    editor.keyboard.press("Control+End")
    editor.keyboard.press("Enter")
    editor.keyboard.type("The lanes open next month.")
    press(editor, "Control+s")
    expect(editor.get_by_text("Saved.", exact=True)).to_be_visible()
    shoot(editor, "desk-editor.png")
    editor.get_by_role("link", name="History and diff").click()
    diff = editor.locator(".history__diff")
    expect(diff.locator("ins", has_text="40")).to_be_visible()
    expect(diff.locator("ins", has_text="The lanes open next month.")).to_be_visible()
    shoot(editor, "desk-history.png")

    # … schedules it ten minutes ahead.
    editor.get_by_role("link", name="Back to the story").click()
    # Whole seconds: the form takes no fractions, so the story is due at the second.
    when = timezone.localtime(timezone.now() + timedelta(minutes=10)).replace(microsecond=0)
    editor.get_by_label("Publish at").fill(when.strftime("%Y-%m-%dT%H:%M:%S"))
    editor.get_by_role("button", name="Schedule").click()
    expect(workflow_state(editor)).to_have_text("Scheduled")

    # The story is not public before its time, and is on the home page at it.
    reader, reader_problems = open_tab(browser)
    reader.goto(f"{base}/")
    expect(reader.get_by_role("link", name=EDITED_HEADLINE)).to_have_count(0)
    time_machine.move_to(when + timedelta(seconds=1))  # the server's clock; it runs on from there
    reader.reload()  # revalidates the browser's copy (max-age=60) with the server
    expect(reader.get_by_role("link", name=EDITED_HEADLINE).first).to_be_visible()

    # The editor publishes a correction; readers see its note.
    editor.goto(story_url)
    expect(workflow_state(editor)).to_have_text("Published")
    editor.locator(BODY).click()
    editor.keyboard.press("Control+End")
    editor.keyboard.type(" The vote was 14 to 7.")
    editor.get_by_label("Note for this step").fill(
        "An earlier version did not give the result of the vote."
    )
    editor.get_by_label("Kind").select_option("correction")
    editor.get_by_role("button", name="Publish correction").click()
    expect(editor.get_by_text("Done: the story is now published.")).to_be_visible()

    reader.get_by_role("link", name=EDITED_HEADLINE).first.click()
    corrections = reader.get_by_role("region", name="Corrections and updates")
    expect(corrections).to_contain_text("An earlier version did not give the result of the vote.")
    expect(reader.locator(".article__body")).to_contain_text("The vote was 14 to 7.")
    assert editor_problems == []
    assert reader_problems == []


def test_two_editors_saving_at_once_merge_on_the_conflict_page(browser, live_server, sessions):
    base = live_server.url
    editor, _ = open_tab(browser)
    sign_in(editor, base, sessions["editor.politics"])
    editor.goto(f"{base}/desk/board/")
    story = editor.get_by_role("region", name="In edit").get_by_role("link").first
    title = story.inner_text()
    story.click()
    story_url = editor.url

    chief, chief_problems = open_tab(browser)
    sign_in(chief, base, sessions["chief"])
    chief.goto(story_url)
    expect(chief.locator("#lock-notice")).to_contain_text("is editing since")

    editor.get_by_label("Headline").fill(f"{title}: committee delays its vote")
    editor.get_by_role("button", name="Save", exact=True).click()
    expect(editor.get_by_text("Saved.", exact=True)).to_be_visible()

    chief.get_by_label("Headline").fill(f"{title}, say lawmakers")
    chief.get_by_label("Dateline").fill("Tehran")
    chief.get_by_role("button", name="Save", exact=True).click()

    expect(chief.get_by_role("heading", level=1)).to_have_text(
        "Someone saved this story while you were editing"
    )
    expect(chief.get_by_text("nothing you typed is lost")).to_be_visible()
    expect(chief.locator(".diff__field--conflict")).to_contain_text("Headline")
    expect(chief.get_by_role("textbox", name="Headline")).to_have_value(f"{title}, say lawmakers")
    expect(chief.get_by_label("Dateline")).to_have_value("Tehran")
    shoot(chief, "desk-conflict.png")

    chief.get_by_role("textbox", name="Headline").fill(
        f"{title}: committee delays its vote, say lawmakers"
    )
    chief.get_by_role("button", name="Save the merged version").click()
    expect(chief.get_by_text("Saved.", exact=True)).to_be_visible()
    expect(chief.get_by_label("Headline")).to_have_value(
        f"{title}: committee delays its vote, say lawmakers"
    )
    expect(chief.get_by_label("Dateline")).to_have_value("Tehran")
    # The conflict page answers 409 on purpose; Chromium logs that as an error.
    assert [problem for problem in chief_problems if "409 (Conflict)" not in problem] == []


def test_withdrawing_asks_first_and_an_editor_can_republish(browser, live_server, sessions):
    base = live_server.url
    editor, problems = open_tab(browser)
    sign_in(editor, base, sessions["editor.politics"])
    editor.goto(f"{base}/desk/board/")
    story = editor.get_by_role("region", name="Published").get_by_role("link").first
    title = story.inner_text()
    story.click()
    story_url = editor.url
    expect(workflow_state(editor)).to_have_text("Published")
    editor.get_by_label("Note for this step").fill("Withdrawn: the figures were wrong.")

    # Cancel keeps the story as it is.
    editor.get_by_role("button", name="Withdraw").click()
    dialog = editor.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text(f"Withdraw “{title}”?")
    expect(dialog).to_contain_text("410 Gone")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    expect(workflow_state(editor)).to_have_text("Published")

    editor.get_by_role("button", name="Withdraw").click()
    editor.get_by_role("dialog").get_by_role("button", name="Withdraw").click()
    expect(editor.get_by_text("Done: the story is now withdrawn.")).to_be_visible()
    expect(editor.get_by_text("its address answers 410 Gone")).to_be_visible()

    # Undone: republished with a note readers see.
    editor.get_by_label("Note for this step").fill("Reinstated: the figures were right.")
    editor.get_by_role("button", name="Republish").click()
    expect(editor.get_by_text("Done: the story is now published.")).to_be_visible()
    assert editor.url == story_url

    reader, reader_problems = open_tab(browser)
    reader.goto(f"{base}/")
    reader.get_by_role("link", name=title).first.click()
    expect(reader.get_by_text("Reinstated: the figures were right.")).to_be_visible()
    assert problems == []
    assert reader_problems == []


def test_two_editors_adding_to_different_paragraphs_both_keep_their_sentence(
    browser, live_server, sessions
):
    base = live_server.url
    a, a_problems = open_tab(browser)
    sign_in(a, base, sessions["editor.politics"])
    a.goto(f"{base}/desk/board/")
    a.get_by_role("region", name="In edit").get_by_role("link").first.click()
    story_url = a.url
    b, b_problems = open_tab(browser)
    sign_in(b, base, sessions["chief"])
    b.goto(story_url)
    paragraphs = b.locator(f"{BODY} > p")
    expect(paragraphs.nth(2)).to_be_visible()

    # A adds a sentence to paragraph 1 and saves; B adds one to the last and saves.
    a.locator(f"{BODY} > p").first.click()
    a.keyboard.press("End")
    a.keyboard.type(" Sentence from A.")
    a.get_by_role("button", name="Save", exact=True).click()
    expect(a.get_by_text("Saved.", exact=True)).to_be_visible()
    paragraphs.last.click()
    b.keyboard.press("End")
    b.keyboard.type(" Sentence from B.")
    b.get_by_role("button", name="Save", exact=True).click()

    expect(b.get_by_role("heading", level=1)).to_have_text(
        "Someone saved this story while you were editing"
    )
    expect(b.get_by_role("heading", name="You both changed these")).to_have_count(0)
    expect(b.locator(BODY)).to_contain_text("Sentence from A.")
    expect(b.locator(BODY)).to_contain_text("Sentence from B.")
    b.get_by_role("button", name="Save the merged version").click()
    expect(b.get_by_text("Saved.", exact=True)).to_be_visible()
    expect(b.locator(f"{BODY} > p").first).to_contain_text("Sentence from A.")
    expect(b.locator(f"{BODY} > p").last).to_contain_text("Sentence from B.")

    # Both change paragraph 2: a conflict, side by side; B takes A's version.
    a.goto(story_url)
    b.goto(story_url)
    a.locator(f"{BODY} > p").nth(1).click()
    a.keyboard.press("End")
    a.keyboard.type(" A's ending.")
    a.get_by_role("button", name="Save", exact=True).click()
    expect(a.get_by_text("Saved.", exact=True)).to_be_visible()
    b.locator(f"{BODY} > p").nth(1).click()
    b.keyboard.press("End")
    b.keyboard.type(" B's ending.")
    b.get_by_role("button", name="Save", exact=True).click()
    theirs = b.get_by_role("region", name="Their passage 1")
    expect(theirs).to_contain_text("A's ending.")
    expect(b.get_by_role("region", name="Your passage 1")).to_contain_text("B's ending.")
    expect(b.locator(BODY)).to_contain_text("B's ending.")
    b.get_by_role("radio", name="theirs").check()
    expect(b.locator(BODY)).to_contain_text("A's ending.")
    expect(b.locator(BODY)).not_to_contain_text("B's ending.")
    b.get_by_role("button", name="Save the merged version").click()
    # Theirs everywhere is the latest revision as it is: nothing new to keep.
    expect(b.get_by_text("No changes to save.", exact=True)).to_be_visible()
    expect(b.locator(f"{BODY} > p").nth(1)).to_contain_text("A's ending.")
    expect(b.locator(BODY)).not_to_contain_text("B's ending.")
    expect(b.locator(f"{BODY} > p").first).to_contain_text("Sentence from A.")
    assert a_problems == []
    assert [problem for problem in b_problems if "409 (Conflict)" not in problem] == []


# Layout on a 1366×768 laptop ------------------------------------------------------

LAPTOP = (1366, 768)


def box_inside(inner: dict, outer: dict) -> bool:
    return (
        inner["x"] >= outer["x"] - 0.5
        and inner["y"] >= outer["y"] - 0.5
        and inner["x"] + inner["width"] <= outer["x"] + outer["width"] + 0.5
        and inner["y"] + inner["height"] <= outer["y"] + outer["height"] + 0.5
    )


def is_on_top(page: Page, selector: str) -> bool:
    """Whether the element under the centre of ``selector`` is it (or inside it)."""
    return page.evaluate(
        """(selector) => {
            const element = document.querySelector(selector);
            const box = element.getBoundingClientRect();
            const found = document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2);
            return element.contains(found);
        }""",
        selector,
    )


def test_board_history_and_editor_menus_fit_a_laptop_screen(browser, live_server, sessions):
    base = live_server.url
    page, problems = open_tab(browser, *LAPTOP)
    sign_in(page, base, sessions["editor.politics"])
    viewport = {"x": 0, "y": 0, "width": LAPTOP[0], "height": 10_000}

    # Every column of the board, the seventh (Withdrawn) included, is on the screen.
    page.goto(f"{base}/desk/board/")
    columns = page.locator(".board > .column")
    expect(columns).to_have_count(7)
    for column in columns.all():
        assert box_inside(column.bounding_box(), viewport), column.get_attribute("class")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= LAPTOP[0]

    # A published story with a few revisions: every Restore button is whole.
    page.get_by_role("region", name="Published (recent)").get_by_role("link").first.click()
    story_url = page.url
    for take in ("one", "two"):
        page.get_by_label("Dek").fill(f"A dek, take {take}, with a longer note")
        page.get_by_role("button", name="Save", exact=True).click()
        expect(page.get_by_text("Saved.", exact=True)).to_be_visible()
    page.goto(f"{story_url}history/")
    restores = page.get_by_role("button", name="Restore")
    expect(restores.first).to_be_visible()
    table = page.locator(".table-wrap").bounding_box()
    for button in restores.all():
        assert box_inside(button.bounding_box(), table)
        assert box_inside(button.bounding_box(), viewport)

    # The block-type menu's arrow is drawn, not a glyph the fonts here may lack.
    page.goto(story_url)
    page.locator(".prose-menubar__selected").first.wait_for()  # drawn once the editor starts
    arrow = page.evaluate(
        """() => {
            const menu = document.querySelector('.prose-menubar__selected');
            const style = getComputedStyle(menu, '::after');
            return {content: style.content, width: parseFloat(style.borderTopWidth),
                    color: style.borderTopColor};
        }"""
    )
    assert arrow["content"] in ('""', "none", "normal")
    assert arrow["width"] > 0 and arrow["color"] not in ("rgba(0, 0, 0, 0)", "transparent")
    assert problems == []


def test_the_autosave_warning_stays_visible_under_the_sticky_toolbars(
    browser, live_server, sessions
):
    base = live_server.url
    editor, _ = open_tab(browser, *LAPTOP)
    editor.clock.install()
    sign_in(editor, base, sessions["editor.politics"])
    editor.goto(f"{base}/desk/board/")
    editor.get_by_role("region", name="In edit").get_by_role("link").first.click()
    story_url = editor.url

    # Someone else saves; then the editor types far down the body.
    chief, _ = open_tab(browser, *LAPTOP)
    sign_in(chief, base, sessions["chief"])
    chief.goto(story_url)
    chief.get_by_label("Dateline").fill("Tehran")
    chief.get_by_role("button", name="Save", exact=True).click()
    expect(chief.get_by_text("Saved.", exact=True)).to_be_visible()

    editor.locator(BODY).click()
    editor.keyboard.press("Control+End")
    for line in range(12):
        editor.keyboard.press("Enter")
        editor.keyboard.type(f"Line {line} of a long body.")
    editor.mouse.wheel(0, 700)
    editor.clock.fast_forward("00:25")
    status = editor.locator("#save-status")
    expect(status).to_have_class(re.compile("is-problem"))
    assert status.bounding_box()["y"] >= 0
    assert is_on_top(editor, "#save-status")
    assert is_on_top(editor, '[data-shortcut="save"]')


def test_the_body_counts_words_and_reading_time_and_checks_spelling(browser, live_server, sessions):
    base = live_server.url
    page, problems = open_tab(browser)
    sign_in(page, base, sessions["writer.nima"])
    page.get_by_role("button", name="Start writing").click()
    body = page.locator(BODY)
    for field in (page.get_by_label("Headline"), page.get_by_label("Dek"), body):
        expect(field).to_have_attribute("spellcheck", "true")
        assert field.evaluate("element => element.spellcheck") is True

    count = page.locator("#body-words")
    expect(count).to_have_text("0 words")
    body.click()
    page.keyboard.type("The city council voted.")
    expect(count).to_have_text("4 words · 1 min read")
    page.keyboard.insert_text(" word" * 500)
    # 504 words at 238 words a minute: 2.1 minutes, shown rounded up.
    expect(count).to_have_text("504 words · 3 min read")
    page.keyboard.press("Enter")
    page.keyboard.insert_text("شورای شهر تهران رأی داد")
    expect(count).to_have_text("509 words · 3 min read")
    assert problems == []


def test_the_schedule_field_says_its_zone_and_the_time_in_utc(
    browser, live_server, sessions, settings, orm_beside_playwright
):
    settings.TIME_ZONE = "Europe/London"
    # Playwright's loop runs in this thread: the ORM is used here before any page opens.
    # The demo's story in edit relies on an unnamed source nobody approved yet
    # (sourcing rules refuse to schedule it); its desk's editor approves it first.
    for story in Story.objects.filter(status=Story.Status.IN_EDIT):
        for source in story.latest_revision.sources:
            if source["kind"] == "unnamed" and not is_approved(source):
                approver = User.objects.get(username="chief")
                approve_source(approver, story, source["id"], "Known to the desk for years.")
    base = live_server.url
    page, problems = open_tab(browser)
    sign_in(page, base, sessions["editor.politics"])
    expect(page.locator(".bar__zone")).to_contain_text("Europe/London, UTC+")
    page.goto(f"{base}/desk/board/")
    expect(page.locator(".filters")).to_contain_text("Days in Europe/London")
    page.get_by_role("region", name="In edit").get_by_role("link").first.click()

    when = page.get_by_label("Publish at (Europe/London, UTC")
    hint = page.locator("#id_when-utc")
    expect(when).to_have_attribute("aria-describedby", "id_when-utc")
    when.fill("2027-07-01T09:00:05")
    expect(hint.locator("output")).to_have_text("1 Jul 2027, 08:00:05 UTC")
    when.fill("2027-03-28T01:30:00")
    expect(hint.locator("output")).to_have_text(
        "There is no 01:30 on 28 March 2027 in Europe/London: the clocks go forward that night."
    )
    page.get_by_role("button", name="Schedule").click()
    expect(page.locator(".field--error")).to_contain_text("There is no 01:30 on 28 March 2027")
    expect(workflow_state(page)).to_have_text("In edit")

    page.get_by_label("Publish at (Europe/London, UTC").fill("2027-07-01T09:00:00")
    page.get_by_role("button", name="Schedule").click()
    expect(workflow_state(page)).to_have_text("Scheduled")
    expect(page.locator(".workflow__state")).to_contain_text(
        "1 Jul 2027, 09:00:00 (Europe/London, UTC+01:00; 1 Jul 2027, 08:00:00 UTC)"
    )
    assert [problem for problem in problems if "400 (Bad Request)" not in problem] == []


# What Masthead answers a save while its database is away (masthead/database_outage.py).
OUTAGE_PAGE = "<!doctype html><title>Briefly unavailable</title><h1>Briefly unavailable</h1>"


def test_text_typed_while_the_database_is_down_is_kept_and_offered_back(
    browser, live_server, sessions
):
    base = live_server.url
    writer, problems = open_tab(browser)
    writer.clock.install()
    writer.on("dialog", lambda dialog: dialog.accept())  # "leave the page?" on reload
    sign_in(writer, base, sessions["writer.nima"])
    writer.get_by_label("New story for").select_option(label="Politics")
    writer.get_by_role("button", name="Start writing").click()
    writer.get_by_label("Headline").fill(HEADLINE)
    press(writer, "Control+s")
    # The first save of a new story is the slowest request of the editor (the
    # PostgreSQL pass of CI, two workers, once took over 15 s): a wider margin.
    expect(writer.get_by_text("Story created.")).to_be_visible(timeout=30_000)

    # The database goes away: autosave answers 503 as Masthead does then.
    unavailable = {
        "status": 503,
        "headers": {"Retry-After": "5"},
        "content_type": "application/json",
        "body": '{"status": "unavailable", "message": "Your text was not saved."}',
    }
    writer.route("**/autosave/", lambda route: route.fulfill(**unavailable))
    writer.get_by_label("Headline").fill(EDITED_HEADLINE)
    writer.locator(BODY).click()
    writer.keyboard.type("Typed while the database was down.")
    writer.clock.fast_forward("00:25")
    expect(writer.locator("#save-status")).to_contain_text("Your text was not saved.")

    writer.reload()
    expect(writer.get_by_label("Headline")).to_have_value(HEADLINE)
    offer = writer.get_by_role("alert").filter(has_text="was not saved")
    expect(offer).to_be_visible()
    offer.get_by_role("button", name="Restore my text").click()
    expect(writer.get_by_label("Headline")).to_have_value(EDITED_HEADLINE)
    expect(writer.locator(BODY)).to_contain_text("Typed while the database was down.")

    # Back again: the next autosave keeps it, and nothing is offered any more.
    writer.unroute("**/autosave/")
    writer.clock.fast_forward("00:25")
    expect(writer.locator("#save-status")).to_contain_text("Saved automatically at")
    writer.reload()
    expect(writer.get_by_label("Headline")).to_have_value(EDITED_HEADLINE)
    expect(writer.locator(BODY)).to_contain_text("Typed while the database was down.")
    expect(writer.get_by_text("was not saved")).to_have_count(0)

    # Saving by hand while the database is away: the 503 page, then the text offered back.
    story_url = writer.url

    def refuse_saves(route):
        if route.request.method != "POST":
            return route.continue_()
        return route.fulfill(status=503, content_type="text/html", body=OUTAGE_PAGE)

    writer.route(story_url, refuse_saves)
    writer.get_by_label("Dek").fill("Written during the outage.")
    press(writer, "Control+s")
    expect(writer.get_by_role("heading", name="Briefly unavailable")).to_be_visible()
    writer.unroute(story_url)
    writer.goto(story_url)
    expect(writer.get_by_label("Dek")).to_have_value("")
    writer.get_by_role("button", name="Restore my text").click()
    expect(writer.get_by_label("Dek")).to_have_value("Written during the outage.")
    press(writer, "Control+s")
    expect(writer.get_by_text("Saved.", exact=True)).to_be_visible()
    writer.reload()
    expect(writer.get_by_label("Dek")).to_have_value("Written during the outage.")
    expect(writer.get_by_text("was not saved")).to_have_count(0)
    # The refused saves are the only errors Chromium logs.
    assert [problem for problem in problems if "503" not in problem] == []


def test_the_sources_panel_adds_orders_and_keeps_sources(browser, live_server, sessions):
    """A writer adds sources of four kinds beside the body, moves one, saves and reloads.

    Then the same story without script: a source added from the empty row of
    its kind, one removed with its box. Screenshots at desktop and phone width.
    """
    base = live_server.url
    page, problems = open_tab(browser, width=1600, height=1350)
    sign_in(page, base, sessions["writer.nima"])
    page.get_by_label("New story for").select_option(label="Politics")
    page.get_by_role("button", name="Start writing").click()
    page.get_by_label("Headline").fill("US officials say strikes hit two sites")
    page.locator(BODY).click()
    for number, text in enumerate(("Reuters reported the strikes.", "Two officials agreed.")):
        if number:
            page.keyboard.press("Enter")
        page.keyboard.type(text)
    page.keyboard.press("Enter")
    page.keyboard.type("The spokesman denied it.")
    page.get_by_label("Dateline", exact=True).fill("Tehran")
    page.get_by_label("Reported or written from").select_option(label="Written from")

    panel = page.locator("#sources-panel")
    rows = panel.locator("#source-list > li")

    def add(kind: str, values: dict[str, str], paragraphs: str) -> None:
        panel.get_by_role("button", name=f"+ {kind}").click()
        row = rows.last
        for label, value in values.items():
            field = row.get_by_label(label, exact=False).first
            if field.evaluate("element => element.tagName") == "SELECT":
                field.select_option(label=value)
            else:
                field.fill(value)
        row.get_by_label("Relies on ¶").fill(paragraphs)

    add("Another outlet's report", {"Outlet": "Reuters", "Address": "https://example.org/r"}, "1")
    add(
        "Unnamed source",
        {
            "How they are described": "two US officials",
            "How many": "2",
            "Why anonymity was granted": "Not authorised to speak publicly.",
            "How we know them": "Both known to our Washington desk for years.",
        },
        "2",
    )
    add("Named person", {"Name": "Ali Vaez", "Role or title": "Iran director"}, "2")
    add("Response or denial", {"Who was asked": "SNSC spokesman", "Outcome": "denied"}, "3")
    expect(rows).to_have_count(4)
    # The named person moves up, above the unnamed source.
    rows.nth(2).get_by_role("button", name=re.compile("^Move up")).click()
    expect(rows.nth(1).locator("legend")).to_contain_text("Source 2 · Named person")
    expect(rows.nth(2).get_by_text("Staff only — never shown to readers")).to_be_visible()
    panel.get_by_label("How we reported this").fill("We spoke to officials in Washington.")
    panel.get_by_label("The story makes an allegation").check()
    press(page, "Control+s")
    expect(page.get_by_text("Story created.")).to_be_visible()
    story_url = page.url

    page.reload()
    expect(rows).to_have_count(4)
    legends = [rows.nth(n).locator("legend").inner_text() for n in range(4)]
    assert [legend.split(" · ")[1].split(":")[0] for legend in legends] == [
        "Another outlet's report",
        "Named person",
        "Unnamed source",
        "Response or denial",
    ]
    expect(rows.nth(2).get_by_label("How we know them")).to_have_value(
        "Both known to our Washington desk for years."
    )
    expect(rows.nth(3).get_by_label("Outcome")).to_have_value("denied")
    expect(rows.nth(0).get_by_label("Relies on ¶")).to_have_value("1")
    expect(panel.get_by_label("The story makes an allegation")).to_be_checked()
    expect(page.get_by_label("Reported or written from")).to_have_value("written")
    shoot(page, "desk-sources.png")
    assert problems == []

    phone, phone_problems = open_tab(browser, width=390, height=844)
    sign_in(phone, base, sessions["writer.nima"])
    phone.goto(story_url)
    phone.locator("#source-list > li").nth(2).scroll_into_view_if_needed()
    shoot(phone, "desk-sources-phone.png")
    assert phone_problems == []

    # Without script: the empty row of a kind adds one, the box removes one.
    context = browser.new_context(
        viewport={"width": 1400, "height": 1000}, java_script_enabled=False
    )
    context.add_cookies([{"name": "sessionid", "value": sessions["writer.nima"], "url": base}])
    plain = context.new_page()
    plain.goto(story_url)
    adder = plain.locator("details[data-source-kind=document]")
    adder.locator("summary").click()
    adder.get_by_label("Title").fill("IAEA report, June 2025")
    adder.get_by_label("Relies on ¶").fill("1, 2")
    plain.locator("#source-list > li").nth(3).get_by_label("Remove when saved").check()
    plain.get_by_role("button", name="Save", exact=True).click()
    expect(plain.get_by_text("Saved.", exact=True)).to_be_visible()
    legends = plain.locator("#source-list > li legend")
    expect(legends).to_have_count(4)
    expect(legends.nth(3)).to_contain_text("Document or data set: IAEA report, June 2025")
    expect(plain.locator("#source-list")).not_to_contain_text("SNSC spokesman")
    context.close()

    # The diff names the sources added and removed.
    page.goto(story_url)
    page.get_by_role("link", name="History and diff").click()
    sources = page.locator(".history__diff .diff__sources")
    expect(sources.locator(".diff__source--added")).to_contain_text("IAEA report, June 2025")
    expect(sources.locator(".diff__source--removed")).to_contain_text("SNSC spokesman")
    sources.scroll_into_view_if_needed()
    shoot(page, "desk-sources-history.png")
    assert problems == []
