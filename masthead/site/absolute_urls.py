"""Absolute addresses of the public site, for feeds, sitemaps, robots.txt and metadata.

``SITE_URL`` (``https://news.example``) names the site when it is set, so that
feed GUIDs, canonical links and sitemap entries never depend on the host name
a reader happened to use; without it the request's own scheme and host are
used (the embedded default, where the site runs on whatever host it is given).
Only the origin of ``SITE_URL`` is used: paths come from ``reverse()``.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest


def site_root(request: HttpRequest | None = None) -> str:
    """``scheme://host[:port]`` of the public site, without a trailing slash."""
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
    """The site's host name, without port: the naming authority of feed GUIDs."""
    return urlsplit(site_root(request)).hostname or "localhost"
