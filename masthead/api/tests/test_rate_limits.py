from __future__ import annotations

import uuid

import pytest
from django.core.exceptions import ImproperlyConfigured

from masthead.api.rate_limits import Rate, RateLimited, hit, parse_rate
from masthead.api.tests.conftest import JsonClient, bearer

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("raw", "rate"),
    [
        ("120/min", Rate(120, 60)),
        ("10/s", Rate(10, 1)),
        (" 5000 / hour ", Rate(5000, 3600)),
        ("off", None),
        ("", None),
        (None, None),
    ],
)
def test_rates_are_read(raw, rate):
    assert parse_rate("API_RATE_LIMIT", raw) == rate


@pytest.mark.parametrize("raw", ["120", "fast", "0/min", "10/fortnight", "-1/s"])
def test_a_mistyped_rate_stops_start_up(raw):
    with pytest.raises(ImproperlyConfigured, match="API_RATE_LIMIT"):
        parse_rate("API_RATE_LIMIT", raw)


def test_a_window_counts_then_refuses_then_opens_again():
    who, rate, start = uuid.uuid4().hex, Rate(3, 60), 1_800_000_000.0
    for _ in range(3):
        hit("test", who, rate, now=start)

    with pytest.raises(RateLimited) as refused:
        hit("test", who, rate, now=start + 20)

    assert refused.value.retry_after == 40
    hit("test", who, rate, now=start + 60)  # the next window


def test_each_token_has_its_own_limit(client, settings, editor, newsroom):
    settings.API_RATE_LIMIT = "3/min"
    first, second = JsonClient(client, bearer(editor)), JsonClient(client, bearer(editor))
    url = f"/api/desk/stories/{newsroom.story.pk}"

    answers = [first.get(url).status_code for _ in range(4)]

    assert answers == [200, 200, 200, 429]
    assert second.get(url).status_code == 200


def test_a_429_is_a_problem_with_retry_after(client, settings, editor, newsroom):
    settings.API_RATE_LIMIT = "1/min"
    as_editor = JsonClient(client, bearer(editor))
    as_editor.get(f"/api/desk/stories/{newsroom.story.pk}")

    response = as_editor.get(f"/api/desk/stories/{newsroom.story.pk}")

    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert response["Content-Type"].startswith("application/problem+json")
    assert response.json()["status"] == 429
    assert response["Cache-Control"] == "private, no-store"


def test_public_reads_are_unlimited_by_default(client, newsroom):
    address = f"10.0.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"

    answers = {client.get("/api/desks", REMOTE_ADDR=address).status_code for _ in range(30)}

    assert answers == {200}


def test_public_reads_can_be_limited_per_client(client, settings, newsroom):
    settings.API_PUBLIC_RATE_LIMIT = "2/min"
    address, other = f"192.0.2.{uuid.uuid4().int % 250}", f"198.51.100.{uuid.uuid4().int % 250}"

    answers = [client.get("/api/stories", REMOTE_ADDR=address).status_code for _ in range(3)]

    assert answers == [200, 200, 429]
    assert client.get("/api/stories", REMOTE_ADDR=other).status_code == 200
    refused = client.get("/api/stories", REMOTE_ADDR=address)
    assert refused["Cache-Control"] == "no-store"
    assert "Retry-After" in refused
