"""Cleaning of plain-text fields (names, headlines, bios) on the way in.

Templates escape every plain-text field, so markup is harmless there; what
escaping does not stop is invisible characters that change how text reads:
C0/C1 control characters and the Unicode bidirectional *overrides and
embeddings* (U+202A to U+202E), which can make "gnp.exe" display as "exe.png"
and can flip the rest of a line of page chrome. Those are removed. The
bidi *marks* (U+200E, U+200F, U+061C) and *isolates* (U+2066 to U+2069) are
kept, because right-to-left editions need them and they cannot leak past
the element that holds them. Unicode *noncharacters* (U+FFFE, U+FFFF,
U+FDD0 to U+FDEF and the last two code points of every plane) and lone
surrogates (a JSON ``"\\ud800"``) are removed too: XML forbids the first two
and no UTF-8 encoder takes the last, so one of them in a headline would
break every feed and sitemap that lists the story (RELIABILITY.md B3).
Templates also render names and headlines with ``dir="auto"`` so
mixed-direction text lays out correctly.
"""

from __future__ import annotations

import re
import unicodedata

_BIDI_OVERRIDES = "\u202a\u202b\u202c\u202d\u202e"
# Every kind of line break becomes a newline before controls are removed, so
# that a form feed or U+2028 between two words still separates them.
_LINE_BREAK = re.compile(r"\r\n?|[\x0b\x0c\x85\u2028\u2029]")
_NONCHARACTERS = "\ufdd0-\ufdef\ufffe\uffff" + "".join(
    chr(plane * 0x10000 + 0xFFFE) + chr(plane * 0x10000 + 0xFFFF) for plane in range(1, 17)
)
# Control characters except tab and newline; noncharacters; lone surrogates, which
# are not text at all (a feed's "&#xD800;" makes one) and which neither UTF-8 nor
# the databases nor nh3 accept.
_CONTROL = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f" + _BIDI_OVERRIDES + _NONCHARACTERS + "\ud800-\udfff]"
)
_SPACES = re.compile(r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")


def strip_invisible(text: str) -> str:
    """Remove control characters, bidi overrides, noncharacters and lone surrogates;
    keep marks and isolates.

    Line breaks of every kind (CR LF, CR, VT, FF, NEL, U+2028, U+2029) become ``\\n``.
    """
    return _CONTROL.sub("", _LINE_BREAK.sub("\n", text))


def _visible_nfc(text: str) -> str:
    # Controls go first: one between a letter and its accent would stop NFC
    # from composing them, and removing it afterwards would leave text that
    # is not NFC (and that a second cleaning would change).
    return unicodedata.normalize("NFC", strip_invisible(text))


def clean_line(text: str | None) -> str:
    """One line of plain text: NFC, no controls, single spaces, trimmed."""
    if not text:
        return ""
    return _SPACES.sub(" ", _visible_nfc(text).replace("\n", " ")).strip()


def clean_paragraphs(text: str | None) -> str:
    """Plain text in paragraphs separated by one blank line; lines trimmed, spaces single."""
    if not text:
        return ""
    paragraphs = []
    for part in _BLANK_LINES.split(_visible_nfc(text)):
        lines = (_SPACES.sub(" ", line).strip() for line in part.split("\n"))
        paragraph = "\n".join(line for line in lines if line)
        if paragraph:
            paragraphs.append(paragraph)
    return "\n\n".join(paragraphs)
