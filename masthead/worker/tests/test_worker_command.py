"""`masthead worker` as an operator runs it: real processes, the real queue, real signals."""

from __future__ import annotations

import signal
import socket
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

from masthead.worker.tests.conftest import HERE, stop


def test_a_worker_runs_queued_tasks_and_records_each_outcome(site):
    site.enqueue("append_line(TRACE, 'one')", "fail('no good')", "append_line(TRACE, 'two')")

    result = site.masthead("worker", "--once")

    assert result.returncode == 0, result.stderr
    assert site.lines() == ["one", "two"]
    outcomes = [(name, status, value, exc) for name, status, value, exc, _ in site.results()]
    assert outcomes == [
        ("append_line", "SUCCESSFUL", "one", ""),
        ("fail", "FAILED", None, "builtins.ValueError"),
        ("append_line", "SUCCESSFUL", "two", ""),
    ]
    assert "ValueError: no good" in result.stderr  # logged with its traceback


def test_two_workers_at_once_never_run_one_task_twice(site):
    count = 60
    site.enqueue(*(f"append_line(TRACE, 'task {n}')" for n in range(count)))

    workers = [site.start_worker("--once", "--no-beat") for _ in range(2)]
    codes = [worker.wait(timeout=120) for worker in workers]

    assert codes == [0, 0]
    assert Counter(site.lines()) == Counter(f"task {n}" for n in range(count))
    rows = site.results()
    assert {status for _, status, *_ in rows} == {"SUCCESSFUL"}
    assert all(len(workers) == 1 for *_, workers in rows)


def test_sigterm_lets_the_task_under_way_finish_then_exits_cleanly(site):
    site.enqueue("sleep_then_append(TRACE, 2, 'slow')", "append_line(TRACE, 'next')")
    worker = site.start_worker()
    site.wait_for_line("started slow")

    code = stop(worker, signal.SIGTERM)

    assert code == 0
    assert site.lines() == ["started slow", "slow"]  # finished, and took nothing more
    assert [status for _, status, *_ in site.results()] == ["SUCCESSFUL", "READY"]


def test_ctrl_c_when_idle_stops_at_once(site):
    site.use_periodic_work([[f"{HERE}.beat_mark", 3600]])
    worker = site.start_worker()
    wait_until_started = time.monotonic() + 60
    while not any(line.startswith("beat ") for line in site.lines()):  # the beat has begun
        assert time.monotonic() < wait_until_started, "the worker never started"
        time.sleep(0.05)
    time.sleep(1)  # and the worker waits for tasks

    started = time.monotonic()
    code = stop(worker, signal.SIGINT, timeout=10)

    assert code == 0 and time.monotonic() - started < 5


def test_a_worker_killed_mid_task_leaves_it_running_until_its_lease_ends(site):
    site.enqueue("hang_first_time(TRACE, 'fragile')")
    worker = site.start_worker()
    site.wait_for_line("started fragile")
    stop(worker, signal.SIGKILL)

    # What django-tasks-db leaves: the row RUNNING, in no worker.
    assert [status for _, status, *_ in site.results()] == ["RUNNING"]
    # Another worker's beat does not take it back while it might still be running.
    assert site.masthead("worker", "--once").returncode == 0
    assert [status for _, status, *_ in site.results()] == ["RUNNING"]

    # Once the lease (time-out + a minute) has passed it is queued again and run.
    long_ago = datetime.now(UTC) - timedelta(hours=1)
    stamp = long_ago if site.database_url else long_ago.strftime("%Y-%m-%d %H:%M:%S.%f")
    site.query("UPDATE django_tasks_database_dbtaskresult SET started_at = ?", (stamp,))
    result = site.masthead("worker", "--once")

    assert result.returncode == 0, result.stderr
    assert "lost its worker" in result.stderr and "queued to run again" in result.stderr
    [(name, status, value, _, workers)] = site.results()
    assert (name, status, value) == ("hang_first_time", "SUCCESSFUL", "fragile")
    assert len(workers) == 2
    assert site.lines() == ["started fragile", "fragile"]


def test_a_task_past_its_time_is_stopped_and_recorded_failed(site):
    site.enqueue("sleep_then_append(TRACE, 30, 'too slow')", "append_line(TRACE, 'after')")

    started = time.monotonic()
    result = site.masthead("worker", "--once", TASKS_TIMEOUT_SECONDS="1")

    assert result.returncode == 0, result.stderr
    assert time.monotonic() - started < 20
    assert site.lines() == ["started too slow", "after"]
    outcomes = [(name, status, exc) for name, status, _, exc, _ in site.results()]
    assert outcomes == [
        ("sleep_then_append", "FAILED", "masthead.worker.maintenance.TaskTimedOut"),
        ("append_line", "SUCCESSFUL", ""),
    ]


def test_the_beat_calls_periodic_work_on_schedule_and_survives_a_failing_entry(site):
    site.use_periodic_work([[f"{HERE}.beat_mark", 0.5], [f"{HERE}.beat_boom", 0.5]])

    result = site.masthead("worker", "--seconds", "3")

    assert result.returncode == 0, result.stderr
    lines = site.lines()
    assert 4 <= sum(line.startswith("beat ") for line in lines) <= 8
    assert 4 <= lines.count("boom") <= 8
    assert f"Periodic work {HERE}.beat_boom failed; next try in 0.5 s" in result.stderr


def test_a_periodic_task_is_queued_and_run_by_a_worker(site):
    site.use_periodic_work([[f"{HERE}.tick", 3600]])

    result = site.masthead("worker", "--once")

    assert result.returncode == 0, result.stderr
    assert site.lines() == ["tick"]
    assert [(name, status) for name, status, *_ in site.results()] == [("tick", "SUCCESSFUL")]


