"""How templates show a library image: ``{% picture image crop="16x9" sizes="..." %}``.

One tag for every picture readers get (lead images, cards, body figures), so
the markup is written in one place::

    <picture>
      <source type="image/avif" srcset="… 320w, … 640w" sizes="…">
      <source type="image/webp" srcset="…" sizes="…">
      <img src="…" srcset="… 320w, …" sizes="…" width="1280" height="720" alt="…"
           loading="lazy" decoding="async">
    </picture>

``media/renditions.py`` says which renditions exist (``CROPS``). ``width`` and
``height`` are the chosen crop's, so the browser reserves the right box
before a byte of the picture arrives (no layout shift). Until an image's
renditions are made, the tag falls back to the stored file itself (with the
original's size). ``query`` is appended to every address: a preview's
``preview=<token>``, without which the media gate shows an unpublished
picture to no one (``preview_query`` builds it). Renditions prefetched with
the image (``prefetch_related("lead_image__renditions")``) are used as they
are; otherwise one query per image.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django import template
from django.utils.html import format_html, format_html_join

from masthead.media.renditions import CROPS, FORMATS, renditions_for

register = template.Library()

# The JPEG named in ``src`` for browsers without srcset: the widest up to this.
FALLBACK_WIDTH = 1280


@register.filter
def preview_query(token: str) -> str:
    """``{{ preview_token|preview_query }}``: the query a preview adds to file addresses."""
    return urlencode({"preview": token}) if token else ""


@register.simple_tag
def picture(
    image,
    crop: str = "",
    sizes: str = "100vw",
    loading: str = "lazy",
    query: str = "",
    fetchpriority: str = "",
    alt=None,
):
    """``alt``: the image's own (empty when decorative) unless given (``alt=""`` for a
    picture that repeats a link's text)."""
    if image is None or not image.file:
        return ""
    if crop not in CROPS:
        raise template.TemplateSyntaxError(f"picture: no crop named {crop!r}")
    suffix = f"?{query}" if query else ""
    alt_text = image.shown_alt if alt is None else alt
    extra = format_html(' fetchpriority="{}"', fetchpriority) if fetchpriority else ""
    rows = renditions_for(image, crop)
    jpegs = [row for row in rows if row.format == "jpeg"]
    if not jpegs:
        return format_html(
            '<img src="{}{}" alt="{}" width="{}" height="{}" loading="{}" decoding="async"{}>',
            image.file.url,
            suffix,
            alt_text,
            image.width,
            image.height,
            loading,
            extra,
        )
    sources = format_html_join(
        "",
        '<source type="{}" srcset="{}" sizes="{}">',
        (
            (spec.content_type, _srcset(rows, name, suffix), sizes)
            for name, spec in FORMATS.items()
            if name != "jpeg" and any(row.format == name for row in rows)
        ),
    )
    widest = jpegs[-1]
    fallback = [row for row in jpegs if row.width <= FALLBACK_WIDTH] or jpegs[:1]
    img = format_html(
        '<img src="{}{}" srcset="{}" sizes="{}" width="{}" height="{}" alt="{}" '
        'loading="{}" decoding="async"{}>',
        fallback[-1].file.url,
        suffix,
        _srcset(rows, "jpeg", suffix),
        sizes,
        widest.width,
        widest.height,
        alt_text,
        loading,
        extra,
    )
    return format_html("<picture>{}{}</picture>", sources, img)


def _srcset(rows, format_name: str, suffix: str) -> str:
    # Plain text: format_html escapes it as an attribute value.
    return ", ".join(
        f"{row.file.url}{suffix} {row.width}w" for row in rows if row.format == format_name
    )
