"""Agency copy in, :class:`~masthead.wire.items.WireCopy` out.

``parse(body, kind)`` reads one fetched or pushed document of a source's kind
(``Source.Kind``: "rss", "ninjs", "newsml") into a
:class:`~masthead.wire.items.ParsedFeed`; ``sniff(body)`` guesses the kind of
a file from its first bytes (drop folders). Both raise
:class:`~masthead.wire.items.ParseError` with a readable reason when the
whole document is refused; single refused items are listed in
``ParsedFeed.refused``. What each format maps to: docs/wire-formats.md.
"""

from __future__ import annotations

from masthead.wire import xmlsafety
from masthead.wire.items import ParsedFeed, ParseError
from masthead.wire.parsers.newsml import parse_newsml
from masthead.wire.parsers.ninjs import parse_ninjs
from masthead.wire.parsers.rss import parse_rss

PARSERS = {"rss": parse_rss, "ninjs": parse_ninjs, "newsml": parse_newsml}
_FEED_ROOTS = frozenset({"rss", "feed", "RDF"})
# Every G2 item type goes to the NewsML-G2 parser, which reads the news ones
# and says why it refuses the rest (concept, knowledge, planning, catalog).
_NEWSML_ROOTS = frozenset(
    {
        "newsItem",
        "packageItem",
        "newsMessage",
        "conceptItem",
        "knowledgeItem",
        "planningItem",
        "catalogItem",
    }
)

__all__ = ["PARSERS", "ParseError", "parse", "sniff"]


def parse(body: bytes, kind: str, *, content_type: str = "") -> ParsedFeed:
    """Parse one document of ``kind``; see the module docstring."""
    try:
        parser = PARSERS[kind]
    except KeyError:
        raise ParseError(f"unknown source kind {kind!r}") from None
    return parser(body, content_type=content_type)


def sniff(body: bytes) -> str:
    """The kind of a document by its first bytes: JSON → ninjs; XML by its root."""
    if not isinstance(body, bytes | bytearray | memoryview):
        raise ParseError("expected bytes")
    head = bytes(body[: 64 * 1024])
    stripped = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if stripped[:1] in (b"{", b"["):
        return "ninjs"
    if not stripped:
        raise ParseError("empty document")
    name = xmlsafety.root_name(head).rpartition(":")[2]
    if name in _FEED_ROOTS:
        return "rss"
    if name in _NEWSML_ROOTS:
        return "newsml"
    if name:
        raise ParseError(f"unrecognised document: the root element is {name[:40]!r}")
    raise ParseError("unrecognised document: neither JSON nor XML")
