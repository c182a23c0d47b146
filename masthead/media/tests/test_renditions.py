"""Renditions: the table's sizes and crops, the focal point, clean 8-bit sRGB files."""

from __future__ import annotations

import io

import pytest
from django.core.files.base import ContentFile
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image as PillowImage
from PIL import ImageCms

from masthead.media import renditions
from masthead.media.models import Image, Rendition
from masthead.media.renditions import CROPS, crop_box, plan, render, widths_for
from masthead.media.tests.images import CANARIES, XMP, private_exif

RED = (230, 10, 10)
GREY = (128, 128, 128)


def _decoded(data: bytes) -> PillowImage.Image:
    picture = PillowImage.open(io.BytesIO(data))
    picture.load()
    return picture


def _jpeg(picture: PillowImage.Image, **options) -> bytes:
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=92, **options)
    return out.getvalue()


def _png(picture: PillowImage.Image, **options) -> bytes:
    out = io.BytesIO()
    picture.save(out, "PNG", **options)
    return out.getvalue()


def _all(data: bytes, size: tuple[int, int], focal=(0.5, 0.5)) -> list[tuple]:
    return list(render(io.BytesIO(data), plan(*size, *focal), size))


# The table --------------------------------------------------------------------------------------


def test_a_large_photo_gets_every_width_of_every_crop_in_every_format():
    planned = plan(4000, 3000, 0.5, 0.5)
    made = {(p.crop, p.format, p.width) for p in planned}

    for name, crop in CROPS.items():
        for width in crop.widths:
            for fmt in crop.formats:
                assert (name, fmt, width) in made
    share = [p for p in planned if p.crop == "191x100"]
    assert [(p.format, p.width, p.height) for p in share] == [("jpeg", 1200, 628)]
    sixteen_nine = {(p.width, p.height) for p in planned if p.crop == "16x9"}
    assert (1280, 720) in sixteen_nine and (320, 180) in sixteen_nine


def test_widths_are_capped_at_the_picture_never_enlarged():
    assert widths_for(700, (320, 480, 640, 960)) == [320, 480, 640, 700]
    assert widths_for(200, (320, 480)) == [200]
    assert widths_for(2000, (320, 480)) == [320, 480]
    planned = plan(500, 300, 0.5, 0.5)
    assert max(p.width for p in planned) == 500
    assert all(p.width <= p.box[2] - p.box[0] for p in planned)


@pytest.mark.parametrize(
    "size, ratio, focal, box",
    [
        ((4000, 3000), (16, 9), (0.5, 0.5), (0, 375, 4000, 2625)),
        ((4000, 3000), (16, 9), (0.5, 0.05), (0, 0, 4000, 2250)),  # clamped at the top
        ((4000, 3000), (16, 9), (0.5, 0.95), (0, 750, 4000, 3000)),  # at the bottom
        ((4000, 3000), (1, 1), (0.9, 0.5), (1000, 0, 4000, 3000)),  # at the right
        ((4000, 3000), (1, 1), (0.4, 0.5), (100, 0, 3100, 3000)),  # centred on it
        ((1000, 3000), (191, 100), (0.5, 0.2), (0, 338, 1000, 862)),  # a tall picture
        ((4000, 3000), None, (0.1, 0.1), (0, 0, 4000, 3000)),
    ],
)
def test_a_crop_is_the_largest_box_of_its_ratio_around_the_focal_point(size, ratio, focal, box):
    assert crop_box(*size, ratio, *focal) == box


