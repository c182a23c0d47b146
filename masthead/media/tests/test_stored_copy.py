"""What is stored of an upload: the picture, upright, and nothing else.

Each test stores an upload as an ``Image`` (the one way files get stored)
and reads the file back from storage, as the media gate would serve it.
"""

from __future__ import annotations

import io
from pathlib import PurePath

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, ImageChops, ImageCms, ImageOps, ImageSequence
from PIL import Image as PillowImage

from masthead.media.image_safety import harden_pillow
from masthead.media.models import Image
from masthead.media.tests.images import CANARIES, photo_with_metadata, png_bytes, private_exif

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def pillow_as_in_production():
    harden_pillow()


def store(content: bytes, name: str = "upload.bin") -> Image:
    image = Image(file=SimpleUploadedFile(name, content), alt_text="A picture")
    image.full_clean()
    image.save()
    return image


def stored(image: Image) -> bytes:
    with image.file.open("rb") as file:
        return file.read()


def decoded(content: bytes) -> PillowImage.Image:
    picture = PillowImage.open(io.BytesIO(content))
    picture.load()
    return picture


@pytest.mark.parametrize("image_format", ["JPEG", "PNG", "WEBP", "GIF"])
def test_no_metadata_reaches_the_stored_file(image_format):
    original = photo_with_metadata(image_format)
    assert any(canary in original for canary in CANARIES)

    copy = stored(store(original))

    assert [canary for canary in CANARIES if canary in copy] == []
    picture = decoded(copy)
    assert picture.format == image_format
    assert not picture.getexif() and "xmp" not in picture.info and "comment" not in picture.info
    assert picture.size == (40, 30)


@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_exif_orientation_is_applied_before_it_is_dropped(orientation):
    original = photo_with_metadata("JPEG", (40, 30), orientation=orientation)
    expected = ImageOps.exif_transpose(PillowImage.open(io.BytesIO(original)))

    image = store(original)

    picture = decoded(stored(image))
    assert picture.size == expected.size == (image.width, image.height)
    assert ExifTags.Base.Orientation not in picture.getexif()
    difference = ImageChops.difference(picture.convert("RGB"), expected.convert("RGB"))
    assert max(high for _low, high in difference.getextrema()) < 40  # JPEG noise, not a turn


def test_a_jpeg_keeps_its_quality():
    noise = PillowImage.effect_noise((200, 150), 40).convert("RGB")
    out = io.BytesIO()
    noise.save(out, "JPEG", quality=95, subsampling=0)
    original = out.getvalue()

    copy = stored(store(original))

    assert abs(len(copy) - len(original)) < len(original) * 0.1
    difference = ImageChops.difference(decoded(copy), decoded(original))
    assert max(high for _low, high in difference.getextrema()) <= 8


def test_the_colour_profile_and_transparency_are_kept():
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    picture = PillowImage.new("RGBA", (20, 10), (200, 0, 0, 0))
    out = io.BytesIO()
    picture.save(out, "PNG", icc_profile=srgb)
    palette = PillowImage.new("P", (20, 10), 3)
    palette_out = io.BytesIO()
    palette.save(palette_out, "GIF", transparency=3)

    png = decoded(stored(store(out.getvalue())))
    gif = decoded(stored(store(palette_out.getvalue())))

    assert png.info["icc_profile"] == srgb
    assert png.mode == "RGBA" and png.getpixel((5, 5))[3] == 0
    assert gif.info["transparency"] == gif.getpixel((5, 5))


def test_a_lossless_webp_stays_lossless():
    noise = PillowImage.effect_noise((64, 48), 60).convert("RGB")
    out = io.BytesIO()
    noise.save(out, "WEBP", lossless=True)

    copy = stored(store(out.getvalue()))

    assert b"VP8L" in copy[:64]
    assert ImageChops.difference(decoded(copy).convert("RGB"), noise).getbbox() is None


def test_an_animation_keeps_its_frames_and_timing():
    frames = [PillowImage.new("RGB", (30, 20), colour) for colour in ("red", "green", "blue")]
    out = io.BytesIO()
    frames[0].save(
        out, "GIF", save_all=True, append_images=frames[1:], duration=120, loop=0, comment=b"x"
    )

    copy = stored(store(out.getvalue()))

    picture = PillowImage.open(io.BytesIO(copy))
    assert picture.n_frames == 3 and "comment" not in picture.info
    assert [frame.info["duration"] for frame in ImageSequence.Iterator(picture)] == [120] * 3


def test_an_animation_counts_all_its_frames_against_the_pixel_limit(settings):
    settings.MAX_IMAGE_PIXELS = 10_000
    colours = ("red", "green", "blue", "white", "black")
    frames = [PillowImage.new("RGB", (50, 50), colour) for colour in colours]  # 5 x 2,500
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:])

    with pytest.raises(ValidationError) as refused:
        store(out.getvalue())

    assert refused.value.message_dict["file"] == [
        "The animation has more than 10,000 pixels in its first 5 frames; "
        "upload a shorter or smaller one."
    ]


def test_a_phones_multi_picture_jpeg_is_stored_as_its_main_picture():
    main = PillowImage.new("RGB", (40, 30), (200, 10, 10))
    depth = PillowImage.new("RGB", (20, 15), (10, 10, 10))
    out = io.BytesIO()
    main.save(out, "MPO", save_all=True, append_images=[depth], exif=private_exif())
    assert PillowImage.open(io.BytesIO(out.getvalue())).format == "MPO"

    image = store(out.getvalue(), "IMG_0001.JPG")

    picture = decoded(stored(image))
    assert (picture.format, picture.size, PurePath(image.file.name).suffix) == (
        "JPEG",
        (40, 30),
        ".jpg",
    )
    assert b"CanaryCam" not in stored(image)


# Polyglots: bytes that are a picture and something else. Only the picture is kept.
SCRIPT = b"<html><script>alert(document.cookie)</script></html>"


def png_with_trailer() -> bytes:
    return png_bytes() + SCRIPT


def gif_with_script_comment() -> bytes:
    out = io.BytesIO()
    PillowImage.new("P", (10, 10), 1).save(out, "GIF", comment=SCRIPT)
    return out.getvalue()


def jpeg_with_script_comment() -> bytes:
    out = io.BytesIO()
    PillowImage.new("RGB", (10, 10)).save(out, "JPEG", comment=SCRIPT)
    return out.getvalue()


@pytest.mark.parametrize(
    "content",
    [png_with_trailer(), gif_with_script_comment(), jpeg_with_script_comment()],
    ids=["png + html after its end", "gif with a script comment", "jpeg with a script comment"],
)
def test_a_polyglot_keeps_only_its_picture(content):
    assert SCRIPT in content

    copy = stored(store(content, "page.html"))

    assert b"<script" not in copy and b"<html" not in copy


def test_code_that_saves_a_file_directly_gets_the_same_treatment():
    image = Image(alt_text="Made in code")
    image.file.save("whatever.html", ContentFile(photo_with_metadata("PNG")), save=False)
    image.save()

    assert PurePath(image.file.name).suffix == ".png"
    assert (image.width, image.height) == (40, 30)
    assert not [canary for canary in CANARIES if canary in stored(image)]


def test_nothing_is_stored_for_a_file_that_is_refused(settings):
    with pytest.raises(ValidationError):
        store(b"GIF89a<script>alert(1)</script>", "x.gif")

    assert not Image.objects.exists()
    assert not (settings.MEDIA_ROOT.exists() and any(settings.MEDIA_ROOT.rglob("*.*")))
