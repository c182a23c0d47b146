"""The alt text rule: a story shows no image without words for readers who cannot see it.

Every image a story is about to show readers — its lead image and each figure
in its body (``media/uses.py`` finds them) — needs alt text, unless it is
marked decorative (an ornament, shown with empty alt text). The story
services call ``enforce`` on the revision about to become public on every
path that makes one public (publish, schedule, update, correction,
republish), next to the sourcing rules, so the back office, the API and the
wire's auto-publishing all meet it. A refusal is one ``ValidationError``
(code ``alt_text``) naming each image.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

from masthead.media.models import Image
from masthead.media.uses import image_ids_in_body


def images_without_alt(revision) -> list[Image]:
    """The images ``revision`` shows that have no alt text and are not decorative, in order."""
    ids = [revision.lead_image_id] if revision.lead_image_id else []
    ids += [pk for pk in image_ids_in_body(revision.body) if pk not in ids]
    if not ids:
        return []
    images = Image.objects.in_bulk(ids)
    return [
        images[pk]
        for pk in ids
        if pk in images and not images[pk].decorative and not images[pk].alt_text.strip()
    ]


def _describe(image: Image, revision) -> str:
    where = "the lead image" if image.pk == revision.lead_image_id else "the body image"
    words = image.caption or image.file.name.rsplit("/", 1)[-1]
    return f"{where} {image.pk} (“{words}”)"


def enforce(revision) -> None:
    """Refuse to make ``revision`` public while an image it shows lacks alt text."""
    missing = images_without_alt(revision)
    if missing:
        raise ValidationError(
            [
                f"Not published: {_describe(image, revision)} has no alt text. Describe it "
                "for readers who cannot see it, or mark it decorative, in the media library."
                for image in missing
            ],
            code="alt_text",
        )
