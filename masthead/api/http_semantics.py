"""What every API response gets at the edge, whichever view made it.

Each URL of the API is wrapped by ``at_the_edge``:

* HEAD is answered as GET without the body (ninja knows no HEAD), with the
  length and headers the GET would have.
* Public reads: ``Cache-Control: public, max-age=PUBLIC_CACHE_SECONDS,
  stale-while-revalidate=…``, a strong ETag (a hash of the body, so it
  changes exactly when the bytes do and tells nothing the body does not),
  ``Vary: Accept`` and conditional GET through Django's
  ``get_conditional_response`` (If-None-Match first, then
  If-Modified-Since against the Last-Modified a view set). Public responses
  may be read by pages of any origin (``Access-Control-Allow-Origin: *``):
  they carry nothing that depends on who asks.
* Staff endpoints (``/api/desk/…``): ``Cache-Control: private, no-store``,
  whatever the status.
* Bare errors from below ninja (405 from its router, Http404) become
  problem details.
* The public per-client rate limit, when an operator turned it on.

masthead/site/http.py did not exist when this was written; pages have their
own decorator (site/http.py). Both use Django's conditional-response
helpers, so they agree on the rules.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime
from functools import wraps

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date, parse_http_date_safe

from masthead.api import problems
from masthead.api.rate_limits import RateLimited, configured_rates, hit

# How long a shared cache may keep serving a stale copy while it fetches a fresh
# one: readers of a breaking story never wait on the origin.
STALE_WHILE_REVALIDATE_SECONDS = 300
EXPOSED_HEADERS = "ETag, Last-Modified, Link, Retry-After"


def set_last_modified(response: HttpResponse, *moments: datetime | None) -> None:
    """Last-Modified: the newest of ``moments`` (None ones ignored)."""
    known = [moment for moment in moments if moment is not None]
    if known:
        response["Last-Modified"] = http_date(max(known).timestamp())


def rate_limited(request: HttpRequest, error: RateLimited) -> HttpResponse:
    return problems.problem_response(
        request,
        429,
        detail=error.detail,
        headers={"Retry-After": str(error.retry_after)},
    )


def _client_address(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR") or "unknown"


def _as_problem(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    if response.status_code < 400 or problems.is_problem(response):
        return response
    converted = problems.problem_response(request, response.status_code)
    if response.has_header("Allow"):
        allowed = {method.strip() for method in response["Allow"].split(",") if method.strip()}
        if "GET" in allowed:
            allowed.add("HEAD")
        converted["Allow"] = ", ".join(sorted(allowed))
    return converted


def _public_caching(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
    patch_vary_headers(response, ["Accept"])
    if request.method != "GET" or response.status_code != 200 or response.streaming:
        if not response.has_header("Cache-Control"):
            patch_cache_control(response, no_store=True)
        return response
    if not response.has_header("Cache-Control"):
        patch_cache_control(
            response,
            public=True,
            max_age=settings.PUBLIC_CACHE_SECONDS,
            stale_while_revalidate=STALE_WHILE_REVALIDATE_SECONDS,
        )
    if not response.has_header("ETag"):
        response["ETag"] = '"' + hashlib.sha256(response.content).hexdigest()[:32] + '"'
    last_modified = parse_http_date_safe(response.get("Last-Modified", ""))
    return get_conditional_response(
        request, etag=response["ETag"], last_modified=last_modified, response=response
    )


def at_the_edge(view: Callable, *, is_staff: bool) -> Callable:
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        is_head = request.method == "HEAD"
        if is_head:
            request.method = "GET"
        try:
            if not is_staff:
                hit("client", _client_address(request), configured_rates()[1])
            response = view(request, *args, **kwargs)
        except RateLimited as error:
            response = rate_limited(request, error)
        except Http404:
            response = problems.problem_response(request, 404)
        response = _as_problem(request, response)
        if is_staff:
            patch_cache_control(response, private=True, no_store=True)
        else:
            response = _public_caching(request, response)
        if is_head:
            request.method = "HEAD"
            if not response.streaming:
                response["Content-Length"] = str(len(response.content))
                response.content = b""
        return response

    return wrapper
