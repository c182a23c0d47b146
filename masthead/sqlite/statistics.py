"""The SQLite query planner's statistics, kept by the worker's beat.

PostgreSQL's autovacuum analyzes tables as they grow; SQLite has nothing
that does. ``refresh`` runs ``ANALYZE`` when each worker starts and daily
after (``settings.PERIODIC_WORK``): the statistics need to follow the
tables' shape, not each row. Every table, not the stories table alone: a
table never analyzed is taken for a million rows, so the planner read every
story to look up their (few) corrections.

``ANALYZE`` writes one figure a column: how many rows share a value, on
average over the distinct values. For ``status`` that is a sixth of the
stories, where nearly all are published (this SQLite keeps no histograms:
no ``SQLITE_ENABLE_STAT4``). Believing ``status IN ('published',
'scheduled')`` rare, the planner read the public stories through an index
on ``status`` and sorted them all for each list (80 ms a list at 100,000
stories, a second at 1,000,000) instead of walking the public index newest
first and stopping after the page. So each index on ``status`` gets, for
its columns up to ``status``, the number of rows a row *shares* its value
with, on average over the rows (Σ count² / Σ count): the skew ``ANALYZE``
averages away. Writing ``sqlite_stat1`` is one of the ways SQLite documents
to steer its planner (https://sqlite.org/optoverview.html, "Manual Control
Of Query Plans Using SQLITE_STAT Tables"); the figure written here is
measured, not made up.

``ANALYZE`` of the whole database in one statement holds the writers' lock
throughout (2.5 s at 1,000,000 stories), past the 1.5 s another process's
writer waits (``busy_timeout``) before its request answers 503. So each
index is analyzed in a transaction of its own (0.14 s at most at 1,000,000
stories, 2.7 s in all), its skew weighed in the same one, from counts read
before, outside the lock. Connections opened after that read the new
figures; those already open keep the old ones until they are closed
(``CONN_MAX_AGE``: 10 minutes at most).
"""

from __future__ import annotations

from django.db import connection, transaction

from masthead.stories.models import Story

SKEWED = "status"


def refresh() -> None:
    """Analyze the database on SQLite, an index at a time, and weigh ``status`` by its
    skew; PostgreSQL's autovacuum does its own."""
    if connection.vendor != "sqlite":
        return
    shared: dict[tuple[str, ...], int] = {}  # by key prefix: two indexes share each
    with connection.cursor() as cursor:
        for table, indexes in _indexes(cursor).items():
            if not indexes:  # its size alone (a table nothing looks up by a column)
                with transaction.atomic():
                    cursor.execute(f'ANALYZE "{table}"')
            for index, columns, partial in indexes:
                weighed = None
                if table == Story._meta.db_table and SKEWED in columns and not partial:
                    prefix = tuple(columns[: columns.index(SKEWED) + 1])
                    if prefix not in shared:
                        shared[prefix] = _shared_rows(cursor, table, prefix)
                    weighed = (len(prefix), shared[prefix])
                with transaction.atomic():
                    cursor.execute(f'ANALYZE "{index}"')
                    if weighed is not None:
                        _weigh(cursor, table, index, *weighed)
        cursor.execute("ANALYZE sqlite_schema")  # this connection reads them now too


def _indexes(cursor) -> dict[str, list[tuple[str, list[str], bool]]]:
    """Each table's indexes: name, columns, and whether partial."""
    cursor.execute(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name"
    )
    found = {}
    for (table,) in cursor.fetchall():
        cursor.execute(f'PRAGMA index_list("{table}")')
        found[table] = []
        for _seq, index, _unique, _origin, partial in cursor.fetchall():
            cursor.execute(f'PRAGMA index_info("{index}")')
            columns = [name for _seqno, _cid, name in cursor.fetchall()]
            found[table].append((index, columns, bool(partial)))
    return found


def _weigh(cursor, table: str, index: str, position: int, shared: int) -> None:
    """Figure ``position`` of ``index`` (figure 0 is the row count, figure n its first
    n columns') made at least ``shared``: the rows a row shares that prefix with."""
    cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = %s AND idx = %s", [table, index])
    row = cursor.fetchone()
    if row is None:  # an empty table has no figures
        return
    figures = row[0].split(" ")
    if position < len(figures) and figures[position].isdigit():
        figures[position] = str(max(int(figures[position]), shared))
        cursor.execute(
            "UPDATE sqlite_stat1 SET stat = %s WHERE tbl = %s AND idx = %s",
            [" ".join(figures), table, index],
        )


def _shared_rows(cursor, table: str, columns: tuple[str, ...]) -> int:
    """Σ count² / Σ count over the groups of ``columns``: the size of a row's group,
    on average over the rows."""
    names = ", ".join(f'"{name}"' for name in columns)
    # The names are the index's own, read from SQLite.
    cursor.execute(
        f'SELECT SUM(n * n) / SUM(n) FROM (SELECT COUNT(*) AS n FROM "{table}" GROUP BY {names})'  # noqa: S608
    )
    return int(cursor.fetchone()[0] or 1)
