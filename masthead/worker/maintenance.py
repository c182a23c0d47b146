"""Upkeep of the task queue: tasks whose worker died, old results, RQ's retention.

django-tasks-db marks a task RUNNING when a worker claims it and finished
when the worker records the outcome; a worker killed in between (power cut,
OOM kill, ``kill -9``) leaves the row RUNNING for ever, and the library has
nothing that notices. ``recover_lost_tasks`` does: `masthead worker` stops any
task that runs past ``TASKS_TIMEOUT_SECONDS`` and records it failed, so a row
still RUNNING a grace minute after that can only have lost its worker. It is
put back in the queue once; if it is found lost again (a task that kills its
worker must not do so for ever) it is recorded failed as ``WorkerLost``.
Rows are changed by compare-and-set on their status and start time, so any
number of beats may run this at once, on SQLite and PostgreSQL alike.

Run again means run twice if the worker died after the task's work was
committed but before its outcome was recorded: every task must be safe to
run again (the ones here are, and the wire's claim rows by lease).

``prune_task_results`` deletes finished task rows after ``TASKS_KEEP_DAYS``
(failed ones after ``TASKS_KEEP_FAILED_DAYS``) in small batches, so SQLite
is never locked for long; it is django-tasks-db's ``prune_db_task_results``
as periodic work. With RQ, Redis forgets results by TTL (``redis_queue.py``).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django_tasks import task_backends
from django_tasks.base import TaskResultStatus

logger = logging.getLogger(__name__)

# Past the task time-out, how long a RUNNING row waits before it counts as lost.
LEASE_GRACE_SECONDS = 60
# How often a task whose worker died is run again before it is recorded failed.
LOST_TASK_RETRIES = 1
PRUNE_BATCH = 500
PRUNE_MAX_BATCHES = 100


class WorkerLost(Exception):
    """The worker running a task stopped without recording its outcome."""


class TaskTimedOut(Exception):
    """A task ran past TASKS_TIMEOUT_SECONDS and was stopped."""


def database_backend_aliases() -> list[str]:
    from django_tasks_db.backend import DatabaseBackend

    return [alias for alias in settings.TASKS if isinstance(task_backends[alias], DatabaseBackend)]


def lease_seconds() -> int:
    return settings.TASKS_TIMEOUT_SECONDS + LEASE_GRACE_SECONDS


def recover_lost_tasks() -> dict[str, int]:
    """Requeue (once) or fail the tasks left RUNNING by a worker that died."""
    from django_tasks_db.models import DBTaskResult

    counts = {"requeued": 0, "failed": 0}
    aliases = database_backend_aliases()
    if not aliases:
        return counts
    now = timezone.now()
    lost = (
        DBTaskResult.objects.running()
        .filter(backend_name__in=aliases, started_at__lt=now - timedelta(seconds=lease_seconds()))
        .only("id", "task_path", "started_at", "worker_ids")
    )
    for row in lost[:PRUNE_BATCH]:
        still_lost = DBTaskResult.objects.filter(
            pk=row.pk, status=TaskResultStatus.RUNNING, started_at=row.started_at
        )
        workers = ", ".join(row.worker_ids) or "unknown"
        if len(row.worker_ids) <= LOST_TASK_RETRIES:
            if still_lost.update(status=TaskResultStatus.READY):
                counts["requeued"] += 1
                logger.warning(
                    "Task %s (%s) lost its worker (%s); queued to run again",
                    row.pk,
                    row.task_path,
                    workers,
                )
            continue
        note = (
            f"{WorkerLost.__module__}.{WorkerLost.__qualname__}: the workers running this "
            f"task ({workers}) stopped without recording its outcome, "
            f"{len(row.worker_ids)} times; it is not run again."
        )
        if still_lost.update(
            status=TaskResultStatus.FAILED,
            finished_at=now,
            exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
            traceback=note,
            return_value=None,
        ):
            counts["failed"] += 1
            logger.error("Task %s (%s) failed: %s", row.pk, row.task_path, note)
    return counts


def prune_task_results() -> int:
    """Delete finished task rows past their retention; how many went."""
    from django_tasks_db.models import DBTaskResult

    aliases = database_backend_aliases()
    if not aliases:
        return 0
    now = timezone.now()
    old = DBTaskResult.objects.filter(backend_name__in=aliases).filter(
        Q(
            status=TaskResultStatus.SUCCESSFUL,
            finished_at__lt=now - timedelta(days=settings.TASKS_KEEP_DAYS),
        )
        | Q(
            status=TaskResultStatus.FAILED,
            finished_at__lt=now - timedelta(days=settings.TASKS_KEEP_FAILED_DAYS),
        )
    )
    deleted = 0
    for _ in range(PRUNE_MAX_BATCHES):
        batch = list(old.values_list("pk", flat=True)[:PRUNE_BATCH])
        if not batch:
            break
        deleted += DBTaskResult.objects.filter(pk__in=batch).delete()[0]
    if deleted:
        logger.info("Deleted %d finished task result(s)", deleted)
    return deleted
