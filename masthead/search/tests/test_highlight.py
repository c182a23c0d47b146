"""Marks in headlines and snippets: only the query's words, everything else escaped."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from masthead.search.highlight import highlight, snippet


def test_words_and_their_stems_are_marked_short_words_are_not():
    marked = highlight("A protester's attack on a protest", ["attack", "protests"])
    assert marked == (
        "A <mark>protester</mark>&#x27;s <mark>attack</mark> on a <mark>protest</mark>"
    )


def test_persian_variants_are_marked():
    assert highlight("بانك مركزي", ["بانک"]) == "<mark>بانك</mark> مركزي"
    assert "<mark>" in highlight("او می\u200cخواهد", ["میخواهد"])


@pytest.mark.parametrize(
    "text", ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", '"><b>x</b>']
)
def test_markup_in_text_is_escaped(text):
    out = highlight(text, ["alert", "x", "b", "img"])
    assert "<script" not in out and "<img" not in out and "<b>" not in out


@given(st.text(max_size=200), st.lists(st.text(min_size=1, max_size=10), max_size=3))
def test_only_mark_tags_are_ever_added(text, words):
    out = str(snippet(text, words))
    stripped = out.replace("<mark>", "").replace("</mark>", "")
    assert "<" not in stripped and ">" not in stripped


def test_snippet_starts_near_the_first_match():
    text = " ".join(f"w{n}" for n in range(200)) + " needle " + "tail " * 50
    out = snippet(text, ["needle"])
    assert out.startswith("… ") and "<mark>needle</mark>" in out and out.endswith(" …")


LETTERS = st.sampled_from(list("abcdeprsABCDEPRS1\u00e9\u06cc\u064a\u06a9\u0643\u200c"))


@given(
    token=st.text(LETTERS, min_size=1, max_size=9),
    words=st.lists(st.text(LETTERS, min_size=1, max_size=9), min_size=1, max_size=3),
)
def test_the_quick_refusal_of_a_word_agrees_with_the_full_comparison(token, words):
    from masthead.search.highlight import _Marker, _matches
    from masthead.search.normalize import normalize

    words = [normalize(word).lower() for word in words]  # as the parsed query holds them
    assert _Marker(words).matches(token) == _matches(token, words)
