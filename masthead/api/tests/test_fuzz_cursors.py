"""Fuzzing the API's cursors and query strings (issue 14: cursor and query-string parsers).

A cursor the API gave out reads back to the position it was made from; any
other text is refused with ``InvalidCursor`` (the 400 problem), never another
exception. Random query strings against the public API through Django's test
client never answer 500 (a modest number of examples: each is a request).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import quote

import pytest
from django.utils.text import slugify
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from masthead.api import cursors
from masthead.factories import make_story
from masthead.search import engine
from masthead.stories.models import Tag
from masthead.tests.hostile import examples, hostile_text


def _offset(hours: float) -> timezone:
    return timezone(timedelta(hours=hours))


moments = st.datetimes(
    min_value=datetime(1900, 1, 1),
    max_value=datetime(2200, 1, 1),
    timezones=st.sampled_from([UTC, _offset(-12), _offset(3.5), _offset(14)]),
)
ids = st.integers(1, 2**63 - 1)
filter_values = st.one_of(st.none(), st.text(max_size=20), st.integers(), st.booleans())
filters = st.dictionaries(
    st.sampled_from(["desk", "author", "tag", "label", "language", "updated_since", "q"]),
    filter_values,
    max_size=4,
)
# Text a client may send as a cursor: anything, and things shaped like ours.
cursor_text = st.one_of(
    hostile_text,
    st.text(max_size=120),
    st.builds("{}:{}".format, st.text(max_size=60), st.text(max_size=30)),
    st.from_regex(r"[A-Za-z0-9_-]{10,80}:[A-Za-z0-9_-]{20,50}", fullmatch=True),
    st.from_regex(r"[A-Za-z0-9_-]{10,80}:[A-Za-z0-9_-]{6}:[A-Za-z0-9_-]{20,50}", fullmatch=True),
)


@examples(200)
@given(moments, ids, filters)
def test_a_story_cursor_reads_back_to_where_it_was_made(moment, story_id, list_filters):
    cursor = cursors.encode(moment, story_id, list_filters)

    assert cursors.decode(cursor, list_filters) == (moment, story_id)
    assert cursors.encode(moment, story_id, list_filters) == cursor  # one position, one cursor


@examples(200)
@given(st.text(max_size=80), ids)
def test_a_name_cursor_reads_back_to_where_it_was_made(name, item_id):
    """Found by the fuzzer: a Persian tag name of 35 letters made a cursor the API refused."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return  # names come from the database, which holds no lone surrogates
    cursor = cursors.encode_name(name, item_id, "tags")

    assert cursors.decode_name(cursor, "tags") == (name, item_id)


@pytest.mark.parametrize("letter", ["a", "ب", "\U0001f600", "\U0010ffff"])
def test_the_longest_tag_name_makes_a_cursor_that_reads_back(letter):
    name = letter * Tag._meta.get_field("name").max_length

    cursor = cursors.encode_name(name, 2**63 - 1, "tags")

    assert cursors.decode_name(cursor, "tags") == (name, 2**63 - 1)


@examples(300)
@given(cursor_text, filters)
@example("a\ud800:b", {})  # found by fuzzing: UnicodeEncodeError from the signature check
def test_any_other_text_is_refused_as_a_cursor(text, list_filters):
    with pytest.raises(cursors.InvalidCursor):
        cursors.decode(text, list_filters)
    with pytest.raises(cursors.InvalidCursor):
        cursors.decode_name(text, "tags")
    with pytest.raises(engine.InvalidCursor):
        engine._decode(text, "digest")


@examples(200)
@given(moments, ids, filters, st.data())
def test_an_altered_cursor_is_refused(moment, story_id, list_filters, data):
    cursor = cursors.encode(moment, story_id, list_filters)
    at = data.draw(st.integers(0, len(cursor) - 1))
    replacement = data.draw(st.text(min_size=0, max_size=3).filter(lambda t: t != cursor[at]))
    altered = cursor[:at] + replacement + cursor[at + 1 :]

    with pytest.raises(cursors.InvalidCursor):
        cursors.decode(altered, list_filters)


@examples(200)
@given(
    st.floats(allow_nan=False, allow_infinity=False),
    ids,
    st.text(max_size=16, alphabet="0123abcdef"),
)
def test_a_search_cursor_reads_back_and_only_for_its_search(score, story_id, digest):
    cursor = engine._encode((score, story_id), digest)

    assert engine._decode(cursor, digest) == (score, story_id)
    with pytest.raises(engine.InvalidCursor):
        engine._decode(cursor, digest + "x")


# --- Over HTTP --------------------------------------------------------------------

PARAMETERS = [
    "cursor",
    "limit",
    "desk",
    "author",
    "tag",
    "label",
    "language",
    "updated_since",
    "q",
    "format",
    "page",
]
ENDPOINTS = ["/api/stories", "/api/tags", "/api/authors", "/api/desks"]


@st.composite
def query_strings(draw) -> str:
    """A query string as a client may send one: known names, odd ones, any value, any encoding."""
    pairs = []
    for _ in range(draw(st.integers(0, 5))):
        name = draw(st.one_of(st.sampled_from(PARAMETERS), st.text(max_size=8)))
        value = draw(
            st.one_of(
                hostile_text,
                st.text(max_size=300),
                st.sampled_from(["0", "-1", "101", "1e9", "NaN", "2026-13-45", "9" * 40]),
                st.sampled_from(["%ff%fe", "%00", "%", "%zz", "%ed%a0%80", "&&", "=="]),
            )
        )
        raw = draw(st.booleans())
        encoded = value if raw else quote(value.encode("utf-8", "surrogatepass"), safe="")
        pairs.append(f"{quote(name.encode('utf-8', 'surrogatepass'), safe='')}={encoded}")
    return "&".join(pairs)


@pytest.mark.django_db
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.sampled_from(ENDPOINTS), query_strings())
def test_random_query_strings_never_answer_500(client, newsroom, endpoint, query):
    response = client.generic("GET", f"{endpoint}?{query}")

    assert response.status_code < 500, (endpoint, query, response.content[:300])
    if response.status_code >= 400:
        assert response["Content-Type"].startswith(("application/problem+json", "application/json"))


@pytest.mark.django_db
def test_tags_with_long_persian_names_page_to_the_end(client, newsroom):
    names = [
        f"{letter} " + "گفت‌وگوی هسته‌ای ایران و آمریکا در وین، دور تازه‌ی مذاکرات" for letter in "آبپ"
    ]
    tags = [Tag.objects.create(name=name, slug=slugify(name, allow_unicode=True)) for name in names]
    make_story("Talks", desk=newsroom.desk, tags=tags)
    seen, url = [], "/api/tags?limit=1"
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        body = response.json()
        seen += [tag["name"] for tag in body["items"]]
        url = body["next_url"]

    assert set(names) <= set(seen)
    assert len(seen) == len(set(seen))
