"""Which edition a public request is for, from the first segment of its path.

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

from django.http import HttpRequest
from django.utils import timezone, translation

from masthead.newsroom.editions import (
    Edition,
    default_edition,
    edition_at_root,
    reserved_roots,
    urlconf_for_root,
)


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
        is_public = segment not in reserved_roots()  # the back office, the API … are no edition's
        if is_public:
            edition = edition_at_root(segment)
            if edition is not None:
                request.edition = edition
                request.urlconf = urlconf_for_root(edition.url_root)
            translation.activate(edition_of(request).language)
        try:
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
