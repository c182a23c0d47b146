"""Session lifecycle (RELIABILITY.md §2.5 E4): the parts not proven elsewhere.

Sign-in rotating the key, a password change ending other sessions and a
deactivation ending all of them are tested in ``accounts/tests``; here: a
signed-out session is gone on the server (its cookie, replayed, opens nothing),
and with ``HTTPS=true`` every cookie Masthead sets is ``Secure``. Mapped in
docs/security.md.
"""

from __future__ import annotations

import ast

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session

from masthead.factories import make_desk, make_staff
from masthead.newsroom.models import StaffRole

pytestmark = pytest.mark.django_db


def test_signing_out_deletes_the_session_and_its_cookie_opens_nothing(client, settings):
    settings.REQUIRE_2FA_FOR = []
    writer = make_staff(StaffRole.Role.WRITER, make_desk("Politics"), username="writer")
    client.force_login(writer)
    stolen = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert client.get("/desk/").status_code == 200

    client.post("/account/logout/")

    assert not Session.objects.filter(session_key=stolen).exists()
    client.cookies[settings.SESSION_COOKIE_NAME] = stolen  # replayed, e.g. from a copied cookie
    replayed = client.get("/desk/")
    assert replayed.status_code == 302 and replayed["Location"].startswith(settings.LOGIN_URL)


def test_behind_tls_every_cookie_is_secure_http_only_and_lax(read_setting):
    names = [
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "LANGUAGE_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "CSRF_COOKIE_HTTPONLY",
        "LANGUAGE_COOKIE_HTTPONLY",
        "SESSION_COOKIE_SAMESITE",
        "CSRF_COOKIE_SAMESITE",
        "LANGUAGE_COOKIE_SAMESITE",
    ]
    expression = "[" + ", ".join(f"settings.{name}" for name in names) + "]"

    behind_tls = read_setting(expression, env={"HTTPS": "true"})
    plain = read_setting(expression, env={"HTTPS": "false"})

    assert behind_tls.returncode == 0, behind_tls.stderr
    secure = dict(
        zip(names, ast.literal_eval(behind_tls.stdout.strip().splitlines()[-1]), strict=True)
    )
    assert secure == {
        **{name: True for name in names[:6]},
        **{name: "Lax" for name in names[6:]},
    }
    # Without TLS the cookies cannot be Secure (a browser would drop them), the rest holds.
    insecure = dict(
        zip(names, ast.literal_eval(plain.stdout.strip().splitlines()[-1]), strict=True)
    )
    assert [insecure[name] for name in names[:3]] == [False, False, False]
    assert settings.SESSION_COOKIE_HTTPONLY
