"""Private responses never enter the shared page cache (RELIABILITY.md §2.6 F1).

The page cache (``site/page_cache.py``) in front of Django, and in front of a
small WSGI app whose answers carry each header a private response may have:
none of those is stored, however its headers are spelled. Mapped in
docs/security.md.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from masthead.factories import editor_of, make_desk, make_story
from masthead.site.page_cache import PageCache
from masthead.site.tests.test_page_cache import app, call  # noqa: F401

pytestmark = pytest.mark.django_db

PUBLIC = [
    ("Content-Type", "text/html; charset=utf-8"),
    ("Cache-Control", "public, max-age=60"),
    ("Surrogate-Key", "site"),
]


def answering(extra_headers: list[tuple[str, str]], cache_control: str | None = None):
    """A WSGI app that answers 200 with ``PUBLIC``'s headers changed as asked, counting calls."""
    calls = []

    def inner(environ, start_response):
        calls.append(environ["PATH_INFO"])
        headers = [
            (name, cache_control if name == "Cache-Control" and cache_control else value)
            for name, value in PUBLIC
        ]
        start_response("200 OK", headers + extra_headers)
        return [f"render {len(calls)}".encode()]

    return inner, calls


def cache_in_front_of(inner) -> PageCache:
    return PageCache(inner, max_bytes=1024 * 1024, poll_seconds=0, shared=None)


def test_a_public_answer_is_stored_which_the_refusals_below_are_measured_against():
    inner, calls = answering([])
    cache = cache_in_front_of(inner)

    first, second = call(cache, "/politics/"), call(cache, "/politics/")

    assert (first.outcome, second.outcome) == ("MISS", "HIT")
    assert second.body == b"render 1" and len(calls) == 1


@pytest.mark.parametrize(
    ("extra", "cache_control"),
    [
        ([], "Private, max-age=60, public"),
        ([], "PUBLIC, PRIVATE"),
        ([], "public, No-Store"),
        ([], 'public, private="Set-Cookie"'),
        ([("Vary", " * ")], None),
        ([("Vary", "Authorization")], None),
        ([("Vary", "Cookie, Accept-Language")], None),
        ([("Set-Cookie", "sessionid=abc; HttpOnly")], None),
        ([("set-cookie", "csrftoken=abc")], None),
    ],
    ids=[
        "private-mixed-case",
        "upper-case",
        "no-store-mixed-case",
        "private-with-a-field",
        "vary-star-with-spaces",
        "vary-authorization",
        "vary-accept-language",
        "set-cookie",
        "set-cookie-lower-case",
    ],
)
def test_a_private_answer_is_never_stored(extra, cache_control):
    inner, _calls = answering(extra, cache_control)
    cache = cache_in_front_of(inner)

    answers = [call(cache, "/politics/") for _ in range(3)]

    assert [a.outcome for a in answers] == [None, None, None]
    assert [a.body for a in answers] == [b"render 1", b"render 2", b"render 3"]
    assert cache.store.entries == {}


@pytest.mark.parametrize(
    "request_headers",
    [
        {"authorization": "Bearer secret-token"},
        {"authorization": "Basic d3JpdGVyOnNlY3JldA=="},
        {"cookie": f"{settings.SESSION_COOKIE_NAME}=abc"},
        {"cookie": f"other=1; {settings.SESSION_COOKIE_NAME}=abc"},
    ],
    ids=["bearer", "basic", "session-cookie", "session-cookie-second"],
)
def test_a_request_with_credentials_neither_fills_nor_reads_the_cache(request_headers):
    inner, _calls = answering([])
    cache = cache_in_front_of(inner)
    call(cache, "/politics/")  # an anonymous copy exists

    with_credentials = call(cache, "/politics/", **request_headers)

    assert with_credentials.outcome is None and with_credentials.body == b"render 2"
    assert call(cache, "/politics/").body == b"render 1"  # the anonymous copy, untouched


def test_an_editors_visit_leaves_nothing_of_theirs_for_readers(app):  # noqa: F811
    """The Steam 2015 sequence: an editor reads the article, then a reader does."""
    desk = make_desk("Politics")
    story = make_story("Talks resume in Vienna", desk=desk)
    editor = editor_of(desk)
    browser = Client()
    browser.force_login(editor)
    session = browser.cookies[settings.SESSION_COOKIE_NAME].value
    url = story.get_absolute_url()

    as_editor = call(app, url, cookie=f"{settings.SESSION_COOKIE_NAME}={session}")
    reader = call(app, url)
    reader_again = call(app, url)

    assert as_editor.status == 200 and as_editor.outcome is None
    assert (reader.outcome, reader_again.outcome) == ("MISS", "HIT")
    for answer in (reader, reader_again):
        assert "Set-Cookie" not in answer.headers
        assert "csrfmiddlewaretoken" not in answer.text
        assert editor.username not in answer.text
        assert "/desk/" not in answer.text
        assert answer.headers["Cache-Control"].startswith("public")


def test_a_language_cookie_changes_nothing_a_reader_is_served(app):  # noqa: F811
    """The back office's language cookie (accounts/interface_language.py) must not make
    a Persian rendering of an English edition's page the copy every reader gets."""
    make_story("Talks resume in Vienna", desk=make_desk("Politics"))

    with_cookie = call(app, "/", cookie=f"{settings.LANGUAGE_COOKIE_NAME}=fa")
    reader = call(app, "/")

    assert with_cookie.status == reader.status == 200
    assert reader.outcome == "HIT" and reader.body == with_cookie.body
    assert 'lang="en"' in reader.text and 'dir="rtl"' not in reader.text
