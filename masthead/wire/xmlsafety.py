"""Parse XML from agencies, importers and drop folders without trusting it.

Every XML document that reaches Masthead from outside (RSS/Atom, NewsML-G2,
WordPress exports) comes through this module. lxml is the parser; what this
module adds is the policy on top of it (RELIABILITY.md §2.3 C2, DESIGN.md
"Known pitfalls"):

- No DTDs with entity declarations, no external DTDs: a ``<!DOCTYPE`` with an
  internal subset (``[ ... ]``, where ``<!ENTITY`` lives, parameter entities
  included) or with a ``SYSTEM``/``PUBLIC`` id is refused *before* parsing by
  :func:`precheck`, so billion-laughs, quadratic blowup and XXE documents cost
  a regular-expression-free scan of the prolog, and nothing is ever fetched. A
  bare ``<!DOCTYPE rss>`` (no subset, no id) is harmless and allowed.
- Entities are never resolved and the network is never used
  (``resolve_entities=False, no_network=True, load_dtd=False``); XInclude is
  never processed (nothing here calls ``xinclude()``); processing
  instructions such as ``<?xml-stylesheet?>`` are dropped, never followed.
- No silent text loss: lxml's usual hardened settings turn ``A&x;B`` into
  ``A`` (the unresolved reference becomes an entity node that ``.text``
  skips). Without a DTD such a reference is a well-formedness error, and any
  entity node that still appears is refused ("undefined entity reference").
- Bounded: ``huge_tree`` stays off, so libxml2 caps nesting at
  :data:`MAX_DEPTH` (256) and single text nodes at 10 MB; :func:`fromstring`
  refuses documents over ``max_bytes`` (default :data:`DEFAULT_MAX_BYTES`)
  before parsing; NUL bytes and undecodable text (a charset lie such as
  "declared UTF-8, bytes in cp1256") are refused, never stored as mojibake.

Everything refused raises :class:`masthead.wire.items.ParseError` with a
message an editor can read on the source's health page.

Why not defusedxml: it wraps the stdlib parsers and lxml only through a
deprecated module; we need lxml's trees (XSD validation, XPath) and
streaming, and the checks above are few.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from typing import BinaryIO

from lxml import etree

from masthead.wire.items import ParseError

MAX_DEPTH = 256  # libxml2's own limit without XML_PARSE_HUGE; tested
DEFAULT_MAX_BYTES = 16 * 1024 * 1024  # one feed or one NewsML-G2 document
PROLOG_LIMIT = 1024 * 1024  # bytes before the root element we are willing to scan

ENTITIES_NOT_ALLOWED = "DTD entity declarations are not allowed"
EXTERNAL_DTD_NOT_ALLOWED = "external DTDs (SYSTEM/PUBLIC ids) are not allowed"


def _encoding_family(head: bytes) -> tuple[str | None, int]:
    """The codec the first bytes announce (XML 1.0 Appendix F), and the BOM length.

    ``None`` means an ASCII-compatible encoding (UTF-8, Latin-1, cp1256 ...),
    where markup can be scanned byte by byte.
    """
    if head.startswith(codecs.BOM_UTF8):
        return None, 3
    if head.startswith(b"\xff\xfe\x00\x00"):
        return "utf-32-le", 4
    if head.startswith(b"\x00\x00\xfe\xff"):
        return "utf-32-be", 4
    if head.startswith(b"\xff\xfe"):
        return "utf-16-le", 2
    if head.startswith(b"\xfe\xff"):
        return "utf-16-be", 2
    if head.startswith(b"\x00\x00\x00<"):
        return "utf-32-be", 0
    if head.startswith(b"<\x00\x00\x00"):
        return "utf-32-le", 0
    if head.startswith(b"\x00<\x00"):
        return "utf-16-be", 0
    if head.startswith(b"<\x00"):
        return "utf-16-le", 0
    if head.startswith(b"\x4c\x6f\xa7\x94"):
        raise ParseError("EBCDIC documents are not supported")
    return None, 0


def _prolog_end(text: str) -> int | None:
    """Check the prolog of ``text``; return where the root element starts.

    Returns ``None`` when ``text`` ends before the root element starts (the
    caller decides whether more input is coming). Raises :class:`ParseError`
    for a DOCTYPE with an internal subset or an external id.
    """
    pos, end = 0, len(text)
    while pos < end:
        ch = text[pos]
        if ch in " \t\r\n":
            pos += 1
            continue
        if ch != "<":
            return pos  # text before the root: the parser reports it
        if text.startswith("<?", pos):
            close = text.find("?>", pos + 2)
            if close < 0:
                return None
            pos = close + 2
        elif text.startswith("<!--", pos):
            close = text.find("-->", pos + 4)
            if close < 0:
                return None
            pos = close + 3
        elif text[pos : pos + 9].upper() == "<!DOCTYPE":
            close = text.find(">", pos)
            subset = text.find("[", pos)
            if subset >= 0 and (close < 0 or subset < close):
                raise ParseError(ENTITIES_NOT_ALLOWED + " (DOCTYPE with an internal subset)")
            if close < 0:
                return None
            decl = text[pos + 9 : close].upper()
            if "SYSTEM" in decl or "PUBLIC" in decl:
                raise ParseError(EXTERNAL_DTD_NOT_ALLOWED)
            pos = close + 1
        elif text.startswith("<!", pos):
            # <!ENTITY, <!ELEMENT ... outside a DOCTYPE are not XML; refuse
            # entity-looking ones loudly, leave the rest to the parser.
            if text[pos : pos + 8].upper() == "<!ENTITY":
                raise ParseError(ENTITIES_NOT_ALLOWED)
            return pos
        else:
            return pos
    return None


def precheck(head: bytes, *, complete: bool = True) -> None:
    """Refuse a document by its first bytes, before any parser sees it.

    Pass the whole document (or, when streaming, at least everything up to
    the root element's start tag). Refuses: DOCTYPEs with an internal subset
    (entity and parameter-entity declarations), external DTDs, NUL bytes,
    EBCDIC, and a prolog longer than :data:`PROLOG_LIMIT`. Use it before
    feedparser, which otherwise spends seconds expanding entity bombs.

    ``complete=False`` means more bytes follow ``head``; then a prolog that
    has not ended yet is accepted (the caller should read more and call
    again). Returns ``None``; raises :class:`ParseError`.
    """
    if not isinstance(head, bytes | bytearray | memoryview):
        raise ParseError("expected bytes")
    head = bytes(head)
    codec, bom = _encoding_family(head[:4])
    if codec is None:
        if b"\x00" in head:
            raise ParseError("NUL bytes are not allowed in XML")
        text = head[bom : bom + PROLOG_LIMIT].decode("latin-1")
    else:
        text = head[bom : bom + PROLOG_LIMIT * 4].decode(codec, errors="replace")
        if "\x00" in text:
            raise ParseError("NUL characters are not allowed in XML")
    start = _prolog_end(text)
    if start is None and len(text) >= PROLOG_LIMIT:
        raise ParseError("the XML prolog is too long")
    if start is None and complete and not text.strip():
        raise ParseError("empty document")


def root_name(head: bytes) -> str:
    """The root element's name as written (``rss``, ``feed``, ``rdf:RDF`` ...), or "".

    For sniffing a document's kind from its first bytes; runs :func:`precheck`
    on them first, so it refuses what that refuses.
    """
    precheck(head, complete=False)
    codec, bom = _encoding_family(head[:4])
    sample = head[bom : bom + PROLOG_LIMIT]
    text = sample.decode("latin-1") if codec is None else sample.decode(codec, errors="replace")
    start = _prolog_end(text)
    if start is None or not text.startswith("<", start):
        return ""
    name = []
    for ch in text[start + 1 : start + 200]:
        if ch in " \t\r\n/>":
            break
        name.append(ch)
    return "".join(name)


def _parser() -> etree.XMLParser:
    # A fresh parser per document: lxml parsers must not be shared by threads.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_pis=True,
        remove_comments=True,
        recover=False,
        collect_ids=False,
    )


def _check_tree(tree: etree._ElementTree) -> None:
    info = tree.docinfo
    dtd = info.internalDTD  # also present, empty, for a bare <!DOCTYPE rss>
    if dtd is not None and (any(True for _ in dtd.iterentities()) or dtd.elements()):
        raise ParseError(ENTITIES_NOT_ALLOWED)
    if info.system_url or info.public_id or info.externalDTD is not None:
        raise ParseError(EXTERNAL_DTD_NOT_ALLOWED)


def _refuse_entity(node: etree._Entity) -> None:
    raise ParseError(
        f"undefined entity reference {node.text} (refused rather than losing the text after it)"
    )


def _syntax_error(exc: etree.XMLSyntaxError) -> ParseError:
    # iterparse's own message can be vague ("no element found"); the error log
    # holds libxml2's first real complaint.
    first = next((e for e in exc.error_log if e.level_name in ("FATAL", "ERROR")), None)
    message = first.message if first is not None else str(exc)
    where = f" (line {first.line})" if first is not None and first.line else ""
    if "Excessive depth" in message:
        return ParseError(f"XML nested deeper than {MAX_DEPTH} levels")
    if first is not None and first.type_name == "ERR_UNDECLARED_ENTITY":
        return ParseError(f"undefined entity reference: {message}{where}")
    if "entity" in message.lower() and "loop" in message.lower():
        return ParseError(f"{ENTITIES_NOT_ALLOWED}: {message}")
    return ParseError(f"not well-formed XML: {message}{where}")


def fromstring(body: bytes, *, max_bytes: int | None = None) -> etree._Element:
    """Parse a whole document held in memory; return its root element.

    ``max_bytes`` defaults to :data:`DEFAULT_MAX_BYTES`; larger documents are
    refused before parsing ("document too large"). The tree has no comments
    and no processing instructions.
    """
    if not isinstance(body, bytes | bytearray | memoryview):
        raise ParseError("expected bytes")
    limit = DEFAULT_MAX_BYTES if max_bytes is None else max_bytes
    if len(body) > limit:
        raise ParseError(f"document too large ({len(body)} bytes; the limit is {limit})")
    body = bytes(body)
    precheck(body)
    etree.clear_error_log()  # the log is per thread: only this document's errors
    try:
        root = etree.fromstring(body, _parser())
    except etree.XMLSyntaxError as exc:
        raise _syntax_error(exc) from None
    except (ValueError, LookupError) as exc:  # e.g. an unknown declared encoding
        raise ParseError(f"not well-formed XML: {exc}") from None
    _check_tree(root.getroottree())
    for node in root.iter(etree.Entity):
        _refuse_entity(node)
    return root


class _Prechecked:
    """A file wrapper that replays the pre-checked head, then reads on (and counts)."""

    def __init__(self, fileobj: BinaryIO, head: bytes, max_bytes: int | None):
        self._file = fileobj
        self._head = head
        self._max = max_bytes
        self._seen = len(head)
        # NUL bytes are checked here only in ASCII-compatible encodings (in
        # UTF-16 they are everywhere); libxml2 refuses NUL characters anyway.
        self._ascii = _encoding_family(head[:4])[0] is None

    def read(self, size: int = -1) -> bytes:
        if self._head:
            chunk, self._head = self._head, b""
            return chunk
        chunk = self._file.read(size if size and size > 0 else 64 * 1024)
        self._seen += len(chunk)
        if self._max is not None and self._seen > self._max:
            raise ParseError(f"document too large (over {self._max} bytes)")
        if b"\x00" in chunk and self._ascii:
            raise ParseError("NUL bytes are not allowed in XML")
        return chunk


def iterparse(
    fileobj: BinaryIO,
    *,
    tag: str | None = None,
    events: tuple[str, ...] = ("end",),
    max_bytes: int | None = None,
) -> Iterator[tuple[str, etree._Element]]:
    """Stream ``(event, element)`` pairs from a binary file, with the same refusals.

    Memory stays bounded only if the CALLER clears what it has handled: after
    using an ``end`` element, call ``elem.clear(keep_tail=True)`` and drop
    earlier siblings (``while elem.getprevious() is not None: del
    elem.getparent()[0]``); otherwise lxml keeps the whole tree. ``tag`` and
    ``events`` are as in :func:`lxml.etree.iterparse`. No size limit unless
    ``max_bytes`` is given (a WordPress export can be gigabytes).
    """
    head = b""
    while True:
        chunk = fileobj.read(64 * 1024)
        head += chunk
        codec, bom = _encoding_family(head[:4])
        if not chunk or len(head) >= PROLOG_LIMIT:
            precheck(head)
            break
        text = (
            head[bom:].decode("latin-1")
            if codec is None
            else head[bom:].decode(codec, errors="replace")
        )
        if codec is None and b"\x00" in head:
            raise ParseError("NUL bytes are not allowed in XML")
        if _prolog_end(text) is not None:
            precheck(head, complete=False)
            break
    if max_bytes is not None and len(head) > max_bytes:
        raise ParseError(f"document too large (over {max_bytes} bytes)")
    source = _Prechecked(fileobj, head, max_bytes)
    etree.clear_error_log()
    wanted = tuple(events)
    asked = set(wanted) | {"end"}
    stream = etree.iterparse(
        source,
        events=tuple(sorted(asked)),
        tag=tag,
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_pis=True,
        remove_comments=True,
        recover=False,
        collect_ids=False,
    )
    checked = False
    try:
        for event, elem in stream:
            if not checked:
                _check_tree(elem.getroottree())
                checked = True
            if event == "end":
                for child in elem:
                    if isinstance(child, etree._Entity):
                        _refuse_entity(child)
            if event in wanted:
                yield event, elem
    except etree.XMLSyntaxError as exc:
        raise _syntax_error(exc) from None
    except (ValueError, LookupError) as exc:
        if isinstance(exc, ParseError):
            raise
        raise ParseError(f"not well-formed XML: {exc}") from None
