"""Cleaning of plain-text fields (names, headlines, bios) on the way in.

Templates escape every plain-text field, so markup is harmless there; what
escaping does not stop is invisible characters that change how text reads:
C0/C1 control characters and the Unicode bidirectional *overrides and
embeddings* (U+202A–U+202E), which can make "gnp.exe" display as "exe.png"
and can flip the rest of a line of page chrome. Those are removed. The
bidi *marks* (U+200E, U+200F, U+061C) and *isolates* (U+2066–U+2069) are
kept, because right-to-left editions need them and they cannot leak past
the element that holds them. Templates also render names and headlines with
``dir="auto"`` so mixed-direction text lays out correctly.
"""

from __future__ import annotations

import re
import unicodedata

_BIDI_OVERRIDES = "\u202a\u202b\u202c\u202d\u202e"
# Control characters except tab and newline; carriage returns are normalised first.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f" + _BIDI_OVERRIDES + r"]")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")


def strip_invisible(text: str) -> str:
    """Remove control characters and bidi overrides; keep marks and isolates."""
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def clean_line(text: str | None) -> str:
    """One line of plain text: NFC, no controls, single spaces, trimmed."""
    if not text:
        return ""
    text = strip_invisible(unicodedata.normalize("NFC", text)).replace("\n", " ")
    return _SPACES.sub(" ", text).strip()


def clean_paragraphs(text: str | None) -> str:
    """Plain text in paragraphs separated by one blank line."""
    if not text:
        return ""
    text = strip_invisible(unicodedata.normalize("NFC", text))
    paragraphs = (_SPACES.sub(" ", part).strip() for part in _BLANK_LINES.split(text))
    return "\n\n".join(part for part in paragraphs if part)
