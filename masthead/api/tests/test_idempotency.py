"""Idempotency keys on the staff API's writes (api/idempotency.py; RELIABILITY L4, R3).

A retry with the same key never does the work twice: it gets the first answer
again. Real requests through Django, real threads and transactions for the
race and the crash, the real clock moved for expiry.
"""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.utils import timezone

from masthead import failpoints
from masthead.api.idempotency import prune_expired_keys
from masthead.api.models import IdempotencyKey
from masthead.api.tests.conftest import JsonClient, bearer, nothing_written
from masthead.factories import editor_of
from masthead.newsroom.audit import events_for
from masthead.stories.models import Story

pytestmark = pytest.mark.django_db

NEW = {"headline": "Parliament votes on budget", "desk": "politics"}
KEY = "8e03978e-40d5-43e8-bc93-6894a57f9324"


def ready_story(as_writer: JsonClient, as_editor: JsonClient) -> int:
    """A story an editor may publish now, made through the API."""
    story_id = as_writer.post("/api/desk/stories", NEW).json()["id"]
    as_writer.post(f"/api/desk/stories/{story_id}/transitions/submit")
    as_editor.post(f"/api/desk/stories/{story_id}/transitions/claim")
    as_editor.post(f"/api/desk/stories/{story_id}/transitions/approve")
    return story_id


def publish(as_editor: JsonClient, story_id: int, key: str | None = KEY, payload=None):
    headers = {} if key is None else {"Idempotency-Key": key}
    return as_editor.post(f"/api/desk/stories/{story_id}/transitions/publish", payload, **headers)


def publishes(story_id: int) -> int:
    return events_for(Story.objects.get(pk=story_id)).filter(action="publish").count()


# Replay -------------------------------------------------------------------------


def test_a_retried_publish_gets_the_first_answer_and_publishes_once(as_writer, as_editor):
    story_id = ready_story(as_writer, as_editor)

    first = publish(as_editor, story_id)
    with nothing_written():
        again = publish(as_editor, story_id)

    assert first.status_code == 200, first.content
    assert "Idempotent-Replayed" not in first
    assert again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert again.content == first.content
    assert again["Content-Type"] == first["Content-Type"]
    assert again["Cache-Control"] == first["Cache-Control"] == "private, no-store"
    assert publishes(story_id) == 1


def test_a_retried_create_makes_one_story_and_answers_its_location_again(as_writer, newsroom):
    before = Story.objects.count()

    first = as_writer.post("/api/desk/stories", NEW, **{"Idempotency-Key": KEY})
    again = as_writer.post("/api/desk/stories", NEW, **{"Idempotency-Key": KEY})

    assert first.status_code == again.status_code == 201
    assert again["Location"] == first["Location"]
    assert again.json()["id"] == first.json()["id"]
    assert Story.objects.count() == before + 1


def test_a_quoted_key_is_the_same_key_as_the_bare_one(as_writer, newsroom):
    """The draft's form is a structured-field string; clients often send the bare key."""
    first = as_writer.post("/api/desk/stories", NEW, **{"Idempotency-Key": '"abc-1"'})
    again = as_writer.post("/api/desk/stories", NEW, **{"Idempotency-Key": "abc-1"})

    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]


def test_a_final_refusal_is_answered_again_but_a_conflict_runs_again(as_writer, newsroom):
    invalid = {**NEW, "desk": "no-such-desk"}
    refused = as_writer.post("/api/desk/stories", invalid, **{"Idempotency-Key": "k-422"})
    with nothing_written():
        replayed = as_writer.post("/api/desk/stories", invalid, **{"Idempotency-Key": "k-422"})
    assert refused.status_code == replayed.status_code == 422
    assert replayed["Idempotent-Replayed"] == "true"

    story = as_writer.post("/api/desk/stories", NEW).json()
    stale = {"base_revision": story["latest_revision"] - 1, **story["content"]}
    path = f"/api/desk/stories/{story['id']}"
    conflict = as_writer.put(path, stale, **{"Idempotency-Key": "k-409"})
    retried = as_writer.put(path, stale, **{"Idempotency-Key": "k-409"})
    assert conflict.status_code == retried.status_code == 409
    assert "Idempotent-Replayed" not in retried
    assert not IdempotencyKey.objects.filter(key="k-409").exists()


