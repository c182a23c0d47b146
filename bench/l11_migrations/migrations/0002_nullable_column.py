from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("l11_migrations", "0001_stories_story")]

    operations = [migrations.AddField("story", "l11_note", models.TextField(null=True))]
