"""Migrations give up on a held lock instead of queueing readers (migration_locks.py; R8, L11).

A real lock: another connection holds a read transaction on the table a
migration must alter, as a long report would. PostgreSQL only: SQLite has no
lock queue (in WAL mode readers never wait for a writer, and a migration
waiting for the write lock fails after the busy timeout), so there is
nothing there for this to prove.
"""

from __future__ import annotations

import threading

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models.signals import pre_migrate

pytestmark = [
    pytest.mark.postgres(reason="SQLite has no lock queue: WAL readers never wait for DDL"),
    pytest.mark.django_db(transaction=True),
]

TABLE = "stories_label"
# Adds a column to stories_label: ALTER TABLE, which needs the table's exclusive lock.
BEFORE, MIGRATION = "0014_translation_key", "0015_label_names"


def other_connection() -> psycopg.Connection:
    params = connection.get_connection_params()
    return psycopg.connect(
        **{k: params[k] for k in ("dbname", "user", "host", "port") if params.get(k)},
        autocommit=True,
    )


def columns() -> set[str]:
    with connection.cursor() as cursor:
        return {
            column.name for column in connection.introspection.get_table_description(cursor, TABLE)
        }


@pytest.fixture
def label_names_unapplied():
    call_command("migrate", "stories", BEFORE, verbosity=0)
    try:
        yield
    finally:
        call_command("migrate", verbosity=0)


def test_a_migration_behind_a_long_read_stops_with_the_reader_named(
    label_names_unapplied, settings
):
    settings.MIGRATION_LOCK_TIMEOUT_MS = 1500
    report, reader = other_connection(), other_connection()
    report.execute("BEGIN")
    report.execute("SELECT count(*) FROM stories_label /* the long report */")
    # Without a lock time-out the migration would wait for the report for ever: end
    # the report after a while so that such a failure fails, not hangs.
    safety = threading.Timer(20, report.execute, ["ROLLBACK"])
    safety.start()
    read: list[int] = []

    def read_once_the_migration_queues() -> None:
        for _ in range(1000):
            queued = reader.execute(
                "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE NOT granted "
                "AND relation = %s::regclass)",
                [TABLE],
            ).fetchone()[0]
            if queued:
                # A reader arriving now waits behind the queued ALTER TABLE ...
                read.append(reader.execute("SELECT count(*) FROM stories_label").fetchone()[0])
                return
            threading.Event().wait(0.005)

    third = threading.Thread(target=read_once_the_migration_queues)
    third.start()
    try:
        with pytest.raises(CommandError) as stopped:
            call_command("migrate", "stories", MIGRATION, verbosity=0)
        third.join(timeout=30)
    finally:
        safety.cancel()
        report.close()
        reader.close()

    message = str(stopped.value)
    assert f"Migration stories.{MIGRATION} stopped" in message
    assert "1500 ms" in message and "Nothing of this migration was applied" in message
    assert "the long report" in message, message
    # ... and is let through when the migration gives up, not when the report ends.
    assert len(read) == 1
    assert "names" not in columns()

    call_command("migrate", "stories", MIGRATION, verbosity=0)
    assert "names" in columns()


def test_the_time_outs_are_the_migrating_sessions_only_and_reset_after(settings):
    settings.MIGRATION_LOCK_TIMEOUT_MS = 1234
    seen: dict[str, str] = {}

    def look(**kwargs) -> None:
        with connection.cursor() as cursor:
            for name in ("lock_timeout", "statement_timeout"):
                cursor.execute(f"SHOW {name}")
                seen[name] = cursor.fetchone()[0]

    pre_migrate.connect(look, dispatch_uid="test-migration-locks")
    try:
        call_command("migrate", verbosity=0)
    finally:
        pre_migrate.disconnect(dispatch_uid="test-migration-locks")

    assert seen == {"lock_timeout": "1234ms", "statement_timeout": "5min"}
    with connection.cursor() as cursor:
        cursor.execute("SHOW lock_timeout")
        assert cursor.fetchone()[0] == "0"
