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

from masthead.stories.services import Content

_BLOCKS = frozenset(
    {"p", "h2", "h3", "h4", "li", "blockquote", "pre", "figcaption", "dt", "dd", "tr", "hr"}
)
_WORDS = re.compile(r"\s+|\w+|[^\w\s]")


@dataclass(frozen=True)
class Segment:
    kind: str  # "same", "ins" or "del"
    text: str


@dataclass
class Paragraph:
    kind: str  # "same", "ins", "del" or "changed"
    segments: list[Segment]


@dataclass
class FieldDiff:
    name: str
    label: str
    old: str
    new: str
    segments: list[Segment] = field(default_factory=list)
    paragraphs: list[Paragraph] = field(default_factory=list)

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
    }


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
    "body": "Body",
}


def word_diff(old: str, new: str) -> list[Segment]:
    old_words, new_words = _WORDS.findall(old), _WORDS.findall(new)
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
            else:
                entry.segments = word_diff(before[name], after[name])
        diffs.append(entry)
    return diffs
