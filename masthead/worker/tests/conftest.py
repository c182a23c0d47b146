"""A real Masthead site in a folder of its own, driven by real `masthead` processes.

Workers are separate processes, so they cannot see the test's own database
(in memory on SQLite, a rolled-back transaction on PostgreSQL). Each test
gets a migrated database of its own: a copy of one migrated SQLite file, or
in the PostgreSQL pass a copy (``CREATE DATABASE … TEMPLATE``) of one
database migrated once per test process — migrating takes seconds, copying
a fraction of one.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

STRIPPED = {"DATABASE_URL", "CACHE_URL", "SECRET_KEY", "DJANGO_SETTINGS_MODULE", "DEBUG"}
HERE = "masthead.worker.tests.tasks_for_tests"


def _postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


@contextlib.contextmanager
def empty_database(site):
    """Environment for a site whose database has no tables yet.

    SQLite: a data folder of its own; PostgreSQL: a new, empty database.
    """
    env = {"MASTHEAD_DATA_DIR": str(site.root / "empty")}
    if site.database_url is None:
        yield env
        return
    import psycopg

    name = f"masthead_worker_empty_{os.getpid()}"
    admin_url = site.database_url.rsplit("/", 1)[0].replace("postgres://", "postgresql://")
    with psycopg.connect(f"{admin_url}/postgres", autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        db.execute(f'CREATE DATABASE "{name}"')
    try:
        yield {**env, "DATABASE_URL": site.database_url.rsplit("/", 1)[0] + f"/{name}"}
    finally:
        with psycopg.connect(f"{admin_url}/postgres", autocommit=True) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Site:
    def __init__(self, root: Path, database_url: str | None):
        self.root = root
        self.data = root / "data"
        self.trace = root / "trace.txt"
        self.trace.touch()
        self.database_url = database_url
        self.env = {key: value for key, value in os.environ.items() if key not in STRIPPED}
        self.env.update(
            MASTHEAD_DATA_DIR=str(self.data),
            MASTHEAD_TEST_BEAT_FILE=str(self.trace),
            TASKS_TIMEOUT_SECONDS="600",
        )
        if database_url:
            self.env["DATABASE_URL"] = database_url
        self.workers: list[subprocess.Popen] = []

    def use_periodic_work(self, entries: list) -> None:
        self.env["DJANGO_SETTINGS_MODULE"] = "masthead.worker.tests.settings_for_tests"
        self.env["MASTHEAD_TEST_PERIODIC_WORK"] = json.dumps(entries)

    def masthead(self, *args: str, timeout: float = 120, **env: str):
        return subprocess.run(
            [sys.executable, "-m", "masthead", *args],
            capture_output=True,
            text=True,
            env={**self.env, **env},
            cwd=self.root,
            timeout=timeout,
            check=False,
        )

    def start_worker(self, *args: str, **env: str) -> subprocess.Popen:
        log = (self.root / f"worker-{time.monotonic_ns()}.log").open("w")
        worker = subprocess.Popen(
            [sys.executable, "-m", "masthead", "worker", *args],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**self.env, **env},
            cwd=self.root,
        )
        self.workers.append(worker)
        return worker

    def kill_workers(self) -> None:
        """After the test: no worker it started outlives it, whatever it asserted."""
        for worker in self.workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait()

    def python(self, code: str, **env: str) -> str:
        """Run Python inside Django in a fresh process; its standard output."""
        result = self.masthead("manage", "shell", "--no-imports", "-c", code, **env)
        assert result.returncode == 0, result.stderr
        return result.stdout

    def enqueue(self, *calls: str, **env: str) -> list[str]:
        """Queue calls like ``append_line(TRACE, 'a')`` of tasks_for_tests; their result ids."""
        code = [f"from {HERE} import *", f"TRACE = {str(self.trace)!r}"]
        for call in calls:
            name, arguments = call.split("(", 1)
            code.append(f"print({name}.enqueue({arguments}.id)")
        return self.python("\n".join(code), **env).split()

    def lines(self) -> list[str]:
        return self.trace.read_text().splitlines()

    def wait_for_line(self, line: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while line not in self.lines():
            assert time.monotonic() < deadline, f"no {line!r} in {self.lines()}"
            time.sleep(0.05)

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        if self.database_url:
            import psycopg

            with psycopg.connect(self.database_url.replace("postgres://", "postgresql://")) as db:
                cursor = db.execute(sql.replace("?", "%s"), params)
                rows = cursor.fetchall() if cursor.description else []
                db.commit()
                return rows
        with closing(sqlite3.connect(self.data / "masthead.sqlite3", timeout=10)) as db:
            rows = db.execute(sql, params).fetchall()
            db.commit()
            return rows

    def results(self) -> list[tuple]:
        """(task name, status, return value, exception class, workers) of every task row."""
        rows = self.query(
            "SELECT task_path, status, return_value, exception_class_path, worker_ids "
            "FROM django_tasks_database_dbtaskresult ORDER BY enqueued_at"
        )
        decode = (lambda v: v) if self.database_url else (lambda v: json.loads(v) if v else v)
        return [
            (path.rsplit(".", 1)[1], status, decode(value), exc, decode(workers))
            for path, status, value, exc, workers in rows
        ]


@pytest.fixture(scope="session")
def migrated_site_template(tmp_path_factory) -> Path:
    """One migrated SQLite data folder, copied for each test."""
    root = tmp_path_factory.mktemp("migrated")
    site = Site(root, None)
    result = site.masthead("manage", "migrate", "--no-input", "-v0", timeout=300)
    assert result.returncode == 0, result.stderr
    return site.data


def _admin(url: str):
    """An autocommit connection to the server's ``postgres`` database (for CREATE/DROP)."""
    import psycopg

    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    return psycopg.connect(admin_url.replace("postgres://", "postgresql://"), autocommit=True)


@pytest.fixture(scope="session")
def migrated_postgres_template(tmp_path_factory) -> Iterator[str]:
    """In the PostgreSQL pass: one database migrated by ``masthead manage migrate``, the
    template each test's database is created from."""
    url = _postgres_url()
    name = f"masthead_worker_template_{os.getpid()}"
    with _admin(url) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        db.execute(f'CREATE DATABASE "{name}"')
    site = Site(tmp_path_factory.mktemp("migrated"), url.rsplit("/", 1)[0] + f"/{name}")
    result = site.masthead("manage", "migrate", "--no-input", "-v0", timeout=300)
    assert result.returncode == 0, result.stderr
    yield name
    with _admin(url) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def site(tmp_path, request) -> Site:
    url = _postgres_url()
    if url is None:
        shutil.copytree(request.getfixturevalue("migrated_site_template"), tmp_path / "data")
        site = Site(tmp_path, None)
        yield site
        site.kill_workers()
        return
    template = request.getfixturevalue("migrated_postgres_template")
    name = f"masthead_worker_{os.getpid()}"
    with _admin(url) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        # The template is never connected to after its migration, as TEMPLATE requires.
        db.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    site = Site(tmp_path, url.rsplit("/", 1)[0] + f"/{name}")
    yield site
    site.kill_workers()
    with _admin(url) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def stop(process: subprocess.Popen, sig=signal.SIGTERM, timeout: float = 30) -> int:
    process.send_signal(sig)
    return process.wait(timeout=timeout)
