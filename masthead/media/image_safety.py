"""Safe intake of uploaded images, built on Pillow.

Pillow only *warns* about decompression bombs up to ~178 million pixels; an
upload that size would eat the worker's memory. We lower the limit
(``MAX_IMAGE_PIXELS``), turn the warning into an error, allow-list the
formats a news site needs (no SVG: it is a script container), and decode the
whole file before anything is stored. ``harden_pillow`` sets those limits
for every use of Pillow in the process; the functions here apply them
themselves, so they hold whatever the global warning filters are.

``prepare_image`` is the one way a new file gets stored (``media.models``
calls it for every new file of an ``Image``). It decodes the upload, turns
the picture upright as its EXIF orientation says, and writes it again from
its pixels: no EXIF (GPS position, camera serial number, names), no XMP or
IPTC, no comments or text chunks, and no bytes that were not the picture —
a polyglot's script after the end of a PNG or in a GIF comment is gone. Only
the colour profile (when it is a real one, at most ``MAX_ICC_BYTES``) and
transparency are carried over. JPEGs are written with their own
quantisation tables and subsampling, so the new copy looks the same; a CMYK
JPEG (print work) is turned into RGB through its own profile, since
browsers show CMYK badly or not at all; a lossless WebP stays lossless.
Animations keep their frames and timing, up to ``MAX_FRAMES`` frames whose
pixels all count against the pixel limit; frames are counted one by one
while they are decoded, so the work an upload can cost is bounded before it
is spent. They carry no orientation to apply. The stored name's extension
and the content type come from the decoded format, never from the upload's
name or declared type.

SVG is refused, with a message that says why, rather than sanitised: it is
a document that can hold scripts, links and references to other files, and
no well-kept Python library sanitises it to a standard we could rely on.
docs/media-storage.md has the whole policy, one row per kind of hostile file.
"""

from __future__ import annotations

import io
import re
import struct
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.utils.translation import gettext, gettext_lazy
from PIL import Image as PillowImage
from PIL import ImageCms, ImageOps, JpegImagePlugin, UnidentifiedImageError

from masthead.database_outage import is_out_of_room

# Decoded format → the extension its stored file gets. A multi-picture JPEG
# (MPO: phones add a depth map or preview) is stored as its main picture.
ALLOWED_FORMATS = {"JPEG": "jpg", "MPO": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp", "gif": "image/gif"}
ACCEPT = "image/jpeg,image/png,image/webp,image/gif"
_ACCEPTED = gettext_lazy("upload a JPEG, PNG, WebP or GIF image")
# What Pillow raises on a damaged file: its PNG and GIF parsers raise
# SyntaxError, and IndexError or struct.error where a frame ends too soon.
_DAMAGED = (OSError, SyntaxError, ValueError, EOFError, IndexError, struct.error)
# Lossy WebP is written again at this quality (JPEG keeps its own tables).
WEBP_QUALITY = 90
# The most frames an animation may have (a 20-second clip at 25 frames a second).
MAX_FRAMES = 500
# A colour profile larger than this is dropped (RGB ones are a few kilobytes;
# a JPEG may carry up to 16 MB of "profile" in its APP2 segments).
MAX_ICC_BYTES = 256 * 1024
# The start of an SVG document (after an XML declaration, comments or a DOCTYPE).
_SVG = re.compile(
    rb"^\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*|<!doctype[^>]*>\s*)*<svg[\s>/]", re.S | re.I
)
_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def harden_pillow() -> None:
    PillowImage.MAX_IMAGE_PIXELS = settings.MAX_IMAGE_PIXELS
    warnings.simplefilter("error", PillowImage.DecompressionBombWarning)


def content_type_for(name: str) -> str:
    """The content type of a stored image file, from the extension ``prepare_image`` gave it."""
    return CONTENT_TYPES.get(PurePath(name).suffix.lower().lstrip("."), "application/octet-stream")


@dataclass(frozen=True)
class CheckedImage:
    format: str
    extension: str
    width: int
    height: int
    frames: int = 1


class PreparedImage(File):
    """An upload decoded and written again without its metadata: what gets stored.

    Its ``name`` is ``image.<extension>`` of the decoded format; the content
    lives in an anonymous temporary file that disappears when it is closed.
    """

    def __init__(self, file, checked: CheckedImage):
        super().__init__(file, name=f"image.{checked.extension}")
        self.checked = checked
        self.width, self.height = checked.width, checked.height

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.checked.extension]


