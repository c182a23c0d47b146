"""Keep a person who still owes the second factor out of everything but the sign-in pages.

Runs after django-otp's ``OTPMiddleware``. A person for whom two-factor is
required, or who has a device, and who has given only the password in this
session:

- asking for the back office or the admin (``GUARDED_PATH_PREFIXES``) is sent
  to the verify step, or to set-up when they have no device yet, and brought
  back afterwards;
- anywhere else outside ``/account/`` is treated as a reader who is not
  signed in, so no other page, API call or preview can act on a half-finished
  sign-in.

The admin's own login page is sent to ours, so throttling and two-factor have
one door. Requests without a session cookie are not looked at, so public pages
keep no ``Vary: Cookie`` on our account.
"""

from __future__ import annotations

from urllib.parse import urlencode

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import NoReverseMatch, reverse
from django.utils.functional import SimpleLazyObject

from masthead.accounts.two_factor import VERIFY, pending_step

GUARDED_PATH_PREFIXES = ("/desk/", "/admin/")
ACCOUNT_PATH_PREFIX = "/account/"


def url_with_next(url: str, next_url: str | None) -> str:
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def step_url(step: str, next_url: str | None) -> str:
    """The page of ``step`` (verify or set-up), coming back to ``next_url`` afterwards."""
    return url_with_next(
        reverse("accounts:verify" if step == VERIFY else "accounts:setup"), next_url
    )


def _admin_login_path() -> str | None:
    try:
        return reverse("admin:login")
    except NoReverseMatch:
        return None


def _unverified_as_reader(user):
    if pending_step(user) is None:
        return user
    reader = AnonymousUser()
    reader.otp_device = None
    reader.is_verified = lambda: False
    return reader


class TwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        if path == _admin_login_path():
            return self._to_sign_in(request)
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return self.get_response(request)
        if path.startswith(ACCOUNT_PATH_PREFIX):
            return self.get_response(request)
        if path.startswith(GUARDED_PATH_PREFIXES):
            step = pending_step(request.user)
            if step is not None:
                return HttpResponseRedirect(step_url(step, request.get_full_path()))
            return self.get_response(request)
        self._hide_unverified(request)
        return self.get_response(request)

    @staticmethod
    def _hide_unverified(request: HttpRequest) -> None:
        user = request.user
        request.user = SimpleLazyObject(lambda: _unverified_as_reader(user))
        auser = getattr(request, "auser", None)
        if auser is not None:

            async def visible_auser():
                return await sync_to_async(_unverified_as_reader)(await auser())

            request.auser = visible_auser

    @staticmethod
    def _to_sign_in(request: HttpRequest) -> HttpResponse:
        next_url = request.GET.get("next") or reverse("admin:index")
        step = pending_step(request.user) if request.user.is_authenticated else None
        if step is not None:
            return HttpResponseRedirect(step_url(step, next_url))
        return HttpResponseRedirect(url_with_next(settings.LOGIN_URL, next_url))
