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
4. The body: ``body.py`` (chrome cut from the tree, trafilatura, every block
   checked again as text).
"""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

from masthead.newsroom.text import clean_line
from masthead.wire.pageimport import boilerplate
from masthead.wire.pageimport.article import Article, Block, join_names
from masthead.wire.pageimport.body import story_body
from masthead.wire.pageimport.boilerplate import BYLINE_PREFIX, word_set
from masthead.wire.pageimport.dates import machine_date, written_date
from masthead.wire.pageimport.metadata import (
    Metadata,
    is_placeholder,
    read_metadata,
    safe_url,
)
from masthead.wire.pageimport.source import PageError

KICKER_CLASS_WORDS = word_set(
    "kicker eyebrow overline overtitle supertitle superhead surtitle rubric flag topper "
    "article-label story-label post-label"
)
BYLINE_CLASS_WORDS = word_set(
    "byline author author-name authorname by-author writer entry-author post-author "
    "article-author contributor submitted node__submitted"
)
_BYLINE_CUT = re.compile(r"\s*[|•·]\s*|\s+[-–—]\s+")
_BYLINE_TAIL = re.compile(r"\s+(?:on|published|posted|updated|at)\b.*$", re.IGNORECASE)
_TRAILING_SEPARATOR = re.compile(r"\s+[|\-–—:»·]\s*$")
_TITLE_SEPARATORS = re.compile(r"\s+[|\-–—:»·]\s+")
_SCHEME = re.compile(r"^\s*([a-zA-Z][a-zA-Z0-9+.-]*):")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)


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
    article.blocks = story_body(tree, article, meta)
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
    if len(shown) > 1 and BYLINE_PREFIX.fullmatch(shown[0] + " "):
        return f"{shown[0]} {shown[1]}"
    return shown[0] if shown else ""


def _byline_line(blocks: list[Block]) -> str:
    """A byline standing as the body's first line ("Von Gregory Lipinski"), or ""."""
    first = blocks[0].text if blocks else ""
    if len(first.split()) > 6 or not BYLINE_PREFIX.match(first):
        return ""
    return _clean_byline(first)


def _clean_byline(text: str) -> str:
    text = clean_line(text)
    if not text or len(text) > 160:
        return ""
    text = BYLINE_PREFIX.sub("", text, count=1)
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
