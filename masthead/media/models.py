"""Stored images and the words that go with them (caption, credit, alt text).

Every new file of an ``Image`` goes through ``image_safety.prepare_image``
(decoded within the limits, turned upright, written again without metadata,
named by its decoded format) however it arrives: the story form, the admin,
``image.file.save(...)`` in code. Nothing decodes an upload before that:
the file field has no width and height fields for Django to fill with
Pillow on assignment, and its form field is ours.

Who may see a stored file is decided by ``masthead.stories.image_visibility``
and enforced by the media gate (``masthead/site/media.py``).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.fields.files import ImageFieldFile
from django.utils import timezone

from masthead.media.image_safety import ALLOWED_FORMATS, check_image, prepare_image
from masthead.newsroom.text import clean_line


def image_path(instance: Image, filename: str) -> str:
    # A random name; the extension is the decoded format's (``prepare_image``
    # names every file it writes ``image.<extension>``), never the uploader's.
    suffix = PurePath(filename).suffix.lower().lstrip(".")
    if suffix not in ALLOWED_FORMATS.values():
        raise ValueError(f"Not a prepared image file name: {filename!r}")
    return f"images/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{suffix}"


class SafeImageFieldFile(ImageFieldFile):
    def save(self, name, content, save=True) -> None:
        prepared = prepare_image(content)
        self.instance.width, self.instance.height = prepared.width, prepared.height
        super().save(prepared.name, prepared, save)


class SafeImageField(models.ImageField):
    """Django's ImageField whose new files always pass through ``prepare_image``.

    Without width and height fields, so that Django never decodes an upload
    with Pillow on assignment (it would, before our limits, and a bomb would
    be a 500); the model sets them from the decoded picture. Its form field
    is ``media.forms.ImageUploadField``: Django's own decodes the upload
    first and answers a bomb with a vague "upload a valid image".
    """

    attr_class = SafeImageFieldFile

    def formfield(self, **kwargs):
        from masthead.media.forms import ImageUploadField

        return super().formfield(**{"form_class": ImageUploadField, **kwargs})


class Image(models.Model):
    file = SafeImageField(upload_to=image_path)
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
        # The media gate looks images up by their stored file's name.
        indexes = [models.Index(fields=["file"], name="image_file_idx")]

    def __str__(self) -> str:
        return self.alt_text or self.file.name

    def save(self, *args, **kwargs) -> None:
        if self.file and not self.file._committed:
            self._prepare_new_file()
        elif self.file and not (self.width and self.height):
            checked = check_image(self.file)
            self.width, self.height = checked.width, checked.height
        super().save(*args, **kwargs)

    def clean(self) -> None:
        self.alt_text = clean_line(self.alt_text)
        self.caption = clean_line(self.caption)
        self.credit = clean_line(self.credit)
        if not self.alt_text:
            raise ValidationError({"alt_text": "Describe the image for readers who cannot see it."})
        if self.file and not self.file._committed:
            try:
                self._prepare_new_file()
            except ValidationError as error:
                raise ValidationError({"file": error.messages}) from None

    def _prepare_new_file(self) -> None:
        prepared = prepare_image(self.file.file)
        self.file = prepared
        self.width, self.height = prepared.width, prepared.height


@contextmanager
def file_removed_unless_saved(image: Image | None) -> Iterator[None]:
    """Remove the file a new ``image`` writes inside the block if the block fails.

    Wrap the whole transaction that saves the image: a failure rolls its row
    back, and this takes its file away too, so a refused request leaves
    nothing stored. A file the image shares with an older row (new words for
    a published picture) is not the block's to remove.
    """
    writes_file = image is not None and image.pk is None and image.file._committed is False
    try:
        yield
    except BaseException:
        if writes_file and image.file._committed:
            image.file.storage.delete(image.file.name)
            image.pk = None
            image._state.adding = True
        raise
