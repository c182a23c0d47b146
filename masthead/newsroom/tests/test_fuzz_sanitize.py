"""Fuzzing the body sanitiser (RELIABILITY.md B1 checks 2–4, B3; issue 14).

``masthead/stories/tests/test_sanitize.py`` has the named payloads and a
first property pass with the standard library's parser. Here the inputs are
generated HTML-ish documents (masthead/tests/hostile.py: tags from the
allow-list and outside it, svg/math with raw-text children, ``javascript:``
in its entity, tab and newline forms, ``on*``, ``srcdoc``, ``formaction``,
``<base>``, meta refresh) and the output is read by html5lib, which parses
as a browser does, then serialised and parsed again (the mXSS round trip).

``HYPOTHESIS_PROFILE=fuzz`` runs each property on 10,000 examples.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from masthead.newsroom.sanitize import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    ALLOWED_URL_SCHEMES,
    sanitize_body,
)
from masthead.newsroom.text import clean_line, clean_paragraphs
from masthead.tests.hostile import (
    KEPT_MARKS,
    PERSIAN,
    REMOVED,
    ZWNJ,
    assert_within_allow_list,
    examples,
    hostile_text,
    html_documents,
    reserialised,
)

RAW_TEXT = {"script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes"}
RAW_TEXT |= {"noscript", "plaintext", "template"}
FOREIGN = {"svg", "math"}


@examples(300)
@given(html_documents)
def test_sanitising_generated_markup_is_idempotent(body):
    once = sanitize_body(body)

    assert sanitize_body(once) == once


@examples(300)
@given(html_documents)
def test_a_browser_parse_of_the_output_finds_only_the_allow_list(body):
    """B1 check 3: parse → serialise → re-parse still holds nothing outside the allow-list."""
    output = sanitize_body(body)

    assert "<script" not in output.lower()
    assert_within_allow_list(output)
    again = reserialised(output)
    assert_within_allow_list(again)
    assert_within_allow_list(sanitize_body(again))


@examples(200)
@given(st.lists(st.one_of(html_documents, hostile_text), max_size=4).map("".join))
def test_body_text_keeps_zwnj_and_marks_and_loses_controls(body):
    """B3 in the body: no C0/C1 control or bidi override comes out; ZWNJ and marks stay."""
    output = sanitize_body(f"<p>{PERSIAN}</p>{body}")

    assert not REMOVED & set(output), [c for c in output if c in REMOVED]
    assert output.startswith(f"<p>{PERSIAN}</p>")  # ZWNJ and all
    for mark in KEPT_MARKS:  # bidi marks and isolates are text, never removed
        assert output.count(mark) <= body.count(mark) + PERSIAN.count(mark)


def test_the_allow_list_has_no_foreign_or_raw_text_elements():
    """B1 check 4: svg/math change how the rest parses; raw-text elements hide markup in text."""
    assert not ALLOWED_TAGS & FOREIGN
    assert not ALLOWED_TAGS & RAW_TEXT
    for tag, names in ALLOWED_ATTRIBUTES.items():
        assert not {name for name in names if name.startswith("on")}, tag
        assert not {"style", "srcdoc", "formaction", "action", "xlink:href"} & names, tag
    assert {"http", "https", "mailto", "tel"} == ALLOWED_URL_SCHEMES


@examples(300)
@given(hostile_text)
def test_plain_text_keeps_zwnj_and_drops_controls_and_overrides(text):
    """B3 for plain-text fields: headlines and names through ``clean_line``/``clean_paragraphs``."""
    for clean in (clean_line, clean_paragraphs):
        output = clean(text)
        assert not REMOVED & set(output)
        assert output.count(ZWNJ) == text.count(ZWNJ)
        assert clean(output) == output
