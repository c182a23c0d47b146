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
from html import escape

from django.utils.safestring import SafeString, mark_safe

from masthead.search.normalize import ZWNJ, normalize

TOKEN = re.compile(r"([\w\u200c]+)", re.UNICODE)
SNIPPET_WORDS = 36


def _stem(word: str) -> str:
    return word[: max(len(word) - 2, 4)] if len(word) > 4 else word


def _matches(token: str, words: list[str]) -> bool:
    if token.isascii():
        forms = {token.lower()}  # what normalize() leaves unchanged: 5 times faster
    else:
        forms = {normalize(token).lower()}
        if ZWNJ in token:
            forms.update(normalize(part).lower() for part in token.split(ZWNJ))
    for form in forms:
        for word in words:
            if form == word:
                return True
            # Stems only of words long enough to have one: "a" is no stem of "attack".
            long_enough = len(form) >= 4 and len(word) >= 4
            if long_enough and (form.startswith(_stem(word)) or word.startswith(_stem(form))):
                return True
    return False


class _Marker:
    """Marks one query's words; each distinct token is judged once (bodies repeat words)."""

    def __init__(self, words: list[str]):
        self.words = words
        self.judged: dict[str, bool] = {}
        # A match is the word itself or shares a stem of four letters or more with
        # it (``_matches``): either way it begins with the word's first four letters.
        self.beginnings = {word[:4] for word in words}

    def matches(self, token: str) -> bool:
        known = self.judged.get(token)
        if known is None:
            if token.isascii() and token[:4].lower() not in self.beginnings:
                known = False  # most words of a body, told apart without normalising them
            else:
                known = _matches(token, self.words)
            self.judged[token] = known
        return known

    def marked(self, pieces: list[str]) -> SafeString:
        out = []
        for n, piece in enumerate(pieces):
            # TOKEN.split puts the words at odd positions, what lies between at even ones.
            if n % 2 and self.matches(piece):
                out.append(f"<mark>{escape(piece)}</mark>")
            else:
                out.append(escape(piece))
        return mark_safe("".join(out))  # noqa: S308 - every piece escaped above


def highlight(text: str, words: list[str]) -> SafeString:
    """``text`` escaped, with the words of the query in ``<mark>``."""
    return _Marker(words).marked(TOKEN.split(text or ""))


def snippet(text: str, words: list[str], size: int = SNIPPET_WORDS) -> SafeString:
    """About ``size`` words of plain ``text`` around its first match, marked and escaped."""
    marker = _Marker(words)
    pieces = TOKEN.split(text or "")
    count = len(pieces) // 2  # words sit at the odd positions
    if not count:
        return mark_safe("")
    first = next((n for n in range(count) if marker.matches(pieces[2 * n + 1])), 0)
    start_word = max(first - size // 3, 0)
    end_word = min(start_word + size, count)
    start = 2 * start_word + 1 if start_word else 0
    end = 2 * (end_word - 1) + 2
    # Keep the word positions odd in the slice: start at the piece before a word.
    window = pieces[start - 1 : end] if start else pieces[:end]
    before = "… " if start_word else ""
    after = " …" if end_word < count else ""
    return mark_safe(before + marker.marked(window).strip() + after)  # noqa: S308 - escaped
