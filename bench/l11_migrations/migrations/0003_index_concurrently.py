from django.db import migrations, models

from masthead.migration_operations import AddIndexConcurrently


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("l11_migrations", "0002_nullable_column")]

    operations = [
        AddIndexConcurrently(
            "story", models.Index(fields=["published_at", "id"], name="l11_published_idx")
        )
    ]
