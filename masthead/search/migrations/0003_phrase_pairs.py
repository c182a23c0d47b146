"""PostgreSQL: an index of each entry's adjacent word pairs, for phrases.

``search_adjacent_pairs(vector)`` and a GIN index over it
(``PostgresEngine.PAIRS_*`` in ``masthead/search/engines.py``); nothing on
SQLite, whose FTS5 table answers phrases itself. The index is built from the
vectors already stored, ``CONCURRENTLY`` (so the migration is not atomic):
no entry is rewritten and writes go on meanwhile (188 s at 100,000 entries
on a busy 2-core machine; about half an hour expected at 1,000,000).
"""

from django.db import migrations


def create_pairs(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from masthead.search.engines import PostgresEngine

    schema_editor.execute(PostgresEngine.PAIRS_FUNCTION)
    schema_editor.execute(
        PostgresEngine.PAIRS_INDEX.replace("CREATE INDEX", "CREATE INDEX CONCURRENTLY", 1)
    )


def drop_pairs(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from masthead.search.engines import PostgresEngine

    schema_editor.execute(PostgresEngine.PAIRS_DROP)
    schema_editor.execute(PostgresEngine.PAIRS_FUNCTION_DROP)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("search", "0002_index_existing_stories"),
    ]

    operations = [
        migrations.RunPython(create_pairs, drop_pairs),
    ]
