from __future__ import annotations

from dataclasses import replace

import pytest

from masthead.backoffice.merge import merge, same_content
from masthead.factories import make_desk, make_tag
from masthead.stories.services import Content

pytestmark = pytest.mark.django_db


@pytest.fixture
def base():
    return Content(headline="Base", desk=make_desk("Politics"), dek="Dek", body="<p>Body</p>")


def test_changes_on_different_fields_merge_without_conflict(base):
    mine = replace(base, headline="Mine")
    theirs = replace(base, dek="Their dek", tags=[make_tag("Iran")])
    result = merge(base, mine, theirs)
    assert result.conflicts == []
    assert (result.merged.headline, result.merged.dek) == ("Mine", "Their dek")
    assert [tag.name for tag in result.merged.tags] == ["Iran"]
    assert set(result.theirs) == {"dek", "tags"} and result.mine == ["headline"]


def test_both_changing_a_field_keeps_mine_and_reports_a_conflict(base):
    result = merge(base, replace(base, body="<p>Mine</p>"), replace(base, body="<p>Theirs</p>"))
    assert result.conflicts == ["body"]
    assert result.merged.body == "<p>Mine</p>"


def test_without_a_base_every_difference_is_a_conflict(base):
    result = merge(None, replace(base, headline="Mine"), base)
    assert result.conflicts == ["headline"]


def test_same_content_compares_what_would_be_stored(base):
    assert same_content(base, replace(base, headline="  Base ", body="<p>Body</p>"))
    assert not same_content(base, replace(base, headline="Other"))


# The body, block by block ------------------------------------------------------------

P1, P2, P3, P4 = (f"<p>Paragraph {n}.</p>" for n in (1, 2, 3, 4))
H = "<h2>A heading</h2>"
LIST = "<ul><li>First item</li><li>Second item</li></ul>"
BASE_BODY = P1 + H + P2 + P3 + LIST + P4


def edited(paragraph: str, words: str = " More.") -> str:
    return paragraph.replace(".</p>", "." + words + "</p>")


# (case, mine, theirs, merged body, number of conflicts)
BODY_CASES = [
    (
        "first and last paragraphs",
        edited(P1) + H + P2 + P3 + LIST + P4,
        P1 + H + P2 + P3 + LIST + edited(P4, " Theirs."),
        edited(P1) + H + P2 + P3 + LIST + edited(P4, " Theirs."),
        0,
    ),
    (
        "adjacent paragraphs in the middle",
        P1 + H + edited(P2) + P3 + LIST + P4,
        P1 + H + P2 + edited(P3, " Theirs.") + LIST + P4,
        P1 + H + edited(P2) + edited(P3, " Theirs.") + LIST + P4,
        0,
    ),
    (
        "a heading and the paragraph under it",
        P1 + "<h2>A better heading</h2>" + P2 + P3 + LIST + P4,
        P1 + H + edited(P2, " Theirs.") + P3 + LIST + P4,
        P1 + "<h2>A better heading</h2>" + edited(P2, " Theirs.") + P3 + LIST + P4,
        0,
    ),
    (
        "insertions at different places",
        P1 + "<p>New after 1.</p>" + H + P2 + P3 + LIST + P4,
        P1 + H + P2 + P3 + LIST + P4 + "<p>Theirs at the end.</p>",
        P1 + "<p>New after 1.</p>" + H + P2 + P3 + LIST + P4 + "<p>Theirs at the end.</p>",
        0,
    ),
    (
        "an insertion next to the other side's edit",
        P1 + H + P2 + "<p>Mine before 3.</p>" + P3 + LIST + P4,
        P1 + H + P2 + edited(P3, " Theirs.") + LIST + P4,
        P1 + H + P2 + "<p>Mine before 3.</p>" + edited(P3, " Theirs.") + LIST + P4,
        0,
    ),
    (
        "a deletion and an edit elsewhere",
        P1 + H + P3 + LIST + P4,
        P1 + H + P2 + P3 + LIST + edited(P4, " Theirs."),
        P1 + H + P3 + LIST + edited(P4, " Theirs."),
        0,
    ),
    (
        "the same deletion on both sides",
        edited(P1) + H + P3 + LIST + P4,
        P1 + H + P3 + LIST + edited(P4),
        edited(P1) + H + P3 + LIST + edited(P4),
        0,
    ),
    (
        "the same edit on both sides",
        P1 + H + edited(P2) + P3 + LIST + P4,
        P1 + H + edited(P2) + P3 + LIST + edited(P4, " Theirs."),
        P1 + H + edited(P2) + P3 + LIST + edited(P4, " Theirs."),
        0,
    ),
    (
        "list items: an item added and another edited",
        P1 + H + P2 + P3 + "<ul><li>First item</li><li>Second item</li><li>Third</li></ul>" + P4,
        P1 + H + P2 + P3 + "<ul><li>First item, edited</li><li>Second item</li></ul>" + P4,
        P1
        + H
        + P2
        + P3
        + "<ul><li>First item, edited</li><li>Second item</li><li>Third</li></ul>"
        + P4,
        0,
    ),
    (
        "a list turned numbered while an item is edited",
        P1 + H + P2 + P3 + "<ol><li>First item</li><li>Second item</li></ol>" + P4,
        P1 + H + P2 + P3 + "<ul><li>First item</li><li>Second, edited</li></ul>" + P4,
        P1 + H + P2 + P3 + "<ol><li>First item</li><li>Second, edited</li></ol>" + P4,
        0,
    ),
    (
        "both edit one paragraph",
        P1 + H + edited(P2, " Mine.") + P3 + LIST + P4,
        P1 + H + edited(P2, " Theirs.") + P3 + LIST + P4,
        P1 + H + edited(P2, " Mine.") + P3 + LIST + P4,
        1,
    ),
    (
        "one deletes a paragraph the other edits",
        P1 + H + P3 + LIST + P4,
        P1 + H + edited(P2, " Theirs.") + P3 + LIST + P4,
        P1 + H + P3 + LIST + P4,
        1,
    ),
    (
        "both insert at one place",
        P1 + "<p>Mine.</p>" + H + P2 + P3 + LIST + P4,
        P1 + "<p>Theirs.</p>" + H + P2 + P3 + LIST + P4,
        P1 + "<p>Mine.</p>" + H + P2 + P3 + LIST + P4,
        1,
    ),
    (
        "both edit one list item, and each something else",
        edited(P1) + H + P2 + P3 + "<ul><li>First, mine</li><li>Second item</li></ul>" + P4,
        P1 + H + P2 + P3 + "<ul><li>First, theirs</li><li>Second item</li></ul>" + edited(P4),
        edited(P1) + H + P2 + P3 + "<ul><li>First, mine</li><li>Second item</li></ul>" + edited(P4),
        1,
    ),
]


