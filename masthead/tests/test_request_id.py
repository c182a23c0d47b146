"""Request ids (masthead/request_id.py): in the response, in every log line of the request."""

from __future__ import annotations

import io
import json
import logging
import re

import pytest

from masthead.factories import make_desk, make_story
from masthead.request_id import JsonFormatter, RequestIdFilter
from masthead.site.tests.test_page_cache import app, call  # noqa: F401 - the WSGI fixture

pytestmark = pytest.mark.django_db

HEX_ID = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
def console():
    """What the configured console handler (settings.LOGGING) writes during the test."""
    handler = next(h for h in logging.getLogger().handlers if h.get_name() == "console")
    written = io.StringIO()
    previous = handler.setStream(written)
    try:
        yield written
    finally:
        handler.setStream(previous)


def test_each_response_carries_a_new_id(client):
    first, second = client.get("/healthz"), client.get("/healthz")

    assert HEX_ID.fullmatch(first["X-Request-ID"]) and HEX_ID.fullmatch(second["X-Request-ID"])
    assert first["X-Request-ID"] != second["X-Request-ID"]


def test_an_id_from_the_proxy_is_kept_and_a_forged_one_replaced(client):
    kept = client.get("/healthz", headers={"X-Request-ID": "lb-7f3a.2_x"})
    assert kept["X-Request-ID"] == "lb-7f3a.2_x"

    for forged in ("two words", "x" * 65, "a\u202eb", "", "id;rm -rf"):
        response = client.get("/healthz", headers={"X-Request-ID": forged})
        assert HEX_ID.fullmatch(response["X-Request-ID"]), forged


def test_a_line_logged_during_a_request_carries_its_id(client, console):
    response = client.get("/no-such-page/at-all/", headers={"X-Request-ID": "trace-42"})

    assert response.status_code == 404
    lines = [line for line in console.getvalue().splitlines() if "Not Found" in line]
    assert lines and all("[trace-42]" in line for line in lines)


def test_json_lines_carry_the_message_the_id_and_the_traceback():
    record = logging.LogRecord(
        "masthead.wire", logging.ERROR, __file__, 1, "poll %s failed", ("x",), None
    )
    try:
        raise ValueError("feed is not XML")
    except ValueError:
        import sys

        record.exc_info = sys.exc_info()
    RequestIdFilter().filter(record)

    line = json.loads(JsonFormatter().format(record))

    assert line["message"] == "poll x failed" and line["level"] == "ERROR"
    assert line["logger"] == "masthead.wire" and line["request_id"] == "-"
    assert "ValueError: feed is not XML" in line["exception"]


def test_a_page_served_from_the_page_cache_carries_no_other_requests_id(app):  # noqa: F811
    # ``app``: the page cache in front of Django, with the test's transaction kept
    # across its requests (test_page_cache.py).
    make_story("Talks resume in Vienna", desk=make_desk("Politics"))

    rendered, copied = call(app, "/"), call(app, "/")

    # The copy is shared: no answer taken from it names the request that rendered it.
    assert (rendered.outcome, copied.outcome) == ("MISS", "HIT")
    assert "X-Request-ID" not in rendered.headers and "X-Request-ID" not in copied.headers
