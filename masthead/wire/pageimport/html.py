"""Reading an HTML article page: metadata first, then the body.

1. Parse with lxml's HTML parser (libxml2: no network, no entities; its
   depth limit of 256 elements is kept and a page that hits it is refused,
   since the rest of the page would be silently lost).
2. Refuse a ``<base href>`` that is not http(s): every relative link on the
   page would resolve to ``javascript:`` or ``data:``.
3. Headline, byline, date, lead image from the page's own metadata
   (``metadata.py``: JSON-LD, microdata, Open Graph), then from the visible
   page (``<h1>``, ``rel=author`` and byline classes, ``<time datetime>``).
   The kicker has no metadata: it is the element marked as one
   (``kicker``/``eyebrow``/``overline`` …) next to the headline.
4. The body: page chrome is cut from the tree first (``boilerplate.py``:
   share bars, related and newsletter boxes, figures and captions, comments,
   author boxes, sidebars), never a container that holds most of the page's
   text; trafilatura then finds the article in what is left, and each block
   it returns is checked again, as text, for promos and share lines
   trafilatura keeps. When trafilatura finds nothing (short pages), the
   paragraphs of the article container are taken as they are.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict

import lxml.html
import trafilatura
from lxml import etree

from masthead.newsroom.text import clean_line
from masthead.wire.pageimport import boilerplate
from masthead.wire.pageimport.article import Article, Block, join_names
from masthead.wire.pageimport.boilerplate import word_set
from masthead.wire.pageimport.dates import machine_date, written_date
from masthead.wire.pageimport.metadata import (
    Metadata,
    is_placeholder,
    read_metadata,
    safe_url,
    text_of,
)
from masthead.wire.pageimport.source import PageError

# trafilatura logs each page it finds little on; the importer says so itself, once.
logging.getLogger("trafilatura").setLevel(logging.CRITICAL)

KICKER_CLASS_WORDS = word_set(
    "kicker eyebrow overline overtitle supertitle superhead surtitle rubric flag topper "
    "article-label story-label post-label"
)
BYLINE_CLASS_WORDS = word_set(
    "byline author author-name authorname by-author writer entry-author post-author "
    "article-author contributor submitted node__submitted"
)
_BY = re.compile(
    r"^(?:by|von|par|por|written by|posted by|submitted by|words by|reporting by|author|"
    r"نویسنده|نوشته|بقلم|كتب|كتبه|إعداد)\s*[:\-–—]?\s*",
    re.IGNORECASE,
)
_BYLINE_CUT = re.compile(r"\s*[|•·]\s*|\s+[-–—]\s+")
_BYLINE_TAIL = re.compile(r"\s+(?:on|published|posted|updated|at)\b.*$", re.IGNORECASE)
_TRAILING_SEPARATOR = re.compile(r"\s+[|\-–—:»·]\s*$")
_TITLE_SEPARATORS = re.compile(r"\s+[|\-–—:»·]\s+")
_BLOCK_TAGS = ("p", "h2", "h3", "h4", "li", "blockquote")
_SCHEME = re.compile(r"^\s*([a-zA-Z][a-zA-Z0-9+.-]*):")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
# trafilatura drops every character Python calls unprintable, and with them the
# zero-width non-joiner Persian words are spelt with ("می‌گوید") and the bidi
# marks of RTL text. They cross it disguised as rare printable punctuation.
_DISGUISES = {"\u200c": "\u2e3f", "\u200d": "\u2e3e", "\u200e": "\u2e3d", "\u200f": "\u2e3c"}
# Control characters lxml reads from HTML but refuses to write back go too.
_DISGUISE = str.maketrans(
    {**_DISGUISES, **{chr(code): None for code in [*range(0, 9), 11, 12, *range(14, 32)]}}
)
_UNDISGUISE = str.maketrans({v: k for k, v in _DISGUISES.items()})


def read_html(text: str, *, url: str = "", origin: str = "") -> Article:
    tree = _parse(text, origin)
    base = _base_url(tree, url, origin) or _own_address(tree)
    meta = read_metadata(tree, base)
    for element in tree.xpath("//script | //style | //template"):
        element.drop_tree()  # their text is code, never words of the page (JSON-LD is read)
    for element in tree.xpath("//noscript"):
        # "Please enable JavaScript" and tracking pixels go; a page in a <noscript>
        # (for readers without scripts) is read as such readers see it.
        if len(element.text_content()) < 200:
            element.drop_tree()
        else:
            element.drop_tag()
    article = Article(
        published=meta.published,
        lead_image=meta.image,
        canonical_url=_canonical(tree, base) or meta.url,
        language=_language(tree, meta),
    )
    h1 = _headline_element(tree)
    article.headline = _headline(meta, h1)
    article.kicker = _kicker(tree, h1, article.headline)
    article.author_names = list(meta.byline_names)
    article.byline = join_names(article.author_names)
    needs_visible = not meta.byline_names or meta.byline_is_publisher
    if needs_visible and (visible := _visible_byline(tree)):
        article.byline, article.author_names = visible, []
    if not article.published:
        article.published = _visible_date(tree)
    if not article.lead_image:
        article.lead_image = _first_article_image(tree, base)
    article.blocks = _body(tree, article, meta)
    if not article.authors and (name := _byline_line(article.blocks)):
        article.byline, article.blocks = name, article.blocks[1:]
    if not article.headline:
        raise PageError(f"{origin}: no headline found (no metadata, <h1> or <title>).")
    return article.finish()


# Parsing and addresses --------------------------------------------------------


def _parse(text: str, origin: str):
    parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, no_network=True)
    try:
        tree = lxml.html.document_fromstring(
            _XML_DECLARATION.sub("", text, count=1).encode("utf-8"), parser=parser
        )
    except (etree.ParserError, ValueError) as error:
        raise PageError(f"{origin}: not a readable HTML page ({error}).") from None
    for entry in parser.error_log:
        if entry.type_name == "ERR_RESOURCE_LIMIT" or "Excessive depth" in entry.message:
            raise PageError(
                f"{origin}: the page nests elements more than 255 levels deep; "
                "no article page does, and the rest of it could not be read."
            )
    return tree


def _base_url(tree, url: str, origin: str) -> str:
    base = tree.find(".//base[@href]")
    if base is None:
        return url
    href = (base.get("href") or "").strip()
    resolved = safe_url(href, url)
    if resolved:
        return resolved
    match = _SCHEME.match(href)
    scheme = match.group(1).casefold() if match else ""
    if scheme and scheme not in ("http", "https"):
        raise PageError(
            f"{origin}: the page's <base href> is a {scheme}: address; every relative link "
            "on it would resolve to one. Refused."
        )
    return url  # a relative base with no page address to resolve it against


def _own_address(tree) -> str:
    """A saved page's own address (canonical, og:url): what its relative links meant."""
    for value in tree.xpath(
        "//head/link[@rel='canonical']/@href | //head/meta[@property='og:url']/@content"
    ):
        if url := safe_url(str(value)):
            return url
    return ""


