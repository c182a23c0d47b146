"""Liveness and readiness, for load balancers and orchestrators (docs/operations.md).

``GET /healthz`` says the process answers: ``200 ok``, touching nothing (no
database, no cache), so a slow database never gets a live server restarted.

``GET /readyz`` says whether this server can serve readers now, as JSON:

- ``database``: a ``SELECT 1`` and how long it took. Down, the answer is
  **503** ``unready``: a load balancer sends readers elsewhere.
- ``cache``: whether Redis answers (``ok``), or ``down`` (the site serves
  without it, slower: ``resilient_cache.py``), or ``local`` (no Redis).
- ``tasks``: the background queue's depth and its oldest waiting task's age
  in seconds, for the database queue or RQ's (a worker that stopped shows as
  a growing age).
- ``wire``: how many active wire sources there are and how many are failing
  (their last poll failed after their last success; the wire desk names them).

Only the database decides readiness: Masthead serves without Redis, behind
a slow worker and with an agency's feed down, and pulling every server out
for that would turn a degraded site into no site. Answers are never cached
and carry counts only, no names, addresses or errors.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError, connection
from django.db.models import F, Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from masthead.resilient_cache import ResilientRedisCache

PROBE_KEY = "health:probe"


@require_safe
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")


@require_safe
@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    checks = {"database": database_check()}
    if checks["database"]["ok"]:
        checks["tasks"] = tasks_check()
        checks["wire"] = wire_check()
    checks["cache"] = cache_check()
    ready = checks["database"]["ok"]
    body = {"status": "ready" if ready else "unready", "checks": checks}
    return JsonResponse(body, status=200 if ready else 503)


def database_check() -> dict:
    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        # The next request opens a new connection rather than reuse a broken one.
        connection.close_if_unusable_or_obsolete()
        return {"ok": False}
    return {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}


def cache_check() -> dict:
    cache = caches["default"]
    if not isinstance(cache, ResilientRedisCache):
        return {"ok": True, "kind": "local"}
    # The resilient cache answers "not cached" when Redis is away: a write read back says.
    token = f"{time.time_ns()}"
    cache.set(PROBE_KEY, token, 30)
    ok = cache.get(PROBE_KEY) == token
    return {"ok": ok, "kind": "redis" if ok else "down"}


def tasks_check() -> dict:
    if settings.TASKS_BACKEND == "rq":
        return _rq_depth()
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.ready()  # queued, and due now
    oldest = waiting.order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
    age = (timezone.now() - oldest).total_seconds() if oldest else 0
    return {"backend": "database", "queued": waiting.count(), "oldest_seconds": round(age)}


def _rq_depth() -> dict:
    import django_rq
    from redis.exceptions import RedisError

    queued = 0
    try:
        for name in settings.TASK_QUEUES:
            queued += django_rq.get_queue(name).count
    except RedisError:
        return {"backend": "rq", "ok": False}
    return {"backend": "rq", "queued": queued}


def wire_check() -> dict:
    from masthead.wire.models import Source

    active = Source.objects.filter(paused=False)
    failing = active.filter(last_error_at__isnull=False).filter(
        Q(last_success_at__isnull=True) | Q(last_error_at__gt=F("last_success_at"))
    )
    return {"sources": active.count(), "failing": failing.count()}
