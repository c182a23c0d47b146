from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from masthead.backoffice.blocks import tokens
from masthead.backoffice.diff import body_paragraphs
from masthead.backoffice.merge import merge_body
from masthead.newsroom.sanitize import sanitize_body

CASES = [
    ("", []),
    ("<p>One</p>\n<p>Two</p>", ["<p>One</p>", "<p>Two</p>"]),
    ("<h2>Head</h2><hr><p>x</p>", ["<h2>Head</h2>", "<hr>", "<p>x</p>"]),
    (
        '<ol start="3"><li>a</li><li>b<ul><li>c</li></ul></li></ol>',
        ['<ol start="3">', "<li>a</li>", "<li>b<ul><li>c</li></ul></li>", "</ol>"],
    ),
    (
        "<blockquote><p>q1</p><p>q2</p></blockquote>",
        ["<blockquote>", "<p>q1</p>", "<p>q2</p>", "</blockquote>"],
    ),
    (
        "Loose <b>text</b> &amp; more<p>then a paragraph</p>",
        ["Loose <b>text</b> &amp; more", "<p>then a paragraph</p>"],
    ),
    (
        "<dl><dt>Term</dt><dd>Meaning</dd></dl>",
        ["<dl>", "<dt>Term</dt>", "<dd>Meaning</dd>", "</dl>"],
    ),
    (
        '<figure><img src="/media/a.png" alt=""><figcaption>c</figcaption></figure>',
        ['<figure><img src="/media/a.png" alt=""><figcaption>c</figcaption></figure>'],
    ),
    ("<p>a<br>b</p>", ["<p>a<br>b</p>"]),
]


@pytest.mark.parametrize(("html", "expected"), CASES)
def test_a_body_is_cut_into_its_blocks(html, expected):
    assert tokens(html) == expected


html_bodies = st.lists(
    st.sampled_from(
        [
            "<p>{}</p>",
            "<h2>{}</h2>",
            "<ul><li>{}</li><li>{}</li></ul>",
            "<blockquote><p>{}</p></blockquote>",
            "<p><em>{}</em> &amp; {}</p>",
            "{} <b>{}</b>",
            "<hr>",
        ]
    ).flatmap(
        lambda template: st.lists(
            st.text(st.characters(codec="utf-8", exclude_characters="<>&"), max_size=20),
            min_size=template.count("{}"),
            max_size=template.count("{}"),
        ).map(lambda words: template.format(*words))
    ),
    max_size=8,
).map(lambda parts: sanitize_body("\n".join(parts)))


@hypothesis_settings(max_examples=200, deadline=None)
@given(html_bodies)
def test_joining_the_blocks_gives_the_same_text_back(html):
    assert body_paragraphs("".join(tokens(html))) == body_paragraphs(html)


@hypothesis_settings(max_examples=200, deadline=None)
@given(html_bodies, html_bodies)
def test_a_side_that_changed_nothing_takes_the_other_sides_body(base, changed):
    merged = "".join(tokens(changed))
    assert merge_body(base, changed, base).html() == merged
    assert merge_body(base, base, changed).html() == merged
    assert merge_body(base, changed, changed).conflicts == []
