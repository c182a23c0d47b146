"""The stories table's planner statistics on SQLite (masthead/sqlite/statistics.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from masthead.factories import make_story
from masthead.site.page_cache import next_scheduled_change
from masthead.sqlite import statistics
from masthead.stories.models import Story
from masthead.worker.beat import load_periodic_work

pytestmark = pytest.mark.django_db


def plan(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        return " / ".join(str(row[-1]) for row in cursor.fetchall())


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner statistics")
def test_once_analyzed_the_next_embargo_end_is_read_from_the_embargo_index():
    stories = [make_story() for _ in range(40)]
    Story.objects.filter(pk=stories[0].pk).update(
        embargoed_until=timezone.now() + timedelta(hours=2)
    )
    with CaptureQueriesContext(connection) as queries:
        next_scheduled_change(timezone.now())
    (embargo,) = [q["sql"] for q in queries if "embargoed_until" in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if cursor.fetchone()[0]:
            cursor.execute("DELETE FROM sqlite_stat1 WHERE tbl = %s", [Story._meta.db_table])
    # Without statistics SQLite took the status index and read every public story.
    assert "story_embargo_idx" not in plan(embargo)

    statistics.refresh()

    assert "story_embargo_idx" in plan(embargo)
    assert next_scheduled_change(timezone.now()) is not None


@pytest.mark.postgres(reason="PostgreSQL's autovacuum analyzes its own tables")
def test_on_postgresql_it_leaves_them_to_autovacuum():
    with CaptureQueriesContext(connection) as queries:
        statistics.refresh()

    assert queries.captured_queries == []


def test_the_worker_refreshes_them():
    paths = [work.path for work in load_periodic_work(settings.PERIODIC_WORK)]

    assert "masthead.sqlite.statistics.refresh" in paths
