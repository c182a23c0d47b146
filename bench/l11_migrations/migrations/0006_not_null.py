from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("l11_migrations", "0005_second_column")]

    operations = [
        migrations.AlterField("story", "l11_note", models.TextField(default="", null=False))
    ]
