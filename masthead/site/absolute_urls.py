"""Absolute addresses of the public site, for feeds, sitemaps, robots.txt and metadata.

``SITE_URL`` (``https://news.example``) names the site when it is set, so that
feed GUIDs, canonical links and sitemap entries never depend on the host name
a reader happened to use; without it the request's own scheme and host are
used (the embedded default, where the site runs on whatever host it is given).
Only the origin of ``SITE_URL`` is used: paths come from ``reverse()``.

A page of an edition at a host of its own (``fa.news.example``) is on that
host: ``site_root()`` is then the host's origin (``SITE_URL``'s scheme and
port), so the paths its URL configuration reverses become addresses there.
An address of another host's edition is already full
(``get_absolute_url()``, ``newsroom.editions.edition_origin``) and is
returned unchanged. What names the outlet as a whole (feed GUIDs' naming
authority, the publisher's ``@id``) stays on the main host: ``main_root()``.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest

from masthead.newsroom.editions import origin_of_host, serving_host


def site_root(request: HttpRequest | None = None) -> str:
    """``scheme://host[:port]`` of the page being rendered, without a trailing slash: its edition's
    host for an edition at a host of its own, else the main site's (``main_root``)."""
    host = serving_host(getattr(request, "urlconf", None))
    if host:
        return origin_of_host(host)
    return main_root(request)


def main_root(request: HttpRequest | None = None) -> str:
    """``scheme://host[:port]`` of the main site (``SITE_URL``, else the request's)."""
    if settings.SITE_URL:
        parts = urlsplit(settings.SITE_URL)
        return f"{parts.scheme}://{parts.netloc}"
    if request is None:
        raise ValueError("Without SITE_URL an absolute address needs the request.")
    return f"{request.scheme}://{request.get_host()}"


def absolute_url(path: str, request: HttpRequest | None = None) -> str:
    """``path`` (from ``reverse()`` or ``get_absolute_url()``) as an absolute address."""
    if path.startswith(("https://", "http://")):
        return path
    return site_root(request) + path


def site_host(request: HttpRequest | None = None) -> str:
    """The main site's host name, without port: the naming authority of feed GUIDs (one for the
    outlet, whichever host an edition's feed is at)."""
    return urlsplit(main_root(request)).hostname or "localhost"


def main_url(path: str, request: HttpRequest | None = None) -> str:
    """``path`` of the main host's URL configuration as an absolute address on the main host."""
    return main_root(request) + path
