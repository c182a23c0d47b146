"""IPTC ninjs (News in JSON) 1.0–1.6 and 2.0–2.2.

A document is one ninjs object, a JSON array of them, or an object whose
``items`` is such an array (the wrapper many agency APIs use; the standard
itself defines single objects). Each object is validated against the
official IPTC schema of its version (``masthead/wire/schemas/ninjs/``, from
github.com/iptc/newsinjson), chosen by its ``$standard``/``standard``
declaration or, when absent, by its shape (2.x uses plural ``headlines``,
``bodies``, ``subjects`` ...). An invalid object is refused with the
schema's reason; the others in the document are kept.

Before the schema: the bytes must be UTF-8 JSON within the size cap, nested
at most :data:`MAX_DEPTH` deep, with no duplicate keys, no numbers longer than
:data:`MAX_NUMBER_DIGITS`, no NaN/Infinity, no lone surrogates and no NUL
characters. Any of those refuses the whole document.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

from referencing import Registry, Resource

from masthead.wire.items import ParsedFeed, ParseError, Status, WireCopy
from masthead.wire.parsers.common import (
    Collector,
    check_size,
    clean_urgency,
    parse_datetime,
    plain_text,
    text_to_html,
)

SCHEMAS = Path(__file__).resolve().parent.parent / "schemas" / "ninjs"
VERSIONS = ("1.0", "1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "2.0", "2.1", "2.2")
LATEST = {"1": "1.6", "2": "2.2"}  # for objects that do not say: later minors only add fields
MAX_DEPTH = 32
MAX_NUMBER_DIGITS = 40
_TWO_ONLY = frozenset(
    {
        "headlines",
        "bodies",
        "descriptions",
        "by",
        "subjects",
        "people",
        "places",
        "organisations",
        "genres",
        "events",
        "objects",
        "infosources",
        "trustindicators",
        "standard",
    }
)
_HTML_TYPES = ("text/html", "application/xhtml+xml")


@cache
def _registry() -> Registry:
    geojson = json.loads((SCHEMAS / "GeoJSON-schema.json").read_text("utf-8"))
    return Registry().with_resource(
        "https://geojson.org/schema/GeoJSON.json", Resource.from_contents(geojson)
    )


@cache
def validator(version: str):
    """The compiled validator for one ninjs version (built once per process).

    References resolve only inside the bundled files: the registry has no
    retrieval function, so nothing is ever fetched.
    """
    # Imported here: with jsonschema's format extras installed (the test extras
    # are), importing it costs ~3 s, paid by every process that imports the
    # wire parsers (the worker, the CLI), even those that never read ninjs.
    from jsonschema import validators

    schema = json.loads((SCHEMAS / f"ninjs-schema_{version}.json").read_text("utf-8"))
    cls = validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, registry=_registry())


def _number(text: str) -> int | float:
    if len(text.lstrip("-").replace(".", "").split("e")[0].split("E")[0]) > MAX_NUMBER_DIGITS:
        raise ParseError(f"number with more than {MAX_NUMBER_DIGITS} digits")
    value = float(text) if any(c in text for c in ".eE") else int(text)
    if isinstance(value, float) and value in (float("inf"), float("-inf")):
        raise ParseError("number too large")
    return value


def _constant(name: str):
    raise ParseError(f"{name} is not valid JSON")


class _Loader:
    """json.loads hooks that remember duplicate keys (the last value wins, as in
    every JSON library; IPTC's own examples repeat keys, so they are noted on
    the items, not refused)."""

    def __init__(self):
        self.duplicates: list[str] = []

    def pairs(self, pairs: list[tuple[str, object]]) -> dict:
        result = dict(pairs)
        if len(result) != len(pairs):
            seen: set[str] = set()
            for key, _ in pairs:
                if key in seen and key not in self.duplicates:
                    self.duplicates.append(key)
                seen.add(key)
        return result


_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _check_tree(value: object) -> None:
    """Depth, lone surrogates and NULs, iteratively (a deep tree cannot recurse us)."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ParseError(f"JSON nested deeper than {MAX_DEPTH} levels")
        if isinstance(node, dict):
            for key, child in node.items():
                stack.append((key, depth))
                stack.append((child, depth + 1))
        elif isinstance(node, list):
            stack.extend((child, depth + 1) for child in node)
        elif isinstance(node, str):
            if _SURROGATE.search(node):
                raise ParseError("JSON string with a lone surrogate (not valid Unicode)")
            if "\x00" in node:
                raise ParseError("JSON string with a NUL character")


