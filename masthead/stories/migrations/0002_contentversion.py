from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("stories", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="ContentVersion",
            fields=[
                ("scope", models.CharField(max_length=60, primary_key=True, serialize=False)),
                ("counter", models.PositiveBigIntegerField(default=0)),
                ("changed_at", models.DateTimeField(db_index=True)),
            ],
        ),
    ]
