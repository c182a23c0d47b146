"""The body of an HTML article page: chrome cut, trafilatura, then every block checked.

Page chrome is cut from the tree first (``boilerplate.py``: share bars,
related and newsletter boxes, figures and captions, comments, author boxes,
sidebars), never the container the story's paragraphs stand in; trafilatura
then finds the article in what is left, and each block it returns is checked
again, as text, for the promos, share lines and captions trafilatura keeps,
and cut at an end marker ("Related", "Comments" …) unless the story goes on
after it. When trafilatura finds nothing (short pages), the paragraphs of the
article container are taken as they are, then JSON-LD ``articleBody``.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict

import trafilatura
from lxml import etree

from masthead.newsroom.text import clean_line
from masthead.wire.pageimport import boilerplate
from masthead.wire.pageimport.article import Article, Block
from masthead.wire.pageimport.boilerplate import BYLINE_PREFIX
from masthead.wire.pageimport.dates import written_date
from masthead.wire.pageimport.metadata import Metadata

# trafilatura logs each page it finds little on; the importer says so itself, once.
logging.getLogger("trafilatura").setLevel(logging.CRITICAL)

_BLOCK_TAGS = ("p", "h2", "h3", "h4", "li", "blockquote")
# trafilatura drops every character Python calls unprintable, and with them the
# zero-width non-joiner Persian words are spelt with ("می‌گوید") and the bidi
# marks of RTL text. They cross it disguised as rare printable punctuation.
_DISGUISES = {"\u200c": "\u2e3f", "\u200d": "\u2e3e", "\u200e": "\u2e3d", "\u200f": "\u2e3c"}
# Control characters lxml reads from HTML but refuses to write back go too.
_DISGUISE = str.maketrans(
    {**_DISGUISES, **{chr(code): None for code in [*range(0, 9), 11, 12, *range(14, 32)]}}
)
_UNDISGUISE = str.maketrans({v: k for k, v in _DISGUISES.items()})


def story_body(tree, article: Article, meta: Metadata) -> list[Block]:
    """The story's blocks from ``tree`` (which it changes: chrome is cut from it)."""
    _prune(tree)
    blocks = _trafilatura_blocks(tree)
    if not blocks:
        blocks = _container_blocks(tree)
    if not blocks and meta.article_body:
        blocks = [Block("p", part) for part in re.split(r"\n\s*\n|\n", meta.article_body)]
    return _story_blocks(blocks, article)


def _prune(tree) -> None:
    """Cut chrome containers, never the one the story's paragraphs stand in.

    The story's container is the element with the most paragraph text in its
    own ``<p>`` children; it and its ancestors stay whatever their class says
    (a theme may well call it "article-header" or "has-sidebar"), and so does
    any element holding half of the page's paragraph text.
    """
    body = tree.find("body")
    if body is None:
        return
    text_below: dict = defaultdict(int)
    text_in_children: dict = defaultdict(int)
    for paragraph in body.iter("p"):
        length = len(paragraph.text_content())
        text_below[paragraph] += length
        parent = paragraph.getparent()
        if parent is not None:
            text_in_children[parent] += length
        for ancestor in paragraph.iterancestors():
            text_below[ancestor] += length
    total = text_below[body] or 1
    protected = set()
    if text_in_children:
        container = max(text_in_children, key=text_in_children.get)
        protected = {container, *container.iterancestors()}
    doomed = []
    stack = list(body)
    while stack:
        element = stack.pop()
        if not isinstance(element.tag, str):
            continue
        if (
            element not in protected
            and boilerplate.is_chrome_element(element)
            and text_below[element] < total * 0.5
        ):
            doomed.append(element)
            continue
        stack.extend(element)
    for element in doomed:
        element.drop_tree()


def _trafilatura_blocks(tree) -> list[Block]:
    for element in tree.iter():
        # An HTML page's xmlns="…" or a:b="…" means nothing, but trafilatura
        # carries a stray table cell's attributes into the XML it writes and
        # reads back, where lxml refuses a namespace that is not a URI.
        for name in [name for name in element.attrib if name.startswith("xmlns") or ":" in name]:
            del element.attrib[name]
        if element.text:
            element.text = element.text.translate(_DISGUISE)
        if element.tail:
            element.tail = element.tail.translate(_DISGUISE)
    result = trafilatura.extract(
        tree,
        output_format="xml",
        include_comments=False,
        include_tables=True,
        include_images=False,
        include_links=False,
        include_formatting=False,
        deduplicate=False,
    )
    if not result:
        return []
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    document = etree.fromstring(result.translate(_UNDISGUISE).encode("utf-8"), parser=parser)
    main = document.find("main")
    if main is None:
        return []
    blocks: list[Block] = []
    for element in main:
        blocks.extend(_blocks_of(element))
    return blocks


