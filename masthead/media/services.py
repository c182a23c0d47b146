"""Changes to the media library: uploading an image, its words, its focal point.

One function per action, each checking the actor's permission, writing the
audit record (``newsroom/audit.py``) and changing the rows in one
transaction, like ``stories/services.py``:

- ``upload_image``: staff with a content role (writers, desk editors, chief
  editors) add a picture, for a desk they write for or none. The words the
  file carries (IPTC, XMP, EXIF: ``media/embedded_metadata.py``) are read
  from the original upload *before* ``image_safety.prepare_image`` writes it
  again without them; the person's own words win. Each person may store at
  most ``MEDIA_QUOTA_BYTES_PER_USER`` bytes (their uploads' ``file_size``);
  the check and the save hold a lock on the person's row, so two uploads at
  once cannot both slip under the quota. A refused upload stores no file and
  no row (``media.models.file_removed_unless_saved``).
- ``update_image`` and ``set_focal_point``: the picture's uploader, the
  editors of its desk and chief editors. Words readers see on a published
  page (alt text, caption, credit, copyright, decorative) are not changed in
  place while a published revision shows the picture: the story's editors
  change them in the story, and readers get them when they publish
  (DESIGN.md invariant 2). Moving the focal point recrops the picture
  everywhere; the live stories that show it are bumped (``stories.versions``)
  so their cached pages are made again with the new crops.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext, gettext_lazy

from masthead import failpoints
from masthead.media.embedded_metadata import read_embedded_metadata
from masthead.media.image_safety import prepare_image
from masthead.media.models import Image, ImageUse, file_removed_unless_saved
from masthead.newsroom import audit
from masthead.newsroom.models import Desk
from masthead.newsroom.roles import StaffAccess, access_for
from masthead.newsroom.text import clean_line
from masthead.stories import versions
from masthead.stories.models import Story

# What the library's forms may change, with the model's own lengths.
WORD_FIELDS = ("alt_text", "caption", "credit", "copyright", "usage_terms", "source")
# The words an image is found by (the library, the picker, the desk search).
SEARCHED_FIELDS = ("caption", "alt_text", "credit", "copyright", "source")
EDITABLE_FIELDS = (*WORD_FIELDS, "decorative")
# Shown to readers with the picture: frozen while a published revision shows it.
READER_FIELDS = ("alt_text", "caption", "credit", "copyright", "decorative")


class QuotaExceeded(ValidationError):
    """The upload would take its uploader past ``MEDIA_QUOTA_BYTES_PER_USER``."""


@dataclass(frozen=True)
class QuotaUse:
    used: int
    limit: int  # 0: no limit

    @property
    def left(self) -> int | None:
        return None if not self.limit else max(self.limit - self.used, 0)


def quota_for(user) -> QuotaUse:
    """How many bytes ``user``'s uploads take, and how many they may."""
    used = Image.objects.filter(uploaded_by=user).aggregate(total=Sum("file_size"))["total"]
    return QuotaUse(used=used or 0, limit=settings.MEDIA_QUOTA_BYTES_PER_USER)


def can_upload(user) -> bool:
    return access_for(user).has_content_role


def can_change(user, image: Image) -> bool:
    """The uploader (while they hold a content role), the desk's editors, chief editors."""
    access = access_for(user)
    if not access.has_content_role:
        return False
    if access.is_chief_editor:
        return True
    if image.desk_id is not None and access.edits(image.desk_id):
        return True
    return image.uploaded_by_id is not None and image.uploaded_by_id == access.user_id


def _check_upload(access: StaffAccess, desk: Desk | None) -> None:
    if not access.has_content_role:
        raise PermissionDenied(gettext_lazy("Only writers and editors add images to the library."))
    if desk is not None and not access.writes_for(desk.pk):
        raise PermissionDenied(
            gettext("You do not write for the %(desk)s desk.") % {"desk": desk.name}
        )


def _check_change(actor, image: Image) -> None:
    if not can_change(actor, image):
        raise PermissionDenied(
            gettext_lazy(
                "Only the image's uploader, the editors of its desk and chief editors change it."
            )
        )


