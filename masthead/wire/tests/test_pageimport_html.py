"""HTML pages as real sites build them (masthead/wire/pageimport/html.py).

Each case here is a shape found on real pages (trafilatura's evaluation set,
see docs/wire-pageimport.md) that an earlier version got wrong.
"""

from __future__ import annotations

import pytest

from masthead.wire.pageimport import RawPage, read_page
from masthead.wire.pageimport.html import read_html

PARAGRAPHS = [
    "The council approved the budget on Tuesday after a debate that lasted most of the day "
    "and ended with a narrow vote.",
    "Opposition members said the plan cut too deeply into services for older residents and "
    "would have to be revised within a year.",
    "The mayor said the city had no choice after two years of falling revenue and rising costs "
    "for energy and staff.",
    "A second vote on the details of the plan is expected next month, officials said on "
    "Wednesday evening.",
]
STORY = "".join(f"<p>{text}</p>" for text in PARAGRAPHS)


def body(html: str) -> list[str]:
    return [block.text for block in read_html(html, origin="x").blocks]


def test_a_related_box_inside_the_story_does_not_end_it():
    html = (
        f"<html><body><article><h1>Budget approved</h1>{STORY[: STORY.index('<p>A second')]}"
        "<h2>Related</h2><ul><li><a href='/a'>Budget talks stall</a></li></ul>"
        f"<p>{PARAGRAPHS[3]}</p><p>{PARAGRAPHS[0]} Again.</p></article></body></html>"
    )

    assert PARAGRAPHS[3] in body(html)


def test_related_at_the_end_still_ends_it():
    html = (
        f"<html><body><article><h1>Budget approved</h1>{STORY}<h2>Related</h2>"
        "<p>Budget talks stall</p><p>Mayor under pressure</p></article></body></html>"
    )

    assert body(html) == PARAGRAPHS


def test_a_page_inside_noscript_is_read():
    html = (
        f"<html><body><noscript><div><h1>Budget approved</h1>{STORY}</div></noscript></body></html>"
    )

    assert body(html) == PARAGRAPHS


@pytest.mark.parametrize(
    "prefix",
    [
        "<br />\n<b>Warning</b>:  mysql_connect(): Access denied in /var/www/db.php<br />\n",
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        "\n\n<!-- THEME DEBUG -->\n<!-- CALL: theme('html') -->\n",
    ],
)
def test_html_after_warnings_declarations_and_comments_is_still_html(prefix):
    page = RawPage(
        data=(
            prefix + f"<!DOCTYPE html><html><body><h1>Budget approved</h1>{STORY}</body></html>"
        ).encode(),
        origin="x",
    )

    article = read_page(page)

    assert article.headline == "Budget approved" and article.body_text().startswith("The council")


def test_a_stray_nul_byte_is_not_a_binary_file():
    page = RawPage(
        data=f"<html><body><h1>Budget approved</h1>{STORY}\x00</body></html>".encode(), origin="x"
    )

    assert read_page(page).headline == "Budget approved"


@pytest.mark.parametrize("classes", ["article-header", "content has-sidebar", "o-section--has-ads"])
def test_the_storys_own_container_is_never_cut_whatever_its_class(classes):
    html = (
        f"<html><body><div class='{classes}'><h1>Budget approved</h1>{STORY}</div>"
        "<div class='sidebar'><p>Most read: something else entirely, with enough words.</p></div>"
        "</body></html>"
    )

    assert body(html) == PARAGRAPHS


def test_a_dateline_in_the_first_paragraph_is_kept():
    html = (
        "<html><body><article><h1>Budget approved</h1>"
        f"<p><span class='dateline'>KOBE –</span> {PARAGRAPHS[0]}</p>"
        f"{STORY[STORY.index('<p>Opp') :]}"
        "</article></body></html>"
    )

    assert body(html)[0].startswith("KOBE – The council")


@pytest.mark.parametrize("placeholder", ["No Author", "admin", "Unknown"])
def test_placeholder_authors_are_no_byline(placeholder):
    html = (
        '<html><head><script type="application/ld+json">{"@type": "NewsArticle", '
        f'"headline": "Budget approved", "author": {{"name": "{placeholder}"}}}}</script>'
        f'<meta name="author" content="{placeholder}"></head><body>{STORY}</body></html>'
    )

    assert read_html(html, origin="x").byline == ""


def test_a_relative_base_with_a_colon_further_on_is_not_a_scheme():
    html = (
        '<html><head><base href="/web/20200808063632/https://example.com/"></head>'
        f"<body><h1>Budget approved</h1>{STORY}</body></html>"
    )

    assert read_html(html, origin="x").headline == "Budget approved"


def test_a_layout_table_gives_its_paragraphs_and_a_data_table_its_rows():
    html = (
        "<html><body><table><tr><td><a href='/'>Home</a><br><a href='/news'>News</a></td>"
        f"<td><h1>Budget approved</h1>{STORY}"
        "<table><tr><th>Service</th><th>Cut</th></tr><tr><td>Libraries</td><td>4%</td></tr></table>"
        "</td></tr></table></body></html>"
    )

    blocks = body(html)

    assert blocks[:4] == PARAGRAPHS
    assert "Libraries | 4%" in blocks


def test_an_organisation_named_with_commas_is_one_author():
    html = (
        '<html><head><script type="application/ld+json">{"@type": "NewsArticle", '
        '"headline": "Budget approved", "author": {"@type": "Organization", '
        '"name": "Example Zeitung GmbH, Munich, Germany"}}</script></head>'
        f"<body>{STORY}</body></html>"
    )

    article = read_html(html, origin="x")

    assert article.authors == ["Example Zeitung GmbH, Munich, Germany"]
    assert article.byline == "Example Zeitung GmbH, Munich, Germany"


def test_a_comments_author_is_not_the_byline():
    html = (
        f"<html><body><article><h1>Budget approved</h1>{STORY}</article>"
        "<ol class='commentlist'><li><div class='comment-author vcard'>B.A. says:</div>"
        "<p>I disagree with every word of this, and here is a long reason why it is so.</p>"
        "</li></ol></body></html>"
    )

    assert read_html(html, origin="x").byline == ""


def test_a_byline_as_the_bodys_first_line_is_the_byline():
    html = (
        "<html><body><article><h1>Budget approved</h1><p>Von Greta Lind</p>"
        f"{STORY}</article></body></html>"
    )

    article = read_html(html, origin="x")

    assert article.byline == "Greta Lind"
    assert article.blocks[0].text == PARAGRAPHS[0]


def test_the_site_name_is_cut_from_a_title_used_as_headline():
    html = (
        '<html><head><meta property="og:title" content="Budget approved » City Blogs - Network">'
        '<meta property="og:site_name" content="City Blogs - Network"></head>'
        f"<body>{STORY}</body></html>"
    )

    assert read_html(html, origin="x").headline == "Budget approved"
