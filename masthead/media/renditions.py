"""What readers get of a library image: its renditions, as one table, and how they are made.

``CROPS`` is the whole rule: each crop (the whole picture, 16:9 for cards,
1:1 for thumbnails, 1.91:1 for share images) names its widths and formats.
Widths are capped at what the crop of the original holds (a picture is never
enlarged; a crop narrower than a width gets one rendition at its own width
instead). Every crop is the largest box of its ratio that fits the picture,
placed so the focal point (``Image.focal_x``/``focal_y``) is inside it and
as central as the picture's edges allow.

How a rendition stays clean: the stored file is decoded within the limits of
``image_safety`` (first frame only), turned into 8-bit sRGB — CMYK and other
colour profiles through LittleCMS (``ImageCms``), 16-bit greys scaled, palettes
and transparency expanded (AVIF and WebP keep the alpha; JPEG gets it on
white) — resized, and encoded from its pixels with no EXIF, XMP, ICC profile
or comment: an sRGB picture needs none, and nothing the uploader's camera
wrote can ride along.

How the rows stay right (``make_renditions``, run by the worker's task in
``media/tasks.py`` and by ``manage.py make_renditions``): the files are made
outside any transaction, then one transaction locks the image row, checks
that its file and focal point are still the ones rendered (else the work is
dropped: the save that changed them queued a new run), replaces the rows
that are missing or stale (a crop made for another focal point, a size the
picture no longer has) and announces ``renditions_changed`` so the pages that
show the image are rendered again (``stories/versions.py``). Files of rows
removed go after the commit (``tasks.py``: a ``Rendition`` deleted, by hand or
by the cascade of its image, takes its file along). Running it twice makes
nothing twice.

Why Pillow and not libvips, measured (``bench/renditions.py``, docs/performance.md
"Renditions"): for the full set of 46 files of a 12-megapixel photo, libvips
8.18 (pyvips-binary) took about a quarter less CPU time (2.3 s against
3.0 s) but about half again as much memory (peak +221 MiB against +144 MiB
over the process's own), with the same output sizes. That is no clear win:
two thirds of Pillow's CPU time is in the encoders that both libraries call
(AVIF 1.3 s, WebP 0.6 s, JPEG 0.1 s; decoding 0.1 s, Lanczos resizing
1.0 s, where libvips gains), and Pillow is already how every upload is
checked (``image_safety``) — one decoder of untrusted files, not two, and no
second set of native libraries (18 MB) to keep patched. The worker makes
renditions in the background, where a few seconds per photo is not on
anyone's path.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from pathlib import PurePath

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.dispatch import Signal
from PIL import Image as PillowImage
from PIL import ImageCms

from masthead.media.image_safety import content_type_for as stored_content_type_for
from masthead.media.image_safety import harden_pillow
from masthead.media.models import Image, Rendition

logger = logging.getLogger(__name__)

# Sent inside the transaction that changed an image's rendition rows, with
# ``image_id``: the pages that show it carry new markup (stories/versions.py).
renditions_changed = Signal()


@dataclass(frozen=True)
class Format:
    extension: str
    content_type: str
    options: dict


# Best first: the order of the <source> elements. Qualities chosen by eye on
# news photographs at the sizes a page shows; AVIF at its encoder's speed 8
# (of 0 slowest … 10): a 12 MP photo's full set in seconds, not minutes.
FORMATS: dict[str, Format] = {
    "avif": Format("avif", "image/avif", {"quality": 55, "speed": 8}),
    "webp": Format("webp", "image/webp", {"quality": 78, "method": 4}),
    "jpeg": Format("jpg", "image/jpeg", {"quality": 82, "optimize": True, "progressive": True}),
}
ALL_FORMATS = tuple(FORMATS)


@dataclass(frozen=True)
class Crop:
    ratio: tuple[int, int] | None  # None: the whole picture
    widths: tuple[int, ...]
    formats: tuple[str, ...]
    shown_as: str


# The table: crop name (``Rendition.crop``) → what is made of it.
CROPS: dict[str, Crop] = {
    "": Crop(None, (320, 480, 640, 960, 1280, 1600, 2048), ALL_FORMATS, "lead and body images"),
    "16x9": Crop((16, 9), (320, 480, 640, 960, 1280), ALL_FORMATS, "cards"),
    "1x1": Crop((1, 1), (160, 320, 640), ALL_FORMATS, "thumbnails"),
    # og:image, twitter:image, JSON-LD: one JPEG, the size Open Graph asks for.
    "191x100": Crop((191, 100), (1200,), ("jpeg",), "share images"),
}
SHARE_CROP = "191x100"


@dataclass(frozen=True)
class Planned:
    """One rendition an image should have."""

    crop: str
    format: str
    width: int
    height: int
    box: tuple[int, int, int, int]  # the part of the original it shows (left, top, right, bottom)

    @property
    def key(self) -> tuple[str, str, int]:
        return (self.crop, self.format, self.width)


def crop_box(
    width: int, height: int, ratio: tuple[int, int] | None, focal_x: float, focal_y: float
) -> tuple[int, int, int, int]:
    """The largest box of ``ratio`` inside ``width`` x ``height`` that centres the focal point
    as far as the edges allow (so it always contains it)."""
    if ratio is None:
        return (0, 0, width, height)
    ratio_w, ratio_h = ratio
    if width * ratio_h > height * ratio_w:  # wider than the ratio: full height
        box_w, box_h = max(1, min(width, round(height * ratio_w / ratio_h))), height
    else:
        box_w, box_h = width, max(1, min(height, round(width * ratio_h / ratio_w)))
    left = _centred(focal_x * width, box_w, width)
    top = _centred(focal_y * height, box_h, height)
    return (left, top, left + box_w, top + box_h)


def _centred(focus: float, size: int, total: int) -> int:
    return max(0, min(total - size, round(focus - size / 2)))


def plan(width: int, height: int, focal_x: float, focal_y: float) -> list[Planned]:
    """Every rendition of a ``width`` x ``height`` picture with this focal point."""
    if width <= 0 or height <= 0:
        return []
    planned = []
    for name, crop in CROPS.items():
        box = crop_box(width, height, crop.ratio, focal_x, focal_y)
        box_w, box_h = box[2] - box[0], box[3] - box[1]
        for out_w in widths_for(box_w, crop.widths):
            out_h = max(1, round(out_w * box_h / box_w))
            planned.extend(Planned(name, fmt, out_w, out_h, box) for fmt in crop.formats)
    return planned


def widths_for(available: int, wanted: tuple[int, ...]) -> list[int]:
    """The widths made of a crop ``available`` pixels wide: never wider than it is."""
    widths = [width for width in wanted if width <= available]
    if available < max(wanted) and available not in widths:
        widths.append(available)  # its own full width: the sharpest there is
    return widths


def is_current(rendition: Rendition, planned: dict[tuple[str, str, int], Planned], image) -> bool:
    """Whether a stored row is one the image should have now."""
    wanted = planned.get((rendition.crop, rendition.format, rendition.width))
    if wanted is None or wanted.height != rendition.height:
        return False
    return not CROPS[rendition.crop].ratio or (
        (rendition.focal_x, rendition.focal_y) == (image.focal_x, image.focal_y)
    )


def needs_work(image: Image, stored: list[Rendition]) -> bool:
    """Whether ``image`` lacks a rendition or keeps a stale one (``stored``: all its rows)."""
    planned = {p.key: p for p in plan(image.width, image.height, image.focal_x, image.focal_y)}
    current = {_key(r) for r in stored if is_current(r, planned, image)}
    return current != set(planned) or len(stored) != len(current)


def _key(rendition: Rendition) -> tuple[str, str, int]:
    return (rendition.crop, rendition.format, rendition.width)


# Reading ----------------------------------------------------------------------------------------


def to_srgb(picture: PillowImage.Image) -> PillowImage.Image:
    """The first frame of ``picture`` as 8-bit sRGB: ``RGB``, or ``RGBA`` when it has alpha."""
    picture.seek(0)
    icc = picture.info.get("icc_profile")
    mode = picture.mode
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        # 16 bits per grey: scale to 8 (``convert("L")`` would clip, not scale).
        picture = picture.convert("I").point(lambda value: value * (1 / 257)).convert("L")
    elif mode == "F":
        picture = picture.convert("L")
    if icc and picture.mode in ("RGB", "RGBA", "CMYK", "L", "LA"):
        picture = _from_profile(picture, icc)
    has_alpha = picture.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
        picture.mode == "P" and "transparency" in picture.info
    )
    converted = picture.convert("RGBA" if has_alpha else "RGB")
    if has_alpha and converted.getextrema()[3][0] == 255:
        converted = converted.convert("RGB")  # an alpha channel that hides nothing
    converted.info = {}
    return converted


def _from_profile(picture: PillowImage.Image, icc: bytes) -> PillowImage.Image:
    """``picture`` converted from its embedded colour profile to sRGB."""
    alpha = picture.getchannel("A") if picture.mode in ("RGBA", "LA") else None
    base = picture.convert("RGB" if picture.mode in ("RGBA", "LA") else picture.mode)
    if base.mode == "L":
        base = base.convert("RGB")
        return _with_alpha(base, alpha)  # a grey profile changes little; ICC for L is rare
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        converted = ImageCms.profileToProfile(
            base, source, _SRGB, renderingIntent=ImageCms.Intent.PERCEPTUAL, outputMode="RGB"
        )
    except (ImageCms.PyCMSError, OSError, ValueError):
        logger.warning("Unusable colour profile; converting without it")
        converted = base.convert("RGB")
    return _with_alpha(converted, alpha)


def _with_alpha(picture: PillowImage.Image, alpha) -> PillowImage.Image:
    if alpha is None:
        return picture
    picture = picture.convert("RGBA")
    picture.putalpha(alpha)
    return picture


_SRGB = ImageCms.createProfile("sRGB")


def resized(source: PillowImage.Image, size: tuple[int, int], box) -> PillowImage.Image:
    """The ``box`` of ``source`` (8-bit sRGB) at ``size``."""
    lanczos = PillowImage.Resampling.LANCZOS
    if source.mode == "RGBA":
        # Premultiplied while resampling, so transparent pixels' colour does not bleed.
        out = source.convert("RGBa").resize(size, lanczos, box=box, reducing_gap=3.0)
        return out.convert("RGBA")
    return source.resize(size, lanczos, box=box, reducing_gap=3.0)


def encode(picture: PillowImage.Image, format_name: str) -> bytes:
    """``picture`` in ``format_name`` from its pixels alone: no metadata of any kind."""
    if format_name == "jpeg" and picture.mode == "RGBA":
        flat = PillowImage.new("RGB", picture.size, (255, 255, 255))
        flat.paste(picture, mask=picture.getchannel("A"))
        picture = flat
    picture.info = {}
    out = io.BytesIO()
    picture.save(out, format_name.upper(), **FORMATS[format_name].options)
    return out.getvalue()


def render(file, planned: list[Planned], original: tuple[int, int]):
    """Yield ``(Planned, bytes)`` for each planned rendition of the stored ``file``
    (``original``: its size, which the plans' boxes are in).

    One decode for the whole set; each size is resized once and encoded in
    every format it is planned in. Memory: the decoded original plus one
    resized copy and one encoded file at a time.
    """
    harden_pillow()
    file.seek(0)
    with PillowImage.open(file) as picture:
        largest = max((p.width for p in planned), default=0)
        if picture.format == "JPEG" and planned and largest * 2 <= picture.width:
            # Let libjpeg decode at 1/2, 1/4 … scale when every rendition is smaller.
            scale = picture.width / largest
            picture.draft("RGB", (round(picture.width / scale), round(picture.height / scale)))
        source = to_srgb(picture)
    # The boxes in the decoded copy's pixels (fewer than the original's after a draft).
    factor_x, factor_y = source.width / original[0], source.height / original[1]
    by_size: dict[tuple[str, int], list[Planned]] = {}
    for item in planned:
        by_size.setdefault((item.crop, item.width), []).append(item)
    try:
        for items in by_size.values():
            left, top, right, bottom = items[0].box
            box = (left * factor_x, top * factor_y, right * factor_x, bottom * factor_y)
            picture = resized(source, (items[0].width, items[0].height), box)
            for item in items:
                yield item, encode(picture, item.format)
            picture.close()
    finally:
        source.close()


def content_type_for(name: str) -> str:
    """The content type of a stored file: a rendition's by its extension, else an image's."""
    extension = PurePath(name).suffix.lower().lstrip(".")
    for spec in FORMATS.values():
        if spec.extension == extension:
            return spec.content_type
    return stored_content_type_for(name)


def source_file_name(name: str) -> str:
    """For a rendition's file name, the file name of its image (whose fate it shares);
    any other name as it is."""
    if not name.startswith("renditions/"):
        return name
    source = Rendition.objects.filter(file=name).values_list("image__file", flat=True).first()
    return source or name


# Making -----------------------------------------------------------------------------------------


@dataclass
class Outcome:
    made: int = 0
    removed: int = 0
    dropped: bool = False  # the image changed while its renditions were made


def make_renditions(image: Image) -> Outcome:
    """Make what ``image`` lacks and remove what is stale (see the module docstring)."""
    if not image.file or not (image.width and image.height):
        return Outcome()
    file_name, focal = image.file.name, (image.focal_x, image.focal_y)
    planned = plan(image.width, image.height, *focal)
    by_key = {p.key: p for p in planned}
    stored = list(image.renditions.all())
    current = {_key(r) for r in stored if is_current(r, by_key, image)}
    missing = [p for p in planned if p.key not in current]
    if not missing and len(stored) == len(current):
        return Outcome()
    written: list[Rendition] = []
    try:
        if missing:
            with image.file.open("rb") as file:
                for item, data in render(file, missing, (image.width, image.height)):
                    rendition = Rendition(
                        image=image,
                        crop=item.crop,
                        format=item.format,
                        width=item.width,
                        height=item.height,
                        focal_x=focal[0],
                        focal_y=focal[1],
                    )
                    name = f"rendition.{FORMATS[item.format].extension}"
                    rendition.file.save(name, ContentFile(data), save=False)
                    written.append(rendition)
        outcome, unused = _store(image.pk, file_name, focal, by_key, written)
    except BaseException:
        _delete_files(written)  # no row of them was committed
        raise
    _delete_files(unused)
    return outcome


def _store(image_id, file_name, focal, planned, written: list[Rendition]):
    """Replace the image's missing and stale rows by ``written``, in one transaction.

    Returns the outcome and the written renditions not stored (their files are
    the caller's to remove).
    """
    outcome = Outcome()
    with transaction.atomic():
        image = Image.objects.select_for_update().filter(pk=image_id).first()
        if image is None or image.file.name != file_name or (image.focal_x, image.focal_y) != focal:
            outcome.dropped = True
            return outcome, written
        stored = {_key(r): r for r in image.renditions.all()}
        kept, unused = [], []
        for rendition in written:
            old = stored.get(_key(rendition))
            # Made meanwhile by another run: keep that one.
            (unused if old is not None and is_current(old, planned, image) else kept).append(
                rendition
            )
        stale = [r for r in stored.values() if not is_current(r, planned, image)]
        for rendition in stale:
            rendition.delete()  # its file goes after the commit (tasks.py)
        for rendition in kept:
            rendition.save()
        outcome.made, outcome.removed = len(kept), len(stale)
        if kept or stale:
            renditions_changed.send(sender=Image, image_id=image_id)
    return outcome, unused


def _delete_files(renditions: list[Rendition]) -> None:
    for rendition in renditions:
        if rendition.file.name:
            rendition.file.storage.delete(rendition.file.name)


def renditions_for(image: Image, crop: str) -> list[Rendition]:
    """The stored renditions of ``image`` in ``crop``, narrowest first (uses prefetched rows)."""
    if "renditions" not in getattr(image, "_prefetched_objects_cache", {}):
        # Read once per image object: the page's head (share picture) and body both ask.
        prefetch_related_objects([image], "renditions")
    rows = [r for r in image.renditions.all() if r.crop == crop]
    return sorted(rows, key=lambda r: (r.width, r.format))


def share_rendition(image: Image) -> Rendition | None:
    """The share picture of ``image`` (og:image, twitter:image, JSON-LD), or None until made."""
    rows = [r for r in renditions_for(image, SHARE_CROP) if r.format == "jpeg"]
    return rows[-1] if rows else None
