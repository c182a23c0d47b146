from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = [("stories", "0015_label_names")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Story",
                    fields=[
                        ("id", models.BigAutoField(primary_key=True, serialize=False)),
                        ("published_at", models.DateTimeField(null=True)),
                    ],
                    options={"db_table": "stories_story"},
                )
            ]
        )
    ]
