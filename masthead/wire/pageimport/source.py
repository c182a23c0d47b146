"""Getting a page's text: from a file or a URL, within bounds, in the right charset.

Everything that can go wrong before extraction is refused here with one
readable ``PageError``: a missing or unreadable file, a page over the size
cap (checked before reading and while fetching), an empty file, a binary
file (an image, a PDF, an archive), bytes that are not in the charset the
page declares or that declare a charset they are not in.

Charsets, in the order a browser trusts them: a byte-order mark, the HTTP
``Content-Type`` charset, then the page's own ``<meta charset>``. With no
declaration the bytes must be UTF-8. A declaration the bytes contradict
(``<meta charset=iso-8859-1>`` over UTF-8 text, which would be stored as
mojibake) is refused rather than guessed at; ``--encoding`` overrides it.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

# A saved article page is rarely over 2 MB; 10 MB leaves room for inlined assets.
DEFAULT_MAX_BYTES = 10 * 1024 * 1024

_BINARY_SIGNATURES = [
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"RIFF", "a RIFF file (WebP, WAV or AVI)"),
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (or a Word/OpenDocument file)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"BZh", "a bzip2 archive"),
    (b"\xfd7zXZ", "an xz archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"\x7fELF", "a program (ELF)"),
    (b"\xd0\xcf\x11\xe0", "an old Office document"),
    (b"\x00\x00\x00", "a binary file"),
]
_NON_TEXT_BYTES = [*range(0, 9), 11, *range(14, 27), *range(28, 32)]
_BOMS = [
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
]
_META_CHARSET = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]{1,40})""", re.IGNORECASE
)
_HTML_START = re.compile(
    r"\A\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|meta|title|body|article|div|p)\b",
    re.IGNORECASE | re.DOTALL,
)
# Anywhere near the top: pages often start with PHP warnings, an XML declaration or
# template comments before <html>.
_HTML_TAG = re.compile(r"<(?:!doctype\s+html|html|head|body)\b", re.IGNORECASE)


class PageError(ValueError):
    """The page cannot be imported; the message says why, in one line."""


@dataclass(frozen=True)
class RawPage:
    data: bytes
    origin: str  # the file's absolute path, or the URL the page was fetched from
    url: str = ""  # the final http(s) URL, for URL imports
    content_type: str = ""  # as the server sent it, for URL imports


def read_file(path: str | Path, max_bytes: int = DEFAULT_MAX_BYTES) -> RawPage:
    target = Path(path)
    try:
        if not target.exists():
            raise PageError(f"{path}: no such file.")
        if not target.is_file():
            raise PageError(f"{path}: not a regular file.")
        size = target.stat().st_size
        if size > max_bytes:
            raise PageError(
                f"{path}: {size:,} bytes is over the {max_bytes:,}-byte limit for one page "
                "(--max-mb raises it)."
            )
        with target.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as error:
        raise PageError(f"{path}: cannot be read ({error.strerror or error}).") from None
    if len(data) > max_bytes:  # the file grew while we looked
        raise PageError(f"{path}: over the {max_bytes:,}-byte limit for one page.")
    return RawPage(data=data, origin=str(target.resolve()))


def fetch_page(url: str, max_bytes: int = DEFAULT_MAX_BYTES) -> RawPage:
    """The page at ``url``, through the wire desk's guarded fetcher (SSRF guard, caps)."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise PageError(f"{url}: only http(s) addresses can be imported.")
    from masthead.wire.fetch import FetchError, fetch

    try:
        fetched = fetch(url, max_bytes=max_bytes, accept="text/html,text/plain;q=0.9,*/*;q=0.1")
    except FetchError as error:
        raise PageError(f"{url}: {error.reason}") from None
    return RawPage(
        data=fetched.body,
        origin=url,
        url=fetched.final_url or url,
        content_type=fetched.content_type or "",
    )


def check_bytes(page: RawPage) -> None:
    if not page.data.strip():
        raise PageError(f"{page.origin}: the page is empty.")
    head = page.data[:16]
    if not any(head.startswith(bom) for bom, _ in _BOMS):
        for signature, what in _BINARY_SIGNATURES:
            if head.startswith(signature):
                raise PageError(f"{page.origin}: this is {what}, not a web page or text.")
        if _looks_binary(page.data[:65536]):
            raise PageError(f"{page.origin}: this is a binary file, not a web page or text.")


def _looks_binary(head: bytes) -> bool:
    """Many bytes no text has (controls other than tab, newline, form feed, return):
    a stray NUL in a real page does not count, random or compressed bytes do."""
    controls = sum(head.count(bytes([code])) for code in _NON_TEXT_BYTES)
    return controls > len(head) // 50


def decode(page: RawPage, override: str = "") -> str:
    """The page's text in the charset it is in, or a ``PageError`` saying why not."""
    check_bytes(page)
    data = page.data
    for bom, name in _BOMS:
        if data.startswith(bom):
            return _decode(page, data[len(bom) :], name, "its byte-order mark")
    if override:
        return _decode(page, data, override, "--encoding")
    declared, where = _declared_charset(page)
    if declared and _codec(declared) != "utf-8":
        if _codec(declared) is None:
            raise PageError(f"{page.origin}: {where} names an unknown charset “{declared}”.")
        if _is_multibyte_utf8(data):
            raise PageError(
                f"{page.origin}: {where} says the page is {declared}, but its bytes are UTF-8; "
                "the declaration is wrong (--encoding utf-8 reads it as UTF-8)."
            )
        return _decode(page, data, declared, where)
    return _decode(page, data, "utf-8", where or "no declared charset, so UTF-8")


def _declared_charset(page: RawPage) -> tuple[str, str]:
    match = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", page.content_type, re.IGNORECASE)
    if match:
        return match.group(1), "the server's Content-Type"
    match = _META_CHARSET.search(page.data[:4096])
    if match:
        return match.group(1).decode("ascii"), "its <meta charset>"
    return "", ""


def _codec(name: str) -> str | None:
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _is_multibyte_utf8(data: bytes) -> bool:
    if data.isascii():
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


# Characters no text node may hold (lxml refuses to write them back when it
# moves text, as cutting page chrome does): vertical tab and form feed are line
# breaks, the other C0 controls and the two non-characters carry nothing.
_LINE_BREAKS = str.maketrans({"\x0b": "\n", "\x0c": "\n"})
_NOT_TEXT = re.compile("[\x00-\x08\x0e-\x1f\ufffe\uffff]")


def _decode(page: RawPage, data: bytes, charset: str, why: str) -> str:
    codec = _codec(charset)
    if codec is None:
        raise PageError(f"{page.origin}: unknown charset “{charset}” ({why}).")
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as error:
        raise PageError(
            f"{page.origin}: the bytes are not valid {charset} ({why}): "
            f"byte 0x{data[error.start]:02x} at offset {error.start:,}."
        ) from None
    return _NOT_TEXT.sub("", text.translate(_LINE_BREAKS))


def looks_like_html(text: str, content_type: str = "") -> bool:
    if "html" in content_type.casefold():
        return True
    if content_type.casefold().startswith("text/plain"):
        return False
    return bool(_HTML_START.match(text[:4096]) or _HTML_TAG.search(text[:65536]))
