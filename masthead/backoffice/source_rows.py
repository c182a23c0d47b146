"""The story editor's sources panel: rows of plain form fields, read back into a list of sources.

Each source is a row of inputs named ``source-<n>-<field>`` (``n`` is only
the row's place in the page), with hidden ``kind`` and ``id``, a
``position`` (its place in the list: the order without script), a
``remove`` box and ``paragraphs`` ("2, 5"). The fields of each row come
from the kind's entry in ``sourcing.kinds.KINDS``: nothing here names a
kind. The page carries one empty row per kind to add a source without
script; an empty row is ignored.

What the panel reads is cleaned by ``kinds.clean_sources`` (the one
cleaner, also used by the model and the API). ``approval`` is never read
from the form: only an editor's action records one (``sourcing``'s services).

With an error, the rows are shown again as typed, each with its problem, so
nothing typed is lost.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from masthead.sourcing import kinds

PREFIX = "source"
_KIND_KEY = re.compile(rf"^{PREFIX}-(\d{{1,5}})-kind$")
# Keys a row has besides its kind's fields.
ROW_KEYS = ("kind", "id", "position", "remove", "paragraphs")


@dataclass
class FieldInput:
    """One input of a row, with the value to show (as typed, or as stored)."""

    field: kinds.Field
    name: str
    value: str = ""
    checked: bool = False

    @property
    def html_id(self) -> str:
        return f"id_{self.name}"

    @property
    def max_length(self) -> int:
        return kinds.TEXT if self.field.type == "text" else kinds.LINE

    @property
    def choices(self) -> list[tuple[str, str]]:
        return list(kinds.Outcome.CHOICES.items()) if self.field.type == "outcome" else []


@dataclass
class SourceRow:
    """A source as the panel shows it: its kind, its inputs, and what is wrong with it."""

    index: int
    kind: kinds.Kind
    id: str = ""
    number: int = 0  # its place in the list ("Source 3"); 0 for an empty row to add
    paragraphs: str = ""
    removed: bool = False
    inputs: list[FieldInput] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def prefix(self) -> str:
        return f"{PREFIX}-{self.index}"

    @property
    def title(self) -> str:
        """The row's first filled field, to name it ("Ali Vaez")."""
        return next((i.value for i in self.inputs if i.value and i.field.type != "bool"), "")

    @property
    def has_staff_only(self) -> bool:
        return any(i.field.staff_only for i in self.inputs)


def _row(index: int, kind: kinds.Kind, values: dict, **extra) -> SourceRow:
    inputs = []
    for item in kind.fields:
        value = values.get(item.name)
        name = f"{PREFIX}-{index}-{item.name}"
        if item.type == "bool":
            checked = value is True or (isinstance(value, str) and value.lower() in ("1", "on"))
            inputs.append(FieldInput(item, name, "on", checked))
        else:
            inputs.append(FieldInput(item, name, "" if value is None else str(value)))
    return SourceRow(index, kind, inputs=inputs, **extra)


def rows_from_sources(sources) -> list[SourceRow]:
    """Rows for the sources a revision holds (unknown kinds, which cannot be edited, skipped)."""
    rows = []
    for source in sources or []:
        kind = kinds.KINDS.get(source.get("kind")) if isinstance(source, dict) else None
        if kind is None:
            continue
        paragraphs = ", ".join(str(number) for number in source.get("paragraphs") or [])
        rows.append(
            _row(
                len(rows),
                kind,
                source,
                id=str(source.get("id") or ""),
                number=len(rows) + 1,
                paragraphs=paragraphs,
            )
        )
    return rows


def blank_rows(start: int) -> list[SourceRow]:
    """One empty row per kind, to add a source without script."""
    return [_row(start + offset, kind, {}) for offset, kind in enumerate(kinds.KINDS.values())]


@dataclass
class _Posted:
    index: int
    position: float
    raw: dict  # kind, id, paragraphs and the kind's fields, as sent
    removed: bool


def _posted_rows(data) -> list[_Posted]:
    """The rows sent, in the order asked for; empty rows (nothing typed) left out."""
    posted = []
    for key in data:
        match = _KIND_KEY.match(key)
        if not match:
            continue
        index = int(match.group(1))
        prefix = f"{PREFIX}-{index}-"
        kind_code = data.get(key, "")
        kind = kinds.KINDS.get(kind_code)
        raw: dict = {"kind": kind_code}
        typed = False
        for item in kind.fields if kind else ():
            value = data.get(prefix + item.name)
            if value is None or value == "":
                continue
            typed = typed or (isinstance(value, str) and bool(value.strip()))
            raw[item.name] = value
        source_id = data.get(prefix + "id", "")
        paragraphs = data.get(prefix + "paragraphs", "")
        if source_id:
            raw["id"] = source_id
        if paragraphs:
            raw["paragraphs"] = paragraphs
        if not (typed or source_id or paragraphs.strip() or kind is None):
            continue  # an empty row to add a source, left empty
        try:
            position = float(data.get(prefix + "position", ""))
        except ValueError:
            position = float("inf")
        if position != position:  # NaN
            position = float("inf")
        removed = data.get(prefix + "remove") in ("on", "1", "true")
        posted.append(_Posted(index, position, raw, removed))
    posted.sort(key=lambda row: (row.position, row.index))
    return posted


def _name(number: int, kind: kinds.Kind | None, title: str) -> str:
    name = f"Source {number}"
    if kind is not None:
        name += f" ({kind.label.lower()}"
        name += f", “{title[:60]}”)" if title else ")"
    return name


class PostedSources:
    """The panel as sent: the sources to save, or the problems with them, and the rows to show."""

    def __init__(self, data) -> None:
        self.rows: list[SourceRow] = []
        self.errors: list[str] = []  # each naming its source
        self.sources: list[dict] = []
        posted = _posted_rows(data)
        kept = [row for row in posted if not row.removed]
        if len(kept) > kinds.MAX_SOURCES:
            self.errors.append(f"A story can list at most {kinds.MAX_SOURCES} sources.")
            kept = []  # not worth checking each: the list is refused
        numbers = {id(row): number for number, row in enumerate(kept, start=1)}
        for row in posted[: kinds.MAX_SOURCES * 2]:
            kind = kinds.KINDS.get(row.raw["kind"])
            number = numbers.get(id(row), 0)
            problems = []
            if number:
                try:
                    kinds.clean_sources([row.raw])
                except ValidationError as error:
                    # "Source 1 (named person): name is required." → "name is required."
                    problems = [m.split(": ", 1)[-1] for m in error.messages]
            if kind is None:
                shown = str(row.raw["kind"])[:40]
                self.errors += [f"Source {number}: unknown kind “{shown}”."]
                continue
            source_row = _row(
                len(self.rows),
                kind,
                row.raw,
                id=str(row.raw.get("id", ""))[:16],
                number=number,
                paragraphs=str(row.raw.get("paragraphs", ""))[:200],
                removed=row.removed,
                errors=problems,
            )
            self.rows.append(source_row)
            self.errors += [f"{_name(number, kind, source_row.title)}: {p}" for p in problems]
        if not self.errors:
            try:
                self.sources = kinds.clean_sources([row.raw for row in kept])
            except ValidationError as error:
                self.errors += error.messages

    def error(self) -> ValidationError | None:
        return ValidationError(self.errors) if self.errors else None
