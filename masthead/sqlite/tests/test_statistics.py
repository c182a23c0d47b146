"""The stories table's planner statistics on SQLite (masthead/sqlite/statistics.py)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from masthead.factories import make_desk, make_label, make_story
from masthead.site import selectors
from masthead.site.page_cache import next_scheduled_change
from masthead.sqlite import statistics
from masthead.stories.models import Story
from masthead.worker.beat import load_periodic_work

pytestmark = pytest.mark.django_db


def plan(sql: str, params=()) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return " / ".join(str(row[-1]) for row in cursor.fetchall())


def plan_of(queryset) -> str:
    return plan(*queryset.query.sql_with_params())


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


# An archive's shape: nearly every story published, a few in each other state.
SHAPE = {"published": 190, "draft": 3, "submitted": 3, "in_edit": 3, "ready": 3, "withdrawn": 3}


def skewed_archive():
    desks = [make_desk() for _ in range(3)]
    label = make_label()
    now = timezone.now()
    rows = []
    for status, count in SHAPE.items():
        for _ in range(count):
            n = len(rows)
            rows.append(
                Story(
                    headline=f"Story {n}",
                    slug=f"story-{n}",
                    desk=desks[n % 3],
                    label=label if n % 2 else None,
                    status=status,
                    published_at=now - timedelta(minutes=n + 1),
                )
            )
    Story.objects.bulk_create(rows)
    return desks, label


# What ANALYZE wrote for the 100,000-story archive of bench/generate.py (2 % in
# the workflow, 0.5 % withdrawn, six desks; every table analyzed): the planner
# reads these figures, not the rows, so a small database planned by them plans
# as that archive does.
ANALYZED_100K = json.loads((Path(__file__).parent / "analyzed_100k.json").read_text())
# That archive's rows a story shares its status (and its desk and status) with,
# on average over the stories: what refresh() writes in their place.
SHARED_100K = {
    "story_live_idx": (1, 95164),
    "story_state_changed_idx": (1, 95164),
    "story_board_idx": (2, 15860),
    "story_desk_live_idx": (2, 15860),
}


def planned_as(figures: list[list[str | None]]) -> None:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # makes sqlite_stat1
        cursor.execute("DELETE FROM sqlite_stat1")
        for table, index, stat in figures:
            cursor.execute(
                "INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES (%s, %s, %s)",
                [table, index, stat],
            )
        cursor.execute("ANALYZE sqlite_schema")


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner statistics")
def test_the_public_lists_walk_the_public_indexes_newest_first():
    desks, label = skewed_archive()
    edition = desks[0].edition
    live = Story.objects.live()
    # The lists as the pages read them (site/selectors.py, stories/versions.py).
    lists = {
        "recent posts": live.in_edition(edition.pk).select_related("desk").newest_first()[:6],
        "edition list": selectors.edition_stories(edition)[:20],
        "desk list": selectors.live_stories().filter(desk=desks[1])[:20],
        "newest publication": live.in_edition(edition.pk).newest_first().values("published_at")[:1],
    }
    planned_as(ANALYZED_100K)
    # ANALYZE's average over the statuses says a sixth of the stories are
    # published: the planner read them through a status index and sorted them.
    for name, queryset in lists.items():
        assert "TEMP B-TREE FOR ORDER BY" in plan_of(queryset), name

    with connection.cursor() as cursor:
        for index, (position, shared) in SHARED_100K.items():
            statistics._weigh(cursor, "stories_story", index, position, shared)
        cursor.execute("ANALYZE sqlite_schema")

    for name, queryset in lists.items():
        walked = plan_of(queryset)
        assert "story_public_idx" in walked or "story_desk_public_idx" in walked, name
        assert "TEMP B-TREE" not in walked, name
    # A label's page too (its join to the label left outer: Story.objects.of_label).
    walked = plan_of(selectors.edition_stories(edition).of_label(label)[:20])
    assert "story_label_public_idx" in walked
    assert "TEMP B-TREE" not in walked


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner statistics")
def test_a_status_index_is_figured_by_the_rows_a_row_shares_its_status_with():
    skewed_archive()

    statistics.refresh()

    counts = list(SHAPE.values())
    shared = sum(n * n for n in counts) // sum(counts)  # 176, where ANALYZE writes 35
    with connection.cursor() as cursor:
        cursor.execute("SELECT stat FROM sqlite_stat1 WHERE idx = 'story_live_idx'")
        (stat,) = cursor.fetchone()
        assert stat.split(" ")[:2] == [str(sum(counts)), str(shared)]
        # Every table is analyzed, not the stories table alone: the desks' too.
        cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = 'newsroom_desk'")
        assert cursor.fetchall()


@pytest.mark.postgres(reason="PostgreSQL's autovacuum analyzes its own tables")
def test_on_postgresql_it_leaves_them_to_autovacuum():
    with CaptureQueriesContext(connection) as queries:
        statistics.refresh()

    assert queries.captured_queries == []


def test_the_worker_refreshes_them():
    paths = [work.path for work in load_periodic_work(settings.PERIODIC_WORK)]

    assert "masthead.sqlite.statistics.refresh" in paths
