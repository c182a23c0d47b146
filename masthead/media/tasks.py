"""Renditions made by a `masthead worker`, not in the request that saved the image.

A full set for a 12-megapixel photo takes seconds (docs/performance.md
"Renditions"); an editor saving a picture must not wait for it. When an image
is saved with a new file or a moved focal point, ``queue_renditions`` queues
``make_image_renditions`` once the transaction commits (a rolled-back save
queues nothing). The task is idempotent (``renditions.make_renditions``
makes only what is missing), so a task run twice, or racing another, makes
nothing twice. Until it has run, pages show the stored file itself
(``{% picture %}``'s fallback).

A changed file makes every old rendition wrong at once, so its rows go in
the save's own transaction and pages fall back to the new file until the new
set is made; a moved focal point leaves the old crops in place until their
replacements are stored. Files follow their rows: a ``Rendition`` deleted
(by hand, as stale, or with its image) has its file removed after the
commit, never before, so a rollback keeps a file its row still names.
"""

from __future__ import annotations

import logging
from functools import partial

from django.db import transaction
from django_tasks import task

from masthead.media import renditions
from masthead.media.models import Image, Rendition

logger = logging.getLogger(__name__)


@task()
def make_image_renditions(image_id: int) -> int:
    """Make the missing renditions of image ``image_id``; how many were made."""
    image = Image.objects.filter(pk=image_id).first()
    if image is None:
        return 0  # deleted since it was queued
    return renditions.make_renditions(image).made


def queue_renditions(image_id: int) -> None:
    """Queue ``make_image_renditions`` for ``image_id`` once the current transaction commits."""
    transaction.on_commit(partial(_enqueue, image_id))


# Renditions wait behind every other task (e-mails, wire polls, purges): a page
# shows the stored file until they exist, and a batch of uploads or a demo
# load queues hundreds of them. Only where the queue orders by priority (the
# database queue does; RQ's backend refuses any priority but the default).
RENDITIONS_PRIORITY = -50


def _enqueue(image_id: int) -> None:
    task = make_image_renditions
    if task.get_backend().supports_priority:
        task = task.using(priority=RENDITIONS_PRIORITY)
    try:
        task.enqueue(image_id)
    except Exception:
        # The image is saved; `manage.py make_renditions` makes what a lost task did not.
        logger.exception("Could not queue the renditions of image %s", image_id)


# Receivers (connected in apps.py) ---------------------------------------------------------------


def remember_stored_state(sender, instance: Image, raw: bool = False, **kwargs) -> None:
    """pre_save: note whether this save changes the file or the focal point."""
    instance._rendition_change = None
    if raw or instance.pk is None:
        return
    stored = Image.objects.filter(pk=instance.pk).values("file", "focal_x", "focal_y").first()
    if stored is None:
        return
    if stored["file"] != instance.file.name:
        instance._rendition_change = "file"
    elif (stored["focal_x"], stored["focal_y"]) != (instance.focal_x, instance.focal_y):
        instance._rendition_change = "focal point"


def renditions_after_save(sender, instance: Image, created: bool, raw: bool = False, **kwargs):
    """post_save: a new image, a new file or a moved focal point needs renditions."""
    if raw or not instance.file:
        return
    change = getattr(instance, "_rendition_change", None)
    if change == "file":
        # The old set shows another picture: gone now, its files after the commit.
        for rendition in Rendition.objects.filter(image=instance):
            rendition.delete()
        renditions.renditions_changed.send(sender=Image, image_id=instance.pk)
    if created or change:
        queue_renditions(instance.pk)


def remove_file_after_delete(sender, instance: Rendition, **kwargs) -> None:
    """post_delete: the rendition's file goes once the deletion is committed."""
    if instance.file.name:
        storage, name = instance.file.storage, instance.file.name
        transaction.on_commit(partial(storage.delete, name))
