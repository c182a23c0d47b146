"""Running tasks queued in Redis: an RQ worker through django-rq, as django-tasks-rq asks.

RQ's own worker does the work (a forked "horse" per job, killed past the
job's time-out, ``TASKS_TIMEOUT_SECONDS``), with django-tasks-rq's job class
and RQ's scheduler on (deferred tasks). RQ notices a worker that died by its
heartbeat and moves its job to the failed registry (AbandonedJobError).
Results: successful ones are kept ``TASKS_KEEP_DAYS`` by the worker's
default TTL; failed ones ``TASKS_KEEP_FAILED_DAYS`` through ``RQJob``
(RQ's own default is a year, which a source failing every minute would
turn into a gigabyte of tracebacks).

``RQWorker`` is RQ's worker with one change: its command listener (the
thread that hears "stop this job" over Redis pub/sub) wakes every second
instead of every minute. RQ 3.0 stops that thread after unsubscribing, and
redis-py 8.2's ``stop()`` waits for it; a listener that had already read the
unsubscribe reply sleeps out its whole wake interval, so one shutdown in
seven (measured: 6 of 40 SIGTERMs on this machine) took a minute instead of
the task's own time.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.core.management.base import CommandError
from django_tasks_rq import Job
from rq import Worker


class RQJob(Job):
    def restore(self, raw_data):
        super().restore(raw_data)
        if self.failure_ttl is None:
            self.failure_ttl = settings.TASKS_KEEP_FAILED_DAYS * 86400


class RQWorker(Worker):
    def subscribe(self):
        """RQ's, with the listener waking each second to see that it should stop."""
        self.log.info("Worker %s: subscribing to channel %s", self.name, self.pubsub_channel_name)
        self.pubsub = self.connection.pubsub()
        self.pubsub.subscribe(**{self.pubsub_channel_name: self.handle_payload})
        self.pubsub_thread = self.pubsub.run_in_thread(
            sleep_time=1, daemon=True, exception_handler=self._pubsub_exception_handler
        )


def redacted(url: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def check_connection(queue_name: str) -> None:
    """Refuse to start, in one line, when Redis does not answer."""
    import django_rq
    from redis.exceptions import RedisError

    connection = django_rq.get_connection(queue_name)
    try:
        connection.ping()
    except RedisError as error:
        url = settings.RQ_QUEUES[queue_name].get("URL", "")
        raise CommandError(
            f"cannot reach Redis for the task queue at {redacted(url)} (TASKS_REDIS_URL): {error}"
        ) from None
    finally:
        connection.close()


def run(*, queues: list[str], worker_id: str, once: bool, max_tasks: int | None, verbosity: int):
    import django_rq
    from django_rq.utils import reset_db_connections

    worker = django_rq.get_worker(
        *queues,
        job_class=RQJob,
        worker_class=RQWorker,
        name=worker_id,
        default_result_ttl=settings.TASKS_KEEP_DAYS * 86400,
    )
    # The horse RQ forks per job must not share the parent's database connections.
    reset_db_connections()
    level = logging.WARNING if verbosity == 0 else logging.INFO
    worker.work(
        burst=once,
        with_scheduler=True,
        max_jobs=max_tasks,
        logging_level=logging.getLevelName(level),
    )
