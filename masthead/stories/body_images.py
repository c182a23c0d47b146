"""The images a story body shows: checked and pinned when a body is saved.

A body names its images by id (``<figure data-image="12">``, see
``media/figures.py``). The sanitiser cannot check an id (it reads no
database), so every write of a body that a person or a client sends — the
story form, the API — passes here first: an id that does not exist or names
an image the writer may not see (``image_visibility.can_see``, the rule for
lead images) is refused with one message for both, and each figure's
``<img>`` is written from its image row, so the stored ``src`` is always the
named image's own file.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from masthead.media.figures import image_ids, pin_images
from masthead.media.models import Image
from masthead.stories import image_visibility

# A body with more figures than this is refused: each is checked with a few queries.
MAX_FIGURES = 200


def checked_body(user, body: str) -> str:
    """``body`` with its figures pinned to their images; ValidationError naming any refused id."""
    ids = image_ids(body)
    if not ids:
        return body
    if len(ids) > MAX_FIGURES:
        raise ValidationError(
            gettext("A story shows at most %(max_figures)s images in its body.")
            % {"max_figures": MAX_FIGURES}
        )
    images = Image.objects.in_bulk(ids)
    refused = [
        pk for pk in ids if pk not in images or not image_visibility.can_see(user, images[pk])
    ]
    if refused:
        named = ", ".join(str(pk) for pk in refused)
        raise ValidationError(
            f"The body shows image {named}, which does not exist or which you may not use: "
            "choose it again from the library.",
            code="body_image",
        )
    return pin_images(body, images)
