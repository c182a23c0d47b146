"""How templates show a library image: ``{% picture image crop="16x9" sizes="..." %}``.

One tag for every picture readers get (lead images, cards, body figures), so
the markup (``<picture>`` with AVIF/WebP/JPEG ``srcset`` from the image's
renditions, explicit ``width``/``height``, ``alt`` or empty alt when
decorative) is written in one place: ``media/renditions.py`` says which
renditions exist. Until an image's renditions are made, the tag falls back to
the stored file itself.
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def picture(image, crop: str = "", sizes: str = "100vw", loading: str = "lazy", query: str = ""):
    """``query`` is appended to every file address (``?preview=<token>`` on previews)."""
    if image is None or not image.file:
        return ""
    suffix = f"?{query}" if query else ""
    return format_html(
        '<img src="{}{}" alt="{}" width="{}" height="{}" loading="{}" decoding="async">',
        image.file.url,
        suffix,
        image.shown_alt,
        image.width,
        image.height,
        loading,
    )
