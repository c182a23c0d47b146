"""Safe intake of uploaded images, built on Pillow.

Pillow only *warns* about decompression bombs up to ~178 million pixels; an
upload that size would eat the worker's memory. We lower the limit
(``MAX_IMAGE_PIXELS``), turn the warning into an error, allow-list the
formats a news site needs (no SVG: it is a script container), and check the
file by decoding it fully before it is stored. ``check_image`` applies the
pixel limit and the warning-as-error itself, so it holds whatever the global
warning filters are; ``harden_pillow`` sets the same limits for every other
use of Pillow in the process.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from PIL import Image as PillowImage
from PIL import UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
_ACCEPTED = "upload a JPEG, PNG, WebP or GIF image"
# What Pillow raises on a damaged file (its PNG and GIF parsers raise SyntaxError).
_DAMAGED = (OSError, SyntaxError, ValueError)


def harden_pillow() -> None:
    PillowImage.MAX_IMAGE_PIXELS = settings.MAX_IMAGE_PIXELS
    warnings.simplefilter("error", PillowImage.DecompressionBombWarning)


@dataclass(frozen=True)
class CheckedImage:
    format: str
    extension: str
    width: int
    height: int


def check_image(upload) -> CheckedImage:
    """Validate an uploaded file as an image we accept, or raise ValidationError.

    The whole file is read from its start; the upload's position is left as it was.
    """
    size = getattr(upload, "size", None)
    if size is not None and size > settings.MAX_IMAGE_BYTES:
        limit_mb = settings.MAX_IMAGE_BYTES // (1024 * 1024)
        raise ValidationError(f"The image is larger than {limit_mb} MB.")
    if size == 0:
        raise ValidationError(f"The file is empty; {_ACCEPTED}.")
    position = upload.tell()
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", PillowImage.DecompressionBombWarning)
            return _decode(upload)
    finally:
        upload.seek(position)


def _decode(upload) -> CheckedImage:
    too_many_pixels = ValidationError(
        f"The image has more than {settings.MAX_IMAGE_PIXELS:,} pixels; upload a smaller one."
    )
    try:
        with PillowImage.open(upload) as picture:
            image_format = picture.format
            width, height = picture.size
            if image_format not in ALLOWED_FORMATS:
                raise ValidationError(f"{image_format} files are not accepted; {_ACCEPTED}.")
            if width * height > settings.MAX_IMAGE_PIXELS:
                raise too_many_pixels
            picture.load()
    except (PillowImage.DecompressionBombError, PillowImage.DecompressionBombWarning):
        raise too_many_pixels from None
    except UnidentifiedImageError:
        raise ValidationError(f"This file is not an image we accept; {_ACCEPTED}.") from None
    except _DAMAGED as error:
        raise ValidationError(
            f"The image could not be read; the file may be damaged or incomplete ({error})."
        ) from None
    return CheckedImage(image_format, ALLOWED_FORMATS[image_format], width, height)