def _clean_words(fields: dict) -> dict:
    """The library's fields from a form or a caller, cleaned; ValidationError per field."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Not a library field: {', '.join(sorted(unknown))}")
    cleaned: dict = {}
    errors: dict[str, list[str]] = {}
    for name, value in fields.items():
        if name == "decorative":
            cleaned[name] = bool(value)
            continue
        text = clean_line(value if isinstance(value, str) else "" if value is None else str(value))
        limit = Image._meta.get_field(name).max_length
        if len(text) > limit:
            errors[name] = [f"At most {limit} characters (this has {len(text)})."]
        cleaned[name] = text
    if errors:
        raise ValidationError(errors)
    return cleaned


def _check_quota(user, size: int) -> None:
    limit = settings.MEDIA_QUOTA_BYTES_PER_USER
    if not limit:
        return
    # Serialises one person's uploads: the sum below cannot change under us.
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    failpoints.reached("media.upload.after_quota_lock")
    used = quota_for(user).used
    if used + size > limit:
        raise QuotaExceeded(
            f"This image ({filesizeformat(size)}) would take you past your upload quota: "
            f"you have stored {filesizeformat(used)} of {filesizeformat(limit)}. "
            "Ask an administrator to raise MEDIA_QUOTA_BYTES_PER_USER, "
            "or upload a smaller image.",
            code="quota",
        )


def upload_image(actor, file, *, desk: Desk | None = None, **fields) -> Image:
    """Store ``file`` (an upload) in the library, with ``fields`` over the words it carries.

    Raises ``PermissionDenied``, or ``ValidationError`` (``QuotaExceeded``
    when over the quota) with nothing stored.
    """
    access = access_for(actor)
    _check_upload(access, desk)
    words = _clean_words(fields)
    embedded = read_embedded_metadata(file)  # before prepare_image strips it
    prepared = prepare_image(file)
    chosen = {
        name: value for name, value in embedded.items() if name not in words or not words[name]
    }
    image = Image(file=prepared, desk=desk, uploaded_by=actor, **{**words, **chosen})
    image.file_size = prepared.size
    with file_removed_unless_saved(image), transaction.atomic():
        _check_quota(actor, image.file_size)
        image.save()
        audit.record(
            actor,
            "image_upload",
            image,
            desk=desk.pk if desk else None,
            file_size=image.file_size,
            embedded=sorted(chosen),
        )
    return image


def _shown_by_published(image: Image) -> bool:
    return ImageUse.objects.filter(image=image, in_published=True).exists()


@transaction.atomic
def update_image(actor, image: Image, **fields) -> Image:
    """Change the library's words for ``image``; the changed fields are audited."""
    _check_change(actor, image)
    words = _clean_words(fields)
    image = Image.objects.select_for_update().get(pk=image.pk)
    changed = [name for name, value in words.items() if getattr(image, name) != value]
    if not changed:
        return image
    frozen = [name for name in changed if name in READER_FIELDS]
    if frozen and _shown_by_published(image):
        raise ValidationError(
            {
                name: "Readers see this on a published story: change it in the story, "
                "where an editor publishes the update."
                for name in frozen
            }
        )
    for name in changed:
        setattr(image, name, words[name])
    image.save(update_fields=changed)
    audit.record(actor, "image_update", image, fields=changed)
    return image


def _fraction(value, name: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValidationError({name: "Give a number from 0 to 1."}) from None
    if not math.isfinite(number) or not 0.0 <= number <= 1.0:
        raise ValidationError({name: "Give a number from 0 to 1."})
    return number


@transaction.atomic
def set_focal_point(actor, image: Image, x, y) -> Image:
    """Where the eye goes, as fractions (0..1) of the width and height from the top left.

    Every crop keeps the point; the live stories that show the picture are
    bumped so their pages are made again with the new crops.
    """
    _check_change(actor, image)
    focal_x, focal_y = _fraction(x, "focal_x"), _fraction(y, "focal_y")
    image = Image.objects.select_for_update().get(pk=image.pk)
    if (image.focal_x, image.focal_y) == (focal_x, focal_y):
        return image
    before = (image.focal_x, image.focal_y)
    image.focal_x, image.focal_y = focal_x, focal_y
    image.save(update_fields=["focal_x", "focal_y"])
    audit.record(
        actor,
        "image_focal_point",
        image,
        from_state=f"{before[0]:.3f},{before[1]:.3f}",
        to_state=f"{focal_x:.3f},{focal_y:.3f}",
    )
    _bump_live_stories(image)
    return image


def _bump_live_stories(image: Image) -> None:
    story_ids = ImageUse.objects.filter(image=image, in_published=True).values("story_id")
    scopes: set[str] = set()
    for story in Story.objects.live().filter(pk__in=story_ids).select_related("desk"):
        scopes |= versions.story_scopes(story)
    if scopes:
        versions.bump(scopes)
