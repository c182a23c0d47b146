"""HTTP semantics of public and staff-only responses.

Every public response (pages, feeds, sitemaps, robots.txt, and the API's
reads) goes through :func:`public_response`, or :func:`finish_public_response`
for code that is not a plain view. It gives the response:

* a weak **ETag** (``W/"…"``): the hash of the body readers get with the
  words of its relative times masked (``relative_time.mask_relative_times``:
  "16 mins ago" is the clock's, rewritten on every copy the page cache
  serves). It therefore depends on nothing a reader cannot see — not on
  drafts, not on the internal ``modified_at`` of a story being edited, not on
  the minute it was rendered or the worker that rendered it — and it changes
  when what the page says does (a publish, an update, a slug change, a
  renamed desk …). Weak, because two copies with the same tag may differ in
  those words (RFC 9110 8.8.1); ``If-None-Match`` compares weakly for GET
  and HEAD, as RFC 9110 13.1.2 prescribes. Hashed once per render: the page
  cache keeps the tag with its copy. A view that knows a cheaper validator
  may set ``ETag`` itself.
* a **Last-Modified** date from the content alone: the newest of the view's
  own date (a story's last public update, a feed's newest item) and the last
  public change of what the page shows — the scopes it is labelled with
  (``surrogate_keys``) and the releases that have come by the clock
  (``stories.versions.last_public_change``) in the editions the page lists
  (its own, and those whose front it shows: a publish in the Persian edition
  does not date an English page). Every app server, worker and
  restart gives the same page the same date; a page that tells nothing
  dated gets none (its ETag suffices).
* **conditional GET**: ``If-None-Match`` / ``If-Modified-Since`` answered with
  304, by Django's ``get_conditional_response`` (RFC 9110 precedence rules).
* ``Cache-Control: public, max-age=PUBLIC_CACHE_SECONDS,
  stale-while-revalidate=PUBLIC_STALE_SECONDS, stale-if-error=…`` on 200, 301,
  404 and 410, so a CDN can carry the load and keep serving during a deploy.
* **HEAD**: the same headers as GET (Content-Length included), no body.

:func:`private_response` marks staff-only responses ``private, no-store``.

Django's ``condition`` decorator needs the validators before the view runs;
the body and the scopes a page shows are known only after, which is why this
module exists. The rendering a 304 still costs is what the page cache saves.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date, parse_http_date_safe

from masthead.site.editions import edition_of
from masthead.site.relative_time import mask_relative_times
from masthead.stories import versions
from masthead.stories.versions import SITE

CACHEABLE_STATUSES = frozenset({200, 301, 404, 410})


def content_etag(body: bytes) -> str:
    """A weak ETag naming what ``body`` says, the clock's words aside (see the docstring)."""
    return 'W/"' + hashlib.sha256(mask_relative_times(body)).hexdigest()[:32] + '"'


def last_public_change(request: HttpRequest, response: HttpResponseBase) -> int | None:
    """When what ``response`` shows last changed for readers (a Unix time), if known.

    The newest of the view's own Last-Modified and the last change of the
    scopes in its ``Surrogate-Key`` (and of ``site``), releases by the clock
    in the editions it lists included (``listed_editions``). Never later than
    now: a server whose clock is behind the one that wrote a change does not
    date a page in its future.
    """
    moments = []
    hint = parse_http_date_safe(response.get("Last-Modified", ""))
    if hint is not None:
        moments.append(hint)
    scopes = response.get("Surrogate-Key", "").split()
    changed = versions.last_public_change(
        scopes, releases=True, editions=listed_editions(request, scopes)
    )
    if changed is not None:
        moments.append(int(changed.timestamp()))
    if not moments:
        return None
    return min(max(moments), int(time.time()))


def listed_editions(request: HttpRequest, scopes: list[str]) -> set[int]:
    """The editions whose stories a page may list: the request's, and each whose front scope
    it shows (the sitemap index and a 404 show every edition's: ``every_front_scope``)."""
    own = edition_of(request).pk
    editions, own_front = {own}, versions.front_scope(own)
    for scope in scopes:
        if scope != own_front:  # the page's own is known without reading the editions
            editions.add(versions.edition_of_front(scope))
    return {pk for pk in editions if pk is not None}  # none before the first edition is saved


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
    etag = response.get("ETag") or content_etag(response.content)
    modified = last_public_change(request, response)
    response["ETag"] = etag
    if modified is None:
        if response.has_header("Last-Modified"):
            del response["Last-Modified"]
    else:
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
