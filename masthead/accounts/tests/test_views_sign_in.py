"""Signing in with a password: success, failure, throttling, sign-out, cookies, hostile input."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.contrib.auth.hashers import MD5PasswordHasher

from masthead.accounts.forms import SIGN_IN_ERROR
from masthead.accounts.tests.conftest import LOGIN, sign_in
from masthead.factories import TEST_PASSWORD
from masthead.newsroom.models import Outlet

pytestmark = pytest.mark.django_db

CSRF_INPUT = re.compile(r'<input type="hidden" name="csrfmiddlewaretoken" value="[^"]*">')


def _page(response) -> str:
    return CSRF_INPUT.sub("", response.content.decode())


def test_sign_in_page_has_labelled_fields_with_autocomplete_hints(client):
    page = client.get(LOGIN).content.decode()

    assert '<label for="id_username">' in page
    assert 'autocomplete="username"' in page
    assert 'autocomplete="current-password"' in page
    assert '<meta name="robots" content="noindex, nofollow">' in page


def test_writer_signs_in_and_lands_in_the_back_office(client, people):
    response = sign_in(client, "writer")

    assert response.status_code == 302
    assert response["Location"] == settings.LOGIN_REDIRECT_URL
    assert client.session["_auth_user_id"] == str(people["writer"].pk)


def test_sign_in_goes_back_to_a_local_next_but_never_to_another_site(client, people):
    local = sign_in(client, "writer", next="/desk/stories/42/")
    client.logout()
    foreign = sign_in(client, "writer", next="https://evil.example/phish")

    assert local["Location"] == "/desk/stories/42/"
    assert foreign["Location"] == settings.LOGIN_REDIRECT_URL


@pytest.mark.parametrize(
    ("username", "password"),
    [
        ("writer", "wrong password"),  # known name, wrong password
        ("nobody", TEST_PASSWORD),  # unknown name
        ("Writer", TEST_PASSWORD),  # names are case-sensitive
        ("inactive", TEST_PASSWORD),  # deactivated account, right password
    ],
)
def test_every_failed_sign_in_looks_the_same(client, people, username, password):
    people["writer"].__class__.objects.create_user(
        "inactive", password=TEST_PASSWORD, is_active=False
    )
    baseline = sign_in(client, "nobody-at-all", "whatever")

    response = sign_in(client, username, password)

    assert response.status_code == 200
    assert SIGN_IN_ERROR in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Same page apart from the name typed back into the field.
    assert _page(response).replace(username, "X") == _page(baseline).replace("nobody-at-all", "X")


class CountingHasher(MD5PasswordHasher):
    calls = 0

    def encode(self, password, salt):
        CountingHasher.calls += 1
        return super().encode(password, salt)


def test_unknown_name_costs_a_password_hash_like_a_known_one(client, people, settings):
    settings.PASSWORD_HASHERS = [f"{__name__}.CountingHasher"]
    user = people["writer"]
    user.set_password(TEST_PASSWORD)
    user.save()

    CountingHasher.calls = 0
    sign_in(client, "writer", "wrong password")
    known = CountingHasher.calls
    CountingHasher.calls = 0
    sign_in(client, "nobody", "wrong password")
    unknown = CountingHasher.calls

    assert known == unknown == 1


def test_lockout_after_the_limit_for_that_name_and_address(client, people):
    limit = settings.LOGIN_FAILURE_LIMIT
    responses = [sign_in(client, "writer", "wrong") for _ in range(limit)]

    assert [r.status_code for r in responses] == [200] * (limit - 1) + [429]
    locked = sign_in(client, "writer")  # even the right password now
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    assert locked["Retry-After"] == str(settings.LOGIN_COOLOFF_MINUTES * 60)
    page = locked.content.decode()
    assert "Too many sign-in attempts" in page
    assert "writer" not in page


def test_lockout_is_per_name_and_address(client, people):
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        sign_in(client, "writer", "wrong")

    other_name = sign_in(client, "editor", "wrong")
    other_address = client.post(
        LOGIN,
        {"username": "writer", "password": TEST_PASSWORD},
        REMOTE_ADDR="203.0.113.9",
    )

    assert other_name.status_code == 200
    assert other_address.status_code == 302


def test_lockout_of_an_unknown_name_is_the_same_page(client, people):
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        known = sign_in(client, "writer", "wrong")
        unknown = sign_in(client, "ghost", "wrong")

    assert known.status_code == unknown.status_code == 429
    assert _page(known) == _page(unknown)
    assert known["Retry-After"] == unknown["Retry-After"]


def test_lookalike_names_count_against_the_same_account(client, people):
    # NFKC turns full-width letters into "writer": they are the same name to
    # Django, so they must share the same failure count.
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        sign_in(client, "ｗｒｉｔｅｒ", "wrong")

    assert sign_in(client, "writer", "wrong").status_code == 429


def test_forwarded_for_is_ignored_unless_behind_a_proxy(client, people):
    statuses = [
        client.post(
            LOGIN,
            {"username": "writer", "password": "wrong"},
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        ).status_code
        for n in range(settings.LOGIN_FAILURE_LIMIT)
    ]

    assert statuses[-1] == 429


def test_behind_a_proxy_each_client_address_counts_alone(client, people, settings):
    settings.BEHIND_PROXY = True
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        sign_in(client, "writer", "wrong", HTTP_X_FORWARDED_FOR="198.51.100.7")

    elsewhere = client.post(
        LOGIN,
        {"username": "writer", "password": TEST_PASSWORD},
        HTTP_X_FORWARDED_FOR="198.51.100.8",
    )

    assert sign_in(client, "writer", HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 429
    assert elsewhere.status_code == 302


def test_a_success_clears_the_earlier_failures(client, people):
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        sign_in(client, "writer", "wrong")
    assert sign_in(client, "writer").status_code == 302
    client.logout()

    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        assert sign_in(client, "writer", "wrong").status_code == 200


def test_sign_out_is_a_post(client, people):
    client.force_login(people["writer"])

    assert client.get("/account/logout/").status_code == 405
    assert "_auth_user_id" in client.session
    response = client.post("/account/logout/", follow=True)

    assert "_auth_user_id" not in client.session
    assert response.redirect_chain[-1][0] == LOGIN
    assert "You have signed out." in response.content.decode()


def test_sign_in_without_the_csrf_token_is_refused(csrf_client, people):
    response = csrf_client.post(LOGIN, {"username": "writer", "password": TEST_PASSWORD})

    assert response.status_code == 403
    assert "_auth_user_id" not in csrf_client.session


def test_sign_in_with_the_csrf_token_from_the_form_works(csrf_client, people):
    page = csrf_client.get(LOGIN).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    response = csrf_client.post(
        LOGIN, {"username": "writer", "password": TEST_PASSWORD, "csrfmiddlewaretoken": token}
    )

    assert response.status_code == 302


def test_session_and_csrf_cookies_are_locked_down(client, people):
    response = sign_in(client, "writer")

    session = response.cookies[settings.SESSION_COOKIE_NAME]
    csrf = client.cookies[settings.CSRF_COOKIE_NAME]
    assert session["httponly"] and session["samesite"] == "Lax"
    assert int(session["max-age"]) == 12 * 3600
    assert csrf["httponly"] and csrf["samesite"] == "Lax"


def test_signing_in_gives_a_new_session_key(client, people):
    planted = client.session
    planted["planted"] = True
    planted.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = planted.session_key

    sign_in(client, "writer")

    assert client.cookies[settings.SESSION_COOKIE_NAME].value != planted.session_key


@pytest.mark.parametrize(
    ("username", "password", "message"),
    [
        ("w" * 10_000, "x", "Ensure this value has at most 150 characters"),
        ("writer", "p" * 1_000_000, "Ensure this value has at most 1024 characters"),
        ("wri\x00ter", TEST_PASSWORD, "Null characters are not allowed."),
        ("writer", "pass\x00word", "Null characters are not allowed."),
        ("", "", "This field is required."),
        ("wrіter", TEST_PASSWORD, SIGN_IN_ERROR),  # Cyrillic і
        ("writer\u202e", TEST_PASSWORD, SIGN_IN_ERROR),
        ("' OR 1=1 --", "' OR 1=1 --", SIGN_IN_ERROR),
    ],
    ids=[
        "long-name",
        "huge-password",
        "nul-name",
        "nul-password",
        "empty",
        "lookalike",
        "bidi",
        "sql",
    ],
)
def test_hostile_input_gets_a_clear_error_and_no_session(
    client, people, username, password, message
):
    response = sign_in(client, username, password)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_hostile_input_keeps_what_was_typed_in_the_name_field(client, people):
    response = sign_in(client, "<script>alert(1)</script>", "x")

    page = response.content.decode()
    assert "<script>alert(1)</script>" not in page
    assert 'value="&lt;script&gt;alert(1)&lt;/script&gt;"' in page


@pytest.mark.parametrize(
    "path",
    [
        "/account/login/",
        "/account/password/reset/",
        "/account/password/reset/sent/",
        "/account/password/reset/complete/",
        "/account/password/reset/MQ/set-password/",
        "/account/",
        "/account/password/",
        "/account/password/changed/",
        "/account/two-factor/setup/",
        "/account/two-factor/backup-codes/",
    ],
)
def test_no_account_page_may_be_cached(client, people, path):
    client.force_login(people["writer"])

    response = client.get(path)

    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/account/logout/", {}),
        ("/account/password/reset/", {"email": "writer@newsroom.example"}),
        ("/account/two-factor/setup/", {"code": "123456"}),
        ("/account/two-factor/verify/", {"code": "123456"}),
        ("/account/two-factor/backup-codes/", {}),
        ("/account/password/", {"old_password": TEST_PASSWORD}),
    ],
)
def test_every_form_refuses_a_post_without_the_csrf_token(csrf_client, people, path, data):
    csrf_client.force_login(people["writer"])

    response = csrf_client.post(path, data)

    assert response.status_code == 403
    assert "_auth_user_id" in csrf_client.session


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_attempts_get_no_more_tries_than_the_limit_and_those_in_flight(people):
    """RELIABILITY E3 (3), the express-brute race: 100 attempts on 8 connections at once.

    Each connection can have one attempt in flight when the count reaches the
    limit, so at most limit + 8 are judged; the right password, sent last by
    every connection, never signs in once the name is locked. On PostgreSQL:
    the suite's SQLite database is in memory with a shared cache, where a
    second writer fails at once instead of waiting.
    """
    import threading

    from axes.models import AccessAttempt
    from django.db import connection
    from django.test import Client

    connections, attempts_each = 8, 13  # 104 attempts
    start_together = threading.Barrier(connections)
    statuses: list[int] = []
    lock = threading.Lock()

    def attack() -> None:
        try:
            client = Client()
            start_together.wait(timeout=30)
            for number in range(attempts_each):
                last = number == attempts_each - 1
                response = sign_in(client, "writer", TEST_PASSWORD if last else "wrong")
                with lock:
                    statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=attack, daemon=True) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert len(statuses) == connections * attempts_each
    # Judged: each attempt whose password was checked and failed. The ones in
    # flight when the count crossed the limit answer 429 like the refused, so
    # the count is axes's, not the responses'.
    judged = sum(
        AccessAttempt.objects.filter(username="writer").values_list(
            "failures_since_start", flat=True
        )
    )
    limit = settings.LOGIN_FAILURE_LIMIT
    assert limit <= judged <= limit + connections
    assert statuses.count(200) <= limit - 1  # failed sign-ins shown the form again
    assert 302 not in statuses, "the right password signed in a locked name"
    assert set(statuses) <= {200, 429}


def test_the_sign_in_page_is_headed_with_the_outlets_name_and_gives_readers_no_other(client):
    """Django's sign-in view puts ``site_name`` (the request's host) in its context: it must
    neither head the page nor reach readers' pages through the shared header fragment."""
    Outlet.objects.create(name="Iran Front Page")

    sign_in_page = client.get(LOGIN).content.decode()  # renders the header first, cold
    front_page = client.get("/").content.decode()

    for page in (sign_in_page, front_page):
        assert 'class="site-name" href="/" dir="auto">Iran Front Page</a>' in page
        assert ">testserver<" not in page
