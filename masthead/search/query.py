"""What a reader typed, read as web-search syntax, and written out for each engine.

The syntax is PostgreSQL's ``websearch_to_tsquery`` (and most search boxes'):
words are all required, ``"exact phrase"``, ``-word`` or ``-"a phrase"``
excludes, ``or`` between two words accepts either. Everything else a reader
types — FTS5 operators (``NEAR(``, ``*``, ``^``, ``:``, column filters),
tsquery operators (``&``, ``|``, ``!``, ``<->``), SQL, stray or unbalanced
quotes, NUL — is ordinary text: it is reduced to words by the same rule the
index uses (``normalize`` then letters and digits), and each word reaches an
engine quoted, never as syntax. An unclosed quote runs to the end.

``parse`` refuses (``InvalidQuery``, with the message readers see) a query
that is empty, longer than ``MAX_QUERY_CHARS``, has more than ``MAX_TERMS``
words, or asks only for what to leave out. Why our own parser: FTS5 has no
web-search syntax, and both engines must read a query the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext

from masthead.search.normalize import normalize

MAX_QUERY_CHARS = 200
MAX_TERMS = 12
WORD = re.compile(r"\w+", re.UNICODE)


class InvalidQuery(ValueError):
    """A query the search cannot run; the message is for the reader."""


@dataclass(frozen=True)
class Clause:
    """One required part: any of ``alternatives`` (each a phrase: a tuple of words)."""

    alternatives: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Query:
    text: str
    clauses: tuple[Clause, ...]
    excluded: tuple[tuple[str, ...], ...] = field(default=())

    @property
    def words(self) -> list[str]:
        """Every wanted word (for highlighting), in order, once."""
        seen: dict[str, None] = {}
        for clause in self.clauses:
            for phrase in clause.alternatives:
                for word in phrase:
                    seen.setdefault(word, None)
        return list(seen)

    def fts5(self) -> str:
        """An FTS5 MATCH expression: every word a quoted string, the structure explicit."""
        parts = []
        for clause in self.clauses:
            options = [_fts5_phrase(phrase) for phrase in clause.alternatives]
            parts.append(options[0] if len(options) == 1 else "(" + " OR ".join(options) + ")")
        expression = " AND ".join(parts)
        for phrase in self.excluded:
            expression += " NOT " + _fts5_phrase(phrase)
        return expression

    def websearch(self) -> str:
        """The same query for ``websearch_to_tsquery``, built from the parsed words only."""
        parts = []
        for clause in self.clauses:
            parts.append(" or ".join(_web_phrase(phrase) for phrase in clause.alternatives))
        parts.extend("-" + _web_phrase(phrase) for phrase in self.excluded)
        return " ".join(parts)


def _fts5_phrase(words: tuple[str, ...]) -> str:
    # Words are letters and digits only; the quotes make each a string, never syntax.
    return '"' + " ".join(words) + '"'


def _web_phrase(words: tuple[str, ...]) -> str:
    # Quoted even when one word, so a word such as "or" stays a word.
    return '"' + " ".join(words) + '"'


TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')


def words_of(text: str) -> tuple[str, ...]:
    return tuple(word.lower() for word in WORD.findall(normalize(text)) if word != "_")


def parse(text: str) -> Query:
    """The query in ``text``; ``InvalidQuery`` with a reader's message if it cannot run."""
    text = (text or "").strip()
    if not text:
        raise InvalidQuery(gettext("Type a word or two to search for."))
    if len(text) > MAX_QUERY_CHARS:
        raise InvalidQuery(
            gettext("That search is longer than %(limit)s characters; use a few words from it.")
            % {"limit": MAX_QUERY_CHARS}
        )
    clauses: list[list[tuple[str, ...]]] = []
    excluded: list[tuple[str, ...]] = []
    join_next = False
    for match in TOKEN.finditer(text.replace("\x00", " ")):
        negated, quoted, bare = match.group(1), match.group(2), match.group(3)
        if bare is not None:
            if bare.lower() == "or" and clauses:
                join_next = True
                continue
            negated = "-" if bare.startswith("-") and len(bare) > 1 else ""
            quoted = bare[1:] if negated else bare
        for phrase in _phrases(quoted):
            if negated:
                excluded.append(phrase)
            elif join_next and clauses:
                clauses[-1].append(phrase)
            else:
                clauses.append([phrase])
            join_next = False
    count = sum(len(p) for c in clauses for p in c) + sum(len(p) for p in excluded)
    if count > MAX_TERMS:
        raise InvalidQuery(
            gettext("Use at most %(limit)s words in a search.") % {"limit": MAX_TERMS}
        )
    if not clauses:
        if excluded:
            raise InvalidQuery(gettext("Say what to look for, not only what to leave out."))
        raise InvalidQuery(gettext("Type a word or two to search for: letters or numbers."))
    return Query(
        text=text,
        clauses=tuple(Clause(tuple(dict.fromkeys(c))) for c in clauses),
        excluded=tuple(dict.fromkeys(excluded)),
    )


def _phrases(text: str) -> list[tuple[str, ...]]:
    """A quoted phrase stays one phrase; a bare token with punctuation (``U.S.``,
    ``e-mail``) is a phrase of its words, as both engines' tokenizers read it."""
    words = words_of(text)
    if not words:
        return []
    return [words]
