from __future__ import annotations

from masthead.backoffice.diff import Segment, body_paragraphs, paragraph_diff, word_diff


def test_word_diff_marks_insertions_and_deletions():
    assert word_diff("Parliament weighs budget", "Parliament rejects budget") == [
        Segment("same", "Parliament "),
        Segment("del", "weighs"),
        Segment("ins", "rejects"),
        Segment("same", " budget"),
    ]


def test_body_paragraphs_are_the_text_of_each_block():
    html = "<h2>Head</h2><p>One <strong>bold</strong> line<br>two</p><ul><li>Item</li></ul>"
    assert body_paragraphs(html) == ["Head", "One bold line two", "Item"]


def test_markup_in_text_stays_text():
    assert body_paragraphs("<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>") == [
        "<script>alert(1)</script>"
    ]


def test_paragraph_diff_pairs_changed_paragraphs_and_lists_added_ones():
    result = paragraph_diff(["Same.", "Old words."], ["Same.", "New words.", "Added."])
    assert [p.kind for p in result] == ["same", "changed", "ins"]
    assert Segment("del", "Old") in result[1].segments
    assert Segment("ins", "New") in result[1].segments
