"""The table rebuild SQLite does for any column change on ``stories_story`` (NOT NULL,
a type, a constraint): a new table with every row copied, as Django's schema editor
does it (``_remake_table``), over the stories app's own model of the table.

Not through this app's model: it names four columns, and a rebuild from it would
leave only those. The rebuilt table has the stories app's columns, so the columns
0002 and 0005 added go, in the state too. L11 applies it on SQLite only.
"""

from django.db import migrations


def rebuild(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        raise RuntimeError("0006 is SQLite's table rebuild; on PostgreSQL do not apply it")
    schema_editor._remake_table(apps.get_model("stories", "Story"))


class Migration(migrations.Migration):
    dependencies = [("l11_migrations", "0005_second_column")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(rebuild, migrations.RunPython.noop)],
            state_operations=[
                migrations.RemoveIndex("story", "l11_published_idx"),
                migrations.RemoveField("story", "l11_flag"),
                migrations.RemoveField("story", "l11_note"),
            ],
        )
    ]
