"""The "How we reported this" box in headless Chromium, on a desktop and a phone.

A story sourced like the demo's lead (Reuters, the New York Times, two
unnamed US officials, the SNSC spokesman's denial, under a collective
byline) is opened by a reader: the box is a labelled region with headings
and lists, its paragraph pointers jump to the paragraph, it fits a phone,
and nothing breaks the page's Content-Security-Policy. The screenshots are
the ones ``docs/site.md`` shows (``bin/screenshots`` writes them there).
Chromium runs after the database work of the set-up, as in ``test_browser.py``.
"""

from __future__ import annotations

import pytest
from django.test import modify_settings
from playwright.sync_api import expect, sync_playwright

from masthead.browser_testing import (
    launch_chromium,
    report_csp_violations,
    screenshot_path,
    whitenoise_live_server,
)
from masthead.factories import (
    editor_of,
    make_author,
    make_desk,
    make_label,
    make_outlet,
    make_story,
)
from masthead.newsroom.models import Author, PolicyPage
from masthead.sourcing.kinds import clean_sources
from masthead.stories.models import Correction

pytestmark = pytest.mark.browser

BODY = (
    "<p>US President Donald Trump called off a planned strike, Reuters reported.</p>"
    "<p>Two US officials said the order came late on Sunday.</p>"
    "<p>The New York Times said a message had been passed through an intermediary.</p>"
    "<p>Iran's Supreme National Security Council denied any message was exchanged.</p>"
)
SOURCES = [
    {"kind": "outlet_report", "outlet": "Reuters", "title": "Trump calls off strike on Iran",
     "url": "https://www.reuters.example/world/trump-iran", "date": "2026-06-22",
     "paragraphs": [1]},
    {"kind": "unnamed", "description": "US officials", "count": 2,
     "anonymity_reason": "They were not authorised to speak about military planning.",
     "how_known": "Staff only: the desk's long-standing contacts.", "paragraphs": [2]},
    {"kind": "outlet_report", "outlet": "The New York Times", "paragraphs": [3]},
    {"kind": "response", "party": "Spokesman of the Supreme National Security Council",
     "outcome": "denied", "summary": "No message was received from Washington.",
     "paragraphs": [4]},
    {"kind": "response", "party": "The White House", "outcome": "no_response"},
]  # fmt: skip


@pytest.fixture(scope="module")
def site_server(collected_static, django_db_setup):
    # Started first: its connection keeps an in-memory SQLite test database alive.
    with modify_settings(ALLOWED_HOSTS={"append": "localhost"}), whitenoise_live_server() as server:
        yield server


@pytest.fixture
def story_path(site_server, transactional_db) -> str:
    make_outlet(name="Iran Front Page", short_name="IFP")
    editor = make_author("Leila Ahmadi", job_title="Politics editor")
    desk = make_desk("Politics", editor=editor, email="politics@ifp.example")
    PolicyPage.objects.create(
        kind="no_bylines", title="Stories without a byline", slug="no-bylines", body="<p>.</p>"
    )
    story = make_story(
        "Trump cancels ‘imminent’ attack on Iran",
        desk=desk,
        authors=[make_author("IFP Editorial Staff", kind=Author.Kind.COLLECTIVE)],
        label=make_label("Analysis", kind="analysis"),
        dateline="Tehran",
        dateline_kind="written",
        body=BODY,
        sources=clean_sources(SOURCES),
        method_note="We compared the agency and newspaper reports and asked both "
        "governments for comment before publication.",
    )
    Correction.objects.create(
        story=story, kind="update", note="Added the Security Council's denial."
    )
    editor_of(desk)
    return story.get_absolute_url()


@pytest.mark.parametrize(("width", "name"), [(1280, "desktop"), (390, "phone")])
def test_the_box_reads_well_on_desktop_and_phone(site_server, story_path, width, name):
    problems: list[str] = []
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        context = chromium.new_context(viewport={"width": width, "height": 900})
        report_csp_violations(context, lambda text: problems.append(text))
        page = context.new_page()
        page.goto(site_server.url + story_path)

        box = page.get_by_role("region", name="How we reported this")
        expect(box.get_by_role("heading", level=3, name="Unnamed sources")).to_be_visible()
        expect(box.get_by_role("link", name="Trump calls off strike on Iran")).to_have_attribute(
            "rel", "nofollow noopener"
        )
        expect(box).to_contain_text("response sought, none received by publication")
        expect(box).not_to_contain_text("Staff only")
        expect(page.locator(".dateline__kind")).to_have_text("Written from")
        expect(page.locator(".byline__collective")).to_contain_text("collective byline")
        box.get_by_role("link", name="2", exact=True).click()
        expect(page).to_have_url(site_server.url + story_path + "#p-2")
        expect(page.locator("#p-2")).to_be_in_viewport()
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"the page is wider than a {name} screen"
        box.scroll_into_view_if_needed()
        box.screenshot(path=screenshot_path(f"how-we-reported-{name}.png"))
        context.close()
        chromium.close()
    assert problems == []
