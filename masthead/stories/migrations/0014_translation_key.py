from django.db import migrations, models

import masthead.migration_operations


class Migration(migrations.Migration):
    # The index is built concurrently on PostgreSQL, which cannot happen in a transaction.
    atomic = False

    dependencies = [
        ("stories", "0013_sourcing_and_developing"),
    ]

    operations = [
        migrations.AddField(
            model_name="story",
            name="translation_key",
            field=models.UUIDField(
                blank=True,
                editable=False,
                help_text="Shared by a story and its translations in other editions "
                "(stories/translations.py); empty while it has none.",
                null=True,
            ),
        ),
        masthead.migration_operations.AddIndexConcurrently(
            model_name="story",
            index=models.Index(
                condition=models.Q(("translation_key__isnull", False)),
                fields=["translation_key"],
                name="story_translation_idx",
            ),
        ),
    ]
