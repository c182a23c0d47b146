"""Form data as the story editor posts it."""

from __future__ import annotations

from masthead.stories.models import Story
from masthead.stories.services import Content


def form_data(story: Story | None = None, **changes) -> dict:
    """The editor's POST for ``story``'s latest revision (or a new story), with ``changes``."""
    data = {"action": "save"}
    if story is not None:
        content = Content.of(story.latest_revision or story)
        data |= {
            "base_revision": story.latest_revision_id or "",
            "headline": content.headline,
            "dek": content.dek,
            "body": content.body,
            "label": content.label.pk if content.label else "",
            "desk": content.desk.pk,
            "tags": [tag.pk for tag in content.tags],
            "dateline": content.dateline,
            "lead_image": content.lead_image.pk if content.lead_image else "",
            "lead_image_alt": content.lead_image.alt_text if content.lead_image else "",
            "lead_image_caption": content.lead_image.caption if content.lead_image else "",
            "lead_image_credit": content.lead_image.credit if content.lead_image else "",
            "seo_title": content.seo_title,
            "seo_description": content.seo_description,
            "notes_to_editor": story.notes_to_editor,
            "dateline_kind": content.dateline_kind,
            "method_note": content.method_note,
            "makes_allegation": "on" if content.makes_allegation else None,
        }
        data |= source_fields(content.sources)
        for slot, author in enumerate(content.authors):
            data[f"byline_{slot + 1}"] = author.pk
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def source_fields(sources: list[dict], start: int = 0) -> dict:
    """The sources panel's rows as the editor posts them, for ``sources`` (dicts as stored).

    Everything but ``approval``, which the panel never sends.
    """
    data = {}
    for offset, source in enumerate(sources):
        prefix = f"source-{start + offset}-"
        data[prefix + "position"] = str(start + offset + 1)
        for key, value in source.items():
            if key == "approval":
                continue
            if key == "paragraphs":
                value = ", ".join(str(number) for number in value)
            elif value is True:
                value = "on"
            elif value is False:
                continue
            data[prefix + key] = str(value)
    return data
