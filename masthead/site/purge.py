"""Tell a CDN in front of Masthead what to forget, by surrogate key.

Public responses carry ``Surrogate-Key`` (the content scopes they show);
when a publish bumps scopes, this receiver sends one POST to ``CDN_PURGE_URL``
with those keys in a ``Surrogate-Key`` header (the convention Fastly-style
purge endpoints and Varnish ``xkey`` setups follow; adapt the URL to your
CDN). It runs after commit, in a background thread with a short timeout, so
an editor's publish never waits on the CDN; without a purge the CDN keeps a
page at most ``PUBLIC_CACHE_SECONDS``. Built on the standard library's
urllib (one request, no retries: the page lifetime bounds a lost purge).
"""

from __future__ import annotations

import logging
import threading
import urllib.request

from django.conf import settings

logger = logging.getLogger(__name__)


def purge_request(scopes: frozenset[str]) -> urllib.request.Request:
    keys = " ".join(sorted(scopes))
    headers = {"Surrogate-Key": keys, "User-Agent": "Masthead purge"}
    if settings.CDN_PURGE_TOKEN:
        headers["Authorization"] = f"Bearer {settings.CDN_PURGE_TOKEN}"
    # The URL is the operator's, and settings only accept http(s) for it.
    url = settings.CDN_PURGE_URL
    return urllib.request.Request(url, method="POST", headers=headers)  # noqa: S310


def send_purge(scopes: frozenset[str]) -> None:
    try:
        request = purge_request(scopes)
        with urllib.request.urlopen(request, timeout=settings.CDN_PURGE_TIMEOUT):  # noqa: S310
            pass
    except OSError:
        logger.warning("CDN purge of %s failed", " ".join(sorted(scopes)), exc_info=True)


def on_story_changed(sender, scopes=frozenset(), **kwargs) -> threading.Thread | None:
    if not settings.CDN_PURGE_URL or not scopes:
        return None
    worker = threading.Thread(target=send_purge, args=(frozenset(scopes),), daemon=True)
    worker.start()
    return worker
