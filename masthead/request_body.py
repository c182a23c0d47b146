"""A request body that does not arrive in time is answered 408, and its thread is freed.

granian runs the WSGI app on a fixed number of threads (``masthead serve
--threads`` per worker) and hands it the body as it arrives: a thread that
reads ``wsgi.input`` waits for the client. granian has a time limit on the
headers (``--http1-header-read-timeout``) but none on the body, so a few
clients sending one byte a second (slowloris) held every thread and the site
answered nobody (E8 in docs/security.md; ``bench/faults --only E8``).

``BodyDeadline`` reads a body with a ``Content-Length`` before the app sees it,
on a helper thread, and gives up when the client is too slow:

- no new bytes for ``REQUEST_BODY_TIMEOUT`` seconds (10 s), or
- the whole body not there ``REQUEST_BODY_TIMEOUT`` + its size at
  ``REQUEST_BODY_MIN_RATE`` bytes a second (16 KB/s: a 20 MB image may take
  about 21 minutes).

Then the client gets 408 with ``Connection: close`` and the request thread
goes back to the pool; the helper thread ends when the server closes the
connection. A body longer than the largest request Masthead accepts (one
image of ``MAX_IMAGE_BYTES`` and ``DATA_UPLOAD_MAX_MEMORY_SIZE`` of fields)
is not read here: Django refuses it with 413 before reading it
(``masthead/request_limits.py``). Bodies up to ``FILE_UPLOAD_MAX_MEMORY_SIZE``
are kept in memory, larger ones in a temporary file, as Django's upload
handlers do.

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

import queue
import tempfile
import threading
import time

from django.conf import settings

CHUNK = 4096
MESSAGE = (
    b'<!doctype html><html lang="en"><head><meta charset="utf-8">'
    b"<title>Request timeout</title></head><body><h1>Request timeout</h1>"
    b"<p>The request's body did not arrive in time, so nothing was saved. "
    b"Please try again.</p></body></html>"
)


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
        body = self.read(environ["wsgi.input"], length)
        if body is None:
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
        environ["wsgi.input"] = body
        return self.app(environ, start_response)

    def read(self, stream, length: int):
        """The body in a file positioned at 0, or None when it did not arrive in time."""
        arrived: queue.SimpleQueue = queue.SimpleQueue()

        def pump() -> None:
            # Hands each chunk over; b"" when the client closed, None when reading failed.
            remaining = length
            try:
                while remaining > 0:
                    chunk = stream.read(min(CHUNK, remaining))
                    arrived.put(chunk)
                    if not chunk:
                        return
                    remaining -= len(chunk)
            except Exception:  # the connection went away: nothing more to read
                arrived.put(None)

        threading.Thread(target=pump, name="request-body", daemon=True).start()
        # Handed to the app as wsgi.input, which closes it with the request.
        buffer = tempfile.SpooledTemporaryFile(max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE)  # noqa: SIM115
        received = 0
        began = time.monotonic()
        deadline = began + self.timeout + (length / self.min_rate if self.min_rate > 0 else 0)
        while received < length:
            now = time.monotonic()
            wait = min(self.timeout, deadline - now)
            if wait <= 0:
                buffer.close()
                return None
            try:
                chunk = arrived.get(timeout=wait)
            except queue.Empty:
                buffer.close()
                return None
            if not chunk:  # closed or failed: Django sees a short body, as it would have
                break
            buffer.write(chunk)
            received += len(chunk)
        buffer.seek(0)
        return buffer