def check_image(upload) -> CheckedImage:
    """Validate a file as an image we accept, or raise ValidationError.

    The whole file is read from its start; the upload's position is left as it was.
    """
    with _decoded(upload) as (_picture, checked):
        return checked


def prepare_image(upload) -> PreparedImage:
    """The upload as it will be stored (see the module docstring), or ValidationError."""
    if isinstance(upload, PreparedImage):
        return upload
    with _decoded(upload) as (picture, checked):
        lossless = checked.format == "WEBP" and _is_lossless_webp(upload)
        # Closed by whoever stores it (or when it is dropped); never named on disk.
        output = tempfile.TemporaryFile(dir=settings.FILE_UPLOAD_TEMP_DIR)  # noqa: SIM115
        try:
            width, height = _write_without_metadata(picture, checked, output, lossless)
        except (RuntimeError, AssertionError):
            # Pillow's animation writers fail so on frames whose damage decoding let
            # through (a WebP encoder error, a GIF frame without a palette): found by fuzzing.
            output.close()
            raise ValidationError(
                "The image could not be read; the file may be damaged or incomplete."
            ) from None
        except BaseException:
            output.close()
            raise
    output.seek(0)
    upright = CheckedImage(checked.format, checked.extension, width, height, checked.frames)
    return PreparedImage(output, upright)


@contextmanager
def _decoded(upload) -> Iterator[tuple[PillowImage.Image, CheckedImage]]:
    """The fully decoded upload, within the limits; Pillow's errors become clear messages.

    Errors raised inside the ``with`` block are translated too.
    """
    size = getattr(upload, "size", None)
    if size is not None and size > settings.MAX_IMAGE_BYTES:
        limit_mb = settings.MAX_IMAGE_BYTES // (1024 * 1024)
        raise ValidationError(
            gettext("The image is larger than %(limit_mb)s MB.") % {"limit_mb": limit_mb}
        )
    if size == 0:
        raise ValidationError(
            gettext("The file is empty; %(_accepted)s.") % {"_accepted": _ACCEPTED}
        )
    too_many_pixels = ValidationError(
        gettext("The image has more than %(pixels)s pixels; upload a smaller one.")
        % {"pixels": f"{settings.MAX_IMAGE_PIXELS:,}"}
    )
    position = upload.tell()
    upload.seek(0)
    if _SVG.match(upload.read(4096).removeprefix(b"\xef\xbb\xbf")):
        upload.seek(position)
        raise ValidationError(
            gettext(
                "SVG files are not accepted: they can carry scripts. Export the graphic "
                "as a PNG and upload that."
            )
        )
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", PillowImage.DecompressionBombWarning)
            with PillowImage.open(upload) as picture:
                yield picture, _checked(picture, too_many_pixels)
    except (PillowImage.DecompressionBombError, PillowImage.DecompressionBombWarning):
        raise too_many_pixels from None
    except UnidentifiedImageError:
        raise ValidationError(
            gettext("This file is not an image we accept; %(_accepted)s.")
            % {"_accepted": _ACCEPTED}
        ) from None
    except _DAMAGED as error:
        if is_out_of_room(error):
            # A full disk while the image was written out is not a damaged file: the
            # request answers 503 "no room" (masthead/database_outage.py, R10).
            raise
        raise ValidationError(
            gettext(
                "The image could not be read; the file may be damaged or incomplete (%(error)s)."
            )
            % {"error": error}
        ) from None
    finally:
        upload.seek(position)


def _checked(picture: PillowImage.Image, too_many_pixels: ValidationError) -> CheckedImage:
    image_format = picture.format
    width, height = picture.size
    if image_format not in ALLOWED_FORMATS:
        raise ValidationError(
            gettext("%(image_format)s files are not accepted; %(_accepted)s.")
            % {"image_format": image_format, "_accepted": _ACCEPTED}
        )
    if width * height > settings.MAX_IMAGE_PIXELS:
        raise too_many_pixels
    picture.load()
    frames = 1 if image_format == "MPO" else _frames_within_limits(picture, width * height)
    stored_format = "JPEG" if image_format == "MPO" else image_format
    return CheckedImage(stored_format, ALLOWED_FORMATS[image_format], width, height, frames)


