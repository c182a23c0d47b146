"""Django's SQLite backend, with the writers of one process waiting in line for the lock.

Every transaction on the embedded deployment begins ``BEGIN IMMEDIATE``
(``transaction_mode``): it takes SQLite's one write lock up front, so a
transaction that read never fails when it goes on to write. A connection
that finds the lock taken waits in SQLite's busy handler, which does not
queue: it sleeps (1, 2, 5 … up to 100 ms) and tries again, and gives up
after ``busy_timeout`` (1.5 s, ``masthead/settings.py``) with "database is
locked", which a request answers 503 (``masthead/database_outage.py``).
With 20 editors saving at once on `masthead serve`'s 2 workers × 4 threads,
the same writer kept losing the race to others, and 11 of 94 saves got
that 503 (R6; ``bench/faults --only R6 --backends sqlite``, docs/reliability.md).

Here the threads of one process take a lock of their own, per database
file, before ``BEGIN IMMEDIATE``, and give it back when the transaction
commits, rolls back or its connection closes. A thread waits on that lock
without polling, up to ``SQLITE_WRITE_WAIT`` seconds (10 s), so in SQLite's
busy handler there is at most one writer per process: with 2 workers, one
other transaction to wait for, well within the 1.5 s. Past the 10 s the
thread raises "database is locked" and its request answers 503 as before.

Why our own code: SQLite has no queue for its lock, and Django's backend
none for its threads.
"""

from __future__ import annotations

import threading

from django.conf import settings
from django.db.backends.sqlite3 import base
from django.db.utils import OperationalError

_queues: dict[str, threading.Lock] = {}
_queues_lock = threading.Lock()


def write_queue(name: str) -> threading.Lock:
    """The lock this process's writers to the database file ``name`` take in turn."""
    with _queues_lock:
        return _queues.setdefault(str(name), threading.Lock())


class DatabaseWrapper(base.DatabaseWrapper):
    _holds_write_queue = False

    def _start_transaction_under_autocommit(self):
        queue = write_queue(self.settings_dict["NAME"])
        wait = getattr(settings, "SQLITE_WRITE_WAIT", 10.0)
        if not queue.acquire(timeout=wait):
            raise OperationalError(
                f"database is locked: no turn to write within {wait:g} s in this process"
            )
        self._holds_write_queue = True
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._leave_write_queue()
            raise

    def _leave_write_queue(self) -> None:
        if self._holds_write_queue:
            self._holds_write_queue = False
            write_queue(self.settings_dict["NAME"]).release()

    def _commit(self):
        try:
            return super()._commit()
        finally:
            self._leave_write_queue()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._leave_write_queue()

    def _close(self):
        try:
            return super()._close()
        finally:
            self._leave_write_queue()
