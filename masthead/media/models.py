"""Stored images and the words that go with them (caption, credit, alt text)."""

from __future__ import annotations

import uuid
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files.images import get_image_dimensions
from django.db import models
from django.utils import timezone

from masthead.media.image_safety import ALLOWED_FORMATS, check_image
from masthead.newsroom.text import clean_line


def image_path(instance: Image, filename: str) -> str:
    # Never trust the uploaded name: a random name, and an extension we allow.
    suffix = PurePath(filename).suffix.lower().lstrip(".")
    if suffix == "jpeg":
        suffix = "jpg"
    if suffix not in ALLOWED_FORMATS.values():
        suffix = "bin"
    return f"images/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{suffix}"


class Image(models.Model):
    file = models.ImageField(upload_to=image_path, width_field="width", height_field="height")
    width = models.PositiveIntegerField(editable=False, default=0)
    height = models.PositiveIntegerField(editable=False, default=0)
    alt_text = models.CharField(
        max_length=300, help_text="What the image shows, for readers who cannot see it."
    )
    caption = models.CharField(max_length=500, blank=True)
    credit = models.CharField(max_length=200, blank=True, help_text="Photographer or agency.")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return self.alt_text or self.file.name

    def save(self, *args, **kwargs) -> None:
        if self.file and not (self.width and self.height):
            # Django reads dimensions from the upload's current position, which
            # is its end once storage has written it; read them from the start.
            self.file.seek(0)
            self.width, self.height = get_image_dimensions(self.file)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        self.alt_text = clean_line(self.alt_text)
        self.caption = clean_line(self.caption)
        self.credit = clean_line(self.credit)
        if not self.alt_text:
            raise ValidationError({"alt_text": "Describe the image for readers who cannot see it."})
        if self.file and not self.file._committed:
            try:
                check_image(self.file)
            except ValidationError as error:
                raise ValidationError({"file": error.messages}) from None
