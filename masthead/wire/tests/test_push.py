"""The push endpoint: signed, fresh, once; everything else refused with a clear problem."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from masthead.wire import push
from masthead.wire.models import PushReceipt, Source, WireItem, WireItemVersion
from masthead.wire.tests.pipeline_support import make_source, ninjs

pytestmark = pytest.mark.django_db

SECRET = "s3cret-shared-with-the-agency"
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def source():
    return make_source("Pushy", kind=Source.Kind.PUSH, slug="pushy", push_secret=SECRET)


@pytest.fixture
def client():
    return Client(enforce_csrf_checks=True)  # agencies have no CSRF cookie


def send(client, body: bytes, *, slug="pushy", content_type="application/json", **options):
    timestamp = options.pop("timestamp", int(time.time()))
    secret = options.pop("secret", SECRET)
    signature = options.pop("signature", push.sign(secret, timestamp, body))
    headers = {
        "HTTP_X_MASTHEAD_TIMESTAMP": str(timestamp),
        "HTTP_X_MASTHEAD_SIGNATURE": signature,
        **options,
    }
    return client.post(f"/wire/push/{slug}/", data=body, content_type=content_type, **headers)


def test_a_signed_ninjs_push_is_stored_and_answered_with_counts(client, source):
    response = send(client, ninjs({"uri": "urn:1"}, {"uri": "urn:2"}))
    assert response.status_code == 202
    assert response.json()["created"] == 2
    assert WireItem.objects.filter(source=source).count() == 2
    source.refresh_from_db()
    assert source.last_success_at is not None and source.items_received == 2


def test_a_signed_newsml_push_is_stored(client, source):
    body = (FIXTURES / "newsml_item_iran.xml").read_bytes()
    response = send(client, body, content_type="application/vnd.iptc.g2.newsitem+xml")
    assert response.status_code == 202, response.content
    assert response.json()["created"] == 1


@pytest.mark.parametrize(
    "fields",
    [
        {"slug": "nobody"},
        {"paused": True},
        {"kind": Source.Kind.NINJS},
        {"push_secret": ""},
    ],
)
def test_unknown_paused_or_unpushable_sources_get_the_same_404(client, source, fields):
    slug = fields.pop("slug", "pushy")
    Source.objects.filter(pk=source.pk).update(**fields)
    response = send(client, ninjs({"uri": "urn:1"}), slug=slug)
    assert response.status_code == 404
    assert response.json()["detail"] == "There is no push source at this address."
    assert not WireItem.objects.exists()


@pytest.mark.parametrize(
    "options",
    [
        {"secret": "wrong"},
        {"signature": ""},
        {"signature": "sha256=" + "0" * 64},
        {"signature": "md5=abc"},
        {"signature": "sha256=\u00e9\u00e9"},
        {"timestamp": ""},
        {"timestamp": "yesterday"},
        {"timestamp": -310},
        {"timestamp": +310},
        {"timestamp": 10**20},
    ],
)
def test_bad_signatures_and_stale_timestamps_are_refused(client, source, options):
    options = dict(options)
    if isinstance(options.get("timestamp"), int) and abs(options["timestamp"]) < 1000:
        options["timestamp"] += int(time.time())  # seconds off our clock, now
    timestamp = options.get("timestamp", int(time.time()))
    body = ninjs({"uri": "urn:1"})
    if "signature" not in options and "secret" not in options:
        options["signature"] = push.sign(SECRET, timestamp, body)  # valid for what it says
    response = send(client, body, **options)
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/problem+json")
    assert not WireItem.objects.exists()


@pytest.mark.parametrize("offset", [-290, 290])
def test_a_clock_a_little_off_is_accepted(client, source, offset):
    body = ninjs({"uri": "urn:1"})
    assert send(client, body, timestamp=int(time.time()) + offset).status_code == 202


def test_a_signature_of_another_body_is_refused(client, source):
    timestamp = int(time.time())
    signature = push.sign(SECRET, timestamp, ninjs({"uri": "urn:1"}))
    response = send(client, ninjs({"uri": "urn:2"}), timestamp=timestamp, signature=signature)
    assert response.status_code == 401


def test_a_replayed_request_is_refused_and_stores_nothing(client, source):
    body, timestamp = ninjs({"uri": "urn:1"}), int(time.time())
    assert send(client, body, timestamp=timestamp).status_code == 202
    replay = send(client, body, timestamp=timestamp)
    assert replay.status_code == 409
    assert WireItemVersion.objects.count() == 1
    # The same copy, signed afresh, is a new request (and changes nothing).
    assert send(client, body, timestamp=timestamp + 1).json()["unchanged"] == 1


def test_an_oversize_body_is_refused_before_it_is_read(client, source, settings):
    settings.WIRE_PUSH_MAX_BYTES = 1024
    response = send(client, ninjs(*({"uri": f"urn:{n}"} for n in range(20))))
    assert response.status_code == 413
    assert "1,024 bytes" in response.json()["detail"]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b'[{"uri": "urn:1", ', ""),
        (b"", ""),
        (
            b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            b'<!ENTITY lol2 "&lol;&lol;">]><newsItem>&lol2;</newsItem>',
            "not allowed",
        ),
    ],
)
def test_a_document_the_parser_refuses_is_a_400_with_the_reason(client, source, body, reason):
    content_type = "application/xml" if body.startswith(b"<") else "application/json"
    response = send(client, body, content_type=content_type)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
    assert reason in response.json()["detail"]
    assert not WireItem.objects.exists()
    source.refresh_from_db()
    assert source.last_error.startswith("A push was refused")


def test_another_content_type_is_415(client, source):
    response = send(client, b"hello", content_type="text/plain")
    assert response.status_code == 415


def test_get_is_not_allowed(client, source):
    assert client.get("/wire/push/pushy/").status_code == 405


def test_hostile_copy_in_a_push_is_stored_clean(client, source):
    body = ninjs(
        {
            "uri": "urn:1",
            "headline": "<script>alert(1)</script>Breaking",
            "body_html": '<p><a href="javascript:alert(1)">x</a></p>',
        }
    )
    assert send(client, body).status_code == 202
    item = WireItem.objects.get()
    assert item.headline == "Breaking" and "javascript" not in item.body


def test_failed_signatures_are_rate_limited_per_client(client, source, settings):
    settings.WIRE_PUSH_RATE_LIMIT = "3/min"
    statuses = [send(client, b"[]", secret="guess").status_code for _ in range(5)]
    assert statuses[:3] == [401, 401, 401]
    assert statuses[3:] == [429, 429]
    blocked = send(client, b"[]", secret="guess")
    assert blocked.has_header("Retry-After")


def test_old_receipts_are_pruned_and_recent_ones_kept(source):
    now = timezone.now()
    PushReceipt.objects.create(source=source, signature="old", received_at=now - timedelta(hours=1))
    PushReceipt.objects.create(source=source, signature="new", received_at=now)
    assert push.prune_receipts() == 1
    assert list(PushReceipt.objects.values_list("signature", flat=True)) == ["new"]
