"""A request id in every log line of a request, and in its response (``X-Request-ID``).

An id a proxy or load balancer sent (``X-Request-ID``: 1 to 64 letters,
digits, dots, dashes or underscores) is kept, so one id follows a request
through every hop; anything else is replaced by a new random one (a forged
header cannot write into the logs). The id lives in a context variable, read
by ``RequestIdFilter``, which every log handler has (settings.LOGGING): a
line logged outside a request says ``-``.

``LOG_FORMAT=json`` writes one JSON object per line (time, level, logger,
message, request id, and the traceback of an exception) for a log collector;
the default is one line of text. Either way a message is one line whatever
it quotes (RELIABILITY.md E9, log injection): control characters (newlines,
carriage returns, terminal escapes, C1 controls) and the Unicode line and
paragraph separators in a message are written as escapes (``\\n``, ``\\x1b``,
``\\u2028``), so a username typed at sign-in or a path cannot forge a line that
reads like one Masthead wrote. A traceback stays several lines, after its
message (in JSON, inside its field). Public pages answered through the page
cache (``site/page_cache.py``) carry no id in the response: its copy is shared,
and a hit never reaches Django nor logs; the render behind a miss logs with its id.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import uuid
from datetime import UTC, datetime

from django.core.signals import request_finished

HEADER = "X-Request-ID"
VALID = re.compile(r"[A-Za-z0-9._-]{1,64}")
current = contextvars.ContextVar("request_id", default="-")


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get(HEADER, "")
        request_id = given if VALID.fullmatch(given) else uuid.uuid4().hex
        request.request_id = request_id
        # Kept until the response is finished (``forget``), not only while the
        # middleware runs: Django logs a 4xx or 5xx after the middleware returns.
        current.set(request_id)
        response = self.get_response(request)
        response[HEADER] = request_id
        return response


def forget(**_signal_arguments) -> None:
    """Receiver for ``request_finished``: lines logged between requests say ``-``."""
    current.set("-")


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current.get()
        return True


# Controls and line separators: what terminals act on and line-based readers split on.
UNSAFE_IN_A_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def one_line(text: str) -> str:
    """``text`` with every control character and line separator written as an escape."""
    return UNSAFE_IN_A_LINE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


class TextFormatter(logging.Formatter):
    """The default format, with the message kept on its line (``one_line``)."""

    def format(self, record: logging.LogRecord) -> str:
        msg, args = record.msg, record.args
        record.msg, record.args = one_line(record.getMessage()), None
        try:
            return super().format(record)
        finally:  # the record is shared with any other handler
            record.msg, record.args = msg, args


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        # json.dumps escapes C0 controls; C1 controls and U+2028/U+2029 it leaves raw.
        line = json.dumps(entry, ensure_ascii=False)
        return UNSAFE_IN_A_LINE.sub(lambda m: f"\\u{ord(m.group()):04x}", line)


# Connected where the middleware is defined: loading the middleware connects it.
request_finished.connect(forget, dispatch_uid="request-id-forget")
