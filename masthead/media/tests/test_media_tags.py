"""``{% picture %}``: <picture> with AVIF and WebP sources and a JPEG <img>, or the stored file."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.base import ContentFile
from django.template import Context, Template, TemplateSyntaxError
from PIL import Image as PillowImage

from masthead.media import renditions
from masthead.media.models import Image

pytestmark = pytest.mark.django_db


def photo(size=(1500, 1000), **fields) -> Image:
    out = io.BytesIO()
    PillowImage.new("RGB", size, (90, 120, 30)).save(out, "JPEG", quality=85)
    fields.setdefault("alt_text", "Protesters & police")
    image = Image(file=ContentFile(out.getvalue(), name="p.jpg"), **fields)
    image.save()
    return image


def render(source: str, **context) -> str:
    return Template("{% load media_tags %}" + source).render(Context(context))


def attributes(tag: str) -> dict[str, str]:
    return dict(re.findall(r'(\w+)="([^"]*)"', tag))


def test_with_renditions_the_tag_writes_picture_sources_and_a_sized_img():
    image = photo()
    renditions.make_renditions(image)

    html = render(
        '{% picture image crop="16x9" sizes="(min-width: 40rem) 14rem, 100vw" %}', image=image
    )

    assert html.startswith("<picture>") and html.endswith("</picture>")
    avif, webp, img = re.findall(r"<(?:source|img)\b[^>]*>", html)
    assert attributes(avif)["type"] == "image/avif" and attributes(webp)["type"] == "image/webp"
    for tag, extension in ((avif, "avif"), (webp, "webp"), (img, "jpg")):
        entries = attributes(tag)["srcset"].split(", ")
        assert [entry.rsplit(" ", 1)[1] for entry in entries] == [
            "320w",
            "480w",
            "640w",
            "960w",
            "1280w",
        ]
        assert all(entry.split(" ")[0].endswith(f".{extension}") for entry in entries)
        assert attributes(tag)["sizes"] == "(min-width: 40rem) 14rem, 100vw"
    shown = attributes(img)
    assert (shown["width"], shown["height"]) == ("1280", "720")  # the 16:9 crop's widest
    assert shown["src"].endswith(".jpg") and "1280w" in shown["srcset"]
    assert shown["alt"] == "Protesters &amp; police"
    assert shown["loading"] == "lazy" and shown["decoding"] == "async"
    assert "fetchpriority" not in shown


def test_the_lead_is_eager_with_high_priority_and_every_address_carries_the_query():
    image = photo()
    renditions.make_renditions(image)

    html = render(
        '{% picture image loading="eager" fetchpriority="high" query=token|preview_query %}',
        image=image,
        token="abc:def/+",
    )

    img = attributes(re.search(r"<img\b[^>]*>", html).group(0))
    assert img["loading"] == "eager" and img["fetchpriority"] == "high"
    assert (img["width"], img["height"]) == ("1500", "1000")
    urls = [img["src"]] + [
        entry.split(" ")[0]
        for srcset in re.findall(r'srcset="([^"]*)"', html)
        for entry in srcset.split(", ")
    ]
    assert len(urls) == 1 + 3 * 6  # 320 … 1280 and the original's 1500
    assert all(url.endswith("?preview=abc%3Adef%2F%2B") for url in urls)


def test_before_renditions_are_made_the_stored_file_is_shown():
    image = photo(decorative=True, alt_text="")

    html = render('{% picture image crop="16x9" query="preview=t" %}', image=image)

    assert "<picture>" not in html
    img = attributes(html)
    assert img["src"] == image.file.url + "?preview=t"
    assert (img["width"], img["height"]) == ("1500", "1000")
    assert img["alt"] == ""  # decorative


def test_an_empty_alt_can_be_asked_for_and_a_missing_image_renders_nothing():
    image = photo()
    assert 'alt=""' in render('{% picture image alt="" %}', image=image)
    assert render("{% picture image %}", image=None) == ""


def test_an_unknown_crop_is_a_template_error():
    with pytest.raises(TemplateSyntaxError):
        render('{% picture image crop="4x3" %}', image=photo())


def test_a_small_picture_lists_only_the_sizes_it_has(django_assert_num_queries):
    image = photo((400, 300))
    renditions.make_renditions(image)
    image = Image.objects.get(pk=image.pk)

    with django_assert_num_queries(1):  # the renditions, read once for both tags
        html = render('{% picture image %}{% picture image crop="1x1" %}', image=image)

    first, second = html.split("</picture>")[:2]
    assert re.search(r'srcset="[^"]* 320w, [^"]* 400w"', first)
    assert re.search(r'srcset="[^"]* 160w, [^"]* 300w"', second)
