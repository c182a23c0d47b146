"""The hostile-file policy (docs/media-storage.md), one case per row, end to end.

Each file goes in the way an editor's does, through the image form (whose
file field is ``media.forms.ImageUploadField``) and the model, on the local
disk and on an S3 bucket (refusals). A refused file gets one clear message on the file
field and leaves nothing stored; an accepted one is stored with nothing but
its picture in it: its container is read segment by segment
(``images.segments``) and by Pillow.
"""

from __future__ import annotations

import io
import re
import time
import zipfile
import zlib

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, ImageCms, ImageSequence
from PIL import Image as PillowImage

from masthead.media.image_safety import MAX_FRAMES, MAX_ICC_BYTES, harden_pillow
from masthead.media.models import Image
from masthead.media.tests.images import (
    CANARIES,
    PICTURE_SEGMENTS,
    gif_declaring,
    gif_of_tiny_frames,
    iptc_block,
    jpeg_with_segment,
    photo_with_metadata,
    png_bytes,
    png_chunk,
    png_declaring,
    private_exif,
    segments,
)
from masthead.media.tests.test_image_safety import NOT_AN_IMAGE, SVG

pytestmark = pytest.mark.django_db
LIMIT = 1_000_000  # pixels, as an operator might set MAX_IMAGE_PIXELS
STORED_NAME = re.compile(r"images/\d{4}/\d{2}/[0-9a-f]{32}\.(png|jpg|webp|gif)")
SCRIPT = b"<script>alert(document.cookie)</script>"


@pytest.fixture(autouse=True)
def pillow_as_in_production(settings, monkeypatch):
    settings.MAX_IMAGE_PIXELS = LIMIT
    monkeypatch.setattr(PillowImage, "MAX_IMAGE_PIXELS", PillowImage.MAX_IMAGE_PIXELS)
    harden_pillow()


class ImageForm(forms.ModelForm):
    class Meta:
        model = Image
        fields = ["file", "alt_text"]


def submit(content: bytes, name: str = "upload.jpg") -> ImageForm:
    form = ImageForm(
        data={"alt_text": "A picture"}, files={"file": SimpleUploadedFile(name, content)}
    )
    if form.is_valid():
        form.save()
    return form


def encoded(picture: PillowImage.Image, image_format: str, **options) -> bytes:
    out = io.BytesIO()
    picture.save(out, image_format, **options)
    return out.getvalue()


