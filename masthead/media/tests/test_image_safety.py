"""Uploads that pretend to be images, and images built to exhaust the server."""

from __future__ import annotations

import base64
import io
import warnings

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from PIL import Image as PillowImage

from masthead.media.image_safety import CheckedImage, check_image, harden_pillow, prepare_image
from masthead.media.models import Image
from masthead.media.tests.images import (
    CANARIES,
    PICTURE_SEGMENTS,
    photo_with_metadata,
    png_declaring,
    segments,
)


def image_bytes(image_format: str, size=(40, 30), mode="RGB", noise=False) -> bytes:
    picture = (
        PillowImage.effect_noise(size, 64).convert(mode)
        if noise
        else PillowImage.new(mode, size, "white" if mode == "1" else (200, 30, 30)[: len(mode)])
    )
    out = io.BytesIO()
    picture.save(out, image_format)
    return out.getvalue()


def upload(content: bytes, name: str = "upload.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/png")


@pytest.fixture
def pixel_limit(settings, monkeypatch):
    """Lower MAX_IMAGE_PIXELS to a million, as an operator would, for one test."""
    settings.MAX_IMAGE_PIXELS = 1_000_000
    monkeypatch.setattr(PillowImage, "MAX_IMAGE_PIXELS", PillowImage.MAX_IMAGE_PIXELS)
    harden_pillow()
    return settings.MAX_IMAGE_PIXELS


@pytest.mark.parametrize(
    ("image_format", "extension", "mode"),
    [("PNG", "png", "RGB"), ("JPEG", "jpg", "RGB"), ("WEBP", "webp", "RGB"), ("GIF", "gif", "P")],
)
def test_real_images_are_accepted_with_their_size(image_format, extension, mode):
    checked = check_image(upload(image_bytes(image_format, (40, 30), mode)))

    assert checked == CheckedImage(image_format, extension, 40, 30)


def test_the_file_name_does_not_decide_the_format():
    checked = check_image(upload(image_bytes("JPEG"), name="photo.png"))

    assert checked.format == "JPEG"
    assert checked.extension == "jpg"


NOT_AN_IMAGE = "This file is not an image we accept; upload a JPEG, PNG, WebP or GIF image."
SVG = (
    "SVG files are not accepted: they can carry scripts. "
    "Export the graphic as a PNG and upload that."
)


# (what it is, content, file name, message; None where Pillow's detail varies)
REFUSED = [
    (
        "svg",
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><circle r="9"/></svg>',
        "logo.svg",
        SVG,
    ),
    (
        "svg named png",
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)'
        b"</script></svg>",
        "logo.png",
        SVG,
    ),
    ("html named png", b"<html><script>alert(1)</script></html>", "photo.png", NOT_AN_IMAGE),
    ("gif polyglot", b"GIF89a<script>alert(1)</script>", "photo.gif", NOT_AN_IMAGE),
    ("png signature only", b"\x89PNG\r\n\x1a\n", "photo.png", NOT_AN_IMAGE),
    ("zero bytes", b"", "empty.png", "The file is empty; upload a JPEG, PNG, WebP or GIF image."),
    (
        "tiff",
        image_bytes("TIFF"),
        "scan.tif",
        "TIFF files are not accepted; upload a JPEG, PNG, WebP or GIF image.",
    ),
    (
        "bmp named png",
        image_bytes("BMP"),
        "photo.png",
        "BMP files are not accepted; upload a JPEG, PNG, WebP or GIF image.",
    ),
    (
        "icon",
        image_bytes("ICO", (32, 32)),
        "favicon.png",
        "ICO files are not accepted; upload a JPEG, PNG, WebP or GIF image.",
    ),
]


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [case[1:] for case in REFUSED],
    ids=[case[0] for case in REFUSED],
)
def test_files_that_are_not_accepted_images_are_refused(content, name, message):
    with pytest.raises(ValidationError) as refused:
        check_image(upload(content, name))

    assert len(refused.value.messages) == 1
    text = refused.value.messages[0]
    if message is not None:
        assert text == message
    assert "upload" in text.lower() or "could not be read" in text
    assert "BytesIO" not in text and "<" not in text