@given(
    width=st.integers(1, 9000),
    height=st.integers(1, 9000),
    focal_x=st.floats(0, 1),
    focal_y=st.floats(0, 1),
    crop=st.sampled_from([c.ratio for c in CROPS.values()]),
)
def test_every_crop_keeps_the_focal_point_as_central_as_the_edges_allow(
    width, height, focal_x, focal_y, crop
):
    left, top, right, bottom = crop_box(width, height, crop, focal_x, focal_y)
    assert 0 <= left < right <= width and 0 <= top < bottom <= height
    fx, fy = focal_x * width, focal_y * height
    assert left - 1 <= fx <= right + 1 and top - 1 <= fy <= bottom + 1
    box_w, box_h = right - left, bottom - top
    assert box_w == width or box_h == height  # the largest box: full width or full height
    # Off centre only where an edge stops it.
    if left > 0 and right < width:
        assert abs((left + right) / 2 - fx) <= 1
    if top > 0 and bottom < height:
        assert abs((top + bottom) / 2 - fy) <= 1


def test_each_crop_shows_the_focal_point_in_its_pixels():
    # A wide grey picture with a red square far right near the top: the focal point.
    source = PillowImage.new("RGB", (2400, 900), GREY)
    source.paste(RED, (2140, 100, 2260, 220))
    focal = (2200 / 2400, 160 / 900)

    made = _all(_png(source), source.size, focal)

    assert {item.crop for item, _ in made} == set(CROPS)
    for item, data in made:
        picture = _decoded(data).convert("RGB")
        assert picture.size == (item.width, item.height)
        x = (2200 - item.box[0]) / (item.box[2] - item.box[0]) * item.width
        y = (160 - item.box[1]) / (item.box[3] - item.box[1]) * item.height
        red, green, _ = picture.getpixel((min(int(x), item.width - 1), int(y)))
        assert red > 150 and green < 90, (item, picture.getpixel((int(x), int(y))))


# Formats and cleanliness --------------------------------------------------------------------------


def test_formats_are_really_avif_webp_and_jpeg():
    source = PillowImage.linear_gradient("L").resize((700, 400)).convert("RGB")
    for item, data in _all(_jpeg(source), source.size):
        picture = _decoded(data)
        assert picture.format == {"avif": "AVIF", "webp": "WEBP", "jpeg": "JPEG"}[item.format]
        assert picture.mode in ("RGB", "YCbCr")
        assert picture.size == (item.width, item.height)


def test_no_output_carries_gps_camera_xmp_comment_or_profile():
    source = PillowImage.new("RGB", (900, 600), (40, 90, 160))
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = _jpeg(source, exif=private_exif(), xmp=XMP, comment=b"canary comment", icc_profile=srgb)
    assert _decoded(data).getexif().get_ifd(0x8825)  # the source has a position

    made = _all(data, source.size)

    assert len(made) == len(plan(900, 600, 0.5, 0.5))
    for item, out in made:
        for canary in (*CANARIES, b"Exif", b"GPS", b"xmpmeta", b"ICC_PROFILE"):
            assert canary not in out, (item, canary)
        picture = _decoded(out)
        assert not picture.getexif(), item
        assert not picture.info.get("icc_profile") and not picture.info.get("xmp"), item


