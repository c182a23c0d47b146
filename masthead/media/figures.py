"""The markup of images inside a story body: figures and galleries.

A body figure names its library image by id; a gallery groups figures::

    <figure data-image="12"><img src="/media/images/…" alt="…" width="1600"
      height="900"><figcaption>Caption <span class="credit">Credit</span></figcaption></figure>

    <figure data-gallery=""><figure data-image="12">…</figure>
      <figure data-image="13">…</figure><figcaption>What the set shows</figcaption></figure>

The image's ``<img>`` comes first in its figure. The id is what counts: the
story form and the API write the ``src``, ``alt``, ``width`` and ``height``
from the image row (``pin_images``), and the site renders each figure's
picture from the id at render time (``site/templatetags/site_tags.py``
``body_figures``), so a stale or hand-edited ``src`` never reaches a reader.
The caption and credit belong to the figure (one picture can carry different
words in two stories); the alt text is the image's own. The sanitiser
(``newsroom/sanitize.py``) holds the attributes to this form; see
docs/media-in-stories.md. Written here because it is the outlet's own
convention, a few regular expressions over the sanitiser's regular output.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from django.utils.html import escape, format_html

from masthead.media.models import Image

# The sanitiser writes every attribute as  name="value"  with " escaped, so these read it exactly.
FIGURE_IMAGE = re.compile(r'<figure data-image="([0-9]{1,18})"[^>]*>(\s*)(<img\b[^>]*>)?')


def image_ids(body: str) -> list[int]:
    """The images a clean body's figures name, in order, each once."""
    seen: dict[int, None] = {}
    for match in FIGURE_IMAGE.finditer(body or ""):
        seen.setdefault(int(match.group(1)), None)
    return list(seen)


def image_tag(image: Image, query: str = "") -> str:
    """The plain ``<img>`` a stored body holds for ``image`` (readers get the picture tag's)."""
    return format_html(
        '<img src="{}{}" alt="{}" width="{}" height="{}">',
        image.file.url,
        f"?{query}" if query else "",
        image.shown_alt,
        image.width,
        image.height,
    )


def figure_html(image: Image, caption: str | None = None, credit: str | None = None) -> str:
    """A body figure of ``image`` with its words (the image's own unless given)."""
    caption = image.caption if caption is None else caption
    credit = image.credit if credit is None else credit
    words = escape(caption)
    if credit:
        words = f'{words} <span class="credit">{escape(credit)}</span>'.strip()
    figcaption = f"<figcaption>{words}</figcaption>" if words else ""
    return f'<figure data-image="{image.pk}">{image_tag(image)}{figcaption}</figure>'


def gallery_html(figures: Iterable[str], caption: str = "") -> str:
    """A gallery of figures (``figure_html``), with an optional caption for the set."""
    figcaption = f"<figcaption>{escape(caption)}</figcaption>" if caption else ""
    return f'<figure data-gallery="">{"".join(figures)}{figcaption}</figure>'


def replace_images(body: str, render: Callable[[int, str], str]) -> str:
    """``body`` with each figure's ``<img>`` replaced by ``render(image_id, old_img)``.

    ``render`` returns the new tag, or "" to leave the figure without one. A
    figure whose first child is not an ``<img>`` keeps its content.
    """

    def swap(match: re.Match) -> str:
        start, space, old = match.group(0)[: match.start(2) - match.start(0)], match[2], match[3]
        if old is None:
            return match.group(0)
        return f"{start}{space}{render(int(match[1]), old)}"

    return FIGURE_IMAGE.sub(swap, body or "")


def pin_images(body: str, images: dict[int, Image]) -> str:
    """``body`` with each figure's ``<img>`` written from its image row (``images`` by id).

    A figure without an ``<img>`` gets one; the caller has refused ids not in ``images``.
    """

    def pin(match: re.Match) -> str:
        image = images.get(int(match[1]))
        if image is None:
            return match.group(0)
        start = match.group(0)[: match.start(2) - match.start(0)]
        return f"{start}{image_tag(image)}"

    return FIGURE_IMAGE.sub(pin, body or "")


def images_in(body: str) -> list[Image]:
    """The images a clean body's figures show, in order, each once (deleted ones left out)."""
    ids = image_ids(body)
    if not ids:
        return []
    found = Image.objects.in_bulk(ids)
    return [found[pk] for pk in ids if pk in found and found[pk].file]


def images_of_bodies(bodies: dict[int, str]) -> dict[int, list[Image]]:
    """``images_in`` for many bodies (by key) with one query: sitemaps and feeds."""
    ids_by_key = {key: image_ids(body) for key, body in bodies.items()}
    every_id = {pk for ids in ids_by_key.values() for pk in ids}
    found = Image.objects.in_bulk(every_id) if every_id else {}
    return {
        key: [found[pk] for pk in ids if pk in found and found[pk].file]
        for key, ids in ids_by_key.items()
    }