def test_max_tasks_bounds_a_run(site):
    site.enqueue(*(f"append_line(TRACE, '{n}')" for n in range(3)))

    result = site.masthead("worker", "--max-tasks", "2", "--no-beat")

    assert result.returncode == 0, result.stderr
    assert site.lines() == ["0", "1"]


def test_periodic_work_that_does_not_import_stops_the_worker_at_start(site):
    site.use_periodic_work([[f"{HERE}.beat_mark", 60], ["masthead.wire.tasks.no_such_thing", 60]])

    result = site.masthead("worker", timeout=30)

    assert result.returncode == 2
    assert "PERIODIC_WORK names 'masthead.wire.tasks.no_such_thing', which cannot be imported" in (
        result.stderr
    )
    assert "Traceback" not in result.stderr


def test_a_worker_refuses_to_start_on_an_unmigrated_database(site, tmp_path):
    result = site.masthead("worker", "--once", MASTHEAD_DATA_DIR=str(tmp_path / "empty"))

    assert result.returncode == 2
    assert "database migration(s) pending" in result.stderr
    assert "run `masthead manage migrate` first" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unknown_queue_is_refused(site):
    result = site.masthead("worker", "--queues", "default,wire-typo", timeout=30)

    assert result.returncode == 2
    assert "no such queue: wire-typo (TASK_QUEUES has default)" in result.stderr


def test_an_unknown_backend_is_a_configuration_error(site):
    result = site.masthead("worker", TASKS_BACKEND="celery", timeout=30)

    assert result.returncode == 2
    assert "TASKS_BACKEND='celery' is not a task backend (use database or rq)" in result.stderr


def test_rq_without_redis_configured_is_a_configuration_error(site):
    result = site.masthead("worker", TASKS_BACKEND="rq", timeout=30)

    assert result.returncode == 2
    assert "TASKS_BACKEND=rq needs Redis: set TASKS_REDIS_URL" in result.stderr


def test_rq_with_redis_down_is_a_clear_error(site):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    result = site.masthead(
        "worker",
        "--once",
        TASKS_BACKEND="rq",
        TASKS_REDIS_URL=f"redis://:secret@127.0.0.1:{port}/3",
        timeout=60,
    )

    assert result.returncode == 1
    assert f"cannot reach Redis for the task queue at redis://127.0.0.1:{port}/3" in result.stderr
    assert "secret" not in result.stderr


def test_rq_with_a_hung_redis_gives_up_in_seconds(site):
    from masthead.fault_servers import HungServer

    hung = HungServer()
    try:
        started = time.monotonic()
        result = site.masthead(
            "worker",
            "--once",
            TASKS_BACKEND="rq",
            TASKS_REDIS_URL=f"redis://127.0.0.1:{hung.port}/0",
            timeout=60,
        )
    finally:
        hung.close()

    assert result.returncode == 1
    assert "cannot reach Redis for the task queue" in result.stderr
    # A worker that waited on the hung server would be killed at the 60 s
    # timeout above; the margin is for starting Django on a loaded machine
    # (seen: 24 s while a benchmark ran beside the suite).
    assert time.monotonic() - started < 45


def rq_site(site, redis_url: str) -> dict[str, str]:
    """RQ on the test's Redis, in a database of this run's own (the cache uses 0).

    Migrated again, as an operator must after switching: django-rq has tables.
    """
    import os
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(redis_url)
    own = urlunsplit(parts._replace(path=f"/{1 + os.getpid() % 15}"))
    env = {"TASKS_BACKEND": "rq", "TASKS_REDIS_URL": own}
    migrated = site.masthead("manage", "migrate", "--no-input", "-v0", **env)
    assert migrated.returncode == 0, migrated.stderr
    return env


def test_rq_worker_runs_queued_tasks_and_records_each_outcome(site, redis_url):
    env = rq_site(site, redis_url)
    ok, bad = site.enqueue("append_line(TRACE, 'via redis')", "fail('no good')", **env)

    result = site.masthead("worker", "--once", **env)

    assert result.returncode == 0, result.stderr
    assert site.lines() == ["via redis"]
    report = site.python(
        "from django_tasks import default_task_backend as backend\n"
        f"ok, bad = backend.get_result({ok!r}), backend.get_result({bad!r})\n"
        "print(ok.status, ok.return_value, bad.status, bad.errors[0].exception_class_path)",
        **env,
    )
    assert report.split() == ["SUCCESSFUL", "via", "redis", "FAILED", "builtins.ValueError"]
    assert site.results() == []  # nothing went to the database queue


def test_rq_beat_runs_periodic_work_beside_the_worker(site, redis_url):
    env = rq_site(site, redis_url)
    site.use_periodic_work([[f"{HERE}.beat_mark", 0.5], [f"{HERE}.tick", 3600]])

    result = site.masthead("worker", "--seconds", "4", **env)

    assert result.returncode == 0, result.stderr
    lines = site.lines()
    assert sum(line.startswith("beat ") for line in lines) >= 4
    assert lines.count("tick") == 1  # queued by the beat in Redis, run by the RQ worker


def test_rq_sigterm_lets_the_task_under_way_finish(site, redis_url):
    env = rq_site(site, redis_url)
    site.enqueue("sleep_then_append(TRACE, 2, 'slow')", **env)
    worker = site.start_worker(**env)
    site.wait_for_line("started slow")

    code = stop(worker, signal.SIGTERM)

    assert code == 0
    assert site.lines() == ["started slow", "slow"]
