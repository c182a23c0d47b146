"""The beat of periodic work: checked at start, survives failures, never piles up."""

from __future__ import annotations

import threading
import time

import pytest
from django.core.exceptions import ImproperlyConfigured

from masthead.worker.beat import Beat, PeriodicWork, load_periodic_work, run_once

HERE = "masthead.worker.tests.tasks_for_tests"


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ((f"{HERE}.no_such_function", 60), "cannot be imported"),
        (("masthead.no_such_module.poll", 60), "cannot be imported"),
        (("not a dotted path", 60), "cannot be imported"),
        ((f"{HERE}.not_callable", 60), "neither a function nor a task"),
        ((f"{HERE}.beat_mark", 0), "must be a positive number"),
        ((f"{HERE}.beat_mark", -5), "must be a positive number"),
        ((f"{HERE}.beat_mark", "60"), "must be a positive number"),
        ((f"{HERE}.beat_mark", True), "must be a positive number"),
        ((f"{HERE}.beat_mark",), "is not a (dotted.path, every_seconds) pair"),
        (f"{HERE}.beat_mark", "is not a (dotted.path, every_seconds) pair"),
    ],
)
def test_a_bad_entry_is_refused_at_start_naming_it(entry, message):
    with pytest.raises(ImproperlyConfigured) as refused:
        load_periodic_work([(f"{HERE}.beat_mark", 60), entry])

    assert message in str(refused.value)


def test_functions_and_tasks_load():
    work = load_periodic_work([(f"{HERE}.beat_mark", 5), (f"{HERE}.append_line", 2.5)])

    assert [(entry.path, entry.every_seconds) for entry in work] == [
        (f"{HERE}.beat_mark", 5.0),
        (f"{HERE}.append_line", 2.5),
    ]


def test_a_failing_entry_is_logged_and_called_again_at_its_next_beat(caplog):
    calls = []

    def boom():
        calls.append(time.monotonic())
        raise RuntimeError("feed server on fire")

    beat = Beat([PeriodicWork("tests.boom", 0.2, boom)])
    beat.start()
    time.sleep(0.9)
    beat.stop()

    assert 3 <= len(calls) <= 6
    assert "Periodic work tests.boom failed; next try in 0.2 s" in caplog.text
    assert "feed server on fire" in caplog.text  # with its traceback


def test_a_slow_entry_never_runs_twice_at_once_and_does_not_hold_up_others(caplog):
    running, most_at_once, slow_calls, quick_calls = [0], [0], [], []
    lock = threading.Lock()

    def slow():
        with lock:
            running[0] += 1
            most_at_once[0] = max(most_at_once[0], running[0])
        slow_calls.append(time.monotonic())
        time.sleep(0.5)  # five beats long
        with lock:
            running[0] -= 1

    beat = Beat(
        [
            PeriodicWork("tests.slow", 0.1, slow),
            PeriodicWork("tests.quick", 0.1, lambda: quick_calls.append(1)),
        ]
    )
    beat.start()
    time.sleep(1.2)
    beat.stop()

    assert most_at_once[0] == 1
    # Missed beats are not made up: about one call per half second, not ten.
    assert 2 <= len(slow_calls) <= 4
    assert len(quick_calls) >= 8
    assert "took 0.5 s, longer than its 0.1 s interval" in caplog.text


def test_stop_waits_for_the_call_under_way():
    finished = threading.Event()

    def unhurried():
        time.sleep(0.3)
        finished.set()

    beat = Beat([PeriodicWork("tests.unhurried", 60, unhurried)])
    beat.start()
    time.sleep(0.05)
    beat.stop()

    assert finished.is_set()


@pytest.mark.django_db
def test_run_once_reports_failure_without_raising(caplog):
    def boom():
        raise ValueError("nope")

    assert run_once(PeriodicWork("tests.ok", 1, lambda: None)) is True
    assert run_once(PeriodicWork("tests.boom", 1, boom)) is False
    assert "tests.boom failed" in caplog.text


@pytest.mark.django_db
def test_a_task_entry_is_queued_for_any_worker_not_called_in_the_beat(settings, tmp_path):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    from django_tasks_db.models import DBTaskResult

    [work] = load_periodic_work([(f"{HERE}.tick", 60)])

    assert run_once(work) is True
    [queued] = DBTaskResult.objects.all()
    assert queued.task_path == f"{HERE}.tick" and queued.status == "READY"
