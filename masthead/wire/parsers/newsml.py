"""IPTC NewsML-G2: newsItem, packageItem, and newsMessage wrapping several.

Parsed with lxml through :mod:`masthead.wire.xmlsafety` (no DTDs, entities or
network) and checked against the official NewsML-G2 2.35 "All-Power" XML
Schema (``masthead/wire/schemas/newsml-g2/``, from github.com/iptc/newsml-g2,
with the W3C ``xml.xsd`` it imports beside it). The schema is compiled once
per process, from local files only. Items of earlier 2.x versions validate
against it (NewsML-G2 only adds). Each item is validated on its own: an
invalid item in a newsMessage is refused with the schema's reason, the
others are kept; a document holding one invalid item is refused whole.
"""

from __future__ import annotations

import copy as copying
import threading
from pathlib import Path

from lxml import etree

from masthead.wire import xmlsafety
from masthead.wire.items import ParsedFeed, ParseError, Status, WireCopy
from masthead.wire.parsers.common import (
    Collector,
    check_size,
    clean_urgency,
    parse_datetime,
    plain_text,
    text_to_html,
)

NAR = "http://iptc.org/std/nar/2006-10-01/"
XHTML = "http://www.w3.org/1999/xhtml"
NITF = "http://iptc.org/std/NITF/2006-10-18/"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
SCHEMA = (
    Path(__file__).resolve().parent.parent
    / "schemas"
    / "newsml-g2"
    / "NewsML-G2_2.35-spec-All-Power.xsd"
)
ITEMS = ("newsItem", "packageItem")
_NS = {"n": NAR}


def _q(name: str) -> str:
    return f"{{{NAR}}}{name}"


_compiled = threading.local()


def schema() -> etree.XMLSchema:
    """The compiled NewsML-G2 schema, one per thread (an lxml schema keeps an
    error log, so threads do not share one). Its one import, xml.xsd, is a
    local file; the parser cannot reach the network."""
    compiled = getattr(_compiled, "schema", None)
    if compiled is None:
        parser = etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False)
        compiled = _compiled.schema = etree.XMLSchema(etree.parse(str(SCHEMA), parser))
    return compiled


def _code(value: str) -> str:
    """The code of a QCode or NewsCodes URI: ``stat:usable`` / ``…/pubstatusg2/usable`` → usable."""
    return value.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1].strip()


def _text(element: etree._Element | None) -> str:
    return plain_text("".join(element.itertext()), markup=False) if element is not None else ""


_paths = threading.local()


def _all(parent: etree._Element | None, path: str) -> list:
    """``parent.xpath(path)`` in the NewsML-G2 namespace, compiled once per thread.

    Compiling the expression at every call was a third of this parser's time
    (bench/ingest.py); an lxml XPath object is not shared between threads.
    """
    if parent is None:
        return []
    compiled = _paths.__dict__.setdefault("compiled", {})
    xpath = compiled.get(path)
    if xpath is None:
        xpath = compiled[path] = etree.XPath(path, namespaces=_NS)
    return xpath(parent)


def _first(parent: etree._Element | None, path: str) -> etree._Element | None:
    found = _all(parent, path)
    return found[0] if found else None


def _named(element: etree._Element | None) -> str:
    """A concept's name: its name child, else @literal, else the qcode/uri code."""
    if element is None:
        return ""
    name = _first(element, "n:name")
    if name is not None and _text(name):
        return _text(name)
    literal = element.get("literal") or ""
    return (
        plain_text(literal, markup=False)
        or (element.get("qcode") or element.get("uri") or "").strip()
    )


def _local_copy(element: etree._Element) -> etree._Element:
    """A copy of ``element`` with plain tag names (no namespaces), for HTML output."""
    clone = copying.deepcopy(element)
    for node in clone.iter(etree.Element):
        node.tag = etree.QName(node).localname
        for name in list(node.attrib):
            if name.startswith("{"):
                del node.attrib[name]
    etree.cleanup_namespaces(clone)
    return clone


def _inner_html(container: etree._Element) -> str:
    clone = _local_copy(container)
    parts = [clone.text or ""]
    parts.extend(etree.tostring(child, encoding="unicode", with_tail=True) for child in clone)
    return "".join(parts).strip()


def _body_html(content_set: etree._Element | None) -> str:
    if content_set is None:
        return ""
    for inline in content_set.iterchildren(_q("inlineXML"), _q("inlineData")):
        if inline.tag == _q("inlineData"):
            kind = (inline.get("contenttype") or "text/plain").split(";")[0].strip()
            value = inline.text or ""
            if value.strip():
                return (
                    value if kind in ("text/html", "application/xhtml+xml") else text_to_html(value)
                )
            continue
        body = next(inline.iter(f"{{{XHTML}}}body"), None)
        if body is None:
            body = next(inline.iter(f"{{{NITF}}}body.content"), None)
        if body is None:
            body = next(inline.iter("body.content", "body"), None)
        html = _inner_html(body if body is not None else inline)
        if html:
            return html
    return ""