# Mismatch and scope ------------------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"payload": {"note": "another body"}}, id="body"),
        pytest.param({"action": "withdraw"}, id="path"),
    ],
)
def test_the_same_key_for_another_request_is_refused(as_writer, as_editor, change):
    story_id = ready_story(as_writer, as_editor)
    assert publish(as_editor, story_id).status_code == 200
    action = change.get("action", "publish")

    with nothing_written():
        response = as_editor.post(
            f"/api/desk/stories/{story_id}/transitions/{action}",
            change.get("payload", {"note": "Retracted"} if action == "withdraw" else None),
            **{"Idempotency-Key": KEY},
        )

    assert response.status_code == 422
    assert response.json()["type"] == "/api/problems/idempotency-key-reused"
    assert Story.objects.get(pk=story_id).is_live()


def test_a_key_belongs_to_its_token(client, as_writer, newsroom, writer):
    other_token = JsonClient(client, bearer(writer))

    first = as_writer.post("/api/desk/stories", NEW, **{"Idempotency-Key": KEY})
    second = other_token.post("/api/desk/stories", NEW, **{"Idempotency-Key": KEY})

    assert first.status_code == second.status_code == 201
    assert "Idempotent-Replayed" not in second
    assert first.json()["id"] != second.json()["id"]


def test_without_a_key_every_request_runs(as_writer, newsroom):
    first = as_writer.post("/api/desk/stories", NEW)
    second = as_writer.post("/api/desk/stories", NEW)

    assert first.status_code == second.status_code == 201
    assert first.json()["id"] != second.json()["id"]
    assert "Idempotent-Replayed" not in second
    assert not IdempotencyKey.objects.exists()


def test_a_key_on_a_read_changes_nothing(as_writer, newsroom):
    story = as_writer.post("/api/desk/stories", NEW).json()

    response = as_writer.get(f"/api/desk/stories/{story['id']}", **{"Idempotency-Key": KEY})

    assert response.status_code == 200
    assert not IdempotencyKey.objects.exists()


def test_a_key_without_a_valid_token_is_answered_401(client, newsroom):
    anonymous = JsonClient(client, {"Authorization": "Bearer mh_not-a-token"})

    with nothing_written():
        response = anonymous.post("/api/desk/stories", NEW, **{"Idempotency-Key": KEY})

    assert response.status_code == 401
    assert not IdempotencyKey.objects.exists()


# Hostile keys -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key",
    [
        pytest.param("", id="empty"),
        pytest.param("   ", id="blank"),
        pytest.param("k" * 256, id="256-characters"),
        pytest.param("\u043a\u043b\u044e\u0447", id="not-ascii"),
        pytest.param("a\tb", id="tab"),
        pytest.param("a\x00b", id="nul"),
        pytest.param("a\x7fb", id="del"),
        pytest.param('"unterminated', id="half-quoted"),
        pytest.param('"a"b"', id="bare-quote-inside"),
        pytest.param('"a\\nb"', id="bad-escape"),
        pytest.param('""', id="empty-string-item"),
    ],
)
def test_a_hostile_key_is_refused_and_nothing_is_written(as_writer, newsroom, key):
    with nothing_written():
        response = as_writer.post("/api/desk/stories", NEW, **{"Idempotency-Key": key})

    assert response.status_code == 400, response.content
    assert response.json()["type"] == "/api/problems/invalid-idempotency-key"
    assert not IdempotencyKey.objects.exists()


def test_the_longest_key_and_every_printable_character_are_accepted(as_writer, newsroom):
    longest = ("".join(chr(code) for code in range(0x21, 0x7F)) * 3)[:255]

    first = as_writer.post("/api/desk/stories", NEW, **{"Idempotency-Key": longest})
    again = as_writer.post("/api/desk/stories", NEW, **{"Idempotency-Key": longest})

    assert first.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert IdempotencyKey.objects.get().key == longest


# Expiry -------------------------------------------------------------------------------


def test_a_key_expires_after_a_day_and_old_keys_are_pruned(as_writer, newsroom, settings):
    settings.API_IDEMPOTENCY_KEY_HOURS = 24
    first = as_writer.post("/api/desk/stories", NEW, **{"Idempotency-Key": KEY})
    as_writer.post("/api/desk/stories", NEW, **{"Idempotency-Key": "other"})

    with time_machine.travel(timezone.now() + timedelta(hours=23, minutes=59)):
        assert as_writer.post("/api/desk/stories", NEW, **{"Idempotency-Key": KEY})[
            "Idempotent-Replayed"
        ]
    with time_machine.travel(timezone.now() + timedelta(hours=24, seconds=1)):
        later = as_writer.post("/api/desk/stories", NEW, **{"Idempotency-Key": KEY})
        assert later.status_code == 201 and "Idempotent-Replayed" not in later
        assert later.json()["id"] != first.json()["id"]
        assert prune_expired_keys() == 1  # "other"; KEY's row was replaced by the new write
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == [KEY]


