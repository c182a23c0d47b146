"""Matches marked in a result's headline and snippet, and nothing else let through.

Both engines are asked only which stories match; the marks are put here, on
the story row the public gate (or the editor's scope) just returned, so a
highlight can never show words of another story or of an unpublished
revision. The text is HTML-escaped piece by piece and the only markup added
is ``<mark>``: the result is safe to render as it is.

A word is marked when its normalised form (``normalize.py``) is a word of
the query, or shares its stem closely enough (``protests`` for ``protest``):
the engines stem, so readers expect to see those matches marked too.
"""

from __future__ import annotations

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from masthead.search.normalize import ZWNJ, normalize

TOKEN = re.compile(r"([\w\u200c]+)", re.UNICODE)
SNIPPET_WORDS = 36


def _stem(word: str) -> str:
    return word[: max(len(word) - 2, 4)] if len(word) > 4 else word


def _matches(token: str, words: list[str]) -> bool:
    forms = {normalize(token).lower()}
    if ZWNJ in token:
        forms.update(normalize(part).lower() for part in token.split(ZWNJ))
    for form in forms:
        for word in words:
            if form == word or form.startswith(_stem(word)) or word.startswith(_stem(form)):
                return True
    return False


def _marked(pieces: list[str], words: list[str]) -> SafeString:
    out = []
    for piece in pieces:
        if piece and TOKEN.fullmatch(piece) and _matches(piece, words):
            out.append(f"<mark>{escape(piece)}</mark>")
        else:
            out.append(escape(piece))
    return mark_safe("".join(out))  # noqa: S308 - every piece escaped above


def highlight(text: str, words: list[str]) -> SafeString:
    """``text`` escaped, with the words of the query in ``<mark>``."""
    return _marked(TOKEN.split(text or ""), words)


def snippet(text: str, words: list[str], size: int = SNIPPET_WORDS) -> SafeString:
    """About ``size`` words of plain ``text`` around its first match, marked and escaped."""
    pieces = TOKEN.split(text or "")
    word_positions = [i for i, piece in enumerate(pieces) if TOKEN.fullmatch(piece)]
    if not word_positions:
        return mark_safe("")
    first = next((n for n, i in enumerate(word_positions) if _matches(pieces[i], words)), 0)
    start_word = max(first - size // 3, 0)
    end_word = min(start_word + size, len(word_positions))
    start = word_positions[start_word] if start_word else 0
    end = word_positions[end_word - 1] + 1
    text_part = _marked(pieces[start:end], words)
    before = "… " if start_word else ""
    after = " …" if end_word < len(word_positions) else ""
    return mark_safe(before + text_part + after)  # noqa: S308 - marked and escaped above
