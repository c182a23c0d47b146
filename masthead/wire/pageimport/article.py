"""What the page importer reads from a page: one ``Article``, format-free.

HTML pages and text scrapes both become this shape, so the dry run and the
real import show and store the same thing: ``as_json()`` is what
``--dry-run --json`` prints, ``body_html()`` is what the story's body gets.
Every text field is already cleaned the way the story model cleans it
(``clean_line``), so nothing changes between the dry run and the store.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils.html import escape

from masthead.newsroom.text import clean_line

# The story model's limit; a longer headline is cut at a word (and says so).
MAX_HEADLINE_CHARS = 200


@dataclass(frozen=True)
class Block:
    """One block of the body: a paragraph, a subheading, a list item or a quote."""

    kind: str  # "p", "h2", "h3", "li", "quote"
    text: str

    def html(self) -> str:
        text = escape(self.text)
        if self.kind == "quote":
            return f"<blockquote><p>{text}</p></blockquote>"
        if self.kind in ("h2", "h3"):
            return f"<{self.kind}>{text}</{self.kind}>"
        return f"<p>{text}</p>"


@dataclass(frozen=True)
class Teaser:
    """A promo of another story on the page ("Recent Posts"): chrome, not body."""

    headline: str
    opening: str = ""
    age: str = ""  # as the page says it: "16 mins ago"; never turned into a date


@dataclass
class Article:
    headline: str = ""
    kicker: str = ""
    byline: str = ""  # as shown: "Jane Doe and John Roe"
    # The names, when the page lists them one by one (JSON-LD authors): an
    # organisation's name may hold commas ("Süddeutsche.de GmbH, Munich").
    author_names: list[str] = field(default_factory=list)
    published: str = ""  # ISO 8601 as the page states it, or "" when it does not
    lead_image: str = ""  # an absolute http(s) URL, or ""
    blocks: list[Block] = field(default_factory=list)
    language: str = ""  # primary subtag as the page declares it: "en", "fa"
    canonical_url: str = ""  # the page's own address, when it names one (http(s))
    author_bio: str = ""  # the author box's text, when the page has one
    teasers: list[Teaser] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # what was dropped and why

    @property
    def authors(self) -> list[str]:
        return self.author_names or split_byline(self.byline)

    def body_text(self) -> str:
        return "\n\n".join(block.text for block in self.blocks)

    def body_html(self) -> str:
        return "".join(block.html() for block in self.blocks)

    def as_json(self) -> dict:
        return {
            "headline": self.headline,
            "kicker": self.kicker,
            "byline": self.byline,
            "published": self.published or None,
            "lead_image": self.lead_image,
            "body": self.body_text(),
        }

    def finish(self) -> Article:
        """Clean every field the way the story model will, so the dry run equals the store."""
        self.headline = clean_line(self.headline)
        if len(self.headline) > MAX_HEADLINE_CHARS:
            cut = self.headline[: MAX_HEADLINE_CHARS - 1].rsplit(" ", 1)[0]
            self.warnings.append(f"The headline was cut to {MAX_HEADLINE_CHARS} characters.")
            self.headline = cut + "…"
        self.kicker = clean_line(self.kicker)[:60]
        names = [clean_line(name) for name in self.author_names]
        self.author_names = list(dict.fromkeys(name for name in names if name))
        self.byline = join_names(self.authors if self.author_names else split_byline(self.byline))
        self.blocks = [
            Block(block.kind, text) for block in self.blocks if (text := clean_line(block.text))
        ]
        return self


def split_byline(byline: str) -> list[str]:
    """ "A, B and C" → ["A", "B", "C"]; each name cleaned, duplicates dropped."""
    names: list[str] = []
    for part in _BYLINE_SEPARATORS.split(clean_line(byline)):
        name = part.strip(" ,;|")
        if name and name.casefold() not in {n.casefold() for n in names}:
            names.append(name)
    return names


def join_names(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


_BYLINE_SEPARATORS = re.compile(r"\s*(?:,|;|&|\band\b|\bو\b|،)\s*", re.IGNORECASE)
