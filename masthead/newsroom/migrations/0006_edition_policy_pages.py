"""Policy pages per edition, and an edition's own tagline (docs/editions.md).

Every existing policy page is the default edition's, so its address and the
footers that list it stay as they were. Three steps so no page is ever
without an edition: the column (nullable), every page put in the default
edition, then the column made required. "One page of each kind" becomes
"one of each kind per edition". The policy pages table holds a dozen rows,
so the rebuild SQLite does for the last step costs nothing. Reversible:
going back drops the column (the second edition's pages of a kind would
then break the old constraint, so going back refuses while any exist).
"""

from django.db import migrations, models

import masthead.newsroom.editions


def pages_to_default_edition(apps, schema_editor):
    Edition = apps.get_model("newsroom", "Edition")
    PolicyPage = apps.get_model("newsroom", "PolicyPage")
    default = Edition.objects.filter(is_default=True).first()  # 0005 made it
    PolicyPage.objects.update(edition=default)


def only_default_pages(apps, schema_editor):
    PolicyPage = apps.get_model("newsroom", "PolicyPage")
    if PolicyPage.objects.exclude(edition__is_default=True).exists():
        raise RuntimeError(
            "Policy pages of editions other than the default exist; delete them first "
            "(before editions had pages, there was one page of each kind)."
        )


class Migration(migrations.Migration):
    dependencies = [
        ("newsroom", "0005_edition"),
    ]

    operations = [
        migrations.AddField(
            model_name="edition",
            name="tagline",
            field=models.CharField(
                blank=True,
                help_text=(
                    "The line under the name on this edition's pages, in its language. Empty for "
                    "the default edition: it shows the outlet's tagline."
                ),
                max_length=200,
            ),
        ),
        migrations.RemoveConstraint(model_name="policypage", name="policy_page_once_per_kind"),
        migrations.AddField(
            model_name="policypage",
            name="edition",
            field=models.ForeignKey(
                null=True,
                on_delete=models.deletion.PROTECT,
                related_name="policy_pages",
                to="newsroom.edition",
            ),
        ),
        migrations.RunPython(pages_to_default_edition, only_default_pages),
        migrations.AlterField(
            model_name="policypage",
            name="edition",
            field=models.ForeignKey(
                default=masthead.newsroom.editions.default_edition_id,
                help_text="The edition whose readers this page is written for.",
                on_delete=models.deletion.PROTECT,
                related_name="policy_pages",
                to="newsroom.edition",
            ),
        ),
        migrations.AlterField(
            model_name="policypage",
            name="slug",
            field=models.SlugField(
                allow_unicode=True,
                help_text="Its address: /policies/<slug>/, under its edition's root.",
                max_length=80,
                unique=True,
            ),
        ),
        migrations.AddConstraint(
            model_name="policypage",
            constraint=models.UniqueConstraint(
                condition=models.Q(("kind", "other"), _negated=True),
                fields=("edition", "kind"),
                name="policy_page_once_per_kind_and_edition",
            ),
        ),
    ]