def _frames_within_limits(picture: PillowImage.Image, pixels_per_frame: int) -> int:
    """How many frames ``picture`` has, refusing it as soon as it passes a limit.

    Frames are counted by stepping through them (moving to a frame decodes
    the one before), never by ``n_frames``, which reads a GIF to its end
    first: a 20 MB file of tiny frames takes seconds to count.
    """
    if not getattr(picture, "is_animated", False):
        return 1
    frames = 1
    while True:
        try:
            picture.seek(frames)
        except EOFError:
            break
        frames += 1
        if frames > MAX_FRAMES:
            raise ValidationError(
                f"The animation has more than {MAX_FRAMES:,} frames; "
                "upload a shorter one or a still image."
            )
        if frames * pixels_per_frame > settings.MAX_IMAGE_PIXELS:
            raise ValidationError(
                f"The animation has more than {settings.MAX_IMAGE_PIXELS:,} pixels in its "
                f"first {frames:,} frames; upload a shorter or smaller one."
            )
    picture.seek(0)
    return frames


def _write_without_metadata(
    picture: PillowImage.Image, checked: CheckedImage, output, lossless: bool
) -> tuple[int, int]:
    """Write ``picture`` to ``output`` from its pixels alone; the size written."""
    options: dict = {}
    icc_profile = _usable_profile(picture.info.get("icc_profile"))
    if icc_profile and picture.mode != "CMYK":
        options["icc_profile"] = icc_profile
    if checked.format == "JPEG":
        options["qtables"] = picture.quantization
        if (subsampling := JpegImagePlugin.get_sampling(picture)) != -1:
            options["subsampling"] = subsampling
        options["progressive"] = bool(picture.info.get("progressive"))
    elif checked.format == "WEBP":
        options |= {"lossless": True} if lossless else {"quality": WEBP_QUALITY}
    elif checked.format == "GIF":
        options["comment"] = b""  # else Pillow copies the first frame's comment
    if checked.frames > 1:
        try:
            picture.save(output, checked.format, save_all=True, **options)
        except OverflowError:  # Pillow merges equal frames; a GIF frame lasts 655 s at most
            raise ValidationError(
                "The animation shows one picture for longer than a GIF frame can last; "
                "upload it as a still image."
            ) from None
        return picture.size
    # Turned in place: without an orientation to apply, exif_transpose would return a
    # copy, 120 MB more for a 40-megapixel picture (bench/hostile_images.py).
    ImageOps.exif_transpose(picture, in_place=True)
    upright = picture
    if "transparency" in picture.info:
        options["transparency"] = picture.info["transparency"]
    if upright.mode == "CMYK":
        upright = _cmyk_to_rgb(upright, icc_profile)
        options.pop("subsampling", None)  # CMYK has none; RGB gets the JPEG default
    upright.info = {}  # nothing of the original's metadata rides along
    upright.save(output, checked.format, **options)
    return upright.size


def _usable_profile(icc_profile: bytes | None) -> bytes | None:
    """The colour profile if it is one (small, and readable by LittleCMS), else None."""
    if not icc_profile or len(icc_profile) > MAX_ICC_BYTES:
        return None
    return icc_profile if _read_profile(icc_profile) else None


def _read_profile(icc_profile: bytes) -> ImageCms.ImageCmsProfile | None:
    try:
        return ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
    except OSError:  # ImageCms.PyCMSError too: not a profile, or a damaged one
        return None


def _cmyk_to_rgb(picture: PillowImage.Image, icc_profile: bytes | None) -> PillowImage.Image:
    """An sRGB copy of a CMYK picture, through its own CMYK profile where it has one."""
    profile = _read_profile(icc_profile) if icc_profile else None
    if profile is None or profile.profile.xcolor_space.strip() != "CMYK":
        return picture.convert("RGB")
    return ImageCms.profileToProfile(picture, profile, _SRGB, outputMode="RGB")


def _is_lossless_webp(upload) -> bool:
    """Whether the (first) picture of a WebP file is VP8L, WebP's lossless coding."""
    upload.seek(12)  # after "RIFF", the size and "WEBP": a list of chunks
    while len(header := upload.read(8)) == 8:
        kind, size = header[:4], int.from_bytes(header[4:], "little")
        if kind in (b"VP8L", b"VP8 "):
            return kind == b"VP8L"
        if kind == b"ANMF":
            upload.seek(16, 1)  # the frame's own header; its picture's chunks follow
            continue
        upload.seek(size + size % 2, 1)
    return False