def test_a_truncated_jpeg_is_refused():
    jpeg = image_bytes("JPEG", (200, 200), noise=True)

    with pytest.raises(ValidationError) as refused:
        check_image(upload(jpeg[: len(jpeg) // 2], "photo.jpg"))

    assert refused.value.messages[0].startswith(
        "The image could not be read; the file may be damaged or incomplete"
    )


def test_a_png_declaring_huge_dimensions_is_refused(pixel_limit):
    with pytest.raises(ValidationError) as refused:
        check_image(upload(png_declaring(100_000, 100_000)))

    assert refused.value.messages == [
        "The image has more than 1,000,000 pixels; upload a smaller one."
    ]


def test_a_decompression_bomb_is_refused(pixel_limit):
    # 100 million one-bit pixels compress to a few kilobytes.
    bomb = image_bytes("PNG", (10_000, 10_000), mode="1")
    assert len(bomb) < 100_000

    with pytest.raises(ValidationError) as refused:
        check_image(upload(bomb))

    assert refused.value.messages == [
        "The image has more than 1,000,000 pixels; upload a smaller one."
    ]


def test_an_image_just_over_the_limit_is_refused(pixel_limit):
    # Between the limit and twice it, Pillow only warns; the warning must still refuse.
    with pytest.raises(ValidationError, match="more than 1,000,000 pixels"):
        check_image(upload(image_bytes("PNG", (1001, 1000), mode="1")))


def test_an_image_at_the_limit_is_accepted(pixel_limit):
    checked = check_image(upload(image_bytes("PNG", (1000, 1000), mode="1")))

    assert (checked.width, checked.height) == (1000, 1000)


def test_the_pixel_limit_holds_whatever_the_warning_filters_say(settings):
    settings.MAX_IMAGE_PIXELS = 1_000_000  # without harden_pillow: Pillow's own limit is higher

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValidationError, match="more than 1,000,000 pixels"):
            check_image(upload(image_bytes("PNG", (1500, 1000), mode="1")))


def test_an_upload_over_the_byte_limit_is_refused_before_it_is_read(settings):
    settings.MAX_IMAGE_BYTES = 1024 * 1024
    too_big = upload(b"\x89PNG" + b"\0" * (1024 * 1024))

    with pytest.raises(ValidationError) as refused:
        check_image(too_big)

    assert refused.value.messages == ["The image is larger than 1 MB."]
    assert too_big.tell() == 0


def test_the_upload_position_is_restored():
    accepted, refused = upload(image_bytes("PNG")), upload(b"not an image at all")
    accepted.seek(5)
    refused.seek(5)

    check_image(accepted)
    with pytest.raises(ValidationError):
        check_image(refused)

    assert (accepted.tell(), refused.tell()) == (5, 5)


def test_an_upload_read_to_its_end_is_still_checked_from_the_start():
    uploaded = upload(image_bytes("PNG"))
    uploaded.read()

    assert check_image(uploaded).format == "PNG"
    assert uploaded.tell() == len(image_bytes("PNG"))


SMALL_IMAGES = [image_bytes(image_format, (12, 9)) for image_format in ("PNG", "JPEG", "WEBP")]
SMALL_IMAGES.append(image_bytes("GIF", (12, 9), mode="P"))


@hypothesis_settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(SMALL_IMAGES),
    st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), max_size=6),
    st.integers(0, 10_000),
)
def test_damaged_images_give_a_clear_error_and_nothing_else(original, changes, cut):
    damaged = bytearray(original)
    for offset, value in changes:
        damaged[offset % len(damaged)] = value
    damaged = bytes(damaged[: max(1, len(damaged) - cut % len(damaged))])

    try:
        checked = check_image(upload(damaged))
    except ValidationError as error:
        assert len(error.messages) == 1
    else:
        assert checked.width * checked.height <= django_settings.MAX_IMAGE_PIXELS


def _seeds_for_prepare() -> list[bytes]:
    """Small pictures of every kind ``prepare_image`` writes differently, metadata included."""
    frames = [PillowImage.new("RGB", (6, 4), colour) for colour in ("red", "blue", "red")]
    seeds = [photo_with_metadata(image_format, (12, 9)) for image_format in ("JPEG", "PNG", "WEBP")]
    for image_format in ("GIF", "PNG", "WEBP"):  # animations: GIF, APNG, animated WebP
        out = io.BytesIO()
        frames[0].save(out, image_format, save_all=True, append_images=frames[1:], duration=50)
        seeds.append(out.getvalue())
    palette = io.BytesIO()
    PillowImage.new("P", (8, 6), 1).save(palette, "PNG", transparency=bytes([0, 128]))
    seeds += [palette.getvalue(), image_bytes("JPEG", (16, 8), mode="CMYK")]
    sixteen_bit = io.BytesIO()
    PillowImage.new("I;16", (8, 6), 40_000).save(sixteen_bit, "PNG")
    seeds.append(sixteen_bit.getvalue())
    return seeds


