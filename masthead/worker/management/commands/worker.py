"""`masthead worker`: run background tasks and the beat of periodic work (docs/wire-tasks.md)."""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import time
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from django.utils.crypto import get_random_string
from django_tasks import task_backends

from masthead.worker.beat import Beat, load_periodic_work, run_once

logger = logging.getLogger("masthead.worker")


def positive_int(raw: str) -> int:
    value = int(raw)
    if value < 1:
        raise ValueError(raw)
    return value


def positive_float(raw: str) -> float:
    value = float(raw)
    if not value > 0:
        raise ValueError(raw)
    return value


class Command(BaseCommand):
    help = (
        "Run background work: take tasks from the queue (the database by default, Redis "
        "with TASKS_BACKEND=rq) and call each PERIODIC_WORK function on its schedule "
        "(wire polling, task upkeep). Run as many as you like, on any machine: tasks are "
        "claimed by one worker each, and periodic work claims its rows itself. Stops "
        "cleanly on SIGTERM or Ctrl+C after the task under way (press twice to force)."
    )

    def create_parser(self, prog_name, subcommand, **kwargs):
        if prog_name == "masthead worker":  # `masthead worker`, not `masthead worker worker`
            prog_name, subcommand = "masthead", "worker"
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--queues",
            default="",
            help="comma-separated queues to take tasks from (default: all of TASK_QUEUES)",
        )
        parser.add_argument(
            "--once",
            action="store_true",
            help="call each periodic function once, run every task that is ready, then exit",
        )
        parser.add_argument(
            "--max-tasks",
            type=positive_int,
            metavar="N",
            help="exit after running N tasks",
        )
        parser.add_argument(
            "--seconds",
            type=positive_float,
            metavar="S",
            help="exit after S seconds (after the task under way)",
        )
        parser.add_argument(
            "--no-beat",
            action="store_true",
            help="only run tasks; call no periodic work",
        )
        parser.add_argument(
            "--stop-with",
            type=positive_int,
            metavar="PID",
            help="exit when process PID ends (`masthead demo` gives its server's)",
        )

    def handle(self, *args, **options) -> None:
        self._configure_logging(options["verbosity"])
        try:
            work = [] if options["no_beat"] else load_periodic_work(settings.PERIODIC_WORK)
        except ImproperlyConfigured as error:
            raise CommandError(str(error), returncode=2) from None
        queues = self._queues(options["queues"])
        backend = task_backends["default"]
        kind = type(backend).__module__.split(".")[0]
        if kind not in ("django_tasks_db", "django_tasks_rq"):
            raise CommandError(
                f"the task backend {type(backend).__name__} has no worker to run "
                "(TASKS_BACKEND is database or rq)",
                returncode=2,
            )
        if kind == "django_tasks_rq":
            from masthead.worker.redis_queue import check_connection

            check_connection(queues[0])
        pending = pending_migrations()
        if pending:
            raise CommandError(
                f"{len(pending)} database migration(s) pending ({', '.join(pending[:3])}"
                f"{' …' if len(pending) > 3 else ''}); run `masthead manage migrate` first",
                returncode=2,
            )
        worker_id = f"{socket.gethostname()[:40]}:{os.getpid()}:{get_random_string(6)}"
        logger.info(
            "Worker %s: %s tasks from %s; periodic work: %s",
            worker_id,
            "database" if kind == "django_tasks_db" else "RQ",
            ",".join(queues),
            ", ".join(f"{w.path} every {w.every_seconds:g} s" for w in work) or "none",
        )
        if options["seconds"]:
            self._signal_after(options["seconds"])
        if options["stop_with"]:
            self._stop_with(options["stop_with"])

        beat = Beat(work)
        if options["once"]:
            for entry in work:
                run_once(entry)
        else:
            beat.start()
        try:
            if kind == "django_tasks_db":
                from masthead.worker import database_queue

                database_queue.run(
                    queues=queues,
                    worker_id=worker_id,
                    once=options["once"],
                    max_tasks=options["max_tasks"],
                    on_shutdown=beat.stop_soon,
                )
            else:
                from masthead.worker import redis_queue

                redis_queue.run(
                    queues=queues,
                    worker_id=worker_id,
                    once=options["once"],
                    max_tasks=options["max_tasks"],
                    verbosity=options["verbosity"],
                )
        finally:
            beat.stop()
            logger.info("Worker %s stopped", worker_id)

    def _queues(self, raw: str) -> list[str]:
        queues = [name.strip() for name in raw.split(",") if name.strip()] or list(
            settings.TASK_QUEUES
        )
        unknown = sorted(set(queues) - set(settings.TASK_QUEUES))
        if unknown:
            raise CommandError(
                f"no such queue: {', '.join(unknown)} (TASK_QUEUES has "
                f"{', '.join(settings.TASK_QUEUES)})",
                returncode=2,
            )
        return queues

    def _configure_logging(self, verbosity: int) -> None:
        level = {0: logging.WARNING, 1: logging.INFO}.get(verbosity, logging.DEBUG)
        for name in ("masthead.worker", "django_tasks", "django_tasks_db"):
            logging.getLogger(name).setLevel(level)

    def _signal_after(self, seconds: float) -> None:
        """A duration bound: the same clean stop as an operator's SIGTERM."""
        timer = threading.Timer(seconds, os.kill, args=(os.getpid(), signal.SIGTERM))
        timer.daemon = True
        timer.start()

    def _stop_with(self, pid: int) -> None:
        def watch() -> None:
            while process_is_alive(pid):
                time.sleep(0.5)
            logger.info("Process %s ended; stopping", pid)
            os.kill(os.getpid(), signal.SIGTERM)

        threading.Thread(target=watch, name="server watch", daemon=True).start()


def pending_migrations() -> list[str]:
    """As `masthead serve` checks: a worker on an old schema would fail every task."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _ in plan]


def process_is_alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie, dead but not yet reaped, does not)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        if Path("/proc/self").exists():
            return False
    except (OSError, IndexError):
        pass
    try:  # no /proc (macOS): ask the kernel
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
