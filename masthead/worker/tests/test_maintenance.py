"""Task upkeep: tasks whose worker died come back once, then fail; old results go."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from masthead.worker.maintenance import (
    LEASE_GRACE_SECONDS,
    prune_task_results,
    recover_lost_tasks,
)

HERE = "masthead.worker.tests.tasks_for_tests"


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    settings.TASKS_TIMEOUT_SECONDS = 600


def claimed(worker_id: str, started_ago: timedelta):
    """A task a worker claimed ``started_ago`` and never finished."""
    from django_tasks_db.models import DBTaskResult

    from masthead.worker.tests.tasks_for_tests import append_line

    result = append_line.enqueue("/nonexistent", "x")
    row = DBTaskResult.objects.get(pk=result.id)
    row.claim(worker_id)
    DBTaskResult.objects.filter(pk=row.pk).update(started_at=timezone.now() - started_ago)
    row.refresh_from_db()
    return row


LOST = timedelta(seconds=600 + LEASE_GRACE_SECONDS + 1)


@pytest.mark.django_db
def test_a_task_whose_worker_died_is_queued_again_once_then_failed(database_tasks):
    row = claimed("host-a:1", LOST)

    assert recover_lost_tasks() == {"requeued": 1, "failed": 0}
    row.refresh_from_db()
    assert row.status == "READY"

    # A second worker takes it and dies too: a task that kills workers stops here.
    row.claim("host-b:2")
    type(row).objects.filter(pk=row.pk).update(started_at=timezone.now() - LOST)
    assert recover_lost_tasks() == {"requeued": 0, "failed": 1}
    row.refresh_from_db()
    assert row.status == "FAILED" and row.finished_at is not None
    assert row.exception_class_path == "masthead.worker.maintenance.WorkerLost"
    assert "host-a:1, host-b:2" in row.traceback
    assert row.task_result.errors[0].exception_class_path.endswith("WorkerLost")


@pytest.mark.django_db
def test_a_task_running_within_its_time_is_left_alone(database_tasks):
    row = claimed("host-a:1", timedelta(seconds=600 + LEASE_GRACE_SECONDS - 5))

    assert recover_lost_tasks() == {"requeued": 0, "failed": 0}
    row.refresh_from_db()
    assert row.status == "RUNNING"


@pytest.mark.django_db
def test_the_lease_follows_the_task_timeout(database_tasks, settings):
    settings.TASKS_TIMEOUT_SECONDS = 30
    row = claimed("host-a:1", timedelta(seconds=30 + LEASE_GRACE_SECONDS + 1))

    assert recover_lost_tasks()["requeued"] == 1
    row.refresh_from_db()
    assert row.status == "READY"


@pytest.mark.django_db
def test_a_row_another_beat_recovered_meanwhile_is_not_touched_twice(database_tasks):
    """Two beats find the same lost row: the compare-and-set lets one win."""
    from django_tasks_db.models import DBTaskResult

    row = claimed("host-a:1", LOST)
    stale_copy = DBTaskResult.objects.get(pk=row.pk)

    assert recover_lost_tasks()["requeued"] == 1
    # The other beat read the row before; by now a worker has claimed it again.
    stale_copy.claim("host-b:2")
    assert recover_lost_tasks() == {"requeued": 0, "failed": 0}
    assert DBTaskResult.objects.get(pk=row.pk).status == "RUNNING"


@pytest.mark.django_db
def test_nothing_to_do_without_a_database_backend():
    # The test settings run tasks at once (ImmediateBackend): no rows to look at.
    assert recover_lost_tasks() == {"requeued": 0, "failed": 0}
    assert prune_task_results() == 0


@pytest.mark.django_db
def test_old_results_are_pruned_by_their_outcome(database_tasks, settings):
    from django_tasks_db.models import DBTaskResult

    from masthead.worker.tests.tasks_for_tests import append_line

    settings.TASKS_KEEP_DAYS, settings.TASKS_KEEP_FAILED_DAYS = 2, 14
    now = timezone.now()

    def finished(status: str, days_ago: float) -> str:
        result = append_line.enqueue("/nonexistent", f"{status} {days_ago}")
        DBTaskResult.objects.filter(pk=result.id).update(
            status=status, finished_at=now - timedelta(days=days_ago)
        )
        return f"{status} {days_ago}"

    finished("SUCCESSFUL", 3)
    kept = [finished("SUCCESSFUL", 1), finished("FAILED", 3), finished("RUNNING", 30)]
    finished("FAILED", 15)
    append_line.enqueue("/nonexistent", "ready")

    assert prune_task_results() == 2
    left = {row.args_kwargs["args"][1] for row in DBTaskResult.objects.all()}
    assert left == {*kept, "ready"}
