"""What of a page's interface is still in English: for the tests of each interface language.

A page rendered in Persian, with Persian content, should have no Latin word
left in what a person reads (text, and the attributes browsers show or
speak), except brand names and what the page's own content put there. A
string left unmarked for translation shows up here as its English words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import lxml.html

# Names that stay as they are in every language.
BRAND_NAMES = frozenset({"Masthead", "RSS", "Atom", "ninjs", "JSON", "API", "URL", "HTML", "or"})
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’]+")
# Addresses people read as they are: e-mail, web addresses, file names.
ADDRESS = re.compile(r"\S+@\S+|https?://\S+|/\S*|\S+\.(?:jpe?g|png|webp|svg)\b")
SHOWN_ATTRIBUTES = ("aria-label", "placeholder", "title", "alt", "data-label", "aria-description")


def shown_text(page: str) -> list[str]:
    """Each piece of text a reader sees or a screen reader speaks on ``page``."""
    tree = lxml.html.document_fromstring(page)
    for hidden in tree.xpath("//script|//style|//template|//noscript"):
        hidden.drop_tree()
    texts = [text for text in tree.xpath("//text()") if text.strip()]
    for attribute in SHOWN_ATTRIBUTES:
        texts += tree.xpath(f"//@{attribute}")
    texts += tree.xpath("//input[@type='submit' or @type='button']/@value")
    return texts


def english_words(page: str, content: Iterable[str] = (), allowed: Iterable[str] = ()) -> set[str]:
    """The Latin words left on ``page`` once ``content`` (text the test put in) is taken out."""
    allowed = BRAND_NAMES | set(allowed)
    found: set[str] = set()
    for text in shown_text(page):
        for part in sorted(content, key=len, reverse=True):
            text = text.replace(part, " ")
        text = ADDRESS.sub(" ", text)
        found.update(word for word in LATIN_WORD.findall(text) if word not in allowed)
    return found
