"""HTTP caching headers of public pages.

Public pages may be kept by browsers and shared caches for
``PUBLIC_CACHE_SECONDS``; relative times are corrected in the browser, so a
cached copy never shows a stale age to a reader with script, and is off by
at most that lifetime without it.
"""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.utils.cache import patch_cache_control


def public_page(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code in (200, 301, 404, 410):
            patch_cache_control(response, public=True, max_age=settings.PUBLIC_CACHE_SECONDS)
        return response

    return wrapper
