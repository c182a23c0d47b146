"""Readable differences between two versions of a story, built on difflib.

Each field is compared as the text an editor reads: names for the label,
desk, bylines and tags, the words of the headline and dek, and for the body
its paragraphs (headings, list items, quotes …) as plain text. Changed
paragraphs are compared word by word. The result is data (segments marked
same / inserted / deleted) that the templates render with ``<ins>`` and
``<del>``, escaping every word: nothing of a body's markup reaches the page.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from masthead.sourcing.kinds import APPROVAL, KINDS, Outcome
from masthead.stories.models import DatelineKind
from masthead.stories.services import Content

_BLOCKS = frozenset(
    {"p", "h2", "h3", "h4", "li", "blockquote", "pre", "figcaption", "dt", "dd", "tr", "hr"}
)
DATELINE_KINDS = dict(DatelineKind.choices)
_WORDS = re.compile(r"\s+|\w+|[^\w\s]")


@dataclass(frozen=True)
class Segment:
    kind: str  # "same", "ins" or "del"
    text: str


@dataclass
class Paragraph:
    kind: str  # "same", "ins", "del" or "changed"
    segments: list[Segment]


@dataclass(frozen=True)
class SourceFieldDiff:
    label: str
    old: str
    new: str
    segments: list[Segment]
    staff_only: bool = False


@dataclass
class SourceDiff:
    """One source between two versions: added, removed, changed, moved or the same."""

    kind: str  # "added", "removed", "changed", "moved" or "same"
    name: str
    fields: list[SourceFieldDiff] = field(default_factory=list)
    position: tuple[int, int] = (0, 0)  # its place before and after (0: absent)


@dataclass
class FieldDiff:
    name: str
    label: str
    old: str
    new: str
    segments: list[Segment] = field(default_factory=list)
    paragraphs: list[Paragraph] = field(default_factory=list)
    sources: list[SourceDiff] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.old != self.new


class _ParagraphText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self._current: list[str] = []

    def _flush(self) -> None:
        text = " ".join("".join(self._current).split())
        if text:
            self.paragraphs.append(text)
        self._current = []

    def handle_starttag(self, tag, attrs) -> None:
        if tag in _BLOCKS:
            self._flush()
        elif tag == "br":
            self._current.append(" ")

    def handle_endtag(self, tag) -> None:
        if tag in _BLOCKS:
            self._flush()

    def handle_data(self, data) -> None:
        self._current.append(data)


def body_paragraphs(html: str) -> list[str]:
    """The body's text, one string per paragraph-like block."""
    parser = _ParagraphText()
    parser.feed(html or "")
    parser.close()
    parser._flush()
    return parser.paragraphs


def readable(content: Content) -> dict[str, str]:
    """Each field of ``content`` as the text an editor reads."""
    image = content.lead_image
    image_text = ""
    if image is not None:
        parts = [
            image.file.name.rsplit("/", 1)[-1] if image.file else "",
            f"“{image.alt_text}”",
            image.caption,
            f"Credit: {image.credit}" if image.credit else "",
        ]
        image_text = " · ".join(part for part in parts if part)
    return {
        "headline": content.headline,
        "dek": content.dek,
        "label": content.label.name if content.label else "",
        "desk": content.desk.name if content.desk else "",
        "bylines": ", ".join(author.name for author in content.authors),
        "tags": ", ".join(sorted(tag.name for tag in content.tags)),
        "dateline": content.dateline,
        "lead_image": image_text,
        "seo_title": content.seo_title,
        "seo_description": content.seo_description,
        "body": body_text(content.body),
        "dateline_kind": DATELINE_KINDS.get(content.dateline_kind, content.dateline_kind),
        "makes_allegation": "Yes" if content.makes_allegation else "No",
        "method_note": content.method_note,
        "sources": "\n".join(source_text(source) for source in content.sources or []),
    }


# Sources (back office: staff-only fields and approvals included) --------------------


def source_name(source: dict) -> str:
    """A source as an editor names it: its kind and first field ("Named person “Ali Vaez”")."""
    kind = KINDS.get(source.get("kind"))
    if kind is None:
        return f"Unknown kind “{str(source.get('kind'))[:40]}”"
    first = source.get(kind.fields[0].name) if kind.fields else ""
    return f"{kind.label} “{first}”" if first not in ("", None) else kind.label


def _source_values(source: dict) -> list[tuple[str, str, bool]]:
    """(label, text, staff-only) for each field a source may have, in the table's order."""
    kind = KINDS.get(source.get("kind"))
    values = []
    for item in kind.fields if kind else ():
        value = source.get(item.name)
        if item.type == "bool":
            text = "yes" if value else "no"
        elif item.type == "outcome":
            text = Outcome.CHOICES.get(value, value or "")
        else:
            text = "" if value is None else str(value)
        values.append((item.label, text, item.staff_only))
    paragraphs = ", ".join(str(number) for number in source.get("paragraphs") or [])
    values.append(("Relies on ¶", paragraphs, False))
    approval = source.get(APPROVAL) or {}
    approved = ""
    if approval:
        approved = f"by {approval.get('by_name') or '?'} ({approval.get('at') or '?'})"
        approved += f": {approval.get('reason')}" if approval.get("reason") else ""
    if (kind is not None and kind.code == "unnamed") or approved:
        values.append(("Approved", approved, True))
    return values


def source_text(source: dict) -> str:
    """A source on one line, every field an editor can see (staff-only ones marked)."""
    parts = [source_name(source)]
    for label, text, staff_only in _source_values(source):
        if text:
            parts.append(f"{label}{' (staff only)' if staff_only else ''}: {text}")
    return " · ".join(parts)


