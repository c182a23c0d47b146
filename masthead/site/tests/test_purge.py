"""The CDN purge hook, against a real HTTP server on loopback."""

from __future__ import annotations

import threading
from datetime import UTC
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from masthead.factories import editor_of, make_story
from masthead.stories import services


class Received(list):
    """The purge requests the server received; ``arrived`` is set by the first."""

    def __init__(self):
        super().__init__()
        self.arrived = threading.Event()


@pytest.fixture
def purge_server():
    received = Received()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            received.append({"path": self.path, **dict(self.headers)})
            self.send_response(200)
            self.end_headers()
            received.arrived.set()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/purge", received
    server.shutdown()


@pytest.mark.django_db(transaction=True)
def test_a_publish_purges_exactly_its_scopes(settings, purge_server):
    url, received = purge_server
    settings.CDN_PURGE_URL, settings.CDN_PURGE_TOKEN = url, "s3cret"
    story = make_story("To withdraw")
    services.snapshot_revision(story)

    services.withdraw_story(editor_of(story.desk), story, "Could not verify.")
    # The purge runs in the background, after commit.
    assert received.arrived.wait(timeout=30), "no purge request came"

    assert len(received) == 1
    keys = set(received[0]["Surrogate-Key"].split())
    month = f"month:{story.published_at.astimezone(UTC):%Y-%m}"  # its month's sitemap
    assert keys == {"front", f"story:{story.pk}", f"desk:{story.desk_id}", month}
    assert received[0]["Authorization"] == "Bearer s3cret"
    assert received[0]["path"] == "/purge"


@pytest.mark.django_db
def test_no_purge_without_a_url_or_a_public_change(settings):
    from masthead.site.purge import on_story_changed

    settings.CDN_PURGE_URL = ""
    assert on_story_changed(None, scopes=frozenset({"front"})) is None
    settings.CDN_PURGE_URL = "http://127.0.0.1:9/purge"
    assert on_story_changed(None, scopes=frozenset()) is None


def test_an_unreachable_cdn_is_logged_not_raised(settings, caplog):
    from masthead.site.purge import send_purge

    settings.CDN_PURGE_URL, settings.CDN_PURGE_TIMEOUT = "http://127.0.0.1:9/purge", 0.5

    send_purge(frozenset({"front"}))

    assert "CDN purge of front failed" in caplog.text
