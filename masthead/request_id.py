"""A request id in every log line of a request, and in its response (``X-Request-ID``).

An id a proxy or load balancer sent (``X-Request-ID``: 1 to 64 letters,
digits, dots, dashes or underscores) is kept, so one id follows a request
through every hop; anything else is replaced by a new random one (a forged
header cannot write into the logs). The id lives in a context variable, read
by ``RequestIdFilter``, which every log handler has (settings.LOGGING): a
line logged outside a request says ``-``.

``LOG_FORMAT=json`` writes one JSON object per line (time, level, logger,
message, request id, and the traceback of an exception) for a log collector;
the default is one line of text. Public pages answered through the page
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
        return json.dumps(entry, ensure_ascii=False)


# Connected where the middleware is defined: loading the middleware connects it.
request_finished.connect(forget, dispatch_uid="request-id-forget")
