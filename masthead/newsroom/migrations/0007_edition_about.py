"""An edition's own "about" text for its masthead page, in its language (docs/editions.md).

A new column with a database default: no table rebuild, no row touched. The
default edition keeps showing the outlet's text; reversible (drops the column).
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("newsroom", "0006_edition_policy_pages"),
    ]

    operations = [
        migrations.AddField(
            model_name="edition",
            name="about",
            field=models.TextField(
                blank=True,
                db_default="",
                help_text="Who the outlet is, on this edition's masthead page, in its language; blank lines separate paragraphs. Empty for the default edition: it shows the outlet's.",
            ),
        ),
    ]
