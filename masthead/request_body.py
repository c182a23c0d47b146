"""A request body that does not arrive in time is answered 408, and its thread is freed.

granian runs the WSGI app on a fixed number of threads (``masthead serve
--threads`` per worker) and hands it the body as it arrives: a thread that
reads ``wsgi.input`` waits for the client. granian has a time limit on the
headers (``--http1-header-read-timeout``) but none on the body, so a few
clients sending one byte a second (slowloris) held every thread and the site
answered nobody (E8 in docs/security.md; ``bench/faults --only E8``).

``BodyDeadline`` hands the app a body with a ``Content-Length`` through a
stream that reads it on a helper thread as the app asks for it, and gives up
when the client is too slow:

- no new bytes for ``REQUEST_BODY_TIMEOUT`` seconds (10 s), or
- the whole body not there ``REQUEST_BODY_TIMEOUT`` + its size at
  ``REQUEST_BODY_MIN_RATE`` bytes a second (16 KB/s: a 20 MB image may take
  about 21 minutes).

Then the read raises ``BadRequest``, whatever Django answered is replaced by
408 with ``Connection: close``, and the request thread goes back to the pool;
the helper thread ends when the server closes the connection. Only what the
app reads waits: a body sent to a page that never reads one (a POST to
``/search/``) is not waited for at all, so slow clients there hold no thread
(RELIABILITY.md L12; reading every body first held one for 10 s each).

A body longer than the largest request Masthead accepts (one image of
``MAX_IMAGE_BYTES`` and ``DATA_UPLOAD_MAX_MEMORY_SIZE`` of fields) is not
watched here: Django refuses it with 413 before reading it
(``masthead/request_limits.py``). What is read is Django's upload handlers'
to keep, in memory or in a temporary file.

A body sent chunked, without a ``Content-Length``, is not read by Django's
WSGI request at all (its length is taken as 0): such a request gets its
answer at once (the sign-in form: 403, the API: 422) and granian closes the
connection. What is still possible: as many clients as there are threads,
each starting a new slow body every 10 s, keep the threads busy; a
reverse proxy that buffers bodies (nginx's default) in front of
``masthead serve`` removes that too (docs/operations.md).

Why our own code: granian has no body read timeout, and Django reads the
body whenever a view or middleware first asks for it.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time

from django.conf import settings
from django.core.exceptions import BadRequest

CHUNK = 4096
MESSAGE = (
    b'<!doctype html><html lang="en"><head><meta charset="utf-8">'
    b"<title>Request timeout</title></head><body><h1>Request timeout</h1>"
    b"<p>The request's body did not arrive in time, so nothing was saved. "
    b"Please try again.</p></body></html>"
)


class BodyTimeout(BadRequest):
    """The request's body did not arrive in time (Django answers 400; we send 408)."""


class DeadlineStream:
    """``wsgi.input`` read on a helper thread, each read within the body's deadline."""

    def __init__(self, stream, length: int, timeout: float, min_rate: int):
        self.stream, self.length, self.timeout = stream, length, timeout
        self.deadline = time.monotonic() + timeout + (length / min_rate if min_rate > 0 else 0)
        self.arrived: queue.SimpleQueue | None = None
        self.pending = b""
        self.ended = False
        self.timed_out = False

    def _pump(self) -> None:
        # Hands each chunk over; b"" when the client closed or reading failed.
        remaining = self.length
        try:
            while remaining > 0:
                chunk = self.stream.read(min(CHUNK, remaining))
                self.arrived.put(chunk)
                if not chunk:
                    return
                remaining -= len(chunk)
        except Exception:  # the connection went away: nothing more to read
            self.arrived.put(b"")

    def _more(self) -> bool:
        """Wait for the next chunk into ``pending``; False at the end of the body."""
        if self.ended:
            return False
        if self.arrived is None:
            self.arrived = queue.SimpleQueue()
            threading.Thread(target=self._pump, name="request-body", daemon=True).start()
        wait = min(self.timeout, self.deadline - time.monotonic())
        try:
            if wait <= 0:
                raise queue.Empty
            chunk = self.arrived.get(timeout=wait)
        except queue.Empty:
            self.timed_out = self.ended = True
            raise BodyTimeout("The request's body did not arrive in time.") from None
        if not chunk:  # closed or failed: the app sees a short body, as it would have
            self.ended = True
            return False
        self.pending += chunk
        return True

    def read(self, size: int = -1) -> bytes:
        while (size < 0 or len(self.pending) < size) and self._more():
            pass
        if size < 0:
            size = len(self.pending)
        out, self.pending = self.pending[:size], self.pending[size:]
        return out

    def readline(self, size: int = -1) -> bytes:
        while b"\n" not in self.pending and (size < 0 or len(self.pending) < size):
            if not self._more():
                break
        end = self.pending.find(b"\n") + 1 or len(self.pending)
        if size >= 0:
            end = min(end, size)
        out, self.pending = self.pending[:end], self.pending[end:]
        return out


class BodyDeadline:
    def __init__(self, app, timeout: float | None = None, min_rate: int | None = None):
        self.app = app
        self.timeout = settings.REQUEST_BODY_TIMEOUT if timeout is None else timeout
        self.min_rate = settings.REQUEST_BODY_MIN_RATE if min_rate is None else min_rate
        self.largest = settings.MAX_IMAGE_BYTES + settings.DATA_UPLOAD_MAX_MEMORY_SIZE

    def __call__(self, environ, start_response):
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if self.timeout <= 0 or length <= 0 or length > self.largest:
            return self.app(environ, start_response)
        stream = DeadlineStream(environ["wsgi.input"], length, self.timeout, self.min_rate)
        environ["wsgi.input"] = stream
        sent = []

        def answer(status, headers, exc_info=None):
            if stream.timed_out:
                return lambda data: None  # replaced by the 408 below
            sent.append(True)
            if exc_info is None:
                return start_response(status, headers)
            return start_response(status, headers, exc_info)

        result = None
        with contextlib.suppress(BodyTimeout):  # an app that let the read's error through
            result = self.app(environ, answer)
        if not stream.timed_out or sent:
            return result
        if hasattr(result, "close"):
            result.close()
        start_response(
            "408 Request Timeout",
            [
                ("Content-Type", "text/html; charset=utf-8"),
                ("Content-Length", str(len(MESSAGE))),
                ("Cache-Control", "no-store"),
                ("Connection", "close"),
            ],
        )
        return [MESSAGE]
