"""The API's URLs: ninja's, each wrapped by ``http_semantics.at_the_edge``.

Mounted at ``/api/`` before the site's catch-all desk pattern. Anything
under ``/api/`` that matches nothing answers a 404 problem here, never the
site's HTML page.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import URLPattern, path, re_path, reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from masthead.api import docs, idempotency, problems
from masthead.api.api import api
from masthead.api.http_semantics import at_the_edge
from masthead.api.representations import absolute

app_name = "api"

STAFF_PREFIX = "desk/"


def index(request: HttpRequest, **kwargs) -> JsonResponse:
    """GET /api/: where everything is."""
    links = {
        name: absolute(request, reverse(f"api:{name}"))
        for name in ("stories", "desks", "authors", "tags")
    }
    return JsonResponse(
        {
            "name": api.title,
            "version": api.version,
            "docs": absolute(request, reverse("api:openapi-view")),
            "openapi": absolute(request, reverse("api:openapi-json")),
            "links": links,
        }
    )


def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    return problems.problem_response(request, 404)


# Ninja's own pages (the document, the docs) answer any method; ours are read-only.
READ_ONLY_PAGES = {"api-root", "openapi-json", "openapi-view"}


def _wrapped(pattern: URLPattern) -> URLPattern:
    callback = index if pattern.name == "api-root" else pattern.callback
    if pattern.name in READ_ONLY_PAGES:
        callback = require_GET(callback)
    is_staff = str(pattern.pattern).startswith(STAFF_PREFIX)
    if is_staff:
        # Writes with an Idempotency-Key are done once, however often they are sent.
        callback = idempotency.idempotent(callback)
    return URLPattern(
        pattern.pattern,
        csrf_exempt(at_the_edge(callback, is_staff=is_staff)),
        pattern.default_args,
        pattern.name,
    )


urlpatterns = [_wrapped(pattern) for pattern in api.urls[0]]
urlpatterns.append(
    path(
        "docs/assets/<str:version>/<str:name>",
        at_the_edge(require_GET(docs.asset), is_staff=False),
        name="docs-asset",
    )
)
urlpatterns.append(
    re_path(r"^(?P<rest>.*)$", csrf_exempt(at_the_edge(not_found, is_staff=False)), name="unknown")
)
