"""RSS 0.9x/1.0/2.0 and Atom, through feedparser, behind xmlsafety.precheck.

feedparser copes with the malformed feeds that real publishers serve, which
a strict XML parser would refuse. Its weak spots (DESIGN.md pitfalls) are
covered here: entity declarations and external DTDs are refused before it
runs (it spends seconds on a billion-laughs feed), every URL it returns is
re-checked (it passes ``javascript:`` links through), a charset lie is
refused (feedparser silently re-decodes as windows-1252: mojibake), and
titles become plain text.
"""

from __future__ import annotations

import calendar
import contextlib
import re
from datetime import UTC, datetime

import feedparser
from feedparser.exceptions import CharacterEncodingOverride, CharacterEncodingUnknown
from lxml import etree

from masthead.wire import xmlsafety
from masthead.wire.items import ParsedFeed, ParseError, WireCopy
from masthead.wire.parsers.common import (
    Collector,
    check_size,
    clean_url,
    plain_text,
    text_to_html,
)

_HTML_TYPES = ("text/html", "application/xhtml+xml")


def _text(detail, fallback: str = "") -> str:
    """Plain text from a feedparser text construct (its ``*_detail`` dict)."""
    if not detail:
        return plain_text(fallback)
    value = detail.get("value", "")
    return plain_text(value, markup=detail.get("type", "text/html") in _HTML_TYPES or "<" in value)


def _when(entry, key: str) -> datetime | None:
    # dict.get: feedparser's own get() maps a missing "updated" to "published"
    # (with a DeprecationWarning); we want what the feed said.
    parsed = dict.get(entry, f"{key}_parsed")
    if not parsed:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC)
    except (OverflowError, ValueError, OSError):
        return None


def _body(entry) -> tuple[str, str]:
    """(body_html, dek): the full content when there is one, the summary as its dek."""
    contents = [c for c in entry.get("content", []) if c.get("value")]
    html_content = next((c for c in contents if c.get("type") in _HTML_TYPES), None)
    summary = entry.get("summary", "")
    if html_content is None and contents:
        html_content = contents[0]
    if html_content is not None:
        value = html_content["value"]
        if html_content.get("type") not in _HTML_TYPES:
            value = text_to_html(value)
        return value, plain_text(summary) if summary and summary != html_content["value"] else ""
    return summary, ""


def _entry(entry, feed_language: str) -> WireCopy:
    link = clean_url(entry.get("link", ""))
    guid = (entry.get("id") or "").strip()
    copy = WireCopy(provider_id=guid or link)
    if entry.get("id") and not guid:
        copy.problems.append("empty guid; the link is used as the id")
    copy.url = link or clean_url(guid)
    copy.headline = _text(entry.get("title_detail"), entry.get("title", ""))
    copy.body_html, copy.dek = _body(entry)
    author = entry.get("author_detail", {}).get("name") or entry.get("author", "")
    copy.byline = plain_text(author)
    copy.subjects = [
        plain_text(tag.get("label") or tag.get("term") or "") for tag in entry.get("tags", [])
    ]
    copy.language = (
        entry.get("language")
        or (entry.get("title_detail") or {}).get("language")
        or feed_language
        or ""
    )
    copy.first_created = _when(entry, "published") or _when(entry, "created")
    copy.version_created = _when(entry, "updated") or copy.first_created
    for key in ("published", "updated"):
        if dict.get(entry, key) and not dict.get(entry, f"{key}_parsed"):
            copy.problems.append(f"unreadable {key} date {dict.get(entry, key)[:40]!r}")
    source = entry.get("source") or {}
    copy.provider = plain_text(source.get("title", ""))
    return copy


def _refuse_truncated(body: bytes) -> None:
    """A feed cut off in transit must not become items with half their text.

    feedparser's loose mode happily returns what it read before the cut, so
    check that the root element is closed. (Only for ASCII-compatible
    encodings; UTF-16 feeds are rare and go by feedparser's verdict.)
    """
    name = xmlsafety.root_name(body)
    if not name or body[:2] in (b"\xff\xfe", b"\xfe\xff") or body[:2] in (b"<\x00", b"\x00<"):
        return
    tail = body[-64 * 1024 :].rstrip()
    while tail.endswith((b"-->", b"?>")):  # caches append "<!-- served in 3 ms -->"
        opener = b"<!--" if tail.endswith(b"-->") else b"<?"
        cut = tail.rfind(opener)
        if cut < 0:
            break
        tail = tail[:cut].rstrip()
    if not tail.endswith(f"</{name}>".encode("latin-1")):
        raise ParseError(f"truncated or malformed feed: it does not end with </{name}>")