def source_diff(old: list, new: list) -> list[SourceDiff]:
    """Each source of either version, matched by id, in the new order (removed ones last)."""
    old_by_id = {source.get("id"): (place, source) for place, source in enumerate(old, 1)}
    new_ids = {source.get("id") for source in new}
    # Moved: not in the longest run of sources both versions keep in the same order.
    kept_old = [source.get("id") for source in old if source.get("id") in new_ids]
    kept_new = [source.get("id") for source in new if source.get("id") in old_by_id]
    matcher = difflib.SequenceMatcher(None, kept_old, kept_new, autojunk=False)
    in_order = {
        kept_old[a1 + offset]
        for operation, a1, a2, _, _ in matcher.get_opcodes()
        if operation == "equal"
        for offset in range(a2 - a1)
    }
    found = []
    for place, source in enumerate(new, start=1):
        before = old_by_id.get(source.get("id"))
        if before is None:
            fields = [
                SourceFieldDiff(label, "", text, [Segment("ins", text)], staff_only)
                for label, text, staff_only in _source_values(source)
                if text
            ]
            found.append(SourceDiff("added", source_name(source), fields, (0, place)))
            continue
        old_place, was = before
        fields = []
        old_values = _source_values(was)
        if was.get("kind") != source.get("kind"):
            fields.append(
                SourceFieldDiff("Kind", was.get("kind", ""), source.get("kind", ""), [], False)
            )
            old_values = []
        old_text = {label: text for label, text, _ in old_values}
        for label, text, staff_only in _source_values(source):
            if old_text.get(label, "") != text:
                was_text = old_text.get(label, "")
                segments = word_diff(was_text, text)
                fields.append(SourceFieldDiff(label, was_text, text, segments, staff_only))
        moved = source.get("id") not in in_order
        kind = "changed" if fields else "moved" if moved else "same"
        found.append(SourceDiff(kind, source_name(source), fields, (old_place, place)))
    for place, source in enumerate(old, start=1):
        if source.get("id") not in new_ids:
            fields = [
                SourceFieldDiff(label, text, "", [Segment("del", text)], staff_only)
                for label, text, staff_only in _source_values(source)
                if text
            ]
            found.append(SourceDiff("removed", source_name(source), fields, (place, 0)))
    return found


LABELS = {
    "headline": "Headline",
    "dek": "Dek",
    "label": "Label",
    "desk": "Desk",
    "bylines": "Bylines",
    "tags": "Tags",
    "dateline": "Dateline",
    "lead_image": "Lead image",
    "seo_title": "SEO title",
    "seo_description": "SEO description",
    "dateline_kind": "Reported or written from",
    "makes_allegation": "Makes an allegation",
    "body": "Body",
    "sources": "Sources",
    "method_note": "How we reported this",
}


def word_diff(old: str, new: str) -> list[Segment]:
    # str(): a choice's label is a lazy translation, in the reader's language.
    old_words, new_words = _WORDS.findall(str(old)), _WORDS.findall(str(new))
    matcher = difflib.SequenceMatcher(None, old_words, new_words, autojunk=False)
    segments: list[Segment] = []
    for operation, a1, a2, b1, b2 in matcher.get_opcodes():
        if operation == "equal":
            segments.append(Segment("same", "".join(old_words[a1:a2])))
            continue
        if a2 > a1:
            segments.append(Segment("del", "".join(old_words[a1:a2])))
        if b2 > b1:
            segments.append(Segment("ins", "".join(new_words[b1:b2])))
    return segments


def side_by_side(old: str, new: str) -> tuple[list[Segment], list[Segment]]:
    """Two texts to show next to each other: each with the words only it has marked.

    The old side's own words are "del" segments, the new side's "ins"; the
    rest is "same".
    """
    old_side, new_side = [], []
    for segment in word_diff(old, new):
        if segment.kind != "ins":
            old_side.append(segment)
        if segment.kind != "del":
            new_side.append(segment)
    return old_side, new_side


def body_text(html: str) -> str:
    """A body (or a passage of one) as plain text, paragraphs apart."""
    return "\n\n".join(body_paragraphs(html))


def paragraph_diff(old: list[str], new: list[str]) -> list[Paragraph]:
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    paragraphs: list[Paragraph] = []
    for operation, a1, a2, b1, b2 in matcher.get_opcodes():
        if operation == "equal":
            paragraphs += [Paragraph("same", [Segment("same", text)]) for text in old[a1:a2]]
            continue
        removed, added = old[a1:a2], new[b1:b2]
        paired = min(len(removed), len(added)) if operation == "replace" else 0
        for before, after in zip(removed[:paired], added[:paired], strict=True):
            paragraphs.append(Paragraph("changed", word_diff(before, after)))
        paragraphs += [Paragraph("del", [Segment("del", text)]) for text in removed[paired:]]
        paragraphs += [Paragraph("ins", [Segment("ins", text)]) for text in added[paired:]]
    return paragraphs


def _note_paragraphs(text: str) -> list[str]:
    return [" ".join(part.split()) for part in (text or "").split("\n\n") if part.strip()]


def compare(old: Content, new: Content) -> list[FieldDiff]:
    """Every field of the two versions, with the differences of those that changed."""
    before, after = readable(old), readable(new)
    diffs = []
    for name, label in LABELS.items():
        entry = FieldDiff(name, label, before[name], after[name])
        if entry.changed:
            if name == "body":
                entry.paragraphs = paragraph_diff(
                    body_paragraphs(old.body), body_paragraphs(new.body)
                )
            elif name == "sources":
                entry.sources = source_diff(old.sources or [], new.sources or [])
            elif name == "method_note":
                entry.paragraphs = paragraph_diff(
                    _note_paragraphs(old.method_note), _note_paragraphs(new.method_note)
                )
            else:
                entry.segments = word_diff(before[name], after[name])
        diffs.append(entry)
    return diffs
