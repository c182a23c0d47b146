"""Three-way merge for a save refused as stale (DESIGN invariant 4).

When two people edit from the same revision and the second save is refused,
we know three versions: the *base* both started from, *mine* (the refused,
unsaved one) and the *latest* saved ("theirs"). For each field: if only one
side changed it, that change is taken; if both changed it differently, it is
a conflict and the user's own value is kept in the form, with theirs shown
beside it to merge by hand.

The body is merged block by block (``backoffice/blocks.py``: paragraphs,
headings, list items …) like diff3 merges lines: each side's changes against
the base are found with difflib, a passage only one side changed takes that
side's blocks, a passage both changed alike is taken once, and only passages
both changed differently are conflicts, which keep the user's blocks until
they choose (``BodyMerge.html``). Unlike diff3 (and ``merge3``), changes to
*adjacent* blocks do not conflict: a paragraph is a unit one person edits,
so A's edit of paragraph 1 and B's of paragraph 2 are both kept; two
insertions at the same place, or an insertion inside a passage the other
side replaced, do conflict. Nothing the user typed is lost and nothing the
other person saved is silently dropped. Written here because no library
merges a story's mixed fields (text, HTML blocks, ordered and unordered
relations) by these rules.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field, replace

from masthead.backoffice.blocks import tokens
from masthead.backoffice.diff import (
    LABELS,
    Segment,
    body_text,
    readable,
    side_by_side,
    source_name,
    source_text,
)
from masthead.sourcing.kinds import APPROVAL
from masthead.stories.models import Revision
from masthead.stories.services import Content

TEXT_FIELDS = (
    "headline",
    "dek",
    "body",
    "dateline",
    "seo_title",
    "seo_description",
    "method_note",
)
MERGED_FIELDS = (
    "headline",
    "dek",
    "body",
    "label",
    "dateline",
    "dateline_kind",
    "lead_image",
    "seo_title",
    "seo_description",
    "desk",
    "tags",
    "authors",
    "sources",
    "method_note",
    "makes_allegation",
)


def _comparable_source(source: dict) -> dict:
    """A source as compared: without its approval, which no form carries (sourcing services)."""
    return {key: value for key, value in source.items() if key != APPROVAL}


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
    values["dateline_kind"] = content.dateline_kind or ""
    values["makes_allegation"] = bool(content.makes_allegation)
    values["sources"] = [_comparable_source(source) for source in content.sources or []]
    return values


def same_content(one: Content, other: Content) -> bool:
    return comparable(one) == comparable(other)


# Body passages -------------------------------------------------------------------

MINE, THEIRS, BOTH = "mine", "theirs", "both"


@dataclass(frozen=True)
class Passage:
    """A run of body blocks: unchanged, changed by one side or alike, or a conflict.

    ``base``, ``mine`` and ``theirs`` are the blocks each version has here;
    for a passage that is not a conflict, ``mine`` holds the merged blocks.
    """

    kind: str  # "same", "mine", "theirs" or "conflict"
    mine: tuple[str, ...]
    theirs: tuple[str, ...] = ()
    base: tuple[str, ...] = ()
    number: int = 0  # conflicts are numbered from 1

    @property
    def is_conflict(self) -> bool:
        return self.kind == "conflict"

    def blocks(self, choice: str = MINE) -> tuple[str, ...]:
        if not self.is_conflict or choice == MINE:
            return self.mine
        if choice == THEIRS:
            return self.theirs
        return self.mine + self.theirs  # BOTH: yours, then theirs

    @property
    def mine_html(self) -> str:
        return "".join(self.mine)

    @property
    def theirs_html(self) -> str:
        return "".join(self.theirs)


@dataclass
class BodyMerge:
    passages: list[Passage]

    @property
    def conflicts(self) -> list[Passage]:
        return [passage for passage in self.passages if passage.is_conflict]

    def html(self, choices: dict[int, str] | None = None) -> str:
        """The merged body; each conflict as chosen (default: the user's blocks)."""
        choices = choices or {}
        return "".join(
            "".join(passage.blocks(choices.get(passage.number, MINE))) for passage in self.passages
        )


@dataclass(frozen=True)
class _Hunk:
    """One side replaces ``base[start:end]`` (empty: an insertion) with ``blocks``."""

    start: int
    end: int
    blocks: tuple[str, ...]
    side: str


def _hunks(base: list[str], side: list[str], name: str) -> list[_Hunk]:
    matcher = difflib.SequenceMatcher(None, base, side, autojunk=False)
    return [
        _Hunk(a1, a2, tuple(side[b1:b2]), name)
        for operation, a1, a2, b1, b2 in matcher.get_opcodes()
        if operation != "equal"
    ]


def _touches(start: int, end: int, hunk: _Hunk) -> bool:
    """Whether ``hunk`` overlaps the base passage ``start:end`` (empty: a point)."""
    if start == end and hunk.start == hunk.end:
        return start == hunk.start  # two insertions at one place
    if start == end:
        return hunk.start < start < hunk.end
    if hunk.start == hunk.end:
        return start < hunk.start < end
    return hunk.start < end and start < hunk.end


def _apply(base: list[str], start: int, end: int, hunks: list[_Hunk]) -> tuple[str, ...]:
    """``base[start:end]`` with ``hunks`` (of one side, in order) applied."""
    merged, position = [], start
    for hunk in hunks:
        merged += base[position : hunk.start] + list(hunk.blocks)
        position = hunk.end
    return tuple(merged + base[position:end])


def _clusters(hunks: list[_Hunk]) -> list[list[_Hunk]]:
    """Hunks grouped so that no group overlaps another: one group per merged passage."""
    groups: list[list[_Hunk]] = []
    start = end = 0
    for hunk in sorted(hunks, key=lambda hunk: (hunk.start, hunk.end)):
        if groups and _touches(start, end, hunk):
            groups[-1].append(hunk)
            end = max(end, hunk.end)
        else:
            groups.append([hunk])
            start, end = hunk.start, hunk.end
    return groups


def merge_body(base: str | None, mine: str, theirs: str) -> BodyMerge:
    """Merge two bodies block by block against ``base`` (None: every difference conflicts)."""
    mine_blocks, their_blocks = tokens(mine), tokens(theirs)
    if base is None:
        # No common ancestor: the latest saved body plays it, and every change is a conflict.
        base_blocks = their_blocks
        hunks = [replace(hunk, side="conflict") for hunk in _hunks(base_blocks, mine_blocks, MINE)]
    else:
        base_blocks = tokens(base)
        hunks = _hunks(base_blocks, mine_blocks, MINE) + _hunks(base_blocks, their_blocks, THEIRS)
    passages: list[Passage] = []
    position, number = 0, 0
    for group in _clusters(hunks):
        start = group[0].start
        end = max(hunk.end for hunk in group)
        if start > position:
            passages.append(Passage("same", tuple(base_blocks[position:start])))
        position = end
        sides = {hunk.side for hunk in group}
        original = tuple(base_blocks[start:end])
        mine_version = _apply(base_blocks, start, end, [h for h in group if h.side != THEIRS])
        their_version = _apply(base_blocks, start, end, [h for h in group if h.side == THEIRS])
        if sides in ({MINE}, {THEIRS}):
            kind = sides.pop()
            passages.append(Passage(kind, their_version if kind == THEIRS else mine_version))
        elif mine_version == their_version:
            passages.append(Passage("same", mine_version))
        else:
            number += 1
            passages.append(
                Passage("conflict", mine_version, their_version, original, number=number)
            )
    if position < len(base_blocks):
        passages.append(Passage("same", tuple(base_blocks[position:])))
    return BodyMerge(passages)


# Sources ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceConflict:
    """A source both sides changed differently (or one changed and the other removed)."""

    id: str
    name: str
    theirs: str  # "" when they removed it
    mine: str  # "" when I removed it
    kept: str  # "mine" or "theirs": which version is in the merged form


@dataclass
class SourcesMerge:
    merged: list[dict]
    conflicts: list[SourceConflict] = field(default_factory=list)


def merge_sources(base: list | None, mine: list, theirs: list) -> SourcesMerge:
    """Merge two lists of sources source by source (by ``id``) against ``base``.

    A source only one side changed, added or removed takes that side's
    version; one both changed alike is taken once; one both changed
    differently is a conflict that keeps mine in the form. When one side
    removed a source the other edited, the edited one is kept (nothing
    someone typed disappears unseen) and shown as a conflict: removing it
    again is one tick. Order: mine, with the sources only they added after.
    Without a base (no common revision), every difference is a conflict.
    """
    base_by_id = {s.get("id"): s for s in base or []} if base is not None else None
    mine_by_id = {s.get("id"): s for s in mine or []}
    their_by_id = {s.get("id"): s for s in theirs or []}
    order = [s.get("id") for s in mine or []]
    order += [s.get("id") for s in theirs or [] if s.get("id") not in mine_by_id]
    result = SourcesMerge(merged=[])
    for source_id in order:
        my_version, their_version = mine_by_id.get(source_id), their_by_id.get(source_id)
        was = base_by_id.get(source_id) if base_by_id is not None else None
        same = _same_source
        if same(my_version, their_version):
            chosen = my_version
        elif base_by_id is not None and same(my_version, was):
            chosen = their_version
        elif base_by_id is not None and same(their_version, was):
            chosen = my_version
        else:
            chosen = my_version if my_version is not None else their_version
            named = chosen  # never None: the id came from one of the two lists
            result.conflicts.append(
                SourceConflict(
                    id=str(source_id),
                    name=source_name(named),
                    theirs=source_text(their_version) if their_version else "",
                    mine=source_text(my_version) if my_version else "",
                    kept="mine" if chosen is my_version else "theirs",
                )
            )
        if chosen is not None:
            result.merged.append(chosen)
    return result


def _same_source(one: dict | None, other: dict | None) -> bool:
    if one is None or other is None:
        return one is other
    return _comparable_source(one) == _comparable_source(other)


# Stories ---------------------------------------------------------------------------


@dataclass
class MergeResult:
    merged: Content
    conflicts: list[str] = field(default_factory=list)
    theirs: list[str] = field(default_factory=list)  # taken from the latest saved version
    mine: list[str] = field(default_factory=list)  # the user's changes, kept
    combined: list[str] = field(default_factory=list)  # both changed, both kept (body, sources)
    body: BodyMerge | None = None  # when both changed the body
    sources: SourcesMerge | None = None  # when both changed the sources


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
        elif name == "body":
            base_body = base_values["body"] if base_values is not None else None
            result.body = merge_body(base_body, mine_values["body"], latest_values["body"])
            chosen[name] = result.body.html()
            (result.conflicts if result.body.conflicts else result.combined).append(name)
        elif name == "sources":
            base_sources = base.sources if base is not None else None
            result.sources = merge_sources(base_sources, mine.sources, latest.sources)
            chosen[name] = result.sources.merged
            (result.conflicts if result.sources.conflicts else result.combined).append(name)
        else:
            chosen[name] = getattr(mine, name)
            result.conflicts.append(name)
    language = mine.language or latest.language
    result.merged = replace(mine, language=language, **chosen)
    return result


# What the conflict page shows -------------------------------------------------------

# Names of MERGED_FIELDS as ``backoffice.diff`` reads them.
_READABLE_NAMES = {"authors": "bylines"}
_CONTEXT_WORDS = 8


@dataclass(frozen=True)
class FieldConflict:
    """A field both changed: their value and mine, as an editor reads them."""

    name: str
    label: str
    theirs: str
    mine: str


@dataclass(frozen=True)
class PassageConflict:
    """A body passage both changed, side by side, with where it stands in the body."""

    number: int
    after: str  # the last words of the text before it ("" at the top of the body)
    theirs: list[Segment]
    mine: list[Segment]


def readable_name(name: str) -> str:
    return _READABLE_NAMES.get(name, name)


def field_conflicts(result: MergeResult, mine: Content, latest: Content) -> list[FieldConflict]:
    """Every field but the body that both sides changed: never empty on either side."""
    theirs_text, mine_text = readable(latest), readable(mine)
    found = []
    for name in result.conflicts:
        if name == "body":
            continue
        if name == "sources" and result.sources is not None:
            for item in result.sources.conflicts:
                label = f"Source: {item.name}"
                if item.kept == "theirs":
                    label += " (you removed it, they changed it: theirs is in the form)"
                theirs = item.theirs or "(removed in their version)"
                mine_text = item.mine or "(removed in your version)"
                found.append(FieldConflict("sources", label, theirs, mine_text))
            continue
        key = readable_name(name)
        found.append(FieldConflict(key, LABELS[key], theirs_text[key], mine_text[key]))
    return found


def passage_conflicts(body: BodyMerge | None) -> list[PassageConflict]:
    if body is None:
        return []
    found, before = [], ""
    for passage in body.passages:
        if passage.is_conflict:
            theirs, mine = side_by_side(
                body_text(passage.theirs_html), body_text(passage.mine_html)
            )
            found.append(PassageConflict(passage.number, before, theirs, mine))
        text = body_text("".join(passage.mine))
        if text:
            before = " ".join(text.split()[-_CONTEXT_WORDS:])
    return found


def passages_for_script(body: BodyMerge | None) -> list[dict]:
    """The merged body's passages, for the page script that applies each choice."""
    if body is None:
        return []
    return [
        {"number": passage.number, "mine": passage.mine_html, "theirs": passage.theirs_html}
        for passage in body.passages
    ]
