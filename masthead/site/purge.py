"""Tell a CDN in front of Masthead what to forget, by surrogate key.

Public responses carry ``Surrogate-Key`` (the content scopes they show);
when a publish bumps scopes, this receiver sends one POST to ``CDN_PURGE_URL``
with those keys in a ``Surrogate-Key`` header (the convention Fastly-style
purge endpoints and Varnish ``xkey`` setups follow; adapt the URL to your
CDN). After commit it is queued as a task (``purge_cdn``, Django's tasks
API) that a `masthead worker` sends with a short timeout, so an editor's
publish never waits on the CDN; without a purge the CDN keeps a page at most
``PUBLIC_CACHE_SECONDS``. Built on the standard library's urllib (one
request, no retries: the page lifetime bounds a lost purge, which is also
why a purge that cannot even be queued is logged, not raised, after the
publish has been committed).
"""

from __future__ import annotations

import logging
import urllib.request

from django.conf import settings
from django_tasks import TaskResult, task

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


@task()
def purge_cdn(scopes: list[str]) -> None:
    send_purge(frozenset(scopes))


def on_story_changed(sender, scopes=frozenset(), **kwargs) -> TaskResult | None:
    if not settings.CDN_PURGE_URL or not scopes:
        return None
    try:
        return purge_cdn.enqueue(sorted(scopes))
    except Exception:
        # The publish is committed; its pages age out of the CDN on their own.
        logger.exception("Could not queue the CDN purge of %s", " ".join(sorted(scopes)))
        return None
