"""One process's writers wait in line for SQLite's lock (R6, masthead/sqlite/base.py).

Threads on a real database file in WAL mode each hold a ``BEGIN IMMEDIATE``
transaction for 0.1 s, with a busy timeout shorter than that: on Django's own
backend some of them give up with "database is locked" (SQLite's busy
handler does not queue); on Masthead's none does, and every row is written.
The live run with 20 editors on `masthead serve` is ``bench/faults --only R6``.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.db.backends.sqlite3.base import DatabaseWrapper as DjangoWrapper
from django.db.utils import ConnectionHandler, OperationalError

from masthead.sqlite.base import DatabaseWrapper


def writers(wrapper_class, path, threads=6, each=3, hold=0.1):
    """Rows written and errors raised by ``threads`` threads of ``each`` transactions."""
    handler = ConnectionHandler(
        {
            "default": {
                "ENGINE": "masthead.sqlite",
                "NAME": str(path),
                "OPTIONS": {
                    "init_command": "PRAGMA journal_mode=WAL;PRAGMA busy_timeout=50;",
                    "transaction_mode": "IMMEDIATE",
                },
            }
        }
    )
    settings_dict = handler.settings["default"]
    setup = wrapper_class(settings_dict, "w")
    setup.cursor().execute("CREATE TABLE IF NOT EXISTS saves (thread INTEGER, n INTEGER)")
    setup.close()
    errors: list[str] = []

    def write(number):
        connection = wrapper_class(settings_dict, "w")
        connection.ensure_connection()
        try:
            for n in range(each):
                try:
                    connection._start_transaction_under_autocommit()
                    connection.cursor().execute("INSERT INTO saves VALUES (%s, %s)", [number, n])
                    time.sleep(hold)  # a save that takes a while
                    connection.commit()
                except OperationalError as error:
                    errors.append(str(error))
                    connection.rollback()
        finally:
            connection.close()

    started = [threading.Thread(target=write, args=(number,)) for number in range(threads)]
    for thread in started:
        thread.start()
    for thread in started:
        thread.join(60)
    check = wrapper_class(settings_dict, "w")
    rows = check.cursor().execute("SELECT count(*) FROM saves").fetchone()[0]
    check.close()
    return rows, errors


@pytest.fixture
def unblocked(django_db_blocker):
    with django_db_blocker.unblock():
        yield


def test_djangos_backend_alone_lets_concurrent_writers_fail_with_database_is_locked(
    unblocked, tmp_path
):
    rows, errors = writers(DjangoWrapper, tmp_path / "django.sqlite3")

    assert errors and all("database is locked" in error for error in errors)
    assert rows == 18 - len(errors)


def test_writers_of_one_process_wait_in_line_and_all_save(unblocked, tmp_path):
    rows, errors = writers(DatabaseWrapper, tmp_path / "masthead.sqlite3")

    assert errors == []
    assert rows == 18


def test_a_writer_that_waits_past_the_limit_fails_as_database_is_locked(
    unblocked, tmp_path, settings
):
    settings.SQLITE_WRITE_WAIT = 0.2
    rows, errors = writers(DatabaseWrapper, tmp_path / "short.sqlite3", threads=3, each=1, hold=1)

    assert rows == 1
    assert len(errors) == 2
    assert all("database is locked" in error for error in errors)
