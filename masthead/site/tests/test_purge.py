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


@pytest.mark.django_db(transaction=True)
def test_a_publish_queues_the_purge_for_a_worker_instead_of_sending_it(settings, purge_server):
    """With a real queue the editor's request never talks to the CDN; a worker does."""
    from django_tasks_db.models import DBTaskResult

    from masthead.worker import database_queue

    url, received = purge_server
    settings.CDN_PURGE_URL = url
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    story = make_story("To withdraw")
    services.snapshot_revision(story)

    services.withdraw_story(editor_of(story.desk), story, "Could not verify.")

    assert not received.arrived.wait(timeout=0.5)
    [queued] = DBTaskResult.objects.all()
    assert queued.task_path == "masthead.site.purge.purge_cdn" and queued.status == "READY"

    database_queue.run(
        queues=["default"], worker_id="test", once=True, max_tasks=None, on_shutdown=lambda: None
    )

    assert received.arrived.wait(timeout=5)
    assert f"story:{story.pk}" in received[0]["Surrogate-Key"].split()
    queued.refresh_from_db()
    assert queued.status == "SUCCESSFUL"


@pytest.mark.django_db
def test_a_purge_that_cannot_be_queued_is_logged_and_the_publish_stands(settings, caplog):
    from masthead.site.purge import on_story_changed

    settings.CDN_PURGE_URL = "http://127.0.0.1:9/purge"
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["mail"]}}

    # The purge's queue is not one this backend serves: queueing fails.
    assert on_story_changed(None, scopes=frozenset({"front"})) is None
    assert "Could not queue the CDN purge of front" in caplog.text
