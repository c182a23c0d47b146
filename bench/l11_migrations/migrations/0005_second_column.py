from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("l11_migrations", "0004_batched_backfill")]

    operations = [migrations.AddField("story", "l11_flag", models.BooleanField(null=True))]
