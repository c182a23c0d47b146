"""HTTP semantics of public and staff-only responses.

Every public response (pages, feeds, sitemaps, robots.txt, and the API's
reads) goes through :func:`public_response`, or :func:`finish_public_response`
for code that is not a plain view. It gives the response:

* an **ETag** that is the hash of the body readers get. It therefore depends on
  nothing a reader cannot see — not on drafts, not on the internal
  ``modified_at`` of a story being edited — and it changes exactly when the
  bytes do (a publish, an update, a slug change, a renamed desk …) and never
  otherwise. A view that knows a cheaper validator may set ``ETag`` itself.
* a **Last-Modified** date: when this address last started answering with
  these bytes, kept per address (path and the query parameters the page
  reads, ``query.py``) in the shared cache. The first time an
  address is seen the view's own date (a story's last public update, a
  feed's newest item) is taken, else the current time.
* **conditional GET**: ``If-None-Match`` / ``If-Modified-Since`` answered with
  304, by Django's ``get_conditional_response`` (RFC 9110 precedence rules).
* ``Cache-Control: public, max-age=PUBLIC_CACHE_SECONDS,
  stale-while-revalidate=PUBLIC_STALE_SECONDS, stale-if-error=…`` on 200, 301,
  404 and 410, so a CDN can carry the load and keep serving during a deploy.
* **HEAD**: the same headers as GET (Content-Length included), no body.

:func:`private_response` marks staff-only responses ``private, no-store``.

Django's ``condition`` decorator needs the validator before the view runs;
the body hash is known only after, which is why this module exists. The
rendering a 304 still costs is what the page cache saves.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.core.handlers.wsgi import get_bytes_from_wsgi
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date, parse_http_date_safe, quote_etag

from masthead.site.query import keyed_query
from masthead.stories.versions import SITE

CACHEABLE_STATUSES = frozenset({200, 301, 404, 410})
# How long an address's "last changed" record is kept. An address not asked
# for in that long simply starts again from the view's own date.
LAST_CHANGED_SECONDS = 30 * 24 * 3600


def body_etag(body: bytes) -> str:
    """A strong ETag naming exactly these bytes."""
    return quote_etag(hashlib.sha256(body).hexdigest()[:32])


def _last_changed_key(request: HttpRequest) -> str:
    # The address as the page cache keys it: parameters the page does not read
    # (?utm_source=…, ?junk=…) make no record of their own (site/query.py).
    query, _ = keyed_query(request.path_info, get_bytes_from_wsgi(request.META, "QUERY_STRING", ""))
    address = (f"{request.path}?{query}" if query else request.path).encode(
        "utf-8", "surrogateescape"
    )
    return "http-last-changed:" + hashlib.sha256(address).hexdigest()


def last_changed(request: HttpRequest, etag: str, hint: int | None) -> int:
    """When this address started answering with the body named ``etag`` (a Unix time).

    ``hint`` is the view's own date for what it shows, used when the address
    is first seen. A body that differs from the last one seen starts now.
    """
    key = _last_changed_key(request)
    seen = cache.get(key)
    if seen is not None and seen[0] == etag:
        return seen[1]
    now = int(time.time())
    since = now if seen is not None or hint is None else min(hint, now)
    cache.set(key, (etag, since), LAST_CHANGED_SECONDS)
    return since


def patch_public_cache_control(response: HttpResponseBase) -> None:
    patch_cache_control(
        response,
        public=True,
        max_age=settings.PUBLIC_CACHE_SECONDS,
        stale_while_revalidate=settings.PUBLIC_STALE_SECONDS,
        stale_if_error=settings.PUBLIC_STALE_IF_ERROR_SECONDS,
    )


def finish_public_response(request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
    """Validators, caching headers, conditional GET and HEAD for one public response."""
    if hasattr(response, "render") and not getattr(response, "is_rendered", True):
        response.render()
    if response.status_code in CACHEABLE_STATUSES:
        patch_public_cache_control(response)
    if response.status_code != 200 or response.streaming:
        return _without_body_for_head(request, response)
    etag = response.get("ETag") or body_etag(response.content)
    hint = parse_http_date_safe(response.get("Last-Modified", ""))
    modified = last_changed(request, etag, hint)
    response["ETag"] = etag
    response["Last-Modified"] = http_date(modified)
    answer = get_conditional_response(request, etag=etag, last_modified=modified, response=response)
    return _without_body_for_head(request, answer)


def _without_body_for_head(request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
    if request.method != "HEAD" or response.streaming or not isinstance(response, HttpResponse):
        return response
    if response.status_code != 304 and not response.has_header("Content-Length"):
        response["Content-Length"] = str(len(response.content))
    response.content = b""
    return response


def public_response(view: Callable) -> Callable:
    """Decorate a public view: see the module's docstring."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        return finish_public_response(request, view(request, *args, **kwargs))

    return wrapper


def private_response(view: Callable) -> Callable:
    """Decorate a staff-only view: ``Cache-Control: private, no-store``, never a validator."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        mark_private(response)
        return response

    return wrapper


def mark_private(response: HttpResponseBase) -> None:
    response["Cache-Control"] = "private, no-store"
    for header in ("ETag", "Last-Modified", "Expires"):
        if response.has_header(header):
            del response[header]


def surrogate_keys(response, *scopes: str):
    """Label a public response with the content scopes it shows.

    The page cache (``page_cache.py``) stores only labelled responses and
    re-renders them when one of their scopes changes; a CDN can purge by the
    same labels. Every page also shows the outlet's own records ("site").
    """
    response["Surrogate-Key"] = " ".join(dict.fromkeys((SITE, *scopes)))
    return response
