"""Which edition a public request is for, from its host, else the first segment of its path.

A request to an edition's own host (``Edition.host``, ``fa.news.example``;
matched without port and case, as Django's ``get_host()`` has already checked
it against ``ALLOWED_HOSTS``) is that edition's, whatever its path: it gets the
public routes without prefix (``editions.urlconf_for_host``), and the back
office's, the API's and the admin's roots answer 404 there (``MAIN_HOST_ONLY``).
On the main host, ``/<root>/…`` of an edition that has a host answers 301 to
the same address on its host, so links made before the host was set keep
working; so does ``/<root>/…`` on the edition's own host.

``/fa/…`` is the edition whose URL root is ``fa``; any other address is the
default edition's (``newsroom/editions.py``). ``EditionMiddleware`` sets
``request.edition`` and, for an edition with a root, makes that edition's
URL configuration the request's (``request.urlconf``, which Django's
resolver honours): its routes are the public site's under ``/fa/``, so
``/fa/desk/`` or ``/fa/admin/`` are nobody's, and every ``{% url 'site:…' %}``
on its pages carries the root. Public views also run in the edition's time
zone when it names one.

It is also the one place that sets the interface language of a public page:
every request outside the reserved roots (its 404 included) speaks its
edition's language (Django's ``translation.activate``), whatever the reader's
browser asks for or a staff member chose for the back office
(``accounts/interface_language.py``). Shared fragments carry the language in
their keys (``site/fragments.py``), so a fragment is only ever reused in it.

The lookup reads the editions from Django's cache (one entry for all of
them), never the database on a warm path: a first segment that the site
itself uses (``desk``, ``api``, ``static`` …, which no edition may take) is
not looked up at all.

Why our own code: Django's ``i18n_patterns`` prefixes by the active language,
and caches its reversed prefixes by language; an edition is more than a
language (and two could share one), and a story's address must carry its own
edition's root whatever the edition of the page it is listed on.
"""

from __future__ import annotations

from django.core.handlers.exception import response_for_exception
from django.http import Http404, HttpRequest, HttpResponsePermanentRedirect
from django.http.request import split_domain_port
from django.urls import set_urlconf
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control
from django.utils.encoding import iri_to_uri

from masthead.newsroom.editions import (
    Edition,
    default_edition,
    edition_at_host,
    edition_at_root,
    origin_of_host,
    reserved_roots,
    urlconf_for_host,
    urlconf_for_root,
)

# First segments the main host's URL configuration (masthead/urls.py) routes to something other
# than the public site: staff, partners and machines use them on the main host only.
MAIN_HOST_ONLY = frozenset({"admin", "desk", "account", "api", "wire", "demo", "healthz", "readyz"})
# How long a shared cache may keep the 301 from an old root to an edition's host (it is
# permanent for browsers; a short shared life lets an operator who removes the host recover).
MOVED_TO_HOST_SECONDS = 3600


def edition_of(request: HttpRequest | None) -> Edition:
    """The edition a request is for (the default one without a request or the middleware)."""
    edition = getattr(request, "edition", None)
    return edition if edition is not None else default_edition()


def first_segment(path: str) -> str:
    return path.lstrip("/").split("/", 1)[0]


class EditionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        segment = first_segment(request.path_info)
        # get_host() refuses a host outside ALLOWED_HOSTS (400), as CommonMiddleware would.
        host, _port = split_domain_port(request.get_host())
        at_host = edition_at_host(host)
        if at_host is not None:
            if segment == at_host.url_root:
                return moved_to_host(request, at_host)  # its old root, on its own host
            request.edition = at_host
            request.urlconf = urlconf_for_host(at_host.host)
            set_urlconf(request.urlconf)  # so that the 404 below is rendered on its routes
            translation.activate(at_host.language)
        elif segment not in reserved_roots():  # the back office, the API … are no edition's
            edition = edition_at_root(segment)
            if edition is not None and edition.host:
                return moved_to_host(request, edition)
            if edition is not None:
                request.edition = edition
                request.urlconf = urlconf_for_root(edition.url_root)
            translation.activate(edition_of(request).language)
        try:
            if at_host is not None and segment in MAIN_HOST_ONLY:
                refused = Http404("The back office, the API and the admin are on the main host.")
                return response_for_exception(request, refused)
            return self.get_response(request)
        finally:
            translation.deactivate()  # whoever activated a language for this request
            if getattr(request, "_edition_zone_active", False):
                timezone.deactivate()

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is None or match.app_name != "site":
            return None
        edition = edition_of(request)
        request.edition = edition
        # A site page under a reserved root (none today) still speaks its edition's language.
        translation.activate(edition.language)
        if edition.time_zone:
            timezone.activate(edition.time_zone)
            request._edition_zone_active = True
        return None


def moved_to_host(request: HttpRequest, edition: Edition) -> HttpResponsePermanentRedirect:
    """``/<root>/<rest>?<query>`` → 301 to ``<the edition's origin>/<rest>?<query>``."""
    rest = request.path_info[len(edition.url_root) + 1 :] or "/"
    query = request.META.get("QUERY_STRING", "")
    target = (
        origin_of_host(edition.host) + iri_to_uri(rest) + (f"?{iri_to_uri(query)}" if query else "")
    )
    response = HttpResponsePermanentRedirect(target)
    patch_cache_control(response, public=True, max_age=MOVED_TO_HOST_SECONDS)
    return response