def photo(size=(48, 32), mode="RGB", image_format="JPEG", **options) -> bytes:
    picture = PillowImage.new("RGB", size, (200, 40, 40))
    picture.paste((30, 30, 200), (size[0] // 2, 0, size[0], size[1]))
    return encoded(picture.convert(mode), image_format, **options)


def animation(image_format: str, frames: int, size=(30, 20)) -> bytes:
    colours = ["red", "green", "blue", "white", "black"]
    pictures = [PillowImage.new("RGB", size, colours[n % 5]) for n in range(frames)]
    return encoded(
        pictures[0], image_format, save_all=True, append_images=pictures[1:], duration=80, loop=0
    )


def truncated(content: bytes) -> bytes:
    return content[: len(content) * 2 // 3]


def noise(image_format: str, **options) -> bytes:
    picture = PillowImage.effect_noise((120, 90), 60).convert("RGB")
    return encoded(picture, image_format, **options)


def zip_archive() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("META-INF/MANIFEST.MF", "Main-Class: Evil\n")
        archive.writestr("shell.php", "<?php system($_GET['c']); ?>")
    return out.getvalue()


def png_with_huge_exif() -> bytes:
    exif = private_exif()
    exif[ExifTags.Base.ImageDescription] = "canary comment " + "x" * 2_000_000
    return encoded(PillowImage.new("RGB", (40, 30), "red"), "PNG", exif=exif)


def jpeg_with_huge_blocks() -> bytes:
    exif = private_exif()
    exif[ExifTags.Base.ImageDescription] = "canary comment " + "x" * 60_000
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/">canary-xmp' + b" " * 60_000 + b"</x:xmpmeta>"
    junk_profile = b"\0\0\0\0canary-icc" + b"\x07" * (MAX_ICC_BYTES + 1000)
    return photo(exif=exif, xmp=xmp, icc_profile=junk_profile, comment=b"canary comment" * 4000)


def over_limit_webp() -> bytes:
    return encoded(PillowImage.new("RGB", (1001, 1000), "white"), "WEBP", lossless=True)


TOO_MANY_PIXELS = "The image has more than 1,000,000 pixels; upload a smaller one."
DAMAGED = "The image could not be read; the file may be damaged or incomplete"

# (what it is, its bytes, the upload's name, the message: whole, or its start for DAMAGED)
REFUSED = [
    ("zero bytes", lambda: b"", "empty.jpg", "The submitted file is empty."),
    ("text", lambda: b"Lorem ipsum dolor sit amet " * 20, "photo.jpg", NOT_AN_IMAGE),
    ("html named jpg", lambda: b"<!doctype html><html>" + SCRIPT, "photo.jpg", NOT_AN_IMAGE),
    ("php named png", lambda: b"<?php system($_GET['c']); ?>", "photo.png", NOT_AN_IMAGE),
    ("zip named gif", zip_archive, "photo.gif", NOT_AN_IMAGE),
    ("svg", lambda: b'<svg xmlns="http://www.w3.org/2000/svg"/>', "logo.svg", SVG),
    (
        "svg with bom, declaration, comment, doctype",
        lambda: (
            b'\xef\xbb\xbf<?xml version="1.0"?>\n<!-- made by hand -->\n<!DOCTYPE svg>'
            b'<SVG xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></SVG>'
        ),
        "logo.png",
        SVG,
    ),
    ("png claiming 100,000 x 100,000", lambda: png_declaring(100_000, 100_000), "a.png", None),
    ("gif claiming 65,535 x 65,535", lambda: gif_declaring(65_535, 65_535), "a.gif", None),
    (
        "png bomb: 2 million one-bit pixels in 300 bytes",
        lambda: encoded(PillowImage.new("1", (2000, 1000)), "PNG"),
        "a.png",
        None,
    ),
    ("webp over the pixel limit", over_limit_webp, "a.webp", None),
    (
        "gif over the pixel limit",
        lambda: encoded(PillowImage.new("P", (1001, 1000)), "GIF"),
        "a.gif",
        None,
    ),
    ("truncated jpeg", lambda: truncated(noise("JPEG")), "a.jpg", DAMAGED),
    (
        "truncated progressive jpeg",
        lambda: truncated(noise("JPEG", progressive=True)),
        "a.jpg",
        DAMAGED,
    ),
    ("truncated png", lambda: truncated(noise("PNG")), "a.png", DAMAGED),
    (
        "truncated gif",
        lambda: truncated(encoded(PillowImage.effect_noise((120, 90), 60), "GIF")),
        "a.gif",
        DAMAGED,
    ),
    ("truncated webp", lambda: truncated(noise("WEBP")), "a.webp", DAMAGED),
    (
        f"gif of more than {MAX_FRAMES} frames",
        lambda: gif_of_tiny_frames(MAX_FRAMES + 1),
        "a.gif",
        f"The animation has more than {MAX_FRAMES} frames; upload a shorter one or a still image.",
    ),
    (
        "apng whose frames pass the pixel limit",
        lambda: animation("PNG", 3, (600, 600)),
        "a.png",
        "The animation has more than 1,000,000 pixels in its first 3 frames; "
        "upload a shorter or smaller one.",
    ),
    (
        "gif holding one picture for 800 seconds",
        lambda: gif_of_tiny_frames(2, centiseconds=40_000),
        "a.gif",
        "The animation shows one picture for longer than a GIF frame can last; "
        "upload it as a still image.",
    ),
    (
        "tiff",
        lambda: photo(image_format="TIFF"),
        "scan.jpg",
        "TIFF files are not accepted; upload a JPEG, PNG, WebP or GIF image.",
    ),
]


@pytest.mark.parametrize(
    ("make", "name", "message"),
    [case[1:] for case in REFUSED],
    ids=[case[0] for case in REFUSED],
)
def test_a_refused_file_gets_one_clear_message_and_nothing_is_stored(
    make, name, message, media_storage
):
    form = submit(make(), name)

    assert list(form.errors) == ["file"]
    (text,) = form.errors["file"]
    expected = message or TOO_MANY_PIXELS
    assert text.startswith(expected) if expected == DAMAGED else text == expected
    assert media_storage() == []
    assert not Image.objects.exists()


def test_many_tiny_frames_are_refused_without_reading_them_all():
    bomb = gif_of_tiny_frames(200_000)  # 4.6 MB
    started = time.perf_counter()

    form = submit(bomb, "a.gif")

    assert form.errors["file"][0].startswith(f"The animation has more than {MAX_FRAMES} frames")
    assert time.perf_counter() - started < 2


def cmyk_jpeg() -> bytes:
    return photo(
        mode="CMYK", icc_profile=ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    )


def palette_png_with_transparency() -> bytes:
    picture = PillowImage.new("P", (20, 10), 1)
    picture.putpalette([0, 0, 0, 255, 0, 0, 0, 0, 255])
    picture.paste(2, (10, 0, 20, 10))
    return encoded(picture, "PNG", transparency=bytes([255, 0, 128]))


def png_16_bit_rgb() -> bytes:
    width, height = 4, 3
    rows = b"".join(b"\0" + b"\xff\x00\x10\x00\x20\x00" * width for _ in range(height))
    header = png_chunk(
        b"IHDR", width.to_bytes(4, "big") + height.to_bytes(4, "big") + b"\x10\x02\0\0\0"
    )
    return (
        b"\x89PNG\r\n\x1a\n"
        + header
        + png_chunk(b"IDAT", zlib.compress(rows))
        + png_chunk(b"IEND", b"")
    )


# (what it is, its bytes, the upload's name, the stored format, bytes that must be gone)
ACCEPTED = [
    (
        "jpeg + zip (a polyglot archive)",
        lambda: photo() + zip_archive(),
        "a.jpg",
        "JPEG",
        [b"PK\x03\x04", b"<?php"],
    ),
    (
        "gif + jar (gifar)",
        lambda: encoded(PillowImage.new("P", (10, 10), 1), "GIF") + zip_archive(),
        "a.gif",
        "GIF",
        [b"PK\x03\x04", b"MANIFEST"],
    ),
    (
        "jpeg + php",
        lambda: photo() + b"<?php system($_GET['c']); ?>",
        "a.php.jpg",
        "JPEG",
        [b"<?php"],
    ),
    (
        "png + html",
        lambda: png_bytes() + b"<html>" + SCRIPT,
        "a.png",
        "PNG",
        [b"<html", b"<script"],
    ),
    ("png named gif", lambda: png_bytes(), "photo.gif", "PNG", []),
    (
        "script in exif and comment",
        lambda: photo(exif=_exif_with_script(), comment=SCRIPT),
        "a.jpg",
        "JPEG",
        [b"<script", b"Exif\x00\x00"],
    ),
    (
        "iptc caption (photoshop app13)",
        lambda: jpeg_with_segment(photo(), 0xED, iptc_block(b"canary-iptc")),
        "a.jpg",
        "JPEG",
        [b"canary-iptc", b"Photoshop 3.0", b"8BIM"],
    ),
    (
        "gps, camera and xmp in jpeg",
        lambda: photo_with_metadata("JPEG"),
        "a.jpg",
        "JPEG",
        list(CANARIES),
    ),
    ("gps and xmp in webp", lambda: photo_with_metadata("WEBP"), "a.webp", "WEBP", list(CANARIES)),
    ("text and exif in png", lambda: photo_with_metadata("PNG"), "a.png", "PNG", list(CANARIES)),
    (
        "60 kb of exif, xmp and comments, 257 kb of junk profile",
        jpeg_with_huge_blocks,
        "a.jpg",
        "JPEG",
        [b"canary", b"xmpmeta"],
    ),
    ("2 mb of exif in png", png_with_huge_exif, "a.png", "PNG", [b"canary", b"xxxxxxxx"]),
    ("cmyk jpeg", cmyk_jpeg, "print.jpg", "JPEG", []),
    (
        "16-bit grey png",
        lambda: encoded(PillowImage.new("I;16", (12, 8), 40_000), "PNG"),
        "a.png",
        "PNG",
        [],
    ),
    ("16-bit rgb png", png_16_bit_rgb, "a.png", "PNG", []),
    ("palette png with transparency", palette_png_with_transparency, "a.png", "PNG", []),
    ("animated gif", lambda: animation("GIF", 3), "a.gif", "GIF", []),
    ("animated webp", lambda: animation("WEBP", 3), "a.webp", "WEBP", []),
    ("apng", lambda: animation("PNG", 3), "a.png", "PNG", []),
    (f"gif of {MAX_FRAMES} frames", lambda: gif_of_tiny_frames(MAX_FRAMES), "a.gif", "GIF", []),
]


def _exif_with_script() -> PillowImage.Exif:
    exif = private_exif()
    exif[ExifTags.Base.ImageDescription] = SCRIPT.decode()
    return exif


# What is stored does not depend on the storage (test_storage.py reads it back
# from a bucket); refusals run on both, since a refusal must leave both empty.
@pytest.mark.parametrize("media_storage", ["local"], indirect=True)
@pytest.mark.parametrize(
    ("make", "name", "image_format", "gone"),
    [case[1:] for case in ACCEPTED],
    ids=[case[0] for case in ACCEPTED],
)
def test_an_accepted_file_is_stored_as_its_picture_alone(
    make, name, image_format, gone, media_storage
):
    original = make()

    form = submit(original, name)

    assert form.errors == {}
    image = Image.objects.get()
    assert media_storage() == [image.file.name]
    assert STORED_NAME.fullmatch(image.file.name)
    with image.file.open("rb") as file:
        stored = file.read()
    container, names = segments(stored)
    assert container == image_format
    assert set(names) <= PICTURE_SEGMENTS[image_format], names
    assert [marker for marker in gone if marker in stored] == []
    picture = PillowImage.open(io.BytesIO(stored))
    assert (picture.width, picture.height) == (image.width, image.height)
    assert not picture.getexif()
    assert not {"exif", "xmp", "comment", "XML:com.adobe.xmp"} & set(picture.info)
    picture.load()


def test_a_cmyk_jpeg_is_stored_in_rgb_with_its_colours():
    submit(cmyk_jpeg(), "print.jpg")

    stored = PillowImage.open(Image.objects.get().file.open("rb"))
    original = PillowImage.open(io.BytesIO(cmyk_jpeg())).convert("RGB")
    assert stored.mode == "RGB" and "icc_profile" not in stored.info
    for point in ((5, 5), (40, 20)):
        assert all(
            abs(a - b) < 12
            for a, b in zip(stored.getpixel(point), original.getpixel(point), strict=True)
        )


def test_sixteen_bits_and_palette_transparency_are_kept():
    submit(encoded(PillowImage.new("I;16", (12, 8), 40_000), "PNG"), "a.png")
    submit(palette_png_with_transparency(), "b.png")

    grey, palette = (
        PillowImage.open(image.file.open("rb")) for image in Image.objects.order_by("pk")
    )
    assert grey.mode == "I;16" and grey.getpixel((0, 0)) == 40_000
    assert palette.mode == "P" and palette.info["transparency"] == bytes([255, 0, 128])
    rgba = palette.convert("RGBA")
    assert rgba.getpixel((2, 2))[3] == 0 and rgba.getpixel((15, 2))[3] == 128


@pytest.mark.parametrize("image_format", ["GIF", "WEBP", "PNG"])
def test_an_animation_keeps_its_frames(image_format):
    submit(animation(image_format, 4), f"a.{image_format.lower()}")

    stored = PillowImage.open(Image.objects.get().file.open("rb"))
    assert stored.n_frames == 4
    firsts = [frame.convert("RGB").getpixel((1, 1)) for frame in ImageSequence.Iterator(stored)]
    for pixel, expected in zip(firsts[:2], [(255, 0, 0), (0, 128, 0)], strict=True):
        assert max(abs(a - b) for a, b in zip(pixel, expected, strict=True)) < 8  # lossy WebP


@pytest.mark.parametrize("media_storage", ["local"], indirect=True)
@pytest.mark.parametrize(
    "name",
    [
        "x" * 1000 + ".jpg",
        "../../../etc/passwd.jpg",
        "C:\\Windows\\system32\\photo.jpg",
        "photo\x00.php.jpg",
        "صورة خبر ۱۴۰۳.jpg",
        "ف\u200cارسی\u202egpj.php",
        ".jpg",
        "photo",
    ],
    ids=[
        "1000 characters",
        "climbing",
        "windows path",
        "nul",
        "arabic",
        "rtl override",
        "dot",
        "no extension",
    ],
)
def test_the_uploads_name_never_reaches_storage(name, media_storage):
    form = submit(photo(), name)

    assert form.errors == {}
    image = Image.objects.get()
    assert STORED_NAME.fullmatch(image.file.name) and image.file.name.endswith(".jpg")
    assert media_storage() == [image.file.name]
