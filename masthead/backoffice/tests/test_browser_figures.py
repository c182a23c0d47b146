"""Two figures inserted through the body editor's picker, published, shown to readers.

The Politics desk editor of the demo outlet starts a story, inserts two
library images with "Insert image" (captions typed in the dialog), saves,
publishes; the article shows both figures with their captions and credits,
and the files open for readers. Takes docs/screenshots/editor-figure.png and
article-figures.png. Set-up as in ``test_browser.py``.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from masthead.backoffice.tests.test_browser import (  # noqa: F401 - fixtures
    BODY,
    browser,
    demo,
    live_server,
    open_tab,
    press,
    sessions,
    shoot,
    sign_in,
    workflow_state,
)

pytestmark = pytest.mark.browser

HEADLINE = "Ministers meet in Bandar Abbas on shipping"


def insert_image(page, search: str, caption: str) -> None:
    page.get_by_role("button", name="Insert image").click()
    dialog = page.get_by_role("dialog", name="Insert image")
    expect(dialog).to_be_visible()
    dialog.get_by_role("searchbox").fill(search)
    choice = dialog.locator(".image-picker__choice").first
    expect(choice).to_be_visible()
    expect(dialog.locator(".image-picker__choice")).to_have_count(1)
    choice.click()
    dialog.get_by_label("Caption").fill(caption)
    dialog.get_by_role("button", name="Insert").click()
    expect(dialog).to_have_count(0)


def test_an_editor_inserts_two_figures_and_readers_see_them(browser, live_server, sessions):  # noqa: F811
    base = live_server.url
    editor, problems = open_tab(browser)
    sign_in(editor, base, sessions["editor.politics"])
    editor.get_by_label("New story for").select_option(label="Politics")
    editor.get_by_role("button", name="Start writing").click()
    editor.get_by_label("Headline").fill(HEADLINE)
    editor.locator(BODY).click()
    editor.keyboard.type("Ministers met in the port city on Tuesday.")

    insert_image(editor, "Bandar Abbas marked", "The port city, on the Strait of Hormuz.")
    editor.locator(BODY).press("Control+End")
    editor.keyboard.type("They agreed to meet again next month.")
    insert_image(editor, "about 61 to 65 dollars", "Oil prices rose in the week of the meeting.")
    figures = editor.locator(f"{BODY} figure[data-image]")
    expect(figures).to_have_count(2)
    shoot(editor, "editor-figure.png")

    press(editor, "Control+s")
    expect(editor.get_by_text("Story created.")).to_be_visible()
    assert re.search(r"/desk/stories/\d+/$", editor.url)
    expect(editor.locator(f"{BODY} figure[data-image]")).to_have_count(2)  # loaded back whole
    editor.get_by_role("button", name="Submit to the desk").click()
    editor.get_by_role("button", name="Take for editing").click()
    expect(workflow_state(editor)).to_have_text("In edit")
    expect(editor.locator(f"{BODY} figure[data-image]")).to_have_count(2)
    editor.get_by_role("button", name="Publish now").click()
    expect(workflow_state(editor)).to_have_text("Published")

    reader, reader_problems = open_tab(browser, width=1200, height=1400)
    editor.get_by_role("link", name="Public page").click()
    reader.goto(editor.url)
    shown = reader.locator(".article__body figure[data-image]")
    expect(shown).to_have_count(2)
    expect(shown.nth(0).locator("figcaption")).to_contain_text(
        "The port city, on the Strait of Hormuz."
    )
    expect(shown.nth(0).locator(".credit")).to_contain_text("IFP graphic")
    expect(shown.nth(1).locator("figcaption")).to_contain_text("Oil prices rose")
    for index in range(2):
        image = shown.nth(index).locator("img")
        expect(image).to_have_attribute("alt", re.compile(r"\w"))
        # Loaded for a reader without a session: the gate lets it out.
        assert reader.evaluate(
            "(img) => img.complete && img.naturalWidth > 0", image.element_handle()
        )
    shown.nth(0).scroll_into_view_if_needed()
    shoot(reader, "article-figures.png")
    assert problems == []
    assert reader_problems == []
