"""The back office's interface language: each staff member's choice.

Public pages speak their edition's language (``site/editions.py``). The back
office (``/desk/``), the account pages (``/account/``) and Django's admin
(``/admin/``) speak the language the staff member chose on their account page,
kept the way Django documents for a language preference: its language cookie
(``LANGUAGE_COOKIE_NAME``, a year long, so it outlives a sign-out). Without a
choice, the first of ``LANGUAGES`` the browser's Accept-Language names, else
``LANGUAGE_CODE`` — both by Django's ``get_language_from_request``.

The account pages (and a 404 under these roots) wear the public site's header
and footer: those of the edition written in the staff member's language
(``newsroom/editions.edition_in_language``; the default edition if none is),
which this middleware makes the request's edition, read only if a page shows
it. Their links are built from that edition (``site_tags.edition_url``,
``Desk.get_absolute_url``): ``/fa/…``, or the edition's own host, while the
account pages themselves stay on the main host. A fragment of that header is
keyed like the edition's own pages' (``site/fragments.py``: edition, language,
host), and is the same markup.

Why not Django's ``LocaleMiddleware``: it would also set the language of
public pages, which belongs to their edition, and add ``Vary`` headers to
pages the page cache and CDNs share.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.functional import SimpleLazyObject

from masthead.newsroom.editions import edition_in_language

BACK_OFFICE_PATH_PREFIXES = ("/desk/", "/account/", "/admin/")


def is_back_office(path: str) -> bool:
    return path.startswith(BACK_OFFICE_PATH_PREFIXES)


def interface_language(request: HttpRequest) -> str:
    """The staff member's language: their choice, else their browser's, else the outlet's."""
    return translation.get_language_from_request(request, check_path=False)


def remember_choice(response: HttpResponse, language: str) -> None:
    """Keep ``language`` as this browser's back office language (Django's language cookie)."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


class InterfaceLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not is_back_office(request.path_info):
            return self.get_response(request)
        translation.activate(interface_language(request))
        request.LANGUAGE_CODE = language = translation.get_language()
        # The edition whose header and footer the account pages wear (the docstring).
        request.edition = SimpleLazyObject(lambda: edition_in_language(language))
        try:
            response = self.get_response(request)
        finally:
            translation.deactivate()
        # The same address answers in each staff member's language.
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response
