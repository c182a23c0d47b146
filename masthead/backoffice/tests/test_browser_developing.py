"""A developing story in headless Chromium: the desk marks it, publishes two updates,
links a second story in a thread, and readers see the timeline and the thread.

Uses the demo outlet and the sessions of ``test_browser.py`` (its fixtures are
imported, not copied). Saves ``developing-story.png`` and ``desk-developing.png``
(``bin/screenshots`` refreshes the docs' copies).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from masthead.backoffice.tests.test_browser import (  # noqa: F401 - fixtures
    browser,
    demo,
    live_server,
    open_tab,
    sessions,
    shoot,
    sign_in,
    workflow_state,
)
from masthead.stories.models import Story

pytestmark = pytest.mark.browser

FIRST_UPDATE = "White House confirms the envoys will meet on Thursday."
SECOND_UPDATE = "Iran's Supreme National Security Council spokesman denies any direct talks."
THREAD = "Nuclear talks in Vienna"


def publish_update(page, note: str) -> None:
    page.get_by_label("Note for this step").fill(note)
    page.get_by_role("button", name="Publish update").click()
    expect(page.get_by_text("Done: the story is now published.")).to_be_visible()


def test_a_developing_story_and_its_thread(
    browser,  # noqa: F811
    live_server,  # noqa: F811
    sessions,  # noqa: F811
    orm_beside_playwright,
):
    # Playwright's loop runs in this thread: the ORM is used here before any page opens.
    # The demo outlet's own running story is set aside: this test builds one from plain stories.
    Story.objects.update(developing_since=None, developing_until=None, thread=None)
    base = live_server.url
    editor, problems = open_tab(browser)
    sign_in(editor, base, sessions["editor.politics"])
    editor.goto(f"{base}/desk/board/")
    published = editor.get_by_role("region", name="Published").get_by_role("link")
    first_title, second_title = published.nth(0).inner_text(), published.nth(1).inner_text()

    # The first story goes live: marked developing, two updates published.
    published.nth(0).click()
    first_desk_url = editor.url
    expect(workflow_state(editor)).to_have_text("Published")
    panel = editor.locator("#developing-panel")
    panel.get_by_role("button", name="Mark as developing").click()
    expect(editor.get_by_text("The story is marked developing")).to_be_visible()
    publish_update(editor, FIRST_UPDATE)
    publish_update(editor, SECOND_UPDATE)

    # … and starts a thread, which the second story joins.
    panel.get_by_label("or start a new thread").fill(THREAD)
    panel.get_by_role("button", name="Save thread").click()
    expect(editor.get_by_text(f"The story is in the thread “{THREAD}”.")).to_be_visible()
    expect(panel.get_by_role("button", name="End live coverage")).to_be_visible()
    panel.scroll_into_view_if_needed()
    shoot(editor, "desk-developing.png")
    first_url = editor.get_by_role("link", name="Public page").get_attribute("href")

    editor.goto(f"{base}/desk/board/")
    editor.get_by_role("region", name="Published").get_by_role("link", name=second_title).click()
    panel = editor.locator("#developing-panel")
    panel.get_by_label("Thread", exact=True).select_option(label=THREAD)
    panel.get_by_role("button", name="Save thread").click()
    expect(editor.get_by_text(f"The story is in the thread “{THREAD}”.")).to_be_visible()
    expect(panel).to_contain_text(first_title)
    second_url = editor.get_by_role("link", name="Public page").get_attribute("href")
    assert editor.url != first_desk_url

    # Readers: the marker, the timeline in order, the thread on both pages.
    reader, reader_problems = open_tab(browser)
    reader.goto(base + first_url)
    developing = reader.get_by_role("region", name="Developing story")
    expect(developing).to_be_visible()
    entries = developing.locator(".developing__entry")
    expect(entries).to_have_count(2)
    expect(entries.nth(0)).to_contain_text(FIRST_UPDATE)
    expect(entries.nth(1)).to_contain_text(SECOND_UPDATE)
    thread = reader.get_by_role("navigation", name=THREAD)
    expect(thread.get_by_role("link", name=second_title)).to_be_visible()
    expect(thread.locator("[aria-current=page]")).to_have_text(first_title)
    reader.locator(".article__header").scroll_into_view_if_needed()
    shoot(reader, "developing-story.png")

    thread.get_by_role("link", name=second_title).click()
    assert reader.url == base + second_url
    thread = reader.get_by_role("navigation", name=THREAD)
    expect(thread.get_by_role("link", name=first_title)).to_be_visible()
    expect(thread.locator("[aria-current=page]")).to_have_text(second_title)
    expect(reader.get_by_role("region", name="Developing story")).to_have_count(0)
    assert problems == []
    assert reader_problems == []
