"""The interactive API docs (Swagger UI), served from the outlet's own host.

django-ninja ships Swagger UI in its package but has the page load it from a
CDN unless ``ninja`` is an installed app — and as one, its whole static
folder (Swagger UI, Redoc and their source maps: 24 MB once compressed, over
a minute of brotli) would go through collectstatic on every deploy and test
run. Instead the page is our template, and the few files it needs are
served by ``asset`` straight from ninja's package, under ninja's version, so
that browsers and CDNs may keep them for a year.
"""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path

import ninja
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from ninja import Swagger

NINJA_VERSION = version("django-ninja")
ASSET_DIR = Path(ninja.__file__).parent / "static" / "ninja"
ASSETS = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui-init.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "favicon.png": "image/png",
}
YEAR = 365 * 24 * 3600


def asset_url(name: str) -> str:
    return reverse("api:docs-asset", kwargs={"version": NINJA_VERSION, "name": name})


class LocalSwagger(Swagger):
    def render_page(self, request: HttpRequest, api, **kwargs) -> HttpResponse:
        settings = {**self.settings, "url": self.get_openapi_url(api, kwargs)}
        context = {
            "api": api,
            "swagger_settings": settings,
            "assets": {name.split(".")[0].replace("-", "_"): asset_url(name) for name in ASSETS},
        }
        return render(request, "api/swagger.html", context)


def asset(request: HttpRequest, version: str, name: str) -> HttpResponse:
    """One of Swagger UI's files, for the docs page; only these, only this version."""
    if version != NINJA_VERSION or name not in ASSETS:
        raise Http404("No such file.")
    response = HttpResponse((ASSET_DIR / name).read_bytes(), content_type=ASSETS[name])
    patch_cache_control(response, public=True, max_age=YEAR, immutable=True)
    return response
