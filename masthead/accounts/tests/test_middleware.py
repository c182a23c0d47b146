"""A half-finished sign-in opens nothing outside /account/."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import RequestFactory

from masthead.accounts.middleware import TwoFactorMiddleware
from masthead.accounts.tests.conftest import sign_in

pytestmark = pytest.mark.django_db


def seen_by_view(user, path):
    """The user that the view at ``path`` gets, for a session of ``user`` that has not verified."""
    user.is_verified = lambda: False
    seen = {}

    def view(request):
        seen["user"] = request.user
        return HttpResponse()

    request = RequestFactory().get(path)
    request.COOKIES[settings.SESSION_COOKIE_NAME] = "session"
    request.user = user
    TwoFactorMiddleware(view)(request)
    return seen["user"]


def test_a_half_signed_in_editor_is_a_reader_on_public_pages(people):
    user = seen_by_view(people["desk_editor"], "/news/some-story/")

    assert not user.is_authenticated
    assert not user.is_verified()


def test_account_pages_see_the_half_signed_in_person(people):
    editor = people["desk_editor"]

    assert seen_by_view(editor, "/account/two-factor/setup/") is editor


def test_someone_who_owes_nothing_is_seen_everywhere(people):
    assert seen_by_view(people["writer"], "/news/some-story/").is_authenticated


def test_public_pages_without_a_session_cookie_do_not_vary_on_it(client, people):
    response = client.get("/")

    assert "Cookie" not in response.get("Vary", "")


def test_a_half_signed_in_session_can_finish_or_sign_out(client, people):
    sign_in(client, "editor")

    assert client.get("/account/two-factor/setup/").status_code == 200
    assert client.post("/account/logout/").status_code == 302
    assert "_auth_user_id" not in client.session