def _canonical(tree, base: str) -> str:
    link = tree.find(".//head/link[@rel='canonical']")
    return safe_url(link.get("href", ""), base) if link is not None else ""


def _language(tree, meta: Metadata) -> str:
    value = tree.get("lang") or tree.get("{http://www.w3.org/XML/1998/namespace}lang") or ""
    value = value or meta.language
    primary = value.strip().split("-")[0].split("_")[0].casefold()
    return primary if re.fullmatch(r"[a-z]{2,3}", primary) else ""


# Headline, kicker, byline, date, image -----------------------------------------


def _headline_element(tree):
    for path in (
        "//article//h1",
        "//main//h1",
        "//*[@itemprop='headline']",
        "//h1",
    ):
        for element in tree.xpath(path):
            if clean_line(element.text_content()):
                return element
    return None


def _headline(meta: Metadata, h1) -> str:
    shown = clean_line(h1.text_content()) if h1 is not None else ""
    stated = meta.headline
    if stated and stated == meta.og_title:
        stated = _without_site_name(stated, meta.site_name, shown)
    if stated and shown:
        cut = stated.rstrip(".…").rstrip()
        if stated != cut and shown.startswith(cut):
            return shown  # the metadata's copy was shortened for search results
        return stated
    return stated or shown or _without_site_name(meta.title, meta.site_name, "")


def _without_site_name(title: str, site_name: str, shown: str) -> str:
    if shown and title.startswith(shown):
        return shown
    if (
        site_name
        and len(title) > len(site_name)
        and title.casefold().endswith(site_name.casefold())
    ):
        head = title[: -len(site_name)]
        without = _TRAILING_SEPARATOR.sub("", head)
        if without != head and without:
            return without
    parts = _TITLE_SEPARATORS.split(title)
    if len(parts) > 1:
        if site_name and parts[-1].casefold() == site_name.casefold():
            return " - ".join(parts[:-1]) if len(parts) > 2 else parts[0]
        if site_name and parts[0].casefold() == site_name.casefold():
            return parts[-1]
        if not site_name and len(parts[-1]) < len(parts[0]) and len(parts[-1].split()) <= 4:
            return parts[0]
    return title


def _kicker(tree, h1, headline: str) -> str:
    scope = _article_root(h1) if h1 is not None else tree
    for element in scope.iter():
        if not isinstance(element.tag, str) or element is h1:
            continue
        if boilerplate.class_words(element) & KICKER_CLASS_WORDS:
            text = clean_line(element.text_content())
            if text and text != headline and len(text) <= 60 and len(text.split()) <= 6:
                return text
    return ""


