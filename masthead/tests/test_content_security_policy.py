"""Every response carries a strict Content-Security-Policy (django-csp).

The browser tests check that no page breaks it (``report_csp_violations`` in
``masthead/browser_testing.py``); these check that it is there, on cached
copies and error pages too, and that public pages carry no nonce: the page
cache serves one copy to every reader.
"""

from __future__ import annotations

import re

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client

from masthead.backoffice.editor_styles import editor_style_sources
from masthead.factories import make_desk, make_staff, make_story
from masthead.newsroom.models import StaffRole
from masthead.site.page_cache import PageCache
from masthead.site.tests.test_page_cache import call
from masthead.stories import services
from masthead.stories.services import Content

pytestmark = pytest.mark.django_db

STRICT = {
    "default-src": "'self'",
    "img-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def policy(response_headers) -> dict[str, str]:
    header = response_headers["Content-Security-Policy"]
    directives = (part.strip().split(" ", 1) for part in header.split(";") if part.strip())
    return {name: value[0] if value else "" for name, *value in directives}


def assert_strict(directives: dict[str, str]) -> None:
    for name, value in STRICT.items():
        assert directives[name] == value, (name, directives)
    assert "'unsafe-inline'" not in directives.get("script-src", "")
    assert "'unsafe-eval'" not in directives.get("script-src", "")
    assert "'unsafe-inline'" not in directives.get("style-src", "")


@pytest.fixture(autouse=True)
def no_second_factor(settings):
    settings.REQUIRE_2FA_FOR = []


@pytest.fixture
def newsroom():
    desk = make_desk("Politics")
    story = make_story("Parliament votes on the budget", desk=desk)
    writer = make_staff(StaffRole.Role.WRITER, desk, username="writer")
    draft = services.create_story(writer, Content(headline="Talks resume", desk=desk))
    return {"story": story, "writer": writer, "draft": draft}


@pytest.mark.parametrize(
    "path",
    ["/", "/politics/", "/masthead/", "/feed/", "/sitemap.xml", "/no/such/page/", "/api/stories",
     "/api/docs", "/account/login/", "/desk/"],
)  # fmt: skip
def test_every_page_carries_the_policy(client, newsroom, path):
    response = client.get(path, follow=False)

    assert_strict(policy(response.headers))


@pytest.fixture
def page_cache():
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield PageCache(WSGIHandler(), max_bytes=8 * 1024 * 1024, poll_seconds=0, shared=None)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_public_pages_carry_it_from_the_cache_too_and_never_a_nonce(page_cache, newsroom):
    article = newsroom["story"].get_absolute_url()
    for path in ("/", article, "/no/such/page/"):
        first, second = call(page_cache, path), call(page_cache, path)

        assert second.outcome == "HIT", path
        assert second.headers["Content-Security-Policy"] == first.headers["Content-Security-Policy"]
        assert_strict(policy(second.headers))
        assert "nonce-" not in second.headers["Content-Security-Policy"], path
        assert "<script>" not in second.text  # no inline script a policy would need to allow


def test_the_editor_allows_its_import_map_by_nonce_and_its_styles_by_hash(client, newsroom):
    client.force_login(newsroom["writer"])

    response = client.get(f"/desk/stories/{newsroom['draft'].pk}/")

    directives = policy(response.headers)
    assert_strict(directives)
    nonce = re.search(r"'nonce-([^']+)'", directives["script-src"])[1]
    assert f'<script type="importmap" nonce="{nonce}">' in response.content.decode()
    assert editor_style_sources()  # found in the installed django-prose-editor
    for source in editor_style_sources():
        assert source in directives["style-src"]


def test_error_pages_carry_it(newsroom):
    client = Client(raise_request_exception=False)
    form = "application/x-www-form-urlencoded"
    too_large = client.post("/account/login/", "a=" + "x" * (6 * 1024 * 1024), content_type=form)
    too_many = client.post("/account/login/", "&".join(["a=1"] * 1100), content_type=form)

    assert (too_large.status_code, too_many.status_code) == (413, 400)
    for response in (too_large, too_many):
        assert_strict(policy(response.headers))