@pytest.mark.parametrize(
    ("mine_body", "their_body", "merged", "conflicts"),
    [case[1:] for case in BODY_CASES],
    ids=[case[0] for case in BODY_CASES],
)
def test_the_body_merges_block_by_block(base, mine_body, their_body, merged, conflicts):
    base = replace(base, body=BASE_BODY)
    result = merge(base, replace(base, body=mine_body), replace(base, body=their_body))
    assert result.merged.body == merged
    assert len(result.body.conflicts) == conflicts
    assert ("body" in result.conflicts) == (conflicts > 0)
    assert ("body" in result.combined) == (conflicts == 0)


def test_a_conflict_offers_mine_theirs_or_both(base):
    base = replace(base, body=BASE_BODY)
    mine = replace(base, body=edited(P1) + H + edited(P2, " Mine.") + P3 + LIST + P4)
    theirs = replace(base, body=P1 + H + edited(P2, " Theirs.") + P3 + LIST + edited(P4))
    body = merge(base, mine, theirs).body
    [conflict] = body.conflicts
    assert (conflict.mine_html, conflict.theirs_html) == (
        edited(P2, " Mine."),
        edited(P2, " Theirs."),
    )
    kept = edited(P1) + H + "{}" + P3 + LIST + edited(P4)
    assert body.html() == kept.format(edited(P2, " Mine."))
    assert body.html({1: "theirs"}) == kept.format(edited(P2, " Theirs."))
    assert body.html({1: "both"}) == kept.format(edited(P2, " Mine.") + edited(P2, " Theirs."))


def test_a_body_merge_keeps_each_sides_markup_and_drops_only_whitespace(base):
    base = replace(base, body='<p>One &amp; <a href="https://example.org/">two</a></p>\n<p>Two</p>')
    mine = replace(base, body='<p>One &amp; <a href="https://example.org/">two</a>!</p><p>Two</p>')
    theirs = replace(base, body='<p>One &amp; <a href="https://example.org/">two</a></p>\n<p>2</p>')
    result = merge(base, mine, theirs)
    assert result.conflicts == []
    assert result.merged.body == (
        '<p>One &amp; <a href="https://example.org/" rel="noopener noreferrer">two</a>!</p><p>2</p>'
    )


def test_without_a_base_every_body_difference_is_a_conflict(base):
    mine = replace(base, body="<p>Body</p><p>Mine.</p>")
    result = merge(None, mine, replace(base, body="<p>Body</p><p>Theirs.</p>"))
    assert result.conflicts == ["body"]
    [conflict] = result.body.conflicts
    assert (conflict.mine_html, conflict.theirs_html) == ("<p>Mine.</p>", "<p>Theirs.</p>")
