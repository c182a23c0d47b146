"""The beat: calls each ``settings.PERIODIC_WORK`` entry on its schedule, in every worker.

An entry is ``("dotted.path", every_seconds)``. The path names a function
(called in the beat) or a task (enqueued, so a worker of any machine runs
it). Every `masthead worker` runs a beat, so on many machines each entry is
called many times over: a periodic function claims the rows it works on
itself (by due time and a lease, ``SKIP LOCKED`` on PostgreSQL), which is
what makes it safe, not the beat. That is also why no library's scheduler
fits: RQ's scheduler and cron-like beats elect one scheduler or keep their
own schedule in Redis, while ours is the database's due times, and must
work on SQLite with no Redis at all.

Each entry runs in a thread of its own, so a slow one delays nobody else.
It never piles up: the next call starts ``every_seconds`` after the previous
one started, or as soon as it returns if it overran, and missed beats are
not made up. An exception is logged with its traceback and the entry runs
again at its next beat. Paths are checked when the worker starts: a path
that does not import, or is neither callable nor a task, stops the worker
with one readable line instead of failing every minute in a log.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.db import close_old_connections, connections
from django.utils.module_loading import import_string
from django_tasks.base import Task

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeriodicWork:
    path: str
    every_seconds: float
    target: Callable[[], object] | Task

    def run(self) -> None:
        if isinstance(self.target, Task):
            self.target.enqueue()
        else:
            self.target()


def load_periodic_work(entries: Iterable) -> list[PeriodicWork]:
    """``settings.PERIODIC_WORK`` checked and imported; ImproperlyConfigured names a bad entry."""
    loaded = []
    for entry in entries:
        if not (isinstance(entry, (tuple, list)) and len(entry) == 2):
            raise ImproperlyConfigured(
                f"PERIODIC_WORK entry {entry!r} is not a (dotted.path, every_seconds) pair"
            )
        path, every = entry
        if isinstance(every, bool) or not isinstance(every, (int, float)) or not every > 0:
            raise ImproperlyConfigured(
                f"PERIODIC_WORK entry {path!r}: every_seconds must be a positive number, "
                f"not {every!r}"
            )
        try:
            target = import_string(path)
        except ImportError as error:
            raise ImproperlyConfigured(
                f"PERIODIC_WORK names {path!r}, which cannot be imported: {error}"
            ) from None
        if not (isinstance(target, Task) or callable(target)):
            raise ImproperlyConfigured(
                f"PERIODIC_WORK names {path!r}, which is neither a function nor a task"
            )
        loaded.append(PeriodicWork(path, float(every), target))
    return loaded


def run_once(work: PeriodicWork) -> bool:
    """Call one entry, logging (never raising) its failure; whether it succeeded."""
    _drop_broken_connections()
    try:
        work.run()
    except Exception:
        logger.exception("Periodic work %s failed; next try in %g s", work.path, work.every_seconds)
        return False
    finally:
        _drop_broken_connections()
    return True


def _drop_broken_connections() -> None:
    """As Django does between requests: a beat is long-lived like a server process."""
    if not any(c.in_atomic_block for c in connections.all(initialized_only=True)):
        close_old_connections()


class Beat:
    """One thread per entry, each calling it on schedule until ``stop()``."""

    def __init__(self, work: list[PeriodicWork]):
        self.work = work
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        for entry in self.work:
            thread = threading.Thread(
                target=self._loop, args=(entry,), name=f"beat {entry.path}", daemon=True
            )
            thread.start()
            self._threads.append(thread)

    def stop_soon(self) -> None:
        """Call nothing more (safe in a signal handler)."""
        self._stopping.set()

    def stop(self, wait_seconds: float = 30) -> None:
        """Stop calling; wait that long for calls under way to finish."""
        self._stopping.set()
        deadline = time.monotonic() + wait_seconds
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
            if thread.is_alive():
                # Periodic work claims rows with a lease: one cut short is redone.
                logger.warning("%s still running at shutdown; leaving it", thread.name)

    @property
    def is_stopping(self) -> bool:
        return self._stopping.is_set()

    def _loop(self, entry: PeriodicWork) -> None:
        try:
            while not self._stopping.is_set():
                started = time.monotonic()
                run_once(entry)
                took = time.monotonic() - started
                if took > entry.every_seconds:
                    logger.warning(
                        "Periodic work %s took %.1f s, longer than its %g s interval",
                        entry.path,
                        took,
                        entry.every_seconds,
                    )
                self._stopping.wait(max(0.0, entry.every_seconds - took))
        finally:
            connections.close_all()