def _blocks_of(element) -> list[Block]:
    if element.tag == "head":
        return [
            Block("h3" if element.get("rend") in ("h3", "h4", "h5") else "h2", _xml_text(element))
        ]
    if element.tag == "table":
        return _table_blocks(element)
    if element.tag == "list":
        return [Block("li", _xml_text(item)) for item in element.iter("item")]
    if element.tag == "quote":
        parts = [p for p in element if p.tag == "p"] or [element]
        return [Block("quote", _xml_text(part)) for part in parts]
    return [Block("p", line) for line in _xml_lines(element)]


_BLOCK_TAGS_OUT = ("p", "head", "list", "quote", "table")


def _table_blocks(table) -> list[Block]:
    """A data table: one paragraph a row, cells separated by " | ". A layout table
    (cells holding paragraphs, as old sites are built): the blocks in its cells."""
    blocks: list[Block] = []
    for row in table.iter("row"):
        cells: list[str] = []
        for cell in row.findall("cell"):
            if any(child.tag in _BLOCK_TAGS_OUT for child in cell):
                if lead := clean_line(cell.text or ""):
                    blocks.append(Block("p", lead))
                for child in cell:
                    blocks.extend(_blocks_of(child))
            elif text := _xml_text(cell):
                cells.append(text)
        if cells:
            blocks.append(Block("p", " | ".join(cells)))
    return blocks


def _xml_text(element) -> str:
    return clean_line(" ".join(element.itertext()))


def _xml_lines(element) -> list[str]:
    """A trafilatura paragraph, split at its line breaks (``<br>`` paragraphs)."""
    lines, current = [], [element.text or ""]
    for child in element:
        if child.tag == "lb":
            lines.append("".join(current))
            current = [child.tail or ""]
        else:
            current.append("".join(child.itertext()) + (child.tail or ""))
    lines.append("".join(current))
    return [clean_line(line) for line in lines if clean_line(line)]


def _container_blocks(tree) -> list[Block]:
    for path in (
        "//*[@itemprop='articleBody']",
        "//article",
        "//main",
        "//body",
    ):
        for container in tree.xpath(path):
            blocks = [
                Block(_kind(element.tag), clean_line(element.text_content()))
                for element in container.iter(*_BLOCK_TAGS)
                if not any(parent.tag in _BLOCK_TAGS for parent in element.iterancestors())
            ]
            if blocks:
                return blocks
    return []


def _kind(tag: str) -> str:
    return {"h2": "h2", "h3": "h3", "h4": "h3", "li": "li", "blockquote": "quote"}.get(tag, "p")


def _story_blocks(blocks: list[Block], article: Article) -> list[Block]:
    """The story's own blocks: chrome dropped, and nothing after an end marker."""
    known = {
        _key(article.headline),
        _key(article.kicker),
        _key(article.byline),
    } - {""}
    kept: list[Block] = []
    skip_to = 0
    texts = [clean_line(block.text) for block in blocks]
    for index, (block, text) in enumerate(zip(blocks, texts, strict=True)):
        if index < skip_to or not text:
            continue
        if kept and boilerplate.ends_article(text):
            resume = boilerplate.story_goes_on(text, texts[index + 1 :])
            if resume is None:
                break
            skip_to = index + 1 + resume
            continue
        if _key(text) in known or boilerplate.chrome_kind(text):
            continue
        if _is_byline_or_date(text, article):
            continue
        if not kept and len(text.split()) <= 2 and not text.endswith((".", "!", "?", "؟")):
            continue  # a menu's or a header's last words, before the story's first sentence
        if kept and kept[-1].text == text:
            continue
        kept.append(Block(block.kind, text))
    return kept


def _key(text: str) -> str:
    return re.sub(r"\W+", " ", text.casefold()).strip()


def _is_byline_or_date(text: str, article: Article) -> bool:
    if len(text) > 160:
        return False
    if written_date(text):
        return True
    return bool(BYLINE_PREFIX.match(text) and article.byline and _key(article.byline) in _key(text))
