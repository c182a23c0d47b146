from __future__ import annotations

import uuid

import pytest
from django.core.exceptions import ImproperlyConfigured

from masthead.api import rate_limits
from masthead.api.rate_limits import Rate, RateLimited, hit, parse_rate
from masthead.api.tests.conftest import JsonClient, bearer
from masthead.stories.models import Story

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


# Invalid tokens ---------------------------------------------------------------------


@pytest.fixture
def frozen_clock(monkeypatch):
    """One moment for the whole test: a fixed window never ends halfway through it."""
    monkeypatch.setattr(rate_limits, "clock", lambda: 1_800_000_100.0)


def unique_address(prefix: str = "192.0.2") -> str:
    return f"{prefix}.{uuid.uuid4().int % 250 + 1}"


def bad_token_from(client, address: str, url: str, **headers):
    return client.get(
        url, REMOTE_ADDR=address, headers={"Authorization": "Bearer mh_guessed", **headers}
    )


def test_invalid_tokens_are_throttled_per_client_address(
    client, settings, editor, newsroom, frozen_clock
):
    url = f"/api/desk/stories/{newsroom.story.pk}"
    address, other = unique_address(), unique_address("198.51.100")
    valid = bearer(editor)

    answers = [
        bad_token_from(client, address, url).status_code
        for _ in range(settings.LOGIN_FAILURE_LIMIT + 1)
    ]
    paused_valid = client.get(url, REMOTE_ADDR=address, headers=valid)

    assert answers == [401] * settings.LOGIN_FAILURE_LIMIT + [429]
    assert paused_valid.status_code == 429  # during the pause nothing is checked
    assert client.get(url, REMOTE_ADDR=other, headers=valid).status_code == 200
    assert bad_token_from(client, other, url).status_code == 401


def test_a_token_pause_is_a_problem_with_retry_after(client, settings, newsroom, frozen_clock):
    address = unique_address()
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        bad_token_from(client, address, f"/api/desk/stories/{newsroom.story.pk}")

    refused = client.post(
        "/api/desk/stories",
        {"headline": "x", "desk": "politics"},
        content_type="application/json",
        REMOTE_ADDR=address,
        headers={"Authorization": "Bearer mh_another_guess"},
    )

    assert refused.status_code == 429
    assert refused["Content-Type"].startswith("application/problem+json")
    window = settings.LOGIN_COOLOFF_MINUTES * 60
    assert 1 <= int(refused["Retry-After"]) <= window
    assert "invalid API tokens" in refused.json()["detail"]
    assert refused["Cache-Control"] == "private, no-store"
    assert not Story.objects.filter(headline="x").exists()


def test_requests_without_a_token_are_not_counted_as_failures(
    client, settings, editor, newsroom, frozen_clock
):
    url = f"/api/desk/stories/{newsroom.story.pk}"
    address = unique_address()

    answers = {
        client.get(url, REMOTE_ADDR=address).status_code
        for _ in range(settings.LOGIN_FAILURE_LIMIT + 2)
    }

    assert answers == {401}
    assert client.get(url, REMOTE_ADDR=address, headers=bearer(editor)).status_code == 200


def test_forged_forwarded_for_does_not_escape_the_token_pause(
    client, settings, newsroom, frozen_clock
):
    url = f"/api/desk/stories/{newsroom.story.pk}"
    address = unique_address()

    answers = [
        bad_token_from(client, address, url, **{"X-Forwarded-For": f"203.0.113.{n}"}).status_code
        for n in range(settings.LOGIN_FAILURE_LIMIT + 1)
    ]

    assert answers[-1] == 429


def test_behind_a_proxy_each_forwarded_client_counts_alone(
    client, settings, editor, newsroom, frozen_clock
):
    settings.BEHIND_PROXY = True
    url = f"/api/desk/stories/{newsroom.story.pk}"
    proxy, guesser, bot = unique_address("10.0.0"), unique_address(), unique_address("198.51.100")
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        bad_token_from(client, proxy, url, **{"X-Forwarded-For": guesser})

    assert bad_token_from(client, proxy, url, **{"X-Forwarded-For": guesser}).status_code == 429
    through_proxy = client.get(
        url, REMOTE_ADDR=proxy, headers={**bearer(editor), "X-Forwarded-For": bot}
    )
    assert through_proxy.status_code == 200
