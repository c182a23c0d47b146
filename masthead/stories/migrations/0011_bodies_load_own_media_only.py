"""Clean stored bodies again, now that images load only from the outlet's own media.

Bodies are sanitised on the way in (``newsroom/sanitize.py``), so bodies
stored before the sanitiser dropped other hosts' images would keep them.
This reads only the rows whose body holds an image (sanitised HTML writes
``<img`` in lower case), in batches, and writes only those that change: no
table rewrite. Stories, their revisions and the policy pages; if anything
changed, the "site" content version is bumped so every cached page is
rendered again. Reversing it does nothing: dropped images cannot come back.
"""

from django.db import migrations
from django.db.models import F
from django.utils import timezone

from masthead.newsroom.sanitize import sanitize_body

MODELS = [("stories", "Story"), ("stories", "Revision"), ("newsroom", "PolicyPage")]


def clean_bodies_with_images(apps, schema_editor):
    changed = 0
    for app_label, name in MODELS:
        model = apps.get_model(app_label, name)
        rows = model.objects.filter(body__contains="<img").values_list("pk", "body")
        for pk, body in rows.iterator(chunk_size=500):
            clean = sanitize_body(body)
            if clean != body:
                changed += model.objects.filter(pk=pk).update(body=clean)
    if changed:
        versions = apps.get_model("stories", "ContentVersion")
        now = timezone.now()
        versions.objects.get_or_create(scope="site", defaults={"counter": 0, "changed_at": now})
        versions.objects.filter(scope="site").update(counter=F("counter") + 1, changed_at=now)


class Migration(migrations.Migration):

    dependencies = [
        ("newsroom", "0003_outlet_share_image"),
        ("stories", "0010_tag_old_slugs"),
    ]

    operations = [
        migrations.RunPython(clean_bodies_with_images, migrations.RunPython.noop),
    ]
