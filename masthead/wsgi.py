"""WSGI entry point used by `masthead serve` (granian) and any other WSGI server.

The page cache (masthead/site/page_cache.py) sits in front of Django unless
``PAGE_CACHE=false``; with ``CACHE_URL=redis://…`` its pages are shared by
every process (docs/page-cache-shared.md).
"""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masthead.settings")

application = get_wsgi_application()


def _with_answer_deadlines() -> None:
    """A request never waits on a silent PostgreSQL longer than DATABASE_ANSWER_TIMEOUT."""
    from masthead.postgresql.base import answer_deadlines_on

    answer_deadlines_on()


_with_answer_deadlines()


def _with_page_cache(app):
    from django.conf import settings

    if not settings.PAGE_CACHE:
        return app
    from masthead.site.page_cache import PageCache

    return PageCache(app)


application = _with_page_cache(application)


def _with_body_deadline(app):
    """Outermost: a slow body is answered 408 before it holds a thread (request_body.py)."""
    from masthead.request_body import BodyDeadline

    return BodyDeadline(app)


application = _with_body_deadline(application)


def _freeze_what_was_loaded() -> None:
    """Leave the objects of the start (modules, settings, URL patterns, the ORM's
    models: some 150,000) out of every later garbage collection.

    A full collection walks every tracked object while the worker's threads wait on
    the GIL: ~90 ms for these alone here, a stall in the tail of every request then
    in flight. They live as long as the process anyway (``gc.freeze``).
    """
    import gc

    gc.collect()
    gc.freeze()


_freeze_what_was_loaded()
