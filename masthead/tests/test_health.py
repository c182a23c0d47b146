"""/healthz and /readyz (masthead/health.py): a real database, cache and queue, made to fail."""

from __future__ import annotations

import socket
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from masthead.resilient_cache import BACKEND, ResilientRedisCache
from masthead.tests.test_database_outage import SERVER_OUTAGE, hung_database, refusing_database
from masthead.wire.tests.pipeline_support import make_source

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def client() -> Client:
    return Client(raise_request_exception=False)


def test_healthz_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")

    assert response.status_code == 200 and response.content == b"ok\n"
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    assert client.post("/healthz").status_code == 405


def test_readyz_reports_the_database_queue_and_wire(client, settings):
    from masthead.site.purge import purge_cdn

    # The database queue, as production has it (the suite runs tasks at once).
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

    make_source("Steady Agency", last_success_at=timezone.now())
    make_source(
        "Broken Agency",
        last_success_at=timezone.now() - timedelta(hours=2),
        last_error_at=timezone.now() - timedelta(minutes=1),
        last_error="connection refused by wire.example",
    )
    make_source("Paused Agency", paused=True, last_error_at=timezone.now())
    queued_at = timezone.now()
    with time_machine.travel(queued_at, tick=False):
        purge_cdn.enqueue(["story:1"])  # queued: no worker runs here

    with time_machine.travel(queued_at + timedelta(seconds=90), tick=False):
        response = client.get("/readyz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready"
    checks = body["checks"]
    assert checks["database"]["ok"] is True and checks["database"]["ms"] >= 0
    assert checks["wire"] == {"sources": 2, "failing": 1}
    assert checks["tasks"] == {"backend": "database", "queued": 1, "oldest_seconds": 90}
    assert checks["cache"]["ok"] is True
    # Counts only: no source names, addresses or errors.
    assert "Agency" not in response.content.decode() and "wire.example" not in (
        response.content.decode()
    )
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]


def test_a_cache_that_is_down_leaves_the_server_ready(client, settings):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
        settings.CACHES = {
            "default": {"BACKEND": BACKEND, "LOCATION": f"redis://127.0.0.1:{port}/0"}
        }
        ResilientRedisCache.reset_breakers()
        response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json()["checks"]["cache"] == {"ok": False, "kind": "down"}


@pytest.mark.postgres(reason=SERVER_OUTAGE)
def test_a_database_that_refuses_makes_the_server_unready_but_alive(client):
    with refusing_database():
        ready = client.get("/readyz")
        alive = client.get("/healthz")

    assert ready.status_code == 503
    assert ready.json() == {
        "status": "unready",
        "checks": {
            "database": {"ok": False},
            "cache": {"ok": True, "kind": ready.json()["checks"]["cache"]["kind"]},
        },
    }
    assert alive.status_code == 200
    assert client.get("/readyz").status_code == 200  # and ready again once it is back


@pytest.mark.postgres(reason=SERVER_OUTAGE)
def test_a_hung_database_makes_the_server_unready_after_the_connect_timeout(client):
    with hung_database():
        response = client.get("/readyz")

    assert response.status_code == 503
