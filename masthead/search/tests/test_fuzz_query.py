"""Fuzzing the search box's query parser (issue 14: query-string parsers; B5 cap).

Whatever a reader types is a ``Query`` or an ``InvalidQuery`` with a reader's
message, never another exception; what the parser writes for an engine is
words in quotes, never syntax; and the engine form reads back to the same
query (the round trip: ``parse(q.websearch())`` is ``q``).
"""

from __future__ import annotations

import re

from hypothesis import assume, given
from hypothesis import strategies as st

from masthead.search.query import MAX_QUERY_CHARS, MAX_TERMS, InvalidQuery, parse, words_of
from masthead.tests.hostile import examples, hostile_text

# What readers (and attackers) type into a search box.
OPERATORS = ['"', "-", " or ", " OR ", "NEAR(", "*", "^", ":", "&", "|", "!", "<->", "(", ")"]
SQL = ["' OR 1=1 --", "'; DROP TABLE stories; --", "\x00", "%", "_", "\\"]
WORDS = ["iran", "talks", "ایران", "می\u200cگوید", "١٤٠٣", "e-mail", "U.S.", "or", "and", "not"]
queries = st.one_of(
    hostile_text,
    st.text(max_size=MAX_QUERY_CHARS + 20),
    st.lists(st.sampled_from(OPERATORS + SQL + WORDS + [" "]), max_size=30).map("".join),
)
# An FTS5 string: double quotes around word characters and single spaces only.
FTS5_SHAPE = re.compile(r'(?:\(?"\w+(?: \w+)*"(?: OR "\w+(?: \w+)*")*\)?)')


@examples(500)
@given(queries)
def test_any_text_is_a_query_or_a_readers_message(text):
    try:
        query = parse(text)
    except InvalidQuery as error:
        assert str(error)  # shown to the reader as it is
        return
    assert query.clauses
    assert len(query.text) <= MAX_QUERY_CHARS
    words = [word for clause in query.clauses for phrase in clause.alternatives for word in phrase]
    assert words and len(words) <= MAX_TERMS
    for word in words:
        assert word == word.lower() and re.fullmatch(r"\w+", word), word
    for phrase in re.findall(r'"([^"]*)"', query.fts5()):
        assert phrase.strip() and '"' not in phrase
    for part in query.fts5().split(" AND "):
        assert FTS5_SHAPE.fullmatch(part.split(" NOT ")[0]), query.fts5()


@examples(300)
@given(queries)
def test_what_the_parser_writes_reads_back_to_the_same_query(text):
    try:
        query = parse(text)
    except InvalidQuery:
        return
    written = query.websearch()
    assume(len(written) <= MAX_QUERY_CHARS)  # quoting adds characters the cap counts

    again = parse(written)

    assert again.clauses == query.clauses
    assert again.excluded == query.excluded
    assert parse(again.websearch()).websearch() == again.websearch()


@examples(300)
@given(hostile_text)
def test_words_are_normalised_once(text):
    words = words_of(text)

    assert words_of(" ".join(words)) == words
