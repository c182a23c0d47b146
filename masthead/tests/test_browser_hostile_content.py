"""Hostile markup in every field of a story runs no script in a real browser (B1, check 5).

The sanitiser's own tests check what it writes; this opens what readers and
editors are shown — the article, home, the desk page, search results, the
author page, the back office's editor, history, diff and revision preview —
in headless Chromium **with the Content-Security-Policy switched off**
(``bypass_csp``), so that the policy cannot hide a hole in the sanitiser or
in a template's escaping. Every payload calls ``__pwned(n)`` instead of
``alert``; the page counts the calls, dialogs are counted too, and the test
also focuses and clicks every link and form control a reader could reach.

Data is made before Playwright starts: Django refuses database calls from a
thread running an event loop (as in ``backoffice/tests/test_browser.py``).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from playwright.sync_api import sync_playwright

from masthead.browser_testing import launch_chromium, whitenoise_live_server
from masthead.factories import make_desk, make_staff
from masthead.newsroom.models import Author, StaffRole
from masthead.stories import services
from masthead.stories.models import Story
from masthead.stories.services import Content

pytestmark = pytest.mark.browser

# Each payload names its own number, so a failure says which one ran.
PAYLOADS = [
    "<script>__pwned(1)</script>",
    "<img src=x onerror=__pwned(2)>",
    "<svg onload=__pwned(3)></svg>",
    '<a href="javascript:__pwned(4)">read more</a>',
    '<iframe srcdoc="<script>parent.__pwned(5)</script>"></iframe>',
    "<math><mtext><table><mglyph><style><img src=x onerror=__pwned(6)>",
    '"><script>__pwned(7)</script>',
    "</title><script>__pwned(8)</script>",
    '<noscript><p title="</noscript><img src=x onerror=__pwned(9)>"></noscript>',
    "<details open ontoggle=__pwned(10)><summary>x</summary></details>",
    "<body onload=__pwned(11)>",
    "<form><button formaction=javascript:__pwned(12)>go</button></form>",
    "<input autofocus onfocus=__pwned(13)>",
    "</script><script>__pwned(14)</script>",  # out of a JSON-LD block
    '<object data="javascript:__pwned(15)"></object>',
    '<embed src="javascript:__pwned(16)">',
    '<a href="&#106;avascript:__pwned(17)">entity</a>',
    '<a href=" javascript:__pwned(18)">space</a>',
    "<video><source onerror=__pwned(19)></video>",
    '<base href="javascript:__pwned(20)//">',
    '<meta http-equiv="refresh" content="0;url=javascript:__pwned(21)">',
    '<p style="background:url(javascript:__pwned(22))">styled</p>',
    "<template><img src=x onerror=__pwned(23)></template>",
    "<select autofocus onfocus=__pwned(24)><option>x</option></select>",
    "{{ 7*7 }}<span>{% now 'Y' %}</span>",  # template syntax stays text
]
HOSTILE = "".join(PAYLOADS)
WORD = "Zanjanpipeline"  # a word the search finds the story by


def groups(limit: int) -> list[str]:
    """The payloads joined in runs of at most ``limit`` characters, in order."""
    runs = [""]
    for payload in PAYLOADS:
        if runs[-1] and len(runs[-1]) + len(payload) > limit:
            runs.append("")
        runs[-1] += payload
    return runs


# Before any page script: count calls and dialogs instead of showing them.
_WATCH = """
window.__pwnedCalls = [];
window.__pwned = (n) => window.__pwnedCalls.push(n);
"""


@pytest.fixture(scope="module")
def live_server(collected_static):
    with whitenoise_live_server() as server:
        yield server


@pytest.fixture
def newsroom(live_server, transactional_db, settings):
    settings.REQUIRE_2FA_FOR = []
    desk = make_desk("Politics")
    writer = make_staff(StaffRole.Role.WRITER, desk, username="writer")
    editor = make_staff(StaffRole.Role.DESK_EDITOR, desk, username="editor")
    Author.objects.filter(user=writer).update(
        name=f"Writer {PAYLOADS[1]}"[:120], bio=f"Bio {HOSTILE}", job_title=f"Analyst {PAYLOADS[7]}"
    )
    # The short fields (a headline is at most 200 characters, an SEO title 120) take the
    # payloads a few at a time, one story per group; every body takes them all.
    stories = []
    for number, group in enumerate(groups(limit=100)):
        content = Content(
            headline=f"{WORD} {number} {group}",
            desk=desk,
            dek=f"Dek {group}",
            body=f"<p>{WORD} first paragraph.</p>{HOSTILE}<p>Last paragraph.</p>",
            dateline=f"Tehran {group}"[:100],
            seo_title=f"SEO {group}",
            seo_description=f"Description {group}",
            method_note=f"Method {HOSTILE}",
        )
        story = services.create_story(writer, content)
        services.submit_story(writer, story)
        services.claim_story(editor, story)
        services.publish_story(editor, story)
        stories.append(Story.objects.get(pk=story.pk))
    story = stories[0]
    content = Content.of(story)
    content.body = f"<p>{WORD} changed.</p>{HOSTILE}{HOSTILE[::-1]}"
    content.headline = f"{WORD} second {PAYLOADS[13]}"
    services.save_story(editor, story, content, story.latest_revision_id, note=HOSTILE[:300])
    story = Story.objects.get(pk=story.pk)
    client = Client()
    client.force_login(get_user_model().objects.get(username="editor"))
    return {
        "story": story,
        "addresses": [each.get_absolute_url() for each in stories],
        "revisions": list(story.revisions.order_by("number").values_list("pk", flat=True)),
        "session": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "author": Author.objects.get(user=writer).get_absolute_url(),
    }


@pytest.fixture
def browser(newsroom) -> Iterator:
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


def visit(browser, url: str, session: str | None = None) -> dict:
    """What running ``url`` did: payload calls, dialogs, and dangerous things left in its DOM."""
    context = browser.new_context(bypass_csp=True, viewport={"width": 1200, "height": 900})
    if session:
        context.add_cookies([{"name": "sessionid", "value": session, "url": url}])
    context.add_init_script(_WATCH)
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    response = page.goto(url, wait_until="load")
    # What a reader could set off: focus and activate each link and control.
    page.evaluate(
        """() => {
          for (const element of document.querySelectorAll("a, button, input, select, details")) {
            element.focus();
            if (element.tagName === "A") {
              element.addEventListener("click", (event) => event.preventDefault(), {once: true});
              const href = (element.getAttribute("href") || "").trim().toLowerCase();
              if (href.startsWith("javascript")) element.click();
            }
          }
        }"""
    )
    page.wait_for_timeout(300)
    found = page.evaluate(
        """() => ({
          calls: window.__pwnedCalls,
          handlers: [...document.querySelectorAll("*")].flatMap((element) =>
            [...element.attributes]
              .filter((a) => a.name.startsWith("on") || /^\\s*javascript:/i.test(a.value))
              .map((a) => `${element.tagName}[${a.name}]`)),
          frames: document.querySelectorAll("iframe, object, embed, base").length,
        })"""
    )
    context.close()
    return {"status": response.status if response else None, "dialogs": dialogs, **found}


def test_no_payload_runs_on_any_page_readers_or_editors_see(browser, live_server, newsroom):
    base = live_server.url
    story = newsroom["story"]
    older, newer = newsroom["revisions"][:2]
    public = [
        *newsroom["addresses"],
        "/",
        "/politics/",
        f"/search/?q={WORD}",
        newsroom["author"],
    ]
    staff = [
        f"/desk/stories/{story.pk}/",
        f"/desk/stories/{story.pk}/history/?from={older}&to={newer}",
        f"/desk/stories/{story.pk}/revisions/{newer}/preview/",
        "/desk/",
        "/desk/board/",
        f"/desk/search/?q={WORD}",
    ]
    seen = {}
    for path in public:
        seen[path] = visit(browser, base + path)
    for path in staff:
        seen[path] = visit(browser, base + path, newsroom["session"])

    assert {path: result["status"] for path, result in seen.items()} == {
        path: 200 for path in public + staff
    }
    assert {path: result["calls"] for path, result in seen.items() if result["calls"]} == {}
    assert {path: result["dialogs"] for path, result in seen.items() if result["dialogs"]} == {}
    assert {path: result["handlers"] for path, result in seen.items() if result["handlers"]} == {}
    assert {path: result["frames"] for path, result in seen.items() if result["frames"]} == {}


def test_the_watch_sees_a_payload_that_runs():
    """The check itself can fail: a page that does run a payload is caught (a data: URL)."""
    html = f"<!doctype html><title>t</title>{PAYLOADS[1]}{PAYLOADS[0]}"
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        result = visit(chromium, "data:text/html," + html)
        chromium.close()

    assert sorted(result["calls"]) == [1, 2]
    assert result["handlers"] == ["IMG[onerror]"]
