"""An edition may live at a host of its own (docs/editions.md): Edition.host, empty for all
existing editions, unique when set, never the default edition's. The editions table holds one
row per language the outlet publishes in, so its constraints are built in no time."""

import masthead.newsroom.editions
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("newsroom", "0007_edition_about"),
    ]

    operations = [
        migrations.AddField(
            model_name="edition",
            name="host",
            field=models.CharField(
                blank=True,
                db_default="",
                default="",
                help_text="A host of its own, e.g. “fa.news.example” (in ALLOWED_HOSTS): its addresses are then there, without the URL root, and /<root>/… on the main host moves there. Empty: under its URL root on the main host.",
                max_length=253,
                validators=[masthead.newsroom.editions.validate_host],
            ),
        ),
        migrations.AddConstraint(
            model_name="edition",
            constraint=models.UniqueConstraint(
                condition=models.Q(("host", ""), _negated=True),
                fields=("host",),
                name="edition_unique_host",
            ),
        ),
        migrations.AddConstraint(
            model_name="edition",
            constraint=models.CheckConstraint(
                condition=models.Q(("host", ""), ("is_default", False), _connector="OR"),
                name="edition_host_not_default",
            ),
        ),
    ]
