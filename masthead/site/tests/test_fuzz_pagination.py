"""Fuzzing the site's list cursors and query strings (issue 14: cursor and query-string parsers).

A list cursor (``?before=20261125T143005.123456Z-812``) has exactly one
spelling: the one ``str(Cursor)`` writes reads back to the same position, and
any other text is ``InvalidCursor`` (404), never another exception. Random
query strings on the public lists and the search page never answer 500.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from masthead.factories import make_desk, make_story, make_tag
from masthead.site.pagination import MAX_ID, Cursor, InvalidCursor
from masthead.tests.hostile import examples, hostile_text

moments = st.datetimes(
    min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31), timezones=st.just(UTC)
)
cursor_like = st.one_of(
    hostile_text,
    st.text(max_size=45),
    st.from_regex(r"\d{8}T\d{6}(\.\d{1,7})?Z?-?\d{0,21}", fullmatch=True),
    st.builds(
        lambda c, junk: str(c) + junk,
        st.builds(Cursor, moments, st.integers(1, MAX_ID)),
        st.text(max_size=3),
    ),
)


@examples(300)
@given(moments, st.integers(1, MAX_ID))
def test_a_cursor_reads_back_to_its_position(moment, row_id):
    cursor = Cursor(moment, row_id)

    assert Cursor.parse(str(cursor)) == cursor


@examples(500)
@given(cursor_like)
def test_any_other_text_is_not_a_cursor(text):
    try:
        cursor = Cursor.parse(text)
    except InvalidCursor:
        return
    assert str(cursor) == text  # the only text accepted is the one spelling


@st.composite
def query_strings(draw) -> str:
    pairs = []
    for _ in range(draw(st.integers(1, 4))):
        name = draw(
            st.sampled_from(
                [
                    "before",
                    "after",
                    "page",
                    "q",
                    "desk",
                    "author",
                    "from",
                    "to",
                    "cursor",
                    "p",
                    "preview",
                ]
            )
            | st.text(max_size=6)
        )
        value = draw(
            st.one_of(
                hostile_text,
                st.text(max_size=250),
                cursor_like,
                st.sampled_from(["2", "0", "-1", "51", "9" * 30, "%ff", "%00", "%ed%a0%80"]),
            )
        )
        encoded = value if draw(st.booleans()) else quote(value.encode("utf-8", "surrogatepass"))
        pairs.append(f"{quote(name.encode('utf-8', 'surrogatepass'))}={encoded}")
    return "&".join(pairs)


@pytest.fixture
def lists():
    desk = make_desk("Politics")
    tag = make_tag("Elections")
    for number in range(3):
        make_story(f"Story {number}", desk=desk, tags=[tag])


PAGES = ["/", "/politics/", "/tag/elections/", "/search/", "/corrections/", "/feed/"]


@pytest.mark.django_db
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.sampled_from(PAGES), query_strings())
def test_random_query_strings_on_public_pages_never_answer_500(client, lists, page, query):
    response = client.generic("GET", f"{page}?{query}")

    assert response.status_code < 500, (page, query)
