"""Fill ``l11_note`` in batches of 5,000 rows, each its own short transaction: no
batch holds its row locks for long, and a reader never waits on the whole table."""

from django.db import migrations, transaction

BATCH = 5_000


def backfill(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MIN(id), 0), COALESCE(MAX(id), 0) FROM stories_story")
        low, high = cursor.fetchone()
    for start in range(low, high + 1, BATCH):
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute(
                "UPDATE stories_story SET l11_note = 'filled' "
                "WHERE id >= %s AND id < %s AND l11_note IS NULL",
                [start, start + BATCH],
            )


def empty(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("UPDATE stories_story SET l11_note = NULL")


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("l11_migrations", "0003_index_concurrently")]

    operations = [migrations.RunPython(backfill, empty)]
