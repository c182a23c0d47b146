"""Field-by-field three-way merge for a save refused as stale (DESIGN invariant 4).

When two people edit from the same revision and the second save is refused,
we know three versions: the *base* both started from, *mine* (the refused,
unsaved one) and the *latest* saved. For each field: if only one side
changed it, that change is taken; if both changed it differently, it is a
conflict and the user's own text is kept in the form, with the latest
saved text shown beside it to merge by hand. Nothing the user typed is lost
and nothing the other person saved is silently dropped. Written here because
no library merges a story's mixed fields (text, HTML, ordered and unordered
relations) by these rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from masthead.stories.models import Revision
from masthead.stories.services import Content

TEXT_FIELDS = ("headline", "dek", "body", "dateline", "seo_title", "seo_description")
MERGED_FIELDS = (
    "headline",
    "dek",
    "body",
    "label",
    "dateline",
    "lead_image",
    "seo_title",
    "seo_description",
    "desk",
    "tags",
    "authors",
)


def comparable(content: Content) -> dict:
    """The fields as they would be stored: cleaned text, sanitised body, ids."""
    probe = Revision(**{name: getattr(content, name) or "" for name in TEXT_FIELDS})
    probe.clean_content()
    values = {name: getattr(probe, name) for name in TEXT_FIELDS}
    values["label"] = content.label.pk if content.label else None
    values["lead_image"] = content.lead_image.pk if content.lead_image else None
    values["desk"] = content.desk.pk if content.desk else None
    values["tags"] = sorted(tag.pk for tag in content.tags)
    values["authors"] = [author.pk for author in content.authors]
    return values


def same_content(one: Content, other: Content) -> bool:
    return comparable(one) == comparable(other)


@dataclass
class MergeResult:
    merged: Content
    conflicts: list[str] = field(default_factory=list)
    theirs: list[str] = field(default_factory=list)  # taken from the latest saved version
    mine: list[str] = field(default_factory=list)  # the user's changes, kept


def merge(base: Content | None, mine: Content, latest: Content) -> MergeResult:
    mine_values, latest_values = comparable(mine), comparable(latest)
    base_values = comparable(base) if base is not None else None
    chosen: dict = {}
    result = MergeResult(merged=mine)
    for name in MERGED_FIELDS:
        if mine_values[name] == latest_values[name]:
            chosen[name] = getattr(mine, name)
        elif base_values is not None and mine_values[name] == base_values[name]:
            chosen[name] = getattr(latest, name)
            result.theirs.append(name)
        elif base_values is not None and latest_values[name] == base_values[name]:
            chosen[name] = getattr(mine, name)
            result.mine.append(name)
        else:
            chosen[name] = getattr(mine, name)
            result.conflicts.append(name)
    language = mine.language or latest.language
    result.merged = replace(mine, language=language, **chosen)
    return result
