"""A Persian edition's pages in headless Chromium: laid out right to left from
one stylesheet, set in the self-hosted Vazirmatn, each paragraph in its own
direction; an English page as it always was, without the font
(docs/editions.md, "Right to left").
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.test import modify_settings, override_settings
from playwright.sync_api import Browser, Page, sync_playwright
from pytest_django.live_server_helper import LiveServer

from masthead.browser_testing import (
    launch_chromium,
    report_csp_violations,
    screenshot_path,
    whitenoise_live_server,
)
from masthead.factories import make_author, make_desk, make_edition, make_story, make_tag

pytestmark = pytest.mark.browser

PERSIAN_PATH = "/fa/siasat/vienna-talks/"
ENGLISH_PATH = "/politics/talks-resume-in-vienna/"
ENGLISH_QUOTE = "We are ready to talk, the minister told Reuters on Friday."
PERSIAN_BODY = (
    "<p>دور تازه مذاکرات هسته‌ای روز جمعه در وین آغاز شد و هیئت‌ها تا پاسی از شب گفت‌وگو کردند.</p>"
    f"<p>{ENGLISH_QUOTE}</p>"
    "<p>سخنگوی وزارت خارجه گفت ۱۲ نشست دیگر برنامه‌ریزی شده است.</p>"
)


@pytest.fixture(scope="module", autouse=True)
def media_root(tmp_path_factory) -> Iterator[Path]:
    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")):
        yield


@pytest.fixture(scope="module")
def site_server(collected_static, django_db_setup) -> Iterator[LiveServer]:
    with modify_settings(ALLOWED_HOSTS={"append": "localhost"}), whitenoise_live_server() as server:
        yield server


@pytest.fixture(scope="module")
def editions(site_server, django_db_blocker) -> Iterator[None]:
    """An English story and a Persian one, with an English paragraph in its body."""
    with django_db_blocker.unblock():
        persian = make_edition("fa")
        siasat = make_desk("سیاست", slug="siasat", edition=persian)
        writer = make_author("Nima Sadeghi")
        make_story(
            "Talks resume in Vienna",
            desk=make_desk("Politics"),
            authors=[writer],
            body="<p>The talks resumed on Friday in Vienna.</p>",
        )
        make_story(
            "مذاکرات در وین از سر گرفته شد",
            desk=siasat,
            slug="vienna-talks",
            authors=[writer],
            language="fa",
            body=PERSIAN_BODY,
            tags=[make_tag("IAEA")],
        )
    yield
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def browser(db, editions) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


def open_page(browser: Browser, url: str, problems: list[str], requests: list[str]) -> Page:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    report_csp_violations(context, lambda text: problems.append(text))
    page = context.new_page()
    page.on("request", lambda request: requests.append(request.url))
    page.on("response", lambda response: response.status >= 400 and problems.append(response.url))
    page.goto(url)
    page.wait_for_load_state("networkidle")
    page.evaluate("document.fonts.ready.then(() => true)")
    return page


def box(page: Page, selector: str) -> dict:
    return page.locator(selector).first.bounding_box()


def vazirmatn_loaded(page: Page) -> bool:
    return page.evaluate(
        """[...document.fonts].some((face) =>
             face.family.replace(/"/g, "") === "Vazirmatn" && face.status === "loaded")"""
    )


def test_a_persian_article_reads_right_to_left_in_vazirmatn(browser, site_server):
    problems, requests = [], []
    page = open_page(browser, site_server.url + PERSIAN_PATH, problems, requests)

    assert page.evaluate("document.documentElement.dir") == "rtl"
    # The article's start edge is on the right: it stands right of Recent Posts,
    # and its headline ends at the right edge of the article.
    article, recent = box(page, ".article"), box(page, ".recent-posts")
    assert article["x"] > recent["x"] + recent["width"]
    headline = page.evaluate(
        """(() => { const range = document.createRange();
             range.selectNodeContents(document.querySelector(".article__headline"));
             const text = range.getBoundingClientRect();
             const block = document.querySelector(".article__headline").getBoundingClientRect();
             return {gapAtRight: block.right - text.right,
                     gapAtLeft: text.left - block.left}; })()"""
    )
    assert headline["gapAtRight"] < 2 < headline["gapAtLeft"]

    # Set in Vazirmatn, from this host, with taller lines than English text.
    assert vazirmatn_loaded(page)
    fonts = [url for url in requests if url.endswith(".woff2")]
    assert len(fonts) == 1 and "/static/site/fonts/Vazirmatn-Variable." in fonts[0]
    assert {urlsplit(url).netloc for url in requests} == {urlsplit(site_server.url).netloc}
    assert page.evaluate(
        """parseFloat(getComputedStyle(document.querySelector(".article__body p")).lineHeight)
           / parseFloat(getComputedStyle(document.querySelector(".article__body p")).fontSize)"""
    ) == pytest.approx(2)
    page.screenshot(path=screenshot_path("persian-article.png"))
    # Arrows along the line ("Older →") point the way the page reads.
    assert (
        page.evaluate(
            """(() => { document.body.insertAdjacentHTML("beforeend",
             '<span class="flip-in-rtl" id="arrow">→</span>');
             return getComputedStyle(document.getElementById("arrow")).transform; })()"""
        )
        == "matrix(-1, 0, 0, 1, 0, 0)"
    )
    assert problems == []


def test_an_english_paragraph_in_a_persian_story_reads_left_to_right(browser, site_server):
    page = open_page(browser, site_server.url + PERSIAN_PATH, [], [])

    def gaps(text: str) -> dict:
        return page.evaluate(
            """(text) => { const paragraph = [...document.querySelectorAll(".article__body p")]
                 .find((p) => p.textContent.startsWith(text));
               const range = document.createRange(); range.selectNodeContents(paragraph);
               const lines = [...range.getClientRects()];
               const block = paragraph.getBoundingClientRect();
               return {left: lines[0].left - block.left,
                       right: block.right - lines.at(-1).right}; }""",
            text,
        )

    english = gaps(ENGLISH_QUOTE[:20])
    assert english["left"] < 2 < english["right"], "starts at the left edge"
    persian = gaps("سخنگوی")
    assert persian["right"] < 2 < persian["left"], "starts at the right edge"
    # A Latin tag name is isolated in the right-to-left list.
    assert page.locator('.article__tags a[rel="tag"]').get_attribute("dir") == "auto"


def test_an_english_page_is_left_to_right_and_never_loads_the_font(browser, site_server):
    problems, requests = [], []
    page = open_page(browser, site_server.url + ENGLISH_PATH, problems, requests)

    assert page.evaluate("document.documentElement.dir") == "ltr"
    article, recent = box(page, ".article"), box(page, ".recent-posts")
    assert article["x"] + article["width"] < recent["x"]
    assert not vazirmatn_loaded(page)
    assert [url for url in requests if ".woff" in url] == []
    assert (
        page.evaluate(
            """(() => { document.body.insertAdjacentHTML("beforeend",
             '<span class="flip-in-rtl" id="arrow">→</span>');
             return getComputedStyle(document.getElementById("arrow")).transform; })()"""
        )
        == "none"
    )
    assert problems == []


def test_a_persian_page_fits_a_phone_with_its_fades_and_icons_on_the_right_side(
    browser, site_server
):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(site_server.url + PERSIAN_PATH)

    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    # The desk menu fades out at its end, which is the left in Persian.
    fade = page.evaluate("getComputedStyle(document.querySelector('.site-nav ul')).maskImage")
    assert fade.startswith("linear-gradient(to left")
    # The feed icon stands before the words, which is on their right.
    position = page.evaluate(
        "getComputedStyle(document.querySelector('.feed-link')).backgroundPositionX"
    )
    assert position == "100%"
    page.screenshot(path=screenshot_path("persian-article-phone.png"))
    context.close()
