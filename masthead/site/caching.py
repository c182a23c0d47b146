"""HTTP caching of public pages: the ``public_page`` decorator every public view wears.

Public pages may be kept by browsers and shared caches for
``PUBLIC_CACHE_SECONDS`` (and served stale while revalidating for
``PUBLIC_STALE_SECONDS``); relative times are corrected in the browser, so a
cached copy never shows a stale age to a reader with script, and is off by
at most that lifetime without it. Validators, conditional GET and HEAD are
those of ``masthead/site/http.py``.
"""

from __future__ import annotations

from masthead.site.http import public_response
from masthead.stories.versions import SITE

public_page = public_response

__all__ = ["public_page", "surrogate_keys"]


def surrogate_keys(response, *scopes: str):
    """Label a public response with the content scopes it shows.

    The page cache (``page_cache.py``) stores only labelled responses and
    re-renders them when one of their scopes changes; a CDN can purge by the
    same labels. Every page also shows the outlet's own records ("site").
    """
    response["Surrogate-Key"] = " ".join(dict.fromkeys((SITE, *scopes)))
    return response
