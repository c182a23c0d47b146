"""Running tasks queued in the database: django-tasks-db's worker, with a time-out.

The loop that claims and runs tasks is django-tasks-db's own (``db_worker``:
``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL, an exclusive transaction
on SQLite, so two workers never claim one task). What this adds: a task
that runs past ``TASKS_TIMEOUT_SECONDS`` is interrupted (SIGALRM, as RQ
does) and recorded failed, which is what lets ``maintenance.recover_lost_tasks``
tell a dead worker's task from a slow one; and stopping tells the beat.
"""

from __future__ import annotations

import signal
from collections.abc import Callable

from django.conf import settings
from django_tasks_db.management.commands.db_worker import Worker

from masthead.worker.maintenance import TaskTimedOut


class DatabaseWorker(Worker):
    def __init__(self, *, on_shutdown: Callable[[], None], **options):
        super().__init__(**options)
        self.on_shutdown = on_shutdown
        self.timeout_seconds = settings.TASKS_TIMEOUT_SECONDS

    def shutdown(self, signum, frame) -> None:
        self.on_shutdown()
        super().shutdown(signum, frame)

    def run_task(self, db_task_result) -> None:
        previous = signal.signal(signal.SIGALRM, self._timed_out)
        signal.setitimer(signal.ITIMER_REAL, self.timeout_seconds)
        try:
            super().run_task(db_task_result)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)

    def _timed_out(self, signum, frame) -> None:
        raise TaskTimedOut(f"stopped after {self.timeout_seconds} s (TASKS_TIMEOUT_SECONDS)")


def run(
    *,
    queues: list[str],
    worker_id: str,
    once: bool,
    max_tasks: int | None,
    on_shutdown: Callable[[], None],
) -> None:
    worker = DatabaseWorker(
        queue_names=queues,
        interval=1,
        batch=once,
        backend_name="default",
        startup_delay=not once,
        max_tasks=max_tasks,
        worker_id=worker_id,
        excluded_queue_names=[],
        on_shutdown=on_shutdown,
    )
    stop_signals = (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)
    previous = {number: signal.getsignal(number) for number in stop_signals}
    worker.configure_signals()
    try:
        worker.run()
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