# Crash between the work and the commit ------------------------------------------------


class Crash(Exception):
    """What a failpoint raises: the request's transaction dies there."""


def crash() -> None:
    raise Crash("killed between the work and the commit")


@pytest.mark.django_db(transaction=True)
def test_a_request_that_dies_before_its_commit_leaves_neither_work_nor_key(
    newsroom, writer, editor, settings
):
    as_writer = JsonClient(Client(), bearer(writer))
    as_editor = JsonClient(Client(raise_request_exception=False), bearer(editor))
    story_id = ready_story(as_writer, as_editor)
    settings.FAILPOINTS = {"api.idempotency.before_commit": crash}

    died = publish(as_editor, story_id)

    assert died.status_code == 500
    assert not Story.objects.get(pk=story_id).is_live()
    assert publishes(story_id) == 0
    assert not IdempotencyKey.objects.exists()

    settings.FAILPOINTS = {}
    retried = publish(as_editor, story_id)
    assert retried.status_code == 200 and "Idempotent-Replayed" not in retried
    assert Story.objects.get(pk=story_id).is_live()
    assert publishes(story_id) == 1


# Two at once --------------------------------------------------------------------------


class Sender(threading.Thread):
    """One API request from a thread of its own (so on a database connection of its own)."""

    def __init__(self, send):
        super().__init__(daemon=True)
        self.send = send
        self.response = None

    def run(self) -> None:
        try:
            self.response = self.send()
        finally:
            connection.close()


@pytest.mark.django_db(transaction=True)
def test_a_retry_while_the_first_request_runs_is_told_to_wait(newsroom, writer, settings):
    editor = editor_of(newsroom.desk)
    as_writer = JsonClient(Client(), bearer(writer))
    headers = bearer(editor)
    story_id = ready_story(as_writer, JsonClient(Client(), headers))
    parked = failpoints.Park()
    settings.FAILPOINTS = {"api.idempotency.before_commit": parked}

    first = Sender(lambda: publish(JsonClient(Client(), headers), story_id))
    first.start()
    try:
        assert parked.arrived.wait(timeout=30), "the first request never reached its commit"
        meanwhile = publish(JsonClient(Client(), headers), story_id)
    finally:
        parked.release.set()
        first.join(timeout=30)
    settings.FAILPOINTS = {}
    after = publish(JsonClient(Client(), headers), story_id)

    assert meanwhile.status_code == 409, meanwhile.content
    assert meanwhile.json()["type"] == "/api/problems/idempotency-key-in-use"
    assert meanwhile["Retry-After"] == "1"
    assert first.response.status_code == 200
    assert after.status_code == 200 and after["Idempotent-Replayed"] == "true"
    assert after.content == first.response.content
    assert publishes(story_id) == 1


# The document -------------------------------------------------------------------------


def test_every_staff_write_documents_the_key_and_its_answers(client):
    document = client.get("/api/openapi.json").json()

    writes = [
        operation
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        if path.startswith("/api/desk/") and method in ("post", "put", "patch", "delete")
    ]
    assert len(writes) >= 14
    for operation in writes:
        headers = [p["name"] for p in operation["parameters"] if p["in"] == "header"]
        assert "Idempotency-Key" in headers, operation["operationId"]
        # The only other header a write takes: a save's If-Match (api/desk_views.py).
        assert set(headers) - {"Idempotency-Key"} <= {"If-Match"}, operation["operationId"]
        for status in ("400", "409", "422"):
            assert "application/problem+json" in operation["responses"][status]["content"]
        success = next(a for s, a in operation["responses"].items() if s.startswith("2"))
        assert "Idempotent-Replayed" in success["headers"]
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method == "get":
                assert "Idempotency-Key" not in str(operation.get("parameters", [])), path


def test_every_staff_write_route_reads_the_key(client, as_editor, newsroom):
    """Generated from the routes: a new write endpoint is covered without a line here."""
    from masthead.api.api import api

    document = api.get_openapi_schema(path_prefix="/api/")
    routes = [
        (method.upper(), path.replace("{story_id}", str(newsroom.story.pk)))
        for path, operations in document["paths"].items()
        for method in operations
        if path.startswith("/api/desk/") and method.upper() in ("POST", "PUT", "PATCH", "DELETE")
    ]
    assert len(routes) >= 14

    with nothing_written():
        for method, path in routes:
            response = as_editor.request(method, path, {}, **{"Idempotency-Key": "bad\x01key"})
            assert response.status_code == 400, (method, path, response.content)
            assert response.json()["type"] == "/api/problems/invalid-idempotency-key"
