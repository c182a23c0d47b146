"""Publish-to-visible under reader load: how long until a published story is on every surface.

An editor publishes COUNT stories one by one through a running Masthead (the
staff API, ``POST /api/desk/stories/{id}/transitions/publish`` with a token)
while ``wrk`` keeps the article page under load. After each publish, one
anonymous reader per surface polls that surface through the page cache (no
cookie, so every poll is a request any reader could make) until the story's
address appears in it:

- ``home``: the home page ``/``;
- ``desk``: the story's desk page ``/<desk>/``;
- ``recent``: Recent Posts on the article page under load (``--article``);
- ``feed``: the site feed ``/feed/``;
- ``desk_feed``: the desk's feed ``/<desk>/feed.xml``.

Times are from the moment the publish request is sent (the editor's click)
to the end of the first response that shows the story; the publish request's
own duration is reported too. Publishing and reading may go to different
servers (``--publish A --read B``: two app servers on one database; every
``--read`` base is polled). The drafts are created, submitted and claimed
through the same API before the load starts, so the storm itself is only
the ``publish`` transitions. The next story is published once the previous
one is visible everywhere (or after ``--visible-timeout``).

The reader load: one ``wrk`` per ``--load`` URL, first for ``--baseline``
seconds without publishing, then for the whole storm (started with a bound
of ``--max-seconds``, interrupted when the storm ends; wrk prints its
statistics on SIGINT). Their non-2xx responses and socket errors must be
zero.

Why the API and not the back office over HTTP: the API calls the same story
service functions the back office calls (role check, row lock, revision,
audit, content versions), and it is the documented way for a program to
publish; driving the back office would need a session, CSRF tokens and form
scraping, which measures the benchmark's HTML parsing more than Masthead.
The server needs ``API_RATE_LIMIT=off`` (default 120/min per token): the
storm sends ~4 API requests per story.

Standard library only. Writes ``OUT/storm-LABEL.json`` and prints the tables
(``report.py``'s ``storm_tables``).

Usage: python bench/storm.py --label L --publish URL --read URL [--read URL]
       --token TOKEN --article PATH [--load URL ...] [--count 100] --out DIR
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
from report import parse_wrk, storm_tables

SURFACES = ("home", "desk", "recent", "feed", "desk_feed")


class Client:
    """One keep-alive HTTP/1.1 connection to a base URL (reconnects when the server closes it)."""

    def __init__(self, base: str, timeout: float = 30.0):
        parts = urlsplit(base)
        if parts.hostname not in {"127.0.0.1", "localhost", "::1"}:
            raise SystemExit(f"{base}: loopback addresses only")
        self.host, self.port, self.timeout = parts.hostname, parts.port or 80, timeout
        self.connection: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body=None, headers=None) -> tuple[int, bytes]:
        data = json.dumps(body).encode() if body is not None else None
        headers = dict(headers or {})
        if data is not None:
            headers["Content-Type"] = "application/json"
        for attempt in range(2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection(
                    self.host, self.port, timeout=self.timeout
                )
            try:
                self.connection.request(method, path, body=data, headers=headers)
                response = self.connection.getresponse()
                payload = response.read()
                if response.getheader("Connection", "").lower() == "close":
                    self.close()
                return response.status, payload
            except (http.client.HTTPException, OSError):
                self.close()
                if attempt or method != "GET":
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


class Api:
    def __init__(self, base: str, token: str):
        self.client = Client(base)
        self.auth = {"Authorization": f"Bearer {token}", "Accept": "application/json"}

    def call(self, method: str, path: str, body=None, expect=(200,)) -> dict:
        status, payload = self.client.request(method, path, body, self.auth)
        if status not in expect:
            raise SystemExit(f"{method} {path}: HTTP {status}: {payload[:300]!r}")
        return json.loads(payload)


def surfaces(desk: str, article: str) -> dict[str, str]:
    return {
        "home": "/",
        "desk": f"/{desk}/",
        "recent": article,
        "feed": "/feed/",
        "desk_feed": f"/{desk}/feed.xml",
    }


def prepare(api: Api, count: int, run_id: str) -> list[dict]:
    """COUNT drafts, round robin over the desks, taken to 'in edit' so one POST publishes each."""
    desks = [desk["slug"] for desk in api.call("GET", "/api/desks")]
    drafts = []
    for number in range(1, count + 1):
        desk = desks[(number - 1) % len(desks)]
        story = api.call(
            "POST",
            "/api/desk/stories",
            {
                "headline": f"Storm {run_id} story {number}",
                "desk": desk,
                "dek": f"Story {number} of the publish-to-visible benchmark.",
                "body": "<p>Published by bench/storm.py to measure publish-to-visible.</p>",
                "note": "bench/storm.py",
            },
            expect=(201,),
        )
        for action in ("submit", "claim"):
            api.call("POST", f"/api/desk/stories/{story['id']}/transitions/{action}", {})
        drafts.append({"id": story["id"], "desk": desk})
    return drafts


class Poller:
    """Polls (read base, surface) pairs in parallel; a keep-alive connection per thread/base."""

    def __init__(self, reads: list[str], poll_ms: int, timeout: float):
        self.reads, self.poll, self.timeout = reads, poll_ms / 1000, timeout
        self.local = threading.local()
        self.errors = 0  # non-200 answers and failed requests seen by the pollers
        self.slowest: dict[str, float] = {}  # surface -> slowest single poll of the last publish
        self.lock = threading.Lock()
        self.pool = ThreadPoolExecutor(max_workers=len(reads) * len(SURFACES))

    def client(self, base: str) -> Client:
        clients = self.local.__dict__.setdefault("clients", {})
        if base not in clients:
            clients[base] = Client(base)
        return clients[base]

    def until_visible(
        self, base: str, name: str, path: str, needle: bytes, start: float
    ) -> float | None:
        while True:
            sent = time.monotonic()
            try:
                status, body = self.client(base).request("GET", path)
            except (http.client.HTTPException, OSError):
                status, body = 0, b""
            now = time.monotonic()
            with self.lock:
                # A late story is either a stale copy answered fast, or one slow answer.
                self.slowest[name] = max(self.slowest.get(name, 0.0), now - sent)
                self.errors += status != 200
            if status == 200 and needle in body:
                return now - start
            if now - start > self.timeout:
                return None
            time.sleep(self.poll)

    def warm(self, paths: list[str]) -> None:
        for base in self.reads:
            for path in paths:
                self.client(base).request("GET", path)

    def visible(
        self, pages: dict[str, str], needle: bytes, start: float
    ) -> dict[str, float | None]:
        self.slowest = {}
        jobs = {
            (base, name): self.pool.submit(self.until_visible, base, name, path, needle, start)
            for base in self.reads
            for name, path in pages.items()
        }
        # Several read bases: a surface is visible when it is visible on all of them.
        seen: dict[str, float | None] = {}
        for (_base, name), job in jobs.items():
            took = job.result()
            if name not in seen:
                seen[name] = took
            elif seen[name] is not None:
                seen[name] = None if took is None else max(seen[name], took)
        return seen


def start_wrk(urls: list[str], seconds: int, threads: int, conns: int, out: Path, tag: str):
    processes = []
    for index, url in enumerate(urls):
        raw = out / f"wrk-{tag}-{index}.txt"
        handle = open(raw, "w")  # noqa: SIM115 - closed in finish_wrk, after wrk ends
        command = [
            "wrk",
            f"-t{threads}",
            f"-c{conns}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "--latency",
            url,
        ]
        processes.append(
            (subprocess.Popen(command, stdout=handle, stderr=subprocess.STDOUT), handle, raw, url)
        )
    return processes


def finish_wrk(processes, interrupt: bool) -> list[dict]:
    results = []
    for process, handle, raw, url in processes:
        if interrupt and process.poll() is None:
            process.send_signal(signal.SIGINT)  # wrk stops and prints its statistics
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        handle.close()
        rps, p50, p99, non2xx, socket_errors = parse_wrk(raw)
        results.append(
            {
                "url": url,
                "rps": rps,
                "p50_ms": p50,
                "p99_ms": p99,
                "non2xx": non2xx,
                "socket_errors": socket_errors,
            }
        )
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--label", required=True, help="name of this run in the tables, e.g. sqlite"
    )
    parser.add_argument("--publish", required=True, help="base URL to publish through")
    parser.add_argument(
        "--read", action="append", required=True, help="base URL to poll (repeatable)"
    )
    parser.add_argument(
        "--token",
        default=os.environ.get("MASTHEAD_TOKEN", ""),
        help="API token (or MASTHEAD_TOKEN)",
    )
    parser.add_argument("--article", required=True, help="path of the article page under load")
    parser.add_argument(
        "--load", action="append", default=[], help="URL to keep under wrk load (repeatable)"
    )
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument(
        "--baseline", type=int, default=10, help="seconds of load without publishing first"
    )
    parser.add_argument("--max-seconds", type=int, default=300, help="bound of the storm's wrk run")
    parser.add_argument("--visible-timeout", type=float, default=10.0)
    parser.add_argument(
        "--poll-ms", type=int, default=20, help="pause between two polls of one surface"
    )
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--conns", type=int, default=32)
    parser.add_argument("--out", type=Path, required=True)
    options = parser.parse_args()
    if not options.token:
        parser.error("--token or MASTHEAD_TOKEN is required")
    options.out.mkdir(parents=True, exist_ok=True)
    raw_dir = options.out / f"storm-{options.label}"
    raw_dir.mkdir(exist_ok=True)

    api = Api(options.publish, options.token)
    run_id = uuid.uuid4().hex[:8]
    drafts = prepare(api, options.count, run_id)
    poller = Poller(options.read, options.poll_ms, options.visible_timeout)
    poller.warm(
        sorted(
            {path for draft in drafts for path in surfaces(draft["desk"], options.article).values()}
        )
    )

    baseline = []
    if options.load and options.baseline > 0:
        baseline = finish_wrk(
            start_wrk(
                options.load, options.baseline, options.threads, options.conns, raw_dir, "baseline"
            ),
            interrupt=False,
        )
    load = start_wrk(
        options.load, options.max_seconds, options.threads, options.conns, raw_dir, "storm"
    )
    time.sleep(1 if load else 0)  # let wrk connect before the first publish
    publishes, storm_started = [], time.monotonic()
    try:
        for draft in drafts:
            if time.monotonic() - storm_started > options.max_seconds - 5:
                print(
                    f"storm: stopped after {len(publishes)} publishes (--max-seconds)",
                    file=sys.stderr,
                )
                break
            sent_at, start = time.time(), time.monotonic()
            story = api.call("POST", f"/api/desk/stories/{draft['id']}/transitions/publish", {})
            answered = time.monotonic() - start
            if story.get("status") != "published" or not story.get("url"):
                raise SystemExit(f"story {draft['id']} not published: {story}")
            path = urlsplit(story["url"]).path
            seen = poller.visible(surfaces(draft["desk"], options.article), path.encode(), start)
            publishes.append(
                {
                    "id": draft["id"],
                    "path": path,
                    # Wall-clock time, to match a slow publish with server-side samples.
                    "sent_at": sent_at,
                    "publish_s": answered,
                    "visible_s": seen,
                    "slowest_poll_s": dict(poller.slowest),
                }
            )
    finally:
        during = finish_wrk(load, interrupt=True)
        poller.pool.shutdown(wait=False, cancel_futures=True)
    storm_seconds = time.monotonic() - storm_started

    result = {
        "label": options.label,
        "publish": options.publish,
        "read": options.read,
        "article": options.article,
        "count": len(publishes),
        "visible_timeout_s": options.visible_timeout,
        "poll_ms": options.poll_ms,
        "storm_seconds": storm_seconds,
        "poll_errors": poller.errors,
        "baseline": baseline,
        "during": during,
        "publishes": publishes,
    }
    target = options.out / f"storm-{options.label}.json"
    target.write_text(json.dumps(result, indent=1))
    print(storm_tables([result]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
