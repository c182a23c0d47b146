"""PostgreSQL: an index of each entry's adjacent word pairs, for phrases.

``search_adjacent_pairs(vector)`` and a GIN index over it
(``PostgresEngine.PAIRS_*`` in ``masthead/search/engines.py``); nothing on
SQLite, whose FTS5 table answers phrases itself. The index is built from the
vectors already stored: no entry is rewritten (at 1,000,000 entries the build
took minutes; writes to the entries wait for it).
"""

from django.db import migrations


def create_pairs(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from masthead.search.engines import PostgresEngine

    schema_editor.execute(PostgresEngine.PAIRS_FUNCTION)
    schema_editor.execute(PostgresEngine.PAIRS_INDEX)


def drop_pairs(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from masthead.search.engines import PostgresEngine

    schema_editor.execute(PostgresEngine.PAIRS_DROP)
    schema_editor.execute(PostgresEngine.PAIRS_FUNCTION_DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0002_index_existing_stories"),
    ]

    operations = [
        migrations.RunPython(create_pairs, drop_pairs),
    ]