def load(body: bytes) -> tuple[object, list[str]]:
    """Strict JSON from bytes and the keys that were duplicated, or :class:`ParseError`."""
    check_size(body)
    raw = bytes(body)
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ParseError(
            f"not UTF-8 ({exc.reason} at byte {exc.start}); JSON must be UTF-8"
        ) from None
    loader = _Loader()
    try:
        data = json.loads(
            text,
            parse_int=_number,
            parse_float=_number,
            parse_constant=_constant,
            object_pairs_hook=loader.pairs,
        )
    except RecursionError:
        raise ParseError(f"JSON nested deeper than {MAX_DEPTH} levels") from None
    except json.JSONDecodeError as exc:
        raise ParseError(
            f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from None
    except ParseError:
        raise
    except ValueError as exc:  # e.g. Python's int digit limit
        raise ParseError(f"not valid JSON: {exc}") from None
    _check_tree(data)
    return data, loader.duplicates


def _version(obj: dict) -> str:
    declared = obj.get("standard") or obj.get("$standard")
    if isinstance(declared, dict) and isinstance(declared.get("version"), str):
        version = declared["version"].strip()
        if version in VERSIONS:
            return version
        if version.split(".")[0] in LATEST:
            return LATEST[version.split(".")[0]]
        raise ParseError(f"ninjs version {version[:20]!r} is not supported (1.x and 2.x are)")
    return LATEST["2"] if _TWO_ONLY & obj.keys() else LATEST["1"]


def _pick(
    entries: object, *, roles: tuple[str, ...] = (), types: tuple[str, ...] = ()
) -> dict | None:
    """From a 2.x list of {role, contenttype, value}: the preferred entry."""
    if not isinstance(entries, list):
        return None
    entries = [e for e in entries if isinstance(e, dict) and isinstance(e.get("value"), str)]
    for wanted in roles:
        for entry in entries:
            if entry.get("role") == wanted:
                return entry
    for wanted in types:
        for entry in entries:
            if (entry.get("contenttype") or "").split(";")[0].strip() == wanted:
                return entry
    return entries[0] if entries else None


def _html_of(entry: dict | None) -> str:
    """A 2.x body as HTML: HTML as sent; text/plain escaped into paragraphs.

    Without a contenttype, a value that starts with a tag is taken as HTML.
    """
    if entry is None:
        return ""
    value = entry["value"]
    kind = (entry.get("contenttype") or "").split(";")[0].strip()
    if kind in _HTML_TYPES or (not kind and value.lstrip().startswith("<")):
        return value
    return text_to_html(value)


def _dates(copy: WireCopy, obj: dict) -> None:
    for key, attr in (
        ("firstcreated", "first_created"),
        ("versioncreated", "version_created"),
        ("embargoed", "embargoed_until"),
    ):
        value, note = parse_datetime(obj.get(key))
        setattr(copy, attr, value)
        if note:
            copy.problems.append(f"{key}: {note}")
    if copy.first_created is None:
        copy.first_created, _ = parse_datetime(obj.get("contentcreated"))


def _item(obj: dict, version: str) -> WireCopy:
    uri = obj.get("uri")
    copy = WireCopy(
        provider_id=uri if isinstance(uri, str) else "", version=str(obj.get("version") or "")
    )
    if version.startswith("2"):
        headline = _pick(obj.get("headlines"), roles=("main", "headline"))
        copy.headline = plain_text(headline["value"]) if headline else ""
        dek = _pick(
            obj.get("descriptions"), roles=("summary", "abstract", "lead"), types=("text/plain",)
        )
        copy.dek = plain_text(dek["value"]) if dek else ""
        body = _pick(obj.get("bodies"), types=(*_HTML_TYPES, "text/plain"))
        copy.body_html = _html_of(body)
        copy.byline = plain_text(obj.get("by", ""))
        subjects = obj.get("subjects") or []
        associations = obj.get("associations") or []
        parts = [a.get("uri") for a in associations if isinstance(a, dict)]
    else:
        copy.headline = plain_text(obj.get("headline", ""))
        copy.dek = plain_text(obj.get("description_text") or obj.get("description_html") or "")
        if obj.get("body_html") or obj.get("body_xhtml"):
            copy.body_html = obj.get("body_html") or obj.get("body_xhtml")
        elif obj.get("body_text"):
            copy.body_html = text_to_html(obj["body_text"])
        copy.byline = plain_text(obj.get("byline", ""))
        subjects = obj.get("subject") or []
        associations = obj.get("associations") or {}
        parts = [a.get("uri") for a in associations.values() if isinstance(a, dict)]
    copy.subjects = [
        plain_text(s.get("name") or s.get("uri") or s.get("code") or "")
        for s in subjects
        if isinstance(s, dict)
    ]
    copy.dateline = plain_text(obj.get("located", ""))
    copy.language = obj.get("language") or ""
    copy.urgency, note = clean_urgency(obj.get("urgency"))
    if note:
        copy.problems.append(note)
    copy.status = obj.get("pubstatus") or Status.USABLE
    copy.provider = plain_text(obj.get("copyrightholder", ""))
    copy.is_package = obj.get("type") == "composite"
    copy.parts = [p for p in parts if isinstance(p, str)]
    _dates(copy, obj)
    return copy


def parse_ninjs(body: bytes, *, content_type: str = "") -> ParsedFeed:
    from jsonschema.exceptions import best_match  # see validator()

    data, duplicates = load(body)
    if isinstance(data, dict) and "uri" not in data and isinstance(data.get("items"), list):
        data = data["items"]
    objects = data if isinstance(data, list) else [data]
    if isinstance(data, list) and not data:
        raise ParseError("an empty list: no ninjs items")
    if not isinstance(data, list | dict):
        raise ParseError("not a ninjs document: expected an object or a list of objects")
    collector = Collector()
    for number, obj in enumerate(objects, start=1):
        if not isinstance(obj, dict):
            collector.refuse(number, f"not a JSON object ({type(obj).__name__})")
            continue
        try:
            version = _version(obj)
        except ParseError as exc:
            collector.refuse(number, str(exc))
            continue
        error = best_match(validator(version).iter_errors(obj))
        if error is not None:
            where = "/".join(str(p) for p in error.absolute_path) or "the item"
            collector.refuse(number, f"not valid ninjs {version} at {where}: {error.message[:200]}")
            continue
        copy = _item(obj, version)
        if duplicates:
            names = ", ".join(repr(k[:40]) for k in duplicates[:5])
            copy.problems.append(
                f"the JSON repeats keys ({names}); the last value of each was used"
            )
        collector.add(number, copy)
        if collector.full:
            break
    return collector.result()
