"""Where each image is shown, kept as ``ImageUse`` rows.

A story shows an image as its lead image or as a figure in its body. Body
figures name their library image with ``data-image="<id>"`` on the
``<figure>`` (the sanitiser, ``newsroom/sanitize.py``, lets the attribute
through only there and only as digits). The story services call
``record_working`` for every new revision and ``record_published`` whenever a
revision becomes the one readers get, in the same transaction.
"""

from __future__ import annotations

import re

from masthead.media.models import Image, ImageUse

_FIGURE_IMAGE = re.compile(r'<figure\b[^>]*\sdata-image="(\d{1,18})"')


def image_ids_in_body(body: str) -> list[int]:
    """The library images a clean body's figures name, in order, each once."""
    seen: dict[int, None] = {}
    for match in _FIGURE_IMAGE.finditer(body or ""):
        seen.setdefault(int(match.group(1)), None)
    return list(seen)


def _shown_by(revision) -> dict[tuple[int, str], None]:
    shown: dict[tuple[int, str], None] = {}
    if revision is not None and revision.lead_image_id:
        shown[(revision.lead_image_id, ImageUse.Role.LEAD)] = None
    if revision is not None:
        for image_id in image_ids_in_body(revision.body):
            shown[(image_id, ImageUse.Role.BODY)] = None
    return shown


def _record(story, revision, flag: str) -> None:
    shown = _shown_by(revision)
    existing = set(
        Image.objects.filter(pk__in={pk for pk, _ in shown}).values_list("pk", flat=True)
    )
    shown = {key: None for key in shown if key[0] in existing}
    uses = {(use.image_id, use.role): use for use in ImageUse.objects.filter(story=story)}
    for key, use in uses.items():
        if getattr(use, flag) and key not in shown:
            setattr(use, flag, False)
            if use.in_working or use.in_published:
                use.save(update_fields=[flag])
            else:
                use.delete()
    for image_id, role in shown:
        use = uses.get((image_id, role))
        if use is None:
            ImageUse.objects.create(story=story, image_id=image_id, role=role, **{flag: True})
        elif not getattr(use, flag):
            setattr(use, flag, True)
            use.save(update_fields=[flag])


def record_working(story, revision) -> None:
    """``revision`` is now the story's latest: its images are the working uses."""
    _record(story, revision, "in_working")


def record_published(story, revision) -> None:
    """``revision`` (or nothing, after a withdrawal) is what readers get now."""
    _record(story, revision, "in_published")