def test_a_cmyk_jpeg_comes_out_as_srgb():
    source = PillowImage.new("CMYK", (600, 400), (0, 255, 255, 0))  # pure red ink

    for item, data in _all(_jpeg(source), source.size):
        picture = _decoded(data).convert("RGB")
        assert picture.mode == "RGB"
        red, green, blue = picture.getpixel((item.width // 2, item.height // 2))
        assert red > 200 and green < 60 and blue < 60, (item, (red, green, blue))


def test_sixteen_bit_grey_is_scaled_not_clipped():
    source = PillowImage.new("I;16", (500, 300), 32768)  # mid grey in 16 bits

    for item, data in _all(_png(source), source.size):
        value = _decoded(data).convert("L").getpixel((item.width // 2, item.height // 2))
        assert 118 <= value <= 138, (item, value)


def test_an_animation_gives_its_first_frame_still():
    frames = [PillowImage.new("RGB", (400, 300), colour) for colour in (RED, (10, 10, 230))]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)

    for item, data in _all(out.getvalue(), (400, 300)):
        picture = _decoded(data)
        assert getattr(picture, "n_frames", 1) == 1, item
        red, _, blue = picture.convert("RGB").getpixel((item.width // 2, item.height // 2))
        assert red > 150 and blue < 100, item


def test_transparency_is_kept_where_the_format_has_it_and_white_in_jpeg():
    source = PillowImage.new("RGBA", (400, 300), (0, 0, 0, 0))
    source.paste((200, 0, 0, 255), (0, 0, 400, 150))  # top half red, bottom transparent

    for item, data in _all(_png(source), source.size):
        picture = _decoded(data)
        below = (item.width // 2, item.height - 2)
        if item.format == "jpeg":
            assert picture.convert("RGB").getpixel(below) >= (240, 240, 240), item
        else:
            assert picture.mode == "RGBA", item
            assert picture.getpixel(below)[3] < 16, item


def test_a_palette_picture_with_a_transparent_colour_becomes_rgba():
    source = PillowImage.new("P", (300, 200), 1)
    source.putpalette([0, 0, 0, 200, 30, 30] + [0] * 762)

    for item, data in _all(_png(source, transparency=0), source.size):
        picture = _decoded(data).convert("RGB")
        assert picture.getpixel((item.width // 2, item.height // 2))[0] > 150, item


# Stored rows -----------------------------------------------------------------------------------


@pytest.fixture
def photo(db) -> Image:
    source = PillowImage.linear_gradient("L").resize((700, 400)).convert("RGB")
    image = Image(file=ContentFile(_jpeg(source), name="photo.jpg"), alt_text="A gradient")
    image.save()
    return image


def test_making_stores_one_row_per_planned_rendition_and_nothing_twice(photo):
    outcome = renditions.make_renditions(photo)

    rows = list(photo.renditions.all())
    assert outcome.made == len(rows) == len(plan(700, 400, 0.5, 0.5))
    for row in rows:
        assert row.file.name.startswith("renditions/")
        assert _decoded(row.file.read()).size == (row.width, row.height)
    again = renditions.make_renditions(Image.objects.get(pk=photo.pk))
    assert (again.made, again.removed) == (0, 0)
    assert Rendition.objects.filter(image=photo).count() == len(rows)


def test_a_stored_file_with_metadata_gives_clean_renditions(photo, settings):
    # A file stored before intake stripped metadata (or copied in by hand).
    dirty = _jpeg(PillowImage.new("RGB", (700, 400), GREY), exif=private_exif(), xmp=XMP)
    (settings.MEDIA_ROOT / photo.file.name).write_bytes(dirty)

    renditions.make_renditions(photo)

    for row in photo.renditions.all():
        data = row.file.read()
        assert not any(canary in data for canary in (*CANARIES, b"GPS", b"Exif")), row
        assert not _decoded(data).getexif(), row


def test_a_moved_focal_point_makes_new_crops_and_removes_stale_files(photo, settings):
    renditions.make_renditions(photo)
    old_crops = {r.file.name for r in photo.renditions.exclude(crop="")}
    full = {r.file.name for r in photo.renditions.filter(crop="")}

    photo.focal_x, photo.focal_y = 0.05, 0.9
    photo.save()
    outcome = renditions.make_renditions(Image.objects.get(pk=photo.pk))

    crops = photo.renditions.exclude(crop="")
    assert outcome.made == outcome.removed == len(old_crops)
    assert all((r.focal_x, r.focal_y) == (0.05, 0.9) for r in crops)
    assert {r.file.name for r in photo.renditions.filter(crop="")} == full  # untouched
    assert not {r.file.name for r in crops} & old_crops


def test_a_picture_too_small_for_any_width_gets_its_own_size():
    planned = plan(100, 60, 0.5, 0.5)
    assert {(p.crop, p.width) for p in planned} == {
        ("", 100),
        ("16x9", 100),
        ("1x1", 60),
        ("191x100", 100),
    }
