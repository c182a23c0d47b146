"""The SQLite query planner's statistics of the stories table, kept by the worker's beat.

PostgreSQL's autovacuum analyzes tables as they grow; SQLite has nothing
that does, and without ``sqlite_stat1`` its planner takes any index that
names ``status`` as if a status were rare. Asked for the latest embargo end
among live stories (every public page's Last-Modified, and the page cache's
next release) it then read every public story, where the embargo index
answers at once: at 100,000 stories 50 ms against 0.6 ms, and the first
grows with the table (docs/reliability.md, L11).

``refresh`` runs ``ANALYZE stories_story`` (0.13 s at 100,000 stories, in
the writers' lock, growing with the table) when each worker starts
and daily after (``settings.PERIODIC_WORK``): the statistics need to follow
the table's shape, not each row.
"""

from __future__ import annotations

from django.db import connection

from masthead.stories.models import Story


def refresh() -> None:
    """Analyze the stories table on SQLite; PostgreSQL's autovacuum does its own."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute(f'ANALYZE "{Story._meta.db_table}"')
