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

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
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
        max_length=300,
        blank=True,
        help_text="What the image shows, for readers who cannot see it.",
    )
    decorative = models.BooleanField(
        default=False,
        help_text="Adds nothing a reader needs (an ornament): shown with empty alt text.",
    )
    caption = models.CharField(max_length=500, blank=True)
    credit = models.CharField(max_length=200, blank=True, help_text="Photographer or agency.")
    copyright = models.CharField(
        max_length=200, blank=True, help_text='Who holds the rights, e.g. "© 2026 Reuters".'
    )
    usage_terms = models.CharField(
        max_length=500, blank=True, help_text="What the licence allows (and forbids)."
    )
    source = models.CharField(
        max_length=200,
        blank=True,
        help_text="Where the picture came from (agency, handout, staff).",
    )
    # Where the eye goes, as fractions of the width and height from the top
    # left; every crop (16:9 cards, 1:1 thumbnails, 1.91:1 share images) keeps it.
    focal_x = models.FloatField(
        default=0.5, validators=[MinValueValidator(0.0), MaxValueValidator(1.0)]
    )
    focal_y = models.FloatField(
        default=0.5, validators=[MinValueValidator(0.0), MaxValueValidator(1.0)]
    )
    file_size = models.PositiveBigIntegerField(
        default=0, editable=False, help_text="Bytes of the stored file (the uploader's quota)."
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    desk = models.ForeignKey(
        "newsroom.Desk",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The desk the picture was uploaded for (a library filter).",
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at"]
        # The media gate looks images up by their stored file's name.
        indexes = [
            models.Index(fields=["file"], name="image_file_idx"),
            models.Index(fields=["-uploaded_at"], name="image_uploaded_idx"),
        ]

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
        if not self.alt_text and not self.decorative:
            raise ValidationError(
                {
                    "alt_text": (
                        "Describe the image for readers who cannot see it, or mark it decorative."
                    )
                }
            )
        if self.file and not self.file._committed:
            try:
                self._prepare_new_file()
            except ValidationError as error:
                raise ValidationError({"file": error.messages}) from None

    def _prepare_new_file(self) -> None:
        prepared = prepare_image(self.file.file)
        self.file = prepared
        self.width, self.height = prepared.width, prepared.height

    @property
    def shown_alt(self) -> str:
        """The alt text readers get: empty for a decorative image."""
        return "" if self.decorative else self.alt_text


def rendition_path(instance: Rendition, filename: str) -> str:
    suffix = PurePath(filename).suffix.lower().lstrip(".")
    if suffix not in ALLOWED_FORMATS.values() and suffix != "avif":
        raise ValueError(f"Not a rendition file name: {filename!r}")
    return f"renditions/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{suffix}"


class Rendition(models.Model):
    """One derived file of an image: a crop (or none) at one width in one format.

    Made by the background worker (``media/renditions.py`` owns the list of
    crops, widths and formats); served through the media gate with the fate
    of its image's file.
    """

    image = models.ForeignKey(Image, on_delete=models.CASCADE, related_name="renditions")
    # The crop: "" (the whole picture), or a ratio such as "16x9", "1x1", "191x100".
    crop = models.CharField(max_length=16, blank=True)
    format = models.CharField(max_length=8)  # "avif", "webp", "jpeg"
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    file = models.FileField(upload_to=rendition_path, max_length=200)
    # The focal point the crop was made for; a moved focal point makes new ones.
    focal_x = models.FloatField(default=0.5)
    focal_y = models.FloatField(default=0.5)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["image", "crop", "format", "width"], name="rendition_unique"
            )
        ]
        indexes = [models.Index(fields=["file"], name="rendition_file_idx")]

    def __str__(self) -> str:
        return f"{self.image_id} {self.crop or 'full'} {self.width}w {self.format}"


class ImageUse(models.Model):
    """Where an image is shown: a story's lead image or a figure in its body.

    Kept by ``media/uses.py`` whenever a story gets a new revision or is
    published: ``in_working`` for its latest revision, ``in_published`` for the
    revision readers get. The library counts uses from here ("used in 3
    stories"), and the media gate lets a file out when a live story's
    published revision shows it.
    """

    class Role(models.TextChoices):
        LEAD = "lead", "Lead image"
        BODY = "body", "In the body"

    image = models.ForeignKey(Image, on_delete=models.CASCADE, related_name="uses")
    story = models.ForeignKey("stories.Story", on_delete=models.CASCADE, related_name="image_uses")
    role = models.CharField(max_length=8, choices=Role.choices)
    in_working = models.BooleanField(default=False)
    in_published = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["image", "story", "role"], name="image_use_unique")
        ]

    def __str__(self) -> str:
        return f"image {self.image_id} in story {self.story_id} ({self.role})"


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
