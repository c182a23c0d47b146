"""An edition's own postal address for its masthead page, in its language (docs/editions.md).

A new column with a database default: no table rebuild, no row touched. Every edition keeps
showing the outlet's address until staff give it one; reversible (drops the column).
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("newsroom", "0010_author_name_expertise"),
    ]

    operations = [
        migrations.AddField(
            model_name="edition",
            name="address",
            field=models.CharField(
                blank=True,
                db_default="",
                default="",
                help_text="The newsroom's postal address on this edition's masthead page, in its language. Empty: the outlet's address is shown.",
                max_length=300,
            ),
        ),
    ]
