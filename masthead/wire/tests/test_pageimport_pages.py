"""The importer on the test set of pages (masthead/wire/tests/pages/, see its README).

Each page has its expected result beside it (.json). Headline, kicker,
byline, publication date and lead image must be exactly right; the body is
scored by token F1 against the expected body and must reach the floor.
bench/pageimport.py runs the same set against trafilatura alone.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from masthead.wire.pageimport import read_file, read_page

PAGES = Path(__file__).with_name("pages")
BODY_F1_FLOOR = 0.95
SET = sorted(
    page
    for page in PAGES.rglob("*")
    if page.suffix in (".html", ".txt") and page.with_suffix(".json").exists()
)


def body_f1(predicted: str, expected: str) -> float:
    got = Counter(re.findall(r"\w+", predicted.casefold()))
    want = Counter(re.findall(r"\w+", expected.casefold()))
    overlap = sum((got & want).values())
    if not overlap:
        return 0.0
    precision, recall = overlap / sum(got.values()), overlap / sum(want.values())
    return 2 * precision * recall / (precision + recall)


def test_the_set_is_varied():
    kinds = Counter(page.suffix for page in SET)
    assert kinds[".html"] >= 12 and kinds[".txt"] >= 4


@pytest.mark.parametrize("page", SET, ids=lambda page: str(page.relative_to(PAGES)))
def test_page(page):
    expected = json.loads(page.with_suffix(".json").read_text(encoding="utf-8"))

    got = read_page(read_file(page)).as_json()

    assert set(got) == {"headline", "kicker", "byline", "published", "lead_image", "body"}
    for field in ("headline", "kicker", "byline", "published", "lead_image"):
        assert got[field] == expected[field], field
    assert body_f1(got["body"], expected["body"]) >= BODY_F1_FLOOR, got["body"]


def test_f1_scores_what_it_should():
    assert body_f1("a b c", "a b c") == 1.0
    assert body_f1("", "a b") == 0.0
    assert 0.6 < body_f1("a b c d", "a b c") < 0.9


@pytest.mark.parametrize("page", SET, ids=lambda page: str(page.relative_to(PAGES)))
def test_chrome_never_reaches_the_body(page):
    body = read_page(read_file(page)).body_text()

    for chrome in (
        "Recent Posts",
        "Read more",
        "READ MORE",
        "Share this",
        "All rights reserved",
        "©",
        "Leave a Reply",
        "Sign up",
        "Subscribe",
        "Advertisement",
        "mins ago",
        "Photo:",
        "Photo by",
        "اخبار مرتبط",
        "کلیه حقوق",
        "اقرأ أيضا",
    ):
        assert chrome not in body, chrome
