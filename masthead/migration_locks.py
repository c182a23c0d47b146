"""Time-outs for migrations on PostgreSQL: a migration never queues readers behind it.

PostgreSQL grants locks in order. An ``ALTER TABLE`` that needs its table's
exclusive lock while a long read holds a shared one waits, and every read
that comes after it waits behind it: one slow report and a one-second
migration stop the whole site. With ``lock_timeout`` the migration gives up
after ``MIGRATION_LOCK_TIMEOUT_MS`` (2 s) instead, its transaction rolls
back, readers go on, and ``migrate`` says which sessions held it up
(RELIABILITY R8, L11). ``statement_timeout`` (``MIGRATION_STATEMENT_TIMEOUT_MS``,
5 min) stops a statement that holds its lock too long: a migration that
rewrites a big table belongs in a maintenance window (docs/operations.md),
run with ``MIGRATION_STATEMENT_TIMEOUT_MS=0``.

They are set for the migrating session only, by Masthead's ``migrate``
(``newsroom/management/commands/migrate.py``), and reset after it: the
app's own requests keep their settings. ``CREATE INDEX CONCURRENTLY``
(``migration_operations.AddIndexConcurrently``) runs without
``lock_timeout``: the lock it waits for blocks neither readers nor writers,
and giving up half-way would leave an invalid index behind.

SQLite has no lock queue: in WAL mode readers never wait for a writer, and a
migration waiting for the write lock fails after the busy timeout (1.5 s).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import DatabaseError

LOCK_NOT_AVAILABLE = "55P03"
QUERY_CANCELED = "57014"


def _set(connection, name: str, milliseconds: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, %s, false)", [name, f"{milliseconds}ms"])


@contextmanager
def migration_timeouts(connection) -> Iterator[None]:
    """The migration time-outs on ``connection`` (PostgreSQL) while the block runs."""
    if connection.vendor != "postgresql":
        yield
        return
    _set(connection, "lock_timeout", settings.MIGRATION_LOCK_TIMEOUT_MS)
    _set(connection, "statement_timeout", settings.MIGRATION_STATEMENT_TIMEOUT_MS)
    try:
        yield
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute("RESET lock_timeout")
                cursor.execute("RESET statement_timeout")
        except DatabaseError:
            # A session that cannot reset is broken: closing it drops its settings too.
            connection.close()


@contextmanager
def without_lock_timeout(connection) -> Iterator[None]:
    """For a statement whose lock wait holds nobody up (``CREATE INDEX CONCURRENTLY``)."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('lock_timeout')")
        before = cursor.fetchone()[0]
        cursor.execute("SET lock_timeout = 0")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('lock_timeout', %s, false)", [before])


def _open_transactions(connection) -> list[str]:
    """Other sessions of this database with a transaction open, oldest first."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid, state, extract(epoch FROM now() - xact_start)::int, left(query, 80) "
            "FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND xact_start IS NOT NULL "
            "ORDER BY xact_start LIMIT 5"
        )
        return [
            f"pid {pid} ({state}, for {seconds} s): {query}"
            for pid, state, seconds, query in cursor.fetchall()
        ]


def explain(error: DatabaseError, migration: str, connection) -> str | None:
    """One readable paragraph for a migration stopped by a time-out; None for other errors."""
    sqlstate = getattr(error.__cause__, "sqlstate", None)
    if sqlstate == LOCK_NOT_AVAILABLE:
        try:
            holders = _open_transactions(connection)
        except DatabaseError:
            holders = []
        held_by = "; ".join(holders) or "a session that has finished since"
        return (
            f"Migration {migration} stopped: it waited "
            f"{settings.MIGRATION_LOCK_TIMEOUT_MS} ms for a table lock that another "
            f"session holds, and gave up rather than hold every reader of that table up "
            f"behind it. Nothing of this migration was applied. Open transactions: "
            f"{held_by}. Run `migrate` again once they have finished (or end them), or "
            f"allow a longer wait with MIGRATION_LOCK_TIMEOUT_MS."
        )
    if sqlstate == QUERY_CANCELED:
        return (
            f"Migration {migration} stopped: one of its statements ran longer than "
            f"MIGRATION_STATEMENT_TIMEOUT_MS ({settings.MIGRATION_STATEMENT_TIMEOUT_MS} ms) "
            f"while holding its table. Nothing of this migration was applied. Such a "
            f"migration needs a maintenance window (docs/operations.md): run it then with "
            f"MIGRATION_STATEMENT_TIMEOUT_MS=0."
        )
    return None
