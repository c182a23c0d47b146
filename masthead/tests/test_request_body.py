"""A slow request body is answered 408 and frees its thread (E8, masthead/request_body.py).

The first tests feed ``BodyDeadline`` from a real pipe, written to by a thread
at the pace of the test; the last runs `masthead serve` (granian) on SQLite
with more slowloris connections than it has threads, and a normal request
must still be answered once their deadline has passed.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest

from masthead.request_body import BodyDeadline
from masthead.tests.test_serve_supervisor import answers, free_port, wait_for


def echo(environ, start_response):
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length)
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [body]


def call(app, stream, length):
    seen = {}

    def start_response(status, headers):
        seen["status"], seen["headers"] = status, dict(headers)

    environ = {"CONTENT_LENGTH": str(length), "wsgi.input": stream, "REQUEST_METHOD": "POST"}
    body = b"".join(app(environ, start_response))
    return seen["status"], seen["headers"], body


def feed(chunks, pause):
    """A pipe's read end and the thread writing ``chunks`` into it, ``pause`` s apart."""
    read_end, write_end = os.pipe()
    reader = os.fdopen(read_end, "rb", buffering=0)

    def write():
        with os.fdopen(write_end, "wb", buffering=0) as writer:
            for chunk in chunks:
                try:
                    writer.write(chunk)
                except BrokenPipeError:
                    return
                time.sleep(pause)

    thread = threading.Thread(target=write, daemon=True)
    thread.start()
    return reader, thread


def test_a_body_that_arrives_in_time_reaches_the_app_whole():
    stream, _writer = feed([b"a" * 5000, b"b" * 5000], 0.05)

    status, _headers, body = call(BodyDeadline(echo, timeout=2, min_rate=1024), stream, 10_000)

    assert status == "200 OK"
    assert body == b"a" * 5000 + b"b" * 5000


def test_a_body_at_one_byte_a_second_is_a_408_within_the_timeout():
    stream, _writer = feed([b"a"] * 100, 1.0)
    called = []

    def app(environ, start_response):
        called.append(True)
        return echo(environ, start_response)

    began = time.monotonic()
    status, headers, body = call(BodyDeadline(app, timeout=1, min_rate=16384), stream, 100)

    assert status == "408 Request Timeout"
    assert time.monotonic() - began < 2.5
    assert headers["Connection"] == "close"
    assert b"nothing was saved" in body
    assert called == [True]  # its read raised: it never had half a body to act on


def test_a_slow_body_the_app_never_reads_is_not_waited_for():
    """RELIABILITY.md L12: slowloris bodies sent to a page that reads none (a POST to
    /search/) hold no thread; reading every body first held each for the timeout."""
    stream, _writer = feed([b"a"] * 100, 1.0)

    def page(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"results"]

    began = time.monotonic()
    status, _headers, body = call(BodyDeadline(page, timeout=5, min_rate=16384), stream, 100)

    assert (status, body) == ("200 OK", b"results")
    assert time.monotonic() - began < 0.5


@pytest.mark.django_db
def test_a_django_view_reading_a_slow_form_is_answered_408(rf, settings):
    """Through Django's own request handling: the read's error is Django's 400, sent as 408."""
    from django.core.handlers.wsgi import WSGIHandler

    settings.REQUEST_BODY_TIMEOUT = 1
    stream, _writer = feed([b"a"] * 100, 1.0)
    environ = {
        **rf.post("/account/login/").environ,
        # With a CSRF cookie, so that Django reads the form to find the token in it.
        "HTTP_COOKIE": f"{settings.CSRF_COOKIE_NAME}={'a' * 32}",
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "CONTENT_LENGTH": "100",
        "wsgi.input": stream,
    }
    seen = {}

    def start_response(status, headers, exc_info=None):
        seen["status"] = status

    body = b"".join(BodyDeadline(WSGIHandler(), timeout=1, min_rate=16384)(environ, start_response))

    assert seen["status"] == "408 Request Timeout"
    assert b"nothing was saved" in body


def test_a_body_that_trickles_just_fast_enough_to_stay_alive_still_meets_its_deadline():
    # A byte every 0.3 s never trips the 1 s silence, but 20 bytes at 10 bytes/s
    # must be in within 1 + 2 s.
    stream, _writer = feed([b"a"] * 20, 0.3)

    began = time.monotonic()
    status, _headers, _body = call(BodyDeadline(echo, timeout=1, min_rate=10), stream, 20)

    assert status == "408 Request Timeout"
    assert 2.5 < time.monotonic() - began < 4.5


def test_a_body_larger_than_anything_accepted_is_left_to_django_to_refuse(settings):
    settings.MAX_IMAGE_BYTES, settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10, 10
    stream, _writer = feed([], 0)
    passed = []

    def app(environ, start_response):
        passed.append(environ["wsgi.input"] is stream)
        start_response("413 Content Too Large", [])
        return [b""]

    status, _headers, _body = call(BodyDeadline(app, timeout=1, min_rate=1), stream, 21)

    assert status.startswith("413")
    assert passed == [True]  # not read here: Django refuses it before reading


def slow_body(port: int, seconds: float) -> tuple[bytes, float]:
    """POST a 100-byte form at 1 byte/s; the first bytes of the answer and when they came."""
    began = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.settimeout(1)
        sock.sendall(
            b"POST /account/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            # A CSRF cookie, so that Django reads the form for its token (without one it
            # refuses at once, reading nothing).
            b"Cookie: csrftoken=" + b"a" * 32 + b"\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\n"
        )
        while time.monotonic() - began < seconds:
            try:
                sock.sendall(b"a")
                data = sock.recv(200)
            except TimeoutError:
                continue
            except OSError:
                data = b""
            return data, time.monotonic() - began
    return b"", time.monotonic() - began


def test_more_slow_bodies_than_threads_do_not_hold_masthead_serve(server_env, tmp_path):
    port = free_port()
    env = {**server_env, "REQUEST_BODY_TIMEOUT": "2"}
    with open(tmp_path / "serve.log", "wb") as log:
        serve = subprocess.Popen(
            [
                *(sys.executable, "-m", "masthead", "serve", "--host", "127.0.0.1"),
                *("--port", str(port), "--workers", "1", "--threads", "2"),
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        assert wait_for(lambda: answers(f"http://127.0.0.1:{port}/healthz"), 90)
        results: list = []
        slow = [
            threading.Thread(target=lambda: results.append(slow_body(port, 30))) for _ in range(5)
        ]
        for thread in slow:
            thread.start()
        for thread in slow:
            thread.join(40)

        assert len(results) == 5
        for data, seconds in results:
            assert data.startswith(b"HTTP/1.1 408"), data
            assert seconds < 15  # 2 s each, two threads, five bodies, a loaded machine
        assert answers(f"http://127.0.0.1:{port}/healthz")
    finally:
        os.killpg(serve.pid, signal.SIGTERM)
        serve.wait(30)