PREPARE_SEEDS = _seeds_for_prepare()


# Pillow warns about the damaged EXIF it skips while reading the orientation.
@pytest.mark.filterwarnings("ignore::UserWarning:PIL.TiffImagePlugin")
@hypothesis_settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(PREPARE_SEEDS),
    st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), max_size=8),
    st.integers(0, 10_000),
    st.binary(max_size=64),
)
def test_prepare_image_on_damaged_files_gives_a_clear_error_or_a_clean_picture(
    original, changes, cut, tail
):
    damaged = bytearray(original)
    for offset, value in changes:
        damaged[offset % len(damaged)] = value
    damaged = bytes(damaged[: max(1, len(damaged) - cut % len(damaged))]) + tail

    try:
        prepared = prepare_image(upload(damaged))
    except ValidationError as error:
        assert len(error.messages) == 1
        return
    with prepared:
        stored = prepared.read()
    image_format, names = segments(stored)
    assert set(names) <= PICTURE_SEGMENTS[image_format]
    picture = PillowImage.open(io.BytesIO(stored))
    picture.load()
    assert picture.size == (prepared.width, prepared.height)
    assert not [canary for canary in CANARIES if canary in stored]


# Damaged animations the fuzzing above found, on which Pillow's writers failed
# (a RuntimeError from the WebP encoder, an AssertionError in the GIF writer).
FUZZ_FINDINGS = {
    "animated webp, damaged frame": (
        "UklGRhYBAABXRUJQVlA4WAoAAAACAAAABQAaAwAAQU5JTQYAAAAAAAAAAABBTk1GSgAAAAAAAAAAAAUAAAMAADI"
        "AAAJWUDggMgAAADABAJ0BKgYABAABQCYloAADcAD+8ut///mwP/bz/wR6Af//0uD//pcH//S4P/SkAAAAQU5NRk"
        "YAAAAAAAAAAAAFAN0DAAAyAAAAVlA4IC4AAAA0AQCdASoGAAQAAAAmJaAAA3AA/vtV4///S4P/+lwf/9Lg1dLg//r"
        "V5Vesq6AAQU5NRkoAAAAAAAAAAAAFAAADAAAyAAAAVlA4IDIAAAA0AQCdASoGAAQAAAAmJaAAA3AA/vLrf//5sD"
        "/28/8EegH//9Lg//6XB//0uD/0pAAAAA=="
    ),
    "animated gif, damaged palette": (
        "R0lGODlhBgAEAGAAAP8AAAAAAAAAAAAAACH5BIMFAAAALAAAAAAGAAQAAAgLAAEIHEiwoMGBAQEWIfkEZgUAAQAs"
        "AAAAAAYABACBAAD/AAAAAAAAAAAAEwsAAQgcSLCgwUEB6QAh+QQBBQAeACwAAAAABgAEAIH/AAAAAAAAAAAAAAAI"
        "CwABCBxIsKDBgQEBAHg="
    ),
}


@pytest.mark.parametrize("content", list(FUZZ_FINDINGS.values()), ids=list(FUZZ_FINDINGS))
def test_animations_pillow_cannot_write_again_are_refused_clearly(content):
    with pytest.raises(ValidationError) as refused:
        prepare_image(upload(base64.b64decode(content)))

    assert refused.value.messages == [
        "The image could not be read; the file may be damaged or incomplete."
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("alt_text", ["", "   ", "\u202e\x00"])
def test_an_image_without_alt_text_is_refused(alt_text):
    image = Image(file=upload(image_bytes("PNG"), "photo.png"), alt_text=alt_text)

    with pytest.raises(ValidationError) as refused:
        image.full_clean()

    assert "alt_text" in refused.value.message_dict


@pytest.mark.django_db
def test_an_image_pretending_to_be_a_png_is_refused_by_the_model():
    image = Image(file=upload(b"<svg onload=alert(1)/>", "photo.png"), alt_text="A chart")

    with pytest.raises(ValidationError) as refused:
        image.full_clean()

    assert refused.value.message_dict == {"file": [SVG]}


@pytest.mark.django_db
def test_an_image_with_alt_text_is_accepted_by_the_model():
    image = Image(
        file=upload(image_bytes("PNG"), "photo.png"), alt_text=" Protesters\u202e in Tehran "
    )

    image.full_clean()

    assert image.alt_text == "Protesters in Tehran"
