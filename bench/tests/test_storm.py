"""The publish-to-visible measurement and its tables (bench/storm.py, bench/report.py).

Against a real HTTP server on loopback whose page starts showing a story
after a few requests, answers errors meanwhile, or never shows it: counted
in requests, not seconds, so a slow machine changes nothing.
Run: .venv/bin/pytest -q bench/tests
"""

from __future__ import annotations

import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import report
import storm
import urls

STORY = "/politics/storm-1-story-1/"


class Site(BaseHTTPRequestHandler):
    """A page that shows STORY later.

    `/shown-later` shows it from its request number `stale + 1` on, `/broken`
    answers 500 until then, `/never` never shows it.
    """

    stale = 2
    requests: dict[str, int] = {}
    lock = threading.Lock()

    def do_GET(self):
        with self.lock:
            number = self.requests[self.path] = self.requests.get(self.path, 0) + 1
        due = number > self.stale
        if self.path == "/broken" and not due:
            status, body = 500, b"oops"
        elif self.path in {"/shown-later", "/broken"} and due:
            status, body = 200, f'<a href="{STORY}">new</a>'.encode()
        else:
            status, body = 200, b'<a href="/politics/storm-1-story-10/">other</a>'
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def site():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Site)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Site.requests = {}
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_visible_once_shown_not_before(site):
    poller = storm.Poller([site], poll_ms=5, timeout=160)  # 60 s past the publish below
    published = time.monotonic() - 100  # the publish, as if 100 s ago
    seen = poller.visible({"home": "/shown-later"}, STORY.encode(), published)
    assert seen["home"] >= 100  # counted from the publish
    assert Site.requests["/shown-later"] == Site.stale + 1  # polled until shown, then stopped
    assert poller.errors == 0
    assert poller.slowest["home"] > 0  # each answer's time is kept


def test_a_longer_slug_does_not_count_as_the_story(site):
    # /never shows .../storm-1-story-10/, which contains "storm-1-story-1" but not the path.
    poller = storm.Poller([site], poll_ms=5, timeout=0.2)
    seen = poller.visible({"home": "/never"}, STORY.encode(), time.monotonic())
    assert seen == {"home": None}


def test_error_answers_are_counted_and_polling_goes_on(site):
    poller = storm.Poller([site], poll_ms=5, timeout=60)
    seen = poller.visible({"desk": "/broken"}, STORY.encode(), time.monotonic())
    assert seen["desk"] is not None
    assert poller.errors == Site.stale


def test_with_two_read_servers_a_surface_counts_when_both_show_it(site):
    poller = storm.Poller([site, site], poll_ms=5, timeout=0.5)
    seen = poller.visible(
        {"home": "/shown-later", "feed": "/never"}, STORY.encode(), time.monotonic()
    )
    assert seen["home"] is not None and seen["feed"] is None


def test_only_loopback_servers():
    with pytest.raises(SystemExit):
        storm.Client("http://example.org:80")


def entry(publish, **visible):
    return {"id": 1, "path": STORY, "publish_s": publish, "visible_s": visible}


def test_storm_tables_median_p99_max_and_missing():
    publishes = [
        entry(0.01 * n, home=0.1 * n, desk=0.2, recent=0.1, feed=0.1, desk_feed=0.1)
        for n in range(1, 100)
    ]
    publishes.append(entry(0.05, home=None, desk=0.2, recent=0.1, feed=0.1, desk_feed=0.1))
    load = {"url": "http://127.0.0.1:1/a/", "rps": 1000.0, "p50_ms": 1.0, "p99_ms": 9.0}
    result = {
        "label": "sqlite",
        "publishes": publishes,
        "baseline": [{**load, "non2xx": 0, "socket_errors": 0}],
        "during": [{**load, "non2xx": 2, "socket_errors": 1}],
        "storm_seconds": 42.0,
        "poll_errors": 0,
    }
    table = report.storm_tables([json.loads(json.dumps(result))], {"sqlite": 12.0})
    rows = {
        line.split(" | ")[1]: line for line in table.splitlines() if line.startswith("| sqlite")
    }
    # home: 99 values 0.1 .. 9.9 s and one never seen; p99 of 99 is the 99th (ceil(98.01)).
    assert rows["home"] == "| sqlite | home | 100 | 5,000 | 9,900 | 9,900 | 1 | - |"
    assert rows["**all surfaces**"].endswith("| 1 | - |")
    assert "| 0 / 3 | 42 | 0 | 12 % |" in rows[":1/a/"]


def test_percentile_is_nearest_rank():
    values = list(range(1, 101))
    assert report.percentile(values, 0.99) == 99
    assert report.percentile(values, 0.5) == 50
    assert report.percentile([7.0], 0.99) == 7.0


def test_spread_keeps_first_and_last():
    items = [str(n) for n in range(100)]
    assert urls.spread(items, 3) == ["0", "50", "99"]
    assert urls.spread(items[:2], 5) == ["0", "1"]
