"""`masthead manage make_renditions`: make every missing (or stale) rendition now."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand
from django.db.models import Prefetch

from masthead.media import renditions
from masthead.media.models import Image, Rendition


class Command(BaseCommand):
    help = (
        "Make the renditions (sizes, formats and crops for srcset and share images; "
        "docs/media-renditions.md) that library images lack, and remove stale ones, "
        "here and now rather than in the worker: after an import, after a change to "
        "the table of renditions, or when queued tasks were lost. Images are read in "
        "batches, so memory stays flat however large the library; running it again "
        "makes nothing twice. An image whose file cannot be read is reported and skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size",
            type=int,
            default=100,
            help="images read from the database at a time (default 100)",
        )
        parser.add_argument(
            "--image",
            type=int,
            action="append",
            dest="image_ids",
            metavar="ID",
            help="only this image (repeat for several)",
        )

    def handle(self, *args, batch_size: int = 100, image_ids=None, **options):
        batch_size = max(1, batch_size)
        images = Image.objects.exclude(file="").order_by("pk")
        if image_ids:
            images = images.filter(pk__in=image_ids)
        made = removed = touched = failed = 0
        last_pk = 0
        while True:
            batch = list(
                images.filter(pk__gt=last_pk).prefetch_related(
                    Prefetch("renditions", queryset=Rendition.objects.all())
                )[:batch_size]
            )
            if not batch:
                break
            last_pk = batch[-1].pk
            for image in batch:
                if not renditions.needs_work(image, list(image.renditions.all())):
                    continue
                try:
                    outcome = renditions.make_renditions(image)
                except (OSError, ValidationError, SyntaxError, ValueError) as error:
                    failed += 1
                    self.stderr.write(f"image {image.pk} ({image.file.name}): {error}")
                    continue
                touched += 1
                made += outcome.made
                removed += outcome.removed
        self.stdout.write(
            f"Made {made} renditions and removed {removed} stale ones for {touched} images"
            + (f"; {failed} images could not be read" if failed else "")
            + "."
        )
