"""The public site in headless Chromium, driven by Playwright, as a reader uses it.

A reader opens the home page, follows the lead story and finds its kicker,
byline, author box and Recent Posts; relative times stay true as time passes
and on a page that came from a cache; nothing fails to load or is fetched
from another host; the article fits a phone. The run takes the screenshots
that the README and ``docs/`` show (``bin/screenshots`` writes them to ``docs/screenshots/``).

The tests only read, so they share one demo outlet, loaded once per module
(loading it takes seconds). Django refuses database calls from a thread that
runs an event loop, and Playwright's sync API runs one: Chromium runs per
test, started after the database work of the test's set-up and stopped
before that of its tear-down (``browser`` depends on ``db`` and ``demo_now``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.test import modify_settings, override_settings
from django.utils import timezone
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Page,
    Request,
    Response,
    expect,
    sync_playwright,
)
from pytest_django.live_server_helper import LiveServer

from masthead.browser_testing import (
    failed_for_real,
    launch_chromium,
    report_csp_violations,
    screenshot_path,
    whitenoise_live_server,
)
from masthead.demo.loader import load_demo
from masthead.demo.seed import load_seed
from masthead.site.relative_time import relative_time

pytestmark = pytest.mark.browser

DESKTOP = 1280
PHONE = 390
SMALL_PHONE = 375

LEAD_HEADLINE = "Trump Cancels ‘Imminent’ Attack on Iran, Says Not after War"
LEAD_STORY_PATH = "/politics/trump-cancels-imminent-attack-on-iran-says-not-after-war/"
COLLECTIVE = "IFP Editorial Staff"
# The site's own colours (site.css): paper behind the page, accent behind an exclusive's kicker.
PAPER = "rgb(253, 252, 249)"
ACCENT = "rgb(163, 22, 26)"


@pytest.fixture(scope="module", autouse=True)
def media_root(tmp_path_factory) -> Iterator[Path]:
    """One media folder for the module (the demo's images), replacing the per-test one."""
    folder = tmp_path_factory.mktemp("media")
    with override_settings(MEDIA_ROOT=folder):
        yield folder


@pytest.fixture(scope="module")
def site_server(collected_static, django_db_setup) -> Iterator[LiveServer]:
    """The live server, started once for the module.

    Not pytest-django's ``live_server`` fixture: that one flushes the database
    after every test, and these tests share one demo outlet.
    """
    with modify_settings(ALLOWED_HOSTS={"append": "localhost"}), whitenoise_live_server() as server:
        yield server


@pytest.fixture(scope="module")
def demo_now(site_server, django_db_blocker) -> Iterator[datetime]:
    """The demo outlet, loaded once; its ages (“16 mins ago” …) count from the moment returned.

    The tests only read, so they share it; afterwards the database is emptied,
    as pytest-django's ``transactional_db`` would.
    """
    now = timezone.now().replace(microsecond=0)
    with django_db_blocker.unblock():
        load_demo(now=now)
    yield now
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def browser(db, demo_now) -> Iterator[Browser]:
    """Chromium for one test, started after and stopped before the test's database work."""
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


@dataclass(frozen=True)
class Problem:
    url: str
    what: str


@dataclass
class Visit:
    """A reader's tab, with everything that went wrong while it was open."""

    page: Page
    problems: list[Problem] = field(default_factory=list)
    hosts: set[str] = field(default_factory=set)


class OpenTab(Protocol):
    def __call__(
        self, *, clock_at: datetime | None = None, width: int = DESKTOP, height: int = 900
    ) -> Visit: ...


@pytest.fixture
def open_tab(browser, demo_now) -> Iterator[OpenTab]:
    """Open a reader's tab; its clock starts at ``clock_at`` (else the demo's now) and runs."""
    contexts = []

    def open_new(*, clock_at=None, width=DESKTOP, height=900) -> Visit:
        context = browser.new_context(
            viewport={"width": width, "height": height}, locale="en-GB", timezone_id="UTC"
        )
        contexts.append(context)
        page = context.new_page()
        page.clock.install(time=clock_at or demo_now)
        visit = Visit(page)
        report_csp_violations(context, lambda text: visit.problems.append(Problem("CSP", text)))
        page.on("console", lambda message: _note_console_error(visit, message))
        page.on("pageerror", lambda error: visit.problems.append(Problem(page.url, str(error))))
        page.on("requestfailed", lambda request: _note_failed_request(visit, request))
        page.on("response", lambda response: _note_error_response(visit, response))
        page.on("request", lambda request: visit.hosts.add(urlsplit(request.url).netloc))
        return visit

    yield open_new
    for context in contexts:
        context.close()


def _note_console_error(visit: Visit, message: ConsoleMessage) -> None:
    if message.type == "error":
        visit.problems.append(Problem(message.location.get("url", ""), message.text))


def _note_failed_request(visit: Visit, request: Request) -> None:
    if failed_for_real(request):
        visit.problems.append(Problem(request.url, f"request failed: {request.failure}"))


def _note_error_response(visit: Visit, response: Response) -> None:
    # "requestfailed" is for network errors only; a stylesheet answering 404 fails too.
    if response.status >= 400:
        visit.problems.append(Problem(response.url, f"HTTP {response.status}"))


def load_every_image(page: Page) -> None:
    """Lazy images below the fold load too (full-page screenshots), and each one decoded."""
    broken = page.evaluate(
        """async () => {
            const images = [...document.images];
            images.forEach((image) => { image.loading = "eager"; });
            await Promise.all(images.map((image) => image.decode().catch(() => null)));
            return images.filter((image) => image.naturalWidth === 0).map((image) => image.src);
        }"""
    )
    assert broken == [], f"images that did not load: {broken}"


def assert_styled(page: Page) -> None:
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == PAPER, "site.css was not applied"


def test_reader_follows_the_lead_story_to_its_article(open_tab, site_server):
    seed = load_seed()
    page = open_tab().page
    page.goto(site_server.url + "/")

    page.get_by_role("region", name="Top stories").get_by_role("link", name=LEAD_HEADLINE).click()

    expect(page).to_have_url(site_server.url + LEAD_STORY_PATH)
    header = page.locator(".article__header")
    kicker = header.locator(".kicker")
    expect(kicker).to_have_text("IFP Exclusive")
    expect(kicker).to_have_css("background-color", ACCENT)
    expect(page.get_by_role("heading", level=1)).to_have_text(LEAD_HEADLINE)
    byline = header.locator(".byline").get_by_role("link", name=COLLECTIVE)
    expect(byline).to_have_attribute("href", "/author/ifp-editorial-staff/")
    author_box = page.get_by_role("complementary", name=f"About {COLLECTIVE}")
    expect(author_box.get_by_role("heading", name=COLLECTIVE)).to_be_visible()
    expect(author_box).to_contain_text(seed.author_bio.splitlines()[0])
    recent = page.get_by_role("region", name="Recent Posts").get_by_role("listitem")
    expect(recent).to_have_count(6)
    expect(recent.first).to_contain_text(seed.recent_posts[0].headline)
    expect(recent.first.locator("time")).to_have_text("16 mins ago")
    expect(recent.last.locator("time")).to_have_text("6 hours ago")

    byline.click()
    expect(page).to_have_url(site_server.url + "/author/ifp-editorial-staff/")
    expect(page.get_by_role("heading", level=1)).to_have_text(COLLECTIVE)


def test_relative_times_advance_as_the_clock_moves(open_tab, site_server):
    page = open_tab().page
    page.goto(site_server.url + LEAD_STORY_PATH)
    first_age = page.get_by_role("region", name="Recent Posts").locator("time").first
    expect(first_age).to_have_text("16 mins ago")
    published = first_age.get_attribute("datetime")

    page.clock.fast_forward("01:00:00")

    expect(first_age).to_have_text("1 hour ago")
    # Only the words move; the machine-readable time is still the server's.
    expect(first_age).to_have_attribute("datetime", published)


def test_a_page_from_a_cache_shows_true_ages_at_once(open_tab, site_server, demo_now):
    # The server writes the ages of its own clock (“16 mins ago” right after the demo
    # loaded, more as the run goes on); the reader's copy is opened two hours later.
    page = open_tab(clock_at=demo_now + timedelta(hours=2)).page
    asked_at = timezone.now()
    response = page.goto(site_server.url + LEAD_STORY_PATH)
    answered_at = timezone.now()
    published, written = _first_recent_post_time(response.text())
    assert written in {relative_time(published, asked_at), relative_time(published, answered_at)}

    first_age = page.get_by_role("region", name="Recent Posts").locator("time").first
    expect(first_age).to_have_text("2 hours ago")  # demo_now - 16 min, seen at demo_now + 2 h
    expect(page.locator("time[data-relative]", has_text=written)).to_have_count(0)


def _first_recent_post_time(html: str) -> tuple[datetime, str]:
    """The ``datetime`` and the words of the first relative time in Recent Posts."""
    recent_posts = html[html.index('aria-labelledby="recent-posts') :]
    found = re.search(r'<time datetime="([^"]+)"[^>]*data-relative>([^<]*)</time>', recent_posts)
    return datetime.fromisoformat(found.group(1).replace("Z", "+00:00")), found.group(2)


def test_home_and_article_load_cleanly_from_the_site_alone(open_tab, site_server):
    tab = open_tab()
    for path in ("/", LEAD_STORY_PATH):
        tab.page.goto(site_server.url + path, wait_until="networkidle")
        assert_styled(tab.page)
        load_every_image(tab.page)

    assert tab.problems == []
    assert tab.hosts == {urlsplit(site_server.url).netloc}


def test_article_fits_a_small_phone_without_sideways_scrolling(open_tab, site_server):
    page = open_tab(width=SMALL_PHONE).page
    page.goto(site_server.url + LEAD_STORY_PATH, wait_until="networkidle")
    assert_styled(page)

    scroll_width, viewport_width = page.evaluate(
        "[document.scrollingElement.scrollWidth, window.innerWidth]"
    )
    wide = page.evaluate(
        """Array.from(document.querySelectorAll('body *')).filter(e =>
            e.getBoundingClientRect().right > window.innerWidth + 1).slice(0, 8).map(e =>
            e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"""
    )
    assert scroll_width <= viewport_width, wide


SCREENSHOT_PAGES = [
    # file name, path, viewport width
    ("home.png", "/", DESKTOP),
    ("article.png", LEAD_STORY_PATH, DESKTOP),
    ("article-mobile.png", LEAD_STORY_PATH, PHONE),
    ("masthead.png", "/masthead/", DESKTOP),
    ("desk.png", "/politics/", DESKTOP),
    # The Persian edition (issue 13): right to left, Jalali dates, Persian digits.
    ("fa-home.png", "/fa/", DESKTOP),
    ("fa-home-mobile.png", "/fa/", PHONE),
    ("fa-desk.png", "/fa/siasat/", DESKTOP),
]


@pytest.fixture(scope="module")
def persian_lead_path(demo_now, django_db_blocker) -> str:
    """The address of the seed story's Persian translation in the demo."""
    from masthead.stories.models import Story

    with django_db_blocker.unblock():
        english = Story.objects.get(slug=LEAD_STORY_PATH.strip("/").split("/")[-1])
        return (
            Story.objects.exclude(pk=english.pk)
            .get(translation_key=english.translation_key)
            .get_absolute_url()
        )


def test_screenshots_for_the_docs(open_tab, site_server, persian_lead_path):
    persian = [
        ("fa-article.png", persian_lead_path, DESKTOP),
        ("fa-article-mobile.png", persian_lead_path, PHONE),
    ]
    for name, path, width in SCREENSHOT_PAGES + persian:
        tab = open_tab(width=width)
        tab.page.goto(site_server.url + path, wait_until="networkidle")
        assert_styled(tab.page)
        load_every_image(tab.page)
        tab.page.screenshot(path=screenshot_path(name), full_page=True, animations="disabled")
        assert tab.problems == [], name


BADGE_IS_TEXT_WIDE = """(badge) => {
    const text = document.createRange();
    text.selectNodeContents(badge);
    const style = getComputedStyle(badge);
    const padding = parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);
    return badge.getBoundingClientRect().width <= text.getBoundingClientRect().width + padding + 1;
}"""


def test_labels_are_badges_as_wide_as_their_words(open_tab, site_server):
    # In the grid cards of a desk page the badge once stretched into a full-width red bar.
    for path, width in (("/", DESKTOP), ("/politics/", DESKTOP), ("/politics/", SMALL_PHONE)):
        page = open_tab(width=width).page
        page.goto(site_server.url + path)
        badges = page.locator(".kicker--exclusive, .kicker--breaking")
        assert badges.count() > 0, path
        for badge in badges.all():
            assert badge.evaluate(BADGE_IS_TEXT_WIDE), f"{path} at {width}px: {badge.inner_text()}"


WHOLLY_IN_WINDOW = """(element) => {
    const box = element.getBoundingClientRect();
    return box.top >= 0 && box.bottom <= window.innerHeight;
}"""


def test_recent_posts_can_be_read_to_the_end_on_a_laptop(open_tab, site_server):
    # The list once stuck beside the article in a window shorter than itself, so
    # its last posts stayed below the fold until the very end of the page.
    page = open_tab(width=1366, height=650).page
    page.goto(site_server.url + LEAD_STORY_PATH)
    last_post = page.get_by_role("region", name="Recent Posts").get_by_role("listitem").last
    half_page = page.evaluate("document.scrollingElement.scrollHeight / 2")

    for offset in range(0, int(half_page), 200):
        page.evaluate(f"window.scrollTo(0, {offset})")
        if last_post.evaluate(WHOLLY_IN_WINDOW):
            return
    pytest.fail("the last Recent Post never came into view in the first half of the page")


def test_browsers_find_a_favicon(open_tab, site_server):
    tab = open_tab()
    tab.page.goto(site_server.url + "/", wait_until="networkidle")

    assert tab.problems == []


PHONE_HEIGHT = 844


def test_on_a_phone_the_header_leaves_room_for_the_first_story(open_tab, site_server):
    # The header (demo notice, name, tagline, a wrapped menu) once took 250 px of a phone.
    page = open_tab(width=PHONE, height=PHONE_HEIGHT).page
    page.goto(site_server.url + "/")
    assert_styled(page)

    header_bottom = page.evaluate(
        "document.querySelector('.site-header').getBoundingClientRect().bottom"
    )
    first_story_top = page.locator("main .card").first.bounding_box()["y"]

    assert header_bottom < 160
    assert first_story_top < header_bottom + 40
    # The menu keeps every desk one swipe away, and says there is more to swipe to.
    menu = page.locator(".site-nav ul")
    assert menu.evaluate("(list) => list.scrollWidth > list.clientWidth")
    assert page.get_by_role("navigation", name="Desks").get_by_role("link").count() >= 7


def test_on_a_phone_every_contact_on_the_masthead_is_in_view(open_tab, site_server):
    page = open_tab(width=PHONE, height=PHONE_HEIGHT).page
    page.goto(site_server.url + "/masthead/")
    assert_styled(page)

    contacts = page.locator(".desk-table a[href^='mailto:'], .desk-table a[href^='tel:']")
    assert contacts.count() >= 7
    for contact in contacts.all():
        box = contact.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE, contact.inner_text()
    clipped = page.evaluate(
        """[...document.querySelectorAll('.desk-table tbody, .desk-table tbody *')]
            .filter((element) => element.scrollWidth > element.clientWidth + 1)
            .map((element) => element.outerHTML.slice(0, 80))"""
    )
    assert clipped == []
    scroll_width = page.evaluate("document.scrollingElement.scrollWidth")
    assert scroll_width <= PHONE


AXE_PAGES = ["/", LEAD_STORY_PATH, "/politics/", "/masthead/", "/corrections/", "/tag/iran/"]
# The Persian edition's, right to left (and its lead story's, found in the test).
PERSIAN_AXE_PAGES = [
    "/fa/",
    "/fa/siasat/",
    "/fa/masthead/",
    "/fa/search/?q=%D8%AA%D9%87%D8%B1%D8%A7%D9%86",
]


@pytest.mark.parametrize("width", [DESKTOP, PHONE])
def test_every_page_passes_axe(open_tab, site_server, width, persian_lead_path):
    from axe_playwright_python.sync_playwright import Axe

    page = open_tab(width=width).page
    found = {}
    for path in AXE_PAGES + PERSIAN_AXE_PAGES + [persian_lead_path]:
        page.goto(site_server.url + path, wait_until="networkidle")
        results = Axe().run(page)
        found[path] = [
            (violation["id"], [node["target"] for node in violation["nodes"]][:3])
            for violation in results.response["violations"]
        ]

    assert {path: problems for path, problems in found.items() if problems} == {}


def test_the_api_docs_work_under_the_content_security_policy(open_tab, site_server):
    tab = open_tab()
    tab.page.goto(site_server.url + "/api/docs", wait_until="networkidle")

    expect(tab.page.locator(".swagger-ui .info .title")).to_contain_text("Masthead news API")
    expect(tab.page.get_by_text("/api/stories", exact=True).first).to_be_visible()
    assert tab.problems == []
    assert tab.hosts == {urlsplit(site_server.url).netloc}


def test_the_browser_reports_what_the_policy_blocks(open_tab, site_server):
    # The harness's own check: an inline script and an image from another host are refused.
    tab = open_tab()
    tab.page.goto(site_server.url + "/", wait_until="networkidle")

    blocked = tab.page.evaluate(
        """() => new Promise((resolve) => {
            const seen = [];
            document.addEventListener("securitypolicyviolation", (event) => {
                seen.push(event.effectiveDirective);
                if (seen.length === 2) resolve(seen.sort());
            });
            const script = document.createElement("script");
            script.textContent = "window.ranInline = true";
            document.body.append(script);
            const image = document.createElement("img");
            image.src = "https://tracker.example/pixel.gif";
            document.body.append(image);
        })"""
    )

    assert blocked == ["img-src", "script-src-elem"]
    assert tab.page.evaluate("window.ranInline === undefined")
    reported = " ".join(problem.what for problem in tab.problems)
    assert "script-src-elem blocked inline" in reported
    assert "img-src blocked https://tracker.example/pixel.gif" in reported
