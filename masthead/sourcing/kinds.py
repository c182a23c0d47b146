"""The kinds of source a story can rely on, as one table, and how each is cleaned and shown.

A story's sources are a list kept in its revisions (``StoryContent.sources``,
a JSON list), so they are saved, diffed, restored and merged with the rest of
the content. Each entry is a dict with a ``kind`` (a key of ``KINDS``), a
stable ``id`` within the story (so approvals, paragraph pointers and merges
can name it), the kind's fields, and ``paragraphs``: the 1-based numbers of
the body paragraphs that rely on it.

The table says, per kind, which fields exist, which are required, and which
are *staff-only*: those never leave the back office (not on the page, in
JSON-LD, feeds, ninjs for partners, nor any cache). ``public_view`` is the one
function that makes a public copy of a source; every public surface calls it.

An unnamed source carries an ``approval`` (who approved it, when, why), which
only an editor's action writes (``sourcing/services.py``); whatever a form or
an API call sends as ``approval`` is replaced by what the story had.

Why no library: this is the outlet's editorial data model, not a format.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from masthead.newsroom.text import clean_line, clean_paragraphs

MAX_SOURCES = 60
MAX_PARAGRAPH = 999
LINE = 300
TEXT = 2000


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    type: str = "line"  # line | text | url | date | count | bool | item
    required: bool = False
    staff_only: bool = False
    help: str = ""


@dataclass(frozen=True)
class Kind:
    code: str
    label: str
    # How the box on the article names it, e.g. "Reported by" or "Denied by".
    public_heading: str
    fields: tuple[Field, ...]
    # schema.org: "citation" (a work the story cites), "isBasedOn" (a wire item
    # it was written from), or "" (people and statements, shown but not emitted as works).
    schema_relation: str = ""

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)


class Outcome:
    """What came of a response sought from someone the story is about."""

    RECEIVED = "received"
    DENIED = "denied"
    DECLINED = "declined"
    NO_RESPONSE = "no_response"
    CHOICES = {
        RECEIVED: _("responded"),
        DENIED: _("denied"),
        DECLINED: _("declined to comment"),
        NO_RESPONSE: _("response sought, none received by publication"),
    }


KINDS: dict[str, Kind] = {
    kind.code: kind
    for kind in (
        Kind(
            "person",
            _("Named person"),
            _("People quoted"),
            (
                Field("name", _("Name"), required=True),
                Field("role", _("Role or title")),
                Field("organisation", _("Organisation")),
                Field("on_record", _("On the record"), "bool"),
            ),
        ),
        Kind(
            "unnamed",
            _("Unnamed source"),
            _("Unnamed sources"),
            (
                Field(
                    "description",
                    _("How they are described"),
                    required=True,
                    help=_("As the story describes them: “a senior Iranian official”."),
                ),
                Field("count", _("How many"), "count"),
                Field(
                    "anonymity_reason",
                    _("Why anonymity was granted"),
                    "text",
                    required=True,
                    help=_("Shown to readers."),
                ),
                Field(
                    "how_known",
                    _("How we know them"),
                    "text",
                    staff_only=True,
                    help=_("Staff only: never shown to readers nor sent to partners."),
                ),
            ),
        ),
        Kind(
            "outlet_report",
            _("Another outlet's report"),
            _("Reports by other outlets"),
            (
                Field("outlet", _("Outlet"), required=True),
                Field("title", _("Title of the report")),
                Field("url", _("Address"), "url"),
                Field("date", _("Date"), "date"),
            ),
            schema_relation="citation",
        ),
        Kind(
            "wire",
            _("Wire item"),
            _("Agency copy"),
            (
                Field("wire_item", _("Wire item"), "item", required=True),
                Field("provider", _("Agency")),
                Field("headline", _("Title on the wire")),
                Field("url", _("Address"), "url"),
            ),
            schema_relation="isBasedOn",
        ),
        Kind(
            "document",
            _("Document or data set"),
            _("Documents and data"),
            (
                Field("title", _("Title"), required=True),
                Field("publisher", _("Publisher")),
                Field("url", _("Address"), "url"),
                Field("date", _("Date"), "date"),
            ),
            schema_relation="citation",
        ),
        Kind(
            "statement",
            _("Official statement"),
            _("Official statements"),
            (
                Field("speaker", _("Who made it"), required=True),
                Field("role", _("Role or body")),
                Field("summary", _("What it says"), "text"),
                Field("url", _("Address"), "url"),
                Field("date", _("Date"), "date"),
            ),
            schema_relation="citation",
        ),
        Kind(
            "response",
            _("Response or denial"),
            _("Responses"),
            (
                Field("party", _("Who was asked"), required=True),
                Field(
                    "outcome",
                    _("Outcome"),
                    "outcome",
                    required=True,
                    help=_("Responded, denied, declined, or no response by publication."),
                ),
                Field("summary", _("What they said"), "text"),
                Field("url", _("Address"), "url"),
                Field("date", _("Date"), "date"),
            ),
        ),
        Kind(
            "own_reporting",
            _("Our own reporting"),
            _("Our reporting"),
            (
                Field("where", _("Where"), required=True),
                Field("when", _("When")),
                Field("by", _("By whom")),
                Field("summary", _("What we did"), "text"),
            ),
        ),
    )
}

# Keys every entry may carry besides its kind's fields.
COMMON = ("id", "kind", "paragraphs")
# Written only by an editor's approval (services); staff-only.
APPROVAL = "approval"
APPROVAL_KEYS = ("by_id", "by_name", "at", "reason")


def new_id() -> str:
    return secrets.token_hex(4)


def clean_sources(raw) -> list[dict]:
    """A list of sources as stored: known kinds and fields only, text cleaned, rules checked.

    Raises ``ValidationError`` naming the source (by number and kind) and the field.
    ``approval`` is kept as given (the services decide whose it is).
    """
    if raw in (None, ""):
        return []
    if not isinstance(raw, list):
        raise ValidationError({"sources": "Sources must be a list."})
    if len(raw) > MAX_SOURCES:
        raise ValidationError(
            {
                "sources": gettext("A story can list at most %(max_sources)s sources.")
                % {"max_sources": MAX_SOURCES}
            }
        )
    cleaned, seen_ids = [], set()
    for number, entry in enumerate(raw, start=1):
        source = _clean_one(number, entry)
        if source["id"] in seen_ids:
            source["id"] = new_id()
        seen_ids.add(source["id"])
        cleaned.append(source)
    return cleaned


def _problem(number: int, kind: Kind | None, message: str) -> ValidationError:
    name = f"source {number}" + (f" ({kind.label.lower()})" if kind else "")
    return ValidationError({"sources": f"{name[0].upper()}{name[1:]}: {message}"})


def _clean_one(number: int, entry) -> dict:
    if not isinstance(entry, dict):
        raise _problem(number, None, "not a source.")
    kind = KINDS.get(entry.get("kind")) if isinstance(entry.get("kind"), str) else None
    if kind is None:
        raise _problem(number, None, f"unknown kind {str(entry.get('kind'))[:40]!r}.")
    source_id = entry.get("id")
    if not (isinstance(source_id, str) and source_id.isalnum() and len(source_id) <= 16):
        source_id = new_id()
    source: dict = {"id": source_id, "kind": kind.code}
    for field in kind.fields:
        value = _clean_value(number, kind, field, entry.get(field.name))
        if field.required and value in ("", None):
            raise _problem(number, kind, f"{field.label.lower()} is required.")
        if value not in ("", None):
            source[field.name] = value
    source["paragraphs"] = _clean_paragraph_numbers(number, kind, entry.get("paragraphs"))
    approval = entry.get(APPROVAL)
    if kind.code == "unnamed" and isinstance(approval, dict):
        source[APPROVAL] = {key: approval.get(key) for key in APPROVAL_KEYS}
    return source


def _clean_value(number: int, kind: Kind, field: Field, value):
    if value is None:
        return None
    if field.type == "bool":
        return bool(value) if not isinstance(value, str) else value.lower() in ("1", "true", "on")
    if field.type in ("count", "item"):
        try:
            count = int(value)
        except (TypeError, ValueError):
            raise _problem(number, kind, f"{field.label.lower()} must be a number.") from None
        if not 1 <= count <= (99 if field.type == "count" else 2**62):
            raise _problem(number, kind, f"{field.label.lower()} is out of range.")
        return count
    if not isinstance(value, str):
        raise _problem(number, kind, f"{field.label.lower()} must be text.")
    if field.type == "text":
        text = clean_paragraphs(value)
        if len(text) > TEXT:
            raise _problem(number, kind, f"{field.label.lower()} is over {TEXT} characters.")
        return text
    text = clean_line(value)
    if len(text) > LINE:
        raise _problem(number, kind, f"{field.label.lower()} is over {LINE} characters.")
    if not text:
        return ""
    if field.type == "url":
        parts = urlsplit(text)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise _problem(number, kind, "the address must start with http:// or https://.")
    elif field.type == "date":
        try:
            text = date.fromisoformat(text).isoformat()
        except ValueError:
            raise _problem(number, kind, "the date must be YYYY-MM-DD.") from None
    elif field.type == "outcome" and text not in Outcome.CHOICES:
        raise _problem(number, kind, f"unknown outcome {text[:40]!r}.")
    return text


def _clean_paragraph_numbers(number: int, kind: Kind, value) -> list[int]:
    if value in (None, "", []):
        return []
    if isinstance(value, str):
        # The Persian comma too; int() reads Persian digits (۲، ۵) as well as ASCII ones.
        value = [part for part in value.replace(",", " ").replace("،", " ").split() if part]
    if not isinstance(value, list):
        raise _problem(number, kind, "paragraphs must be a list of numbers.")
    try:
        numbers = sorted({int(part) for part in value})
    except (TypeError, ValueError):
        raise _problem(number, kind, "paragraphs must be numbers, e.g. 2, 5.") from None
    if numbers and not 1 <= numbers[0] <= numbers[-1] <= MAX_PARAGRAPH:
        raise _problem(number, kind, f"paragraph numbers run from 1 to {MAX_PARAGRAPH}.")
    return numbers


def public_view(source: dict) -> dict:
    """A copy of ``source`` with nothing staff-only: what readers, feeds and partners get."""
    kind = KINDS.get(source.get("kind"))
    if kind is None:
        return {}
    view = {key: source[key] for key in COMMON if key in source}
    for field in kind.fields:
        if not field.staff_only and field.name in source:
            view[field.name] = source[field.name]
    return view


def public_sources(sources) -> list[dict]:
    """``public_view`` of each source, in order."""
    return [view for view in (public_view(s) for s in sources or []) if view]


def is_approved(source: dict) -> bool:
    """An unnamed source an editor approved, with a reason."""
    approval = source.get(APPROVAL) or {}
    return bool(approval.get("by_id") and clean_line(approval.get("reason") or ""))
