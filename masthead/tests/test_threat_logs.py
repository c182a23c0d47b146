"""Log injection (RELIABILITY.md §2.5 E9): what a client types never forges a log line.

Usernames typed at sign-in (django-axes logs every failure), paths and headlines
reach the logs. Newlines, carriage returns and terminal escapes in them must not
start a new line that reads like one Masthead wrote, nor drive an operator's
terminal, in either ``LOG_FORMAT``. Mapped in docs/security.md.
"""

from __future__ import annotations

import io
import json
import logging
import logging.config
import re

import pytest
from django.conf import settings

from masthead.factories import make_desk, make_staff
from masthead.newsroom.models import StaffRole

pytestmark = pytest.mark.django_db

FORGED = "2026-01-01 00:00:00,000 CRITICAL [-] masthead: FORGED admin signed in"
HOSTILE = [
    f"nobody\n{FORGED}",
    f"nobody\r{FORGED}",
    f"nobody\r\n{FORGED}",
    "nobody\x1b[2J\x1b[31mred\x1b[0m",
    f"nobody\u2028{FORGED}",
    f"nobody\x85{FORGED}",
]
TEXT_LINE = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} [A-Z]+ \[[^\]]*\] \S+: ")


@pytest.fixture(params=["text", "json"])
def log_lines(request):
    """Each physical line the console handler writes, with the settings' LOGGING in the
    given format (the handler and its formatter as configured, the stream captured)."""
    config = json.loads(json.dumps(settings.LOGGING))  # a copy
    config["handlers"]["console"]["formatter"] = request.param
    config["root"]["level"] = "INFO"
    written = io.StringIO()
    logging.config.dictConfig(config)
    handler = next(h for h in logging.getLogger().handlers if h.get_name() == "console")
    previous = handler.setStream(written)
    try:
        yield request.param, written
    finally:
        handler.setStream(previous)
        logging.config.dictConfig(settings.LOGGING)


def _physical_lines(written: io.StringIO) -> list[str]:
    # What a terminal or a line-based collector splits on (str.splitlines also splits on
    # U+2028, U+0085 …, which some viewers honour).
    return [line for line in written.getvalue().splitlines() if line]


def _assert_no_forged_line(log_format: str, written: io.StringIO) -> None:
    lines = _physical_lines(written)
    assert lines, "nothing was logged"
    for line in lines:
        assert "\x1b" not in line
        if log_format == "json":
            json.loads(line)  # every line one whole JSON object
        else:
            assert TEXT_LINE.match(line), line
        assert not line.startswith(FORGED[:10]) or TEXT_LINE.match(line)
    assert not any(line.startswith(FORGED) for line in lines)


@pytest.mark.parametrize("username", HOSTILE)
def test_a_username_typed_at_sign_in_forges_no_log_line(client, log_lines, username):
    log_format, written = log_lines
    make_staff(StaffRole.Role.WRITER, make_desk("Politics"), username="writer")

    client.post("/account/login/", {"username": username, "password": "wrong"})
    client.post("/account/login/", {"username": username, "password": "wrong"})

    assert "AXES" in written.getvalue()  # the failure was logged …
    _assert_no_forged_line(log_format, written)  # … as one line


@pytest.mark.parametrize("hostile", HOSTILE)
def test_a_path_forges_no_log_line(client, log_lines, hostile):
    log_format, written = log_lines
    from urllib.parse import quote

    client.get("/no-such-desk/" + quote(hostile) + "/")

    assert "Not Found" in written.getvalue()
    _assert_no_forged_line(log_format, written)


@pytest.mark.parametrize("hostile", HOSTILE)
def test_any_message_with_client_text_is_one_line(log_lines, hostile):
    """Masthead's own lines carry client text too (paths, provider ids, headlines)."""
    log_format, written = log_lines

    logging.getLogger("masthead.site").warning("Cannot render %s", hostile)
    logging.getLogger("masthead.wire").warning("Headline " + hostile)

    _assert_no_forged_line(log_format, written)
    lines = _physical_lines(written)
    assert len(lines) == 2
    if log_format == "json":  # escaped, not lost: a collector reads the words back
        assert json.loads(lines[0])["message"] == f"Cannot render {hostile}"
    else:
        assert lines[0].endswith("Cannot render " + hostile.encode("unicode_escape").decode())