def _item(element: etree._Element) -> WireCopy:
    item_meta = _first(element, "n:itemMeta")
    content_meta = _first(element, "n:contentMeta")
    copy = WireCopy(
        provider_id=(element.get("guid") or "").strip(), version=element.get("version") or ""
    )
    status = _first(item_meta, "n:pubStatus")
    code = _code(status.get("qcode") or status.get("uri") or "") if status is not None else ""
    copy.status = (
        code if code in (Status.USABLE, Status.WITHHELD, Status.CANCELED) else Status.USABLE
    )
    if code and code != copy.status:
        copy.problems.append(f"unknown pubStatus {code[:40]!r}; read as usable")
    signals = _all(item_meta, "n:signal")
    copy.is_correction = any(
        _code(s.get("qcode") or s.get("uri") or "") == "correction" for s in signals
    )
    provider = _named(_first(item_meta, "n:provider"))
    copy.provider = provider.removeprefix("nprov:")
    for path, attr in (
        ("n:itemMeta/n:firstCreated", "first_created"),
        ("n:itemMeta/n:versionCreated", "version_created"),
        ("n:itemMeta/n:embargoed", "embargoed_until"),
    ):
        node = _first(element, path)
        value, note = parse_datetime(node.text if node is not None else None)
        setattr(copy, attr, value)
        if note:
            copy.problems.append(f"{attr.replace('_', ' ')}: {note}")
    if copy.first_created is None:
        created = _first(content_meta, "n:contentCreated")
        copy.first_created, _ = parse_datetime(created.text if created is not None else None)
    headlines = _all(content_meta, "n:headline")
    main = next((h for h in headlines if _code(h.get("role") or "") in ("", "main")), None)
    copy.headline = _text(main if main is not None else (headlines[0] if headlines else None))
    if not copy.headline:
        copy.headline = _text(_first(item_meta, "n:title"))
    descriptions = _all(content_meta, "n:description")
    summary = next((d for d in descriptions if _code(d.get("role") or "") in ("summary", "")), None)
    copy.dek = _text(
        summary if summary is not None else (descriptions[0] if descriptions else None)
    )
    copy.byline = _text(_first(content_meta, "n:by")) or _named(_first(content_meta, "n:creator"))
    copy.dateline = _text(_first(content_meta, "n:dateline"))
    if not copy.dateline:  # where it was written, by name only (a bare qcode is no dateline)
        copy.dateline = _text(_first(content_meta, "n:located/n:name"))
    language = _first(content_meta, "n:language")
    copy.language = (
        (language.get("tag") if language is not None else "") or element.get(XML_LANG) or ""
    )
    urgency = _first(content_meta, "n:urgency")
    copy.urgency, note = clean_urgency(urgency.text if urgency is not None else None)
    if note:
        copy.problems.append(note)
    subjects = _all(content_meta, "n:subject")
    copy.subjects = [_named(s) for s in subjects]
    link = _first(item_meta, "n:link[@href]")
    copy.url = link.get("href") if link is not None else ""
    if element.tag == _q("packageItem"):
        copy.is_package = True
        copy.parts = [ref.get("residref") or "" for ref in element.iter(_q("itemRef"))]
    else:
        copy.body_html = _body_html(_first(element, "n:contentSet"))
    return copy


def _reason(error_log) -> str:
    error = error_log.last_error if len(error_log) else None
    if error is None:
        return "not valid NewsML-G2"
    message = error.message.replace(f"{{{NAR}}}", "")
    return f"not valid NewsML-G2 (line {error.line}): {message[:240]}"


def parse_newsml(body: bytes, *, content_type: str = "") -> ParsedFeed:
    check_size(body)
    root = xmlsafety.fromstring(bytes(body))
    local = etree.QName(root).localname
    if etree.QName(root).namespace != NAR:
        raise ParseError(
            f"not NewsML-G2: the root element is {local!r} outside the NewsML-G2 namespace"
        )
    if local in ITEMS:
        candidates = [root]
    elif local == "newsMessage":
        item_set = _first(root, "n:itemSet")
        candidates = list(item_set.iterchildren(etree.Element)) if item_set is not None else []
        if not candidates:
            raise ParseError("a newsMessage with no items")
    else:
        raise ParseError(
            f"NewsML-G2 {local} is not news: only newsItem, packageItem and newsMessage are read"
        )
    validator = schema()
    collector = Collector()
    for number, element in enumerate(candidates, start=1):
        kind = etree.QName(element).localname
        if element.tag not in (_q("newsItem"), _q("packageItem")):
            collector.refuse(number, f"{kind} is not a news or package item")
            continue
        if not validator.validate(element):
            collector.refuse(number, _reason(validator.error_log))
            continue
        collector.add(number, _item(element))
        if collector.full:
            break
    return collector.result()
