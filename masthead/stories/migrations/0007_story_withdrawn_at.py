"""When a story was withdrawn, as a column: whether readers saw it is read from it.

``Story.objects.gone()`` (the 410 page, the API's canceled items) compares
it with the story's time and embargo. Withdrawn stories already in the
database take the time of their last withdrawal in the audit trail; one
with none on record (loaded outside the workflow) keeps no time and so
counts as never seen, as the API already treated it. Withdrawn stories are
few: the fill touches only them.
"""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill_from_audit_trail(apps, schema_editor):
    Story = apps.get_model("stories", "Story")
    AuditEvent = apps.get_model("newsroom", "AuditEvent")
    ContentType = apps.get_model("contenttypes", "ContentType")
    story_type = ContentType.objects.filter(app_label="stories", model="story").first()
    if story_type is None:
        return
    last_withdrawal = (
        AuditEvent.objects.filter(
            target_type=story_type, target_id=OuterRef("pk"), action="withdraw"
        )
        .order_by("-at")
        .values("at")[:1]
    )
    Story.objects.filter(status="withdrawn").update(withdrawn_at=Subquery(last_withdrawal))


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("newsroom", "0002_policypage"),
        ("stories", "0006_story_creator_and_label_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="story",
            name="withdrawn_at",
            field=models.DateTimeField(
                blank=True, help_text="When the story was withdrawn, while it is (see ``gone``).",
                null=True,
            ),
        ),
        migrations.AlterField(
            model_name="story",
            name="withdrawn_note",
            field=models.CharField(
                blank=True,
                help_text="Shown on the withdrawn story's address if readers saw the story; else internal.",
                max_length=500,
            ),
        ),
        migrations.AddIndex(
            model_name="story",
            index=models.Index(
                condition=models.Q(("withdrawn_at__isnull", False)),
                fields=["-withdrawn_at"],
                name="story_withdrawn_idx",
            ),
        ),
        migrations.RunPython(fill_from_audit_trail, migrations.RunPython.noop, elidable=True),
    ]
