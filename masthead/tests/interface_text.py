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
ADDRESS = re.compile(r"\S+@\S+|https?://\S*|/\S*|\S+\.(?:jpe?g|png|webp|svg)\b")
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


# Elements whose text is not prose in the page's language: code, keys to press.
NOT_PROSE = "//script|//style|//template|//noscript|//code|//kbd|//samp"
LATIN_OR_ASCII_DIGIT = re.compile(r"[A-Za-z0-9]")


def latin_text(page: str, language: str, allowed: Iterable[str] = ()) -> list[str]:
    """Each piece of text a reader sees on ``page`` that still has Latin letters or ASCII
    digits once addresses and ``allowed`` names are taken out.

    Text marked as another language (``lang="en"`` on it or an ancestor: a link to the
    English edition, an English source text beside its translation) is that language's,
    and is left out; so is code and the keys a person presses (``<kbd>Ctrl</kbd>``).
    """
    tree = lxml.html.document_fromstring(page)
    for hidden in tree.xpath(NOT_PROSE):
        hidden.drop_tree()
    for box in tree.xpath("//textarea[starts-with(normalize-space(.), '<')]"):
        # The rich-text editor's HTML source: what a person sees is its text.
        box.text = lxml.html.fragment_fromstring(box.text, create_parent="div").text_content()
    for foreign in tree.xpath("//*[@lang]"):
        if foreign.getparent() is not None and not _is_language(foreign.get("lang"), language):
            foreign.drop_tree()
    texts = [text for text in tree.xpath("//text()") if text.strip()]
    for attribute in SHOWN_ATTRIBUTES:
        texts += tree.xpath(f"//@{attribute}")
    texts += tree.xpath("//input[@type='submit' or @type='button']/@value")
    return latin_in(texts, allowed)


def latin_in(texts: Iterable[str], allowed: Iterable[str] = ()) -> list[str]:
    """Those of ``texts`` with Latin letters or ASCII digits left besides addresses and
    ``allowed`` names (brand names always), each once, in order."""
    names = sorted(BRAND_NAMES | {name for name in allowed if name}, key=len, reverse=True)
    # One pattern for all the names, longest first: a whole name, not part of a word.
    named = re.compile(
        r"(?<![A-Za-z0-9])(?:" + "|".join(map(re.escape, names)) + r")(?![A-Za-z0-9])"
    )
    found: list[str] = []
    for text in texts:
        rest = named.sub(" ", ADDRESS.sub(" ", text))
        shown = " ".join(text.split())
        if LATIN_OR_ASCII_DIGIT.search(rest) and shown not in found:
            found.append(shown)
    return found


def _is_language(tag: str | None, language: str) -> bool:
    return (tag or "").split("-", 1)[0].lower() == language
