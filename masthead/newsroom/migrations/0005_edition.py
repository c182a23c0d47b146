"""Editions (newsroom/editions.py): the default one, made from today's settings, holds every desk.

Three steps so no desk is ever without an edition: the table and the
column (nullable), the default edition with every desk in it, then the
column made required. The desks table is small (a few dozen rows), so the
table rebuild SQLite does for the last step costs nothing. Reversible: going
back drops the column and the table, and with them what the data step made.
"""

from django.conf import settings
from django.db import migrations, models

import masthead.newsroom.editions


def make_default_edition(apps, schema_editor):
    """The default edition as the site was: its language, the outlet's name, the outlet's zone."""
    from django.utils.translation import get_language_info

    Edition = apps.get_model("newsroom", "Edition")
    Desk = apps.get_model("newsroom", "Desk")
    Outlet = apps.get_model("newsroom", "Outlet")
    language = settings.LANGUAGE_CODE.lower()
    try:
        name = get_language_info(language)["name"]
    except KeyError:
        language, name = "en", "English"
    outlet = Outlet.objects.order_by("pk").first()
    edition = Edition.objects.create(
        name=name,
        slug=language,
        language=language,
        calendar="gregorian",
        # Empty: the TIME_ZONE setting, as the back office uses it (one place says the zone).
        time_zone="",
        url_root="",
        publication_name=outlet.name if outlet is not None else "Masthead News",
        is_default=True,
    )
    Desk.objects.update(edition=edition)


def forget_editions(apps, schema_editor):
    """Going back: the column and the table go next; nothing to keep."""
    apps.get_model("newsroom", "Desk").objects.update(edition=None)
    apps.get_model("newsroom", "Edition").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("newsroom", "0004_author_expertise"),
    ]

    operations = [
        migrations.CreateModel(
            name="Edition",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(help_text="“English”, “فارسی”.", max_length=80, unique=True)),
                ("slug", models.SlugField(help_text="How the API names it: “fa”.", max_length=40, unique=True)),
                (
                    "language",
                    models.CharField(
                        help_text="BCP 47 language code: “en”, “fa”. It sets the direction (fa, ar, he: rtl).",
                        max_length=16,
                        validators=[masthead.newsroom.editions.validate_language],
                    ),
                ),
                (
                    "calendar",
                    models.CharField(
                        choices=[("gregorian", "Gregorian"), ("jalali", "Solar Hijri (Jalali)")],
                        default="gregorian",
                        max_length=12,
                    ),
                ),
                (
                    "time_zone",
                    models.CharField(
                        blank=True,
                        help_text="IANA name, e.g. “Asia/Tehran”; empty: the outlet's (the TIME_ZONE setting).",
                        max_length=64,
                        validators=[masthead.newsroom.editions.validate_time_zone],
                    ),
                ),
                (
                    "url_root",
                    models.CharField(
                        blank=True,
                        help_text="The first segment of the edition's addresses: “fa” gives /fa/. Empty for the default edition only. It cannot change once saved.",
                        max_length=40,
                        unique=True,
                        validators=[masthead.newsroom.editions.validate_url_root],
                    ),
                ),
                (
                    "publication_name",
                    models.CharField(help_text="The name search engines list it under (Google News).", max_length=120),
                ),
                (
                    "is_default",
                    models.BooleanField(default=False, help_text="The edition at the site's root; there is exactly one."),
                ),
            ],
            options={
                "ordering": ["-is_default", "name"],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("is_default", True)), fields=("is_default",), name="edition_one_default"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("is_default", True), ("url_root", "")),
                            models.Q(("is_default", False), models.Q(("url_root", ""), _negated=True)),
                            _connector="OR",
                        ),
                        name="edition_root_unless_default",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("calendar__in", ["gregorian", "jalali"])), name="edition_known_calendar"
                    ),
                ],
            },
        ),
        migrations.AddField(
            model_name="desk",
            name="edition",
            field=models.ForeignKey(
                null=True,
                on_delete=models.deletion.PROTECT,
                related_name="desks",
                to="newsroom.edition",
            ),
        ),
        migrations.RunPython(make_default_edition, forget_editions),
        migrations.AlterField(
            model_name="desk",
            name="edition",
            field=models.ForeignKey(
                default=masthead.newsroom.editions.default_edition_id,
                help_text="The edition whose readers this desk writes for.",
                on_delete=models.deletion.PROTECT,
                related_name="desks",
                to="newsroom.edition",
            ),
        ),
    ]