MAX_TAGS = 300_000  # "<" outside CDATA: a 10,000-item feed of ordinary items has ~160,000
_CDATA = re.compile(rb"<!\[CDATA\[.*?\]\]>", re.DOTALL)
_ENTITY = re.compile(rb"<!ENTITY", re.IGNORECASE)


def _refuse_costly(body: bytes) -> None:
    """Refuse shapes that cost feedparser seconds of CPU before it sees them.

    feedparser is pure Python per element: measured here, 1 million empty
    elements (4 MB) take 12 s, and 2 million nested ones 23 s. So: at most
    :data:`MAX_TAGS` tags, and nesting at most 256 deep (checked with lxml in
    recover mode, which stops at depth 257 in microseconds).
    """
    outside = _CDATA.sub(b"", body)
    if _ENTITY.search(outside):  # a misplaced DOCTYPE after the root: no use but harm
        raise ParseError(xmlsafety.ENTITIES_NOT_ALLOWED)
    tags = outside.count(b"<")
    if tags > MAX_TAGS:
        raise ParseError(f"too many tags for one feed ({tags}; the limit is {MAX_TAGS})")
    parser = etree.XMLParser(
        recover=True, huge_tree=False, resolve_entities=False, no_network=True, load_dtd=False
    )
    with contextlib.suppress(etree.XMLSyntaxError):  # feedparser's loose mode judges those
        etree.fromstring(body, parser)
    if any(e.type_name == "ERR_RESOURCE_LIMIT" and "depth" in e.message for e in parser.error_log):
        raise ParseError(f"XML nested deeper than {xmlsafety.MAX_DEPTH} levels")


_CHARACTER_REFERENCE = re.compile(rb"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));")


def _surrogate_as_replacement(match: re.Match) -> bytes:
    hexadecimal, decimal = match.groups()
    code = int(hexadecimal, 16) if hexadecimal else int(decimal)
    return b"&#xFFFD;" if 0xD800 <= code <= 0xDFFF else match.group()


def parse_rss(body: bytes, *, content_type: str = "") -> ParsedFeed:
    check_size(body)
    body = bytes(body)
    xmlsafety.precheck(body)
    _refuse_truncated(body)
    _refuse_costly(body)
    # "&#xD800;" names no character: feedparser's loose mode would crash on it
    # (UnicodeEncodeError). It reads as U+FFFD, as a browser shows it.
    if b"&#" in body:
        body = _CHARACTER_REFERENCE.sub(_surrogate_as_replacement, body)
    headers = {"content-type": content_type} if content_type else {}
    try:
        result = feedparser.parse(
            bytes(body), response_headers=headers, resolve_relative_uris=False, sanitize_html=False
        )
    except UnicodeError as error:
        # feedparser reads the declaration's encoding name as UTF-8 and raises on a byte
        # that is not (``encoding='\x80utf-8'``): an encoding no feed can be read in.
        raise ParseError(f"wrong character encoding in the XML declaration: {error}") from None
    problem = result.get("bozo_exception")
    if isinstance(problem, CharacterEncodingOverride | CharacterEncodingUnknown):
        raise ParseError(f"wrong character encoding: {problem}")
    if not result.get("version") and not result.entries:
        reason = f": {problem}" if problem else ""
        raise ParseError(f"not an RSS or Atom feed{reason}")
    feed = result.get("feed", {})
    collector = Collector(title=feed.get("title", ""))
    language = feed.get("language", "")
    for number, entry in enumerate(result.entries, start=1):
        copy = _entry(entry, language)
        if not copy.provider_id:
            collector.refuse(number, "no guid/id and no http(s) link")
            continue
        collector.add(number, copy)
        if collector.full:
            break
    if problem and not collector.feed.items and not collector.feed.refused:
        raise ParseError(f"not a readable feed: {problem}")
    return collector.result()