def _article_root(element):
    """The element holding the whole article around ``element``: its <article>, else
    the nearest ancestor with a paragraph of text."""
    for ancestor in element.iterancestors():
        if ancestor.tag in ("article", "main") or ancestor.get("itemtype", "").endswith("Article"):
            return ancestor
    for ancestor in element.iterancestors():
        if ancestor.find(".//p") is not None:
            return ancestor
    return element.getroottree().getroot()


def _visible_byline(tree) -> str:
    names = []
    for element in tree.xpath("//*[@rel='author'] | //*[@itemprop='author']"):
        name = _clean_byline(_first_line(element))
        if name and name not in names and not _in_comments_or_teasers(element):
            names.append(name)
    if names:
        return " and ".join(names)
    for element in tree.iter():
        if not isinstance(element.tag, str) or element.tag in ("body", "html", "meta"):
            continue
        words = boilerplate.class_words(element)
        if (
            words & BYLINE_CLASS_WORDS
            and not words & {"box", "bio", "author-box", "authorbox", "comment", "says"}
            and not _in_comments_or_teasers(element)
        ):
            name = _clean_byline(_first_line(element))
            if name:
                return name
    return ""


def _in_comments_or_teasers(element) -> bool:
    elsewhere = {"comment", "comments", "commentlist", "respond", "related", "sidebar", "widget"}
    return any(
        boilerplate.class_words(ancestor) & elsewhere or ancestor.tag == "aside"
        for ancestor in element.iterancestors()
    )


_BLOCK_ELEMENTS = word_set(
    "address article aside blockquote br dd div dl dt figure footer h1 h2 h3 h4 h5 h6 header "
    "li ol p section table td th tr ul"
)


def _first_line(element) -> str:
    """The first line of an element's text as shown (blocks break lines), with a lone
    "By" joined to the name on the next line."""
    lines: list[str] = [""]

    def walk(node) -> None:
        block = isinstance(node.tag, str) and node.tag in _BLOCK_ELEMENTS
        if block:
            lines.append("")
        lines[-1] += node.text or ""
        for child in node:
            if isinstance(child.tag, str):
                walk(child)
            lines[-1] += child.tail or ""
        if block:
            lines.append("")

    walk(element)
    shown = [clean_line(line) for line in lines if clean_line(line)]
    if len(shown) > 1 and _BY.fullmatch(shown[0] + " "):
        return f"{shown[0]} {shown[1]}"
    return shown[0] if shown else ""


def _byline_line(blocks: list[Block]) -> str:
    """A byline standing as the body's first line ("Von Gregory Lipinski"), or ""."""
    first = blocks[0].text if blocks else ""
    if len(first.split()) > 6 or not _BY.match(first):
        return ""
    return _clean_byline(first)


def _clean_byline(text: str) -> str:
    text = clean_line(text)
    if not text or len(text) > 160:
        return ""
    text = _BY.sub("", text, count=1)
    text = _BYLINE_CUT.split(text, maxsplit=1)[0]
    text = _BYLINE_TAIL.sub("", text).strip(" ,;:")
    if not text or len(text.split()) > 12 or written_date(text) or any(c.isdigit() for c in text):
        return ""
    return "" if is_placeholder(text) else text


def _visible_date(tree) -> str:
    """A ``<time datetime>`` of the article (not of a comment or a teaser)."""
    candidates = tree.xpath(
        "//*[@itemprop='datePublished']/@datetime | //*[@itemprop='datePublished']/@content"
        " | //time[@pubdate]/@datetime"
    )
    for element in tree.xpath("//article//time[@datetime] | //header//time[@datetime]"):
        if not _inside_chrome(
            element,
            allow={
                "meta",
                "entry-meta",
                "post-meta",
                "byline",
                "article-meta",
                "dateline",
                "timestamp",
                "header",
                "masthead",
            },
        ):
            words = boilerplate.class_words(element)
            if not words & {"updated", "modified"}:
                candidates.append(element.get("datetime"))
    for value in candidates:
        if found := machine_date(value):
            return found
    return ""


def _inside_chrome(element, allow: set[str] = frozenset()) -> bool:
    for ancestor in element.iterancestors():
        if ancestor.tag in ("aside", "nav", "footer"):
            return True
        words = boilerplate.class_words(ancestor) - allow
        if words & boilerplate.CHROME_CLASS_WORDS:
            return True
    return False


def _first_article_image(tree, base: str) -> str:
    for image in tree.xpath("//article//img[@src] | //*[@itemprop='image']//@src"):
        src = image if isinstance(image, str) else image.get("src")
        if url := safe_url(str(src), base):
            return url
    return ""


# Body -------------------------------------------------------------------------


def _body(tree, article: Article, meta: Metadata) -> list[Block]:
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
    return bool(_BY.match(text) and article.byline and _key(article.byline) in _key(text))


__all__ = ["read_html", "text_of"]
