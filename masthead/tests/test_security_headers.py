"""Security headers on every kind of response: pages, the back office, the API, static
files, errors, and HSTS only behind TLS (RELIABILITY.md, the web platform)."""

from __future__ import annotations

import pytest
from django.templatetags.static import static
from django.test import Client

from masthead.factories import make_desk, make_story

pytestmark = pytest.mark.django_db


@pytest.fixture
def story():
    return make_story("Talks resume in Vienna", desk=make_desk("Politics"))


def responses(client: Client, story) -> dict:
    return {
        "home": client.get("/"),
        "article": client.get(story.get_absolute_url()),
        "feed": client.get("/feed/"),
        "back office (login redirect)": client.get("/desk/"),
        "sign-in page": client.get("/account/login/"),
        "API": client.get("/api/stories"),
        "404": client.get("/no-such-page/at-all/"),
        "robots.txt": client.get("/robots.txt"),
        "health": client.get("/healthz"),
        "static file": client.get(static("site/site.css")),
    }


def test_every_response_carries_the_security_headers(client, story):
    for name, response in responses(client, story).items():
        assert response.status_code < 500, name
        headers = response.headers
        assert headers["X-Content-Type-Options"] == "nosniff", name
        assert headers["Referrer-Policy"] in ("strict-origin-when-cross-origin", "no-referrer"), (
            name
        )
        assert "camera=()" in headers["Permissions-Policy"], name
        assert "geolocation=()" in headers["Permissions-Policy"], name
        assert "microphone=()" in headers["Permissions-Policy"], name
        if name != "static file":  # a policy for documents; a stylesheet runs nothing
            assert "default-src 'self'" in headers["Content-Security-Policy"], name
            assert headers.get("X-Frame-Options") == "DENY", name
        # Plain HTTP (HTTPS unset): no HSTS, which would lock browsers out of it.
        assert "Strict-Transport-Security" not in headers, name


def test_behind_tls_every_response_asks_for_https_only(client, story, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True

    secure = Client()
    for path in ("/", story.get_absolute_url(), "/api/stories", "/desk/"):
        response = secure.get(path, secure=True)
        assert response["Strict-Transport-Security"] == ("max-age=31536000; includeSubDomains"), (
            path
        )
