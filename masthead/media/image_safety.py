"""Safe intake of uploaded images, built on Pillow.

Pillow only *warns* about decompression bombs up to ~178 million pixels; an
upload that size would eat the worker's memory. We lower the limit
(``MAX_IMAGE_PIXELS``), turn the warning into an error, allow-list the
formats a news site needs (no SVG: it is a script container), and check the
file by decoding it fully before it is stored.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from PIL import Image as PillowImage

ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}


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
    """Validate an uploaded file as an image we accept, or raise ValidationError."""
    size = getattr(upload, "size", None)
    if size is not None and size > settings.MAX_IMAGE_BYTES:
        limit_mb = settings.MAX_IMAGE_BYTES // (1024 * 1024)
        raise ValidationError(f"The image is larger than {limit_mb} MB.")
    position = upload.tell() if hasattr(upload, "tell") else None
    try:
        with PillowImage.open(upload) as picture:
            image_format = picture.format
            width, height = picture.size
            if image_format not in ALLOWED_FORMATS:
                raise ValidationError(
                    f"{image_format or 'This'} files are not accepted; "
                    "upload a JPEG, PNG, WebP or GIF image."
                )
            picture.load()
    except ValidationError:
        raise
    except (PillowImage.DecompressionBombError, PillowImage.DecompressionBombWarning):
        raise ValidationError(
            f"The image has more than {settings.MAX_IMAGE_PIXELS:,} pixels; upload a smaller one."
        ) from None
    except (OSError, SyntaxError, ValueError) as error:
        raise ValidationError(f"The file is not an image we can read ({error}).") from None
    finally:
        if position is not None:
            upload.seek(position)
    return CheckedImage(image_format, ALLOWED_FORMATS[image_format], width, height)
