"""What a page says about itself: JSON-LD, Open Graph and microdata, via extruct.

Publishers describe their articles for search engines and social networks,
and that description is the most reliable statement of the headline, the
authors, the publication date and the lead image, far more than anything
read off the layout. ``read_metadata`` folds the three syntaxes into one
``Metadata``, preferring JSON-LD (the richest), then microdata, then Open
Graph and plain ``<meta>`` tags. Each JSON-LD script is read on its own, so
one broken script does not hide the others. Values are plain text: markup
and entities in them are removed, URLs are kept only when http(s).
"""

from __future__ import annotations

import html
import logging
import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from extruct.jsonld import JsonLdExtractor
from extruct.opengraph import OpenGraphExtractor
from extruct.w3cmicrodata import LxmlMicrodataExtractor

from masthead.newsroom.text import clean_line
from masthead.wire.pageimport.boilerplate import word_set
from masthead.wire.pageimport.dates import machine_date

log = logging.getLogger(__name__)

ARTICLE_TYPES = word_set(
    """
    Article NewsArticle ReportageNewsArticle AnalysisNewsArticle OpinionNewsArticle
    BackgroundNewsArticle ReviewNewsArticle AskPublicNewsArticle BlogPosting
    LiveBlogPosting SocialMediaPosting Report ScholarlyArticle TechArticle
    SatiricalArticle
    """
)
_TAG = re.compile(r"<[^>]*>")
_META_DATE_NAMES = (
    "article:published_time",
    "og:published_time",
    "datepublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "publish_date",
    "date",
    "dc.date",
    "dc.date.issued",
    "dcterms.created",
    "dcterms.issued",
    "sailthru.date",
    "parsely-pub-date",
    "article.published",
    "article_date_original",
    "cxenseparse:recs:publishtime",
)


@dataclass
class Metadata:
    headline: str = ""
    byline_names: tuple[str, ...] = ()
    # The "author" is the publisher itself (BBC News for every story): a person
    # named on the page says more.
    byline_is_publisher: bool = False
    published: str = ""
    image: str = ""
    site_name: str = ""
    url: str = ""
    language: str = ""
    article_body: str = ""  # JSON-LD articleBody: a fallback for the body text
    og_title: str = ""
    title: str = ""  # <title>


def text_of(value) -> str:
    """Plain text from a metadata value: tags and entities removed, spaces single."""
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str) and v.strip()), "")
    if isinstance(value, dict):
        value = value.get("@value") or value.get("name") or ""
    if not isinstance(value, str):
        return ""
    return clean_line(_TAG.sub(" ", html.unescape(html.unescape(value))))


def safe_url(value: str, base: str = "") -> str:
    """``value`` made absolute against ``base``, if it is http(s); else ""."""
    value = (value or "").strip()
    if not value or len(value) > 2000:
        return ""
    try:
        absolute = urljoin(base, value) if base else value
        parts = urlsplit(absolute)
    except ValueError:
        return ""
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    return absolute


def read_metadata(tree, base_url: str = "") -> Metadata:
    found = Metadata()
    article = _json_ld_article(tree)
    micro = _microdata_article(tree, base_url)
    og, metas = _open_graph(tree), _meta_tags(tree)
    for source in (article, micro):
        if not source:
            continue
        found.headline = found.headline or text_of(source.get("headline") or source.get("name"))
        if not found.byline_names:
            found.byline_names = _names(source.get("author"))
            found.byline_is_publisher = _is_publisher(source)
        found.published = found.published or machine_date(text_of(source.get("datePublished")))
        found.image = found.image or safe_url(_image_url(source.get("image")), base_url)
        found.language = found.language or text_of(source.get("inLanguage"))
        found.url = found.url or safe_url(text_of(source.get("url")), base_url)
        found.article_body = found.article_body or _body_text(source.get("articleBody"))
    found.og_title = text_of(og.get("og:title"))
    found.title = text_of(tree.findtext(".//title"))
    found.headline = found.headline or found.og_title
    found.site_name = text_of(og.get("og:site_name"))
    found.image = (
        found.image
        or safe_url(og.get("og:image") or og.get("og:image:url") or "", base_url)
        or safe_url(metas.get("twitter:image") or metas.get("twitter:image:src") or "", base_url)
    )
    found.url = found.url or safe_url(og.get("og:url") or "", base_url)
    if not found.published:
        for name in _META_DATE_NAMES:
            found.published = machine_date(og.get(name) or metas.get(name))
            if found.published:
                break
    if not found.byline_names:
        author = text_of(metas.get("author") or og.get("article:author") or "")
        if author and not safe_url(author) and "/" not in author and not is_placeholder(author):
            found.byline_names = (author,)
    return found


def _json_ld_article(tree) -> dict:
    extractor = JsonLdExtractor()
    items: list = []
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        try:
            items.extend(extractor.extract_items(script))
        except (ValueError, RecursionError) as error:  # broken or absurdly deep: skip it
            log.info("skipped a JSON-LD script: %s", error)
    flat = _flatten(items)
    candidates = [item for item in flat if _types(item) & ARTICLE_TYPES]
    if not candidates:
        return {}
    # A page about one article may also describe teasers: the one with a headline and
    # a body or a date is the page's own.
    candidates.sort(key=lambda item: (not item.get("articleBody"), not item.get("datePublished")))
    # Graphs (Yoast) name the author and image by reference: {"@id": "…#primaryimage"}.
    known = {
        item["@id"]: item for item in flat if isinstance(item.get("@id"), str) and len(item) > 2
    }
    article = dict(candidates[0])
    for key in ("author", "image"):
        article[key] = _resolved(article.get(key), known)
    return article


def _resolved(value, known: dict):
    if isinstance(value, list):
        return [_resolved(part, known) for part in value]
    if isinstance(value, dict) and set(value) <= {"@id", "@type"}:
        return known.get(value.get("@id"), value)
    return value


def _flatten(items: list) -> list[dict]:
    flat: list[dict] = []
    stack = list(items)
    while stack and len(flat) < 500:
        item = stack.pop(0)
        if isinstance(item, list):
            stack[:0] = item
        elif isinstance(item, dict):
            flat.append(item)
            for key in ("@graph", "mainEntity", "mainEntityOfPage"):
                if isinstance(item.get(key), (list, dict)):
                    stack.append(item[key])
    return flat


def _types(item: dict) -> set[str]:
    kind = item.get("@type") or item.get("type") or []
    kinds = kind if isinstance(kind, list) else [kind]
    return {str(k).rsplit("/", 1)[-1] for k in kinds if isinstance(k, str)}


def _microdata_article(tree, base_url: str) -> dict:
    try:
        items = LxmlMicrodataExtractor().extract_items(tree, base_url or None)
    except (ValueError, TypeError, KeyError) as error:
        log.info("skipped microdata: %s", error)
        return {}
    for item in _flatten(list(items)):
        if _types(item) & ARTICLE_TYPES:
            return item.get("properties", {})
    return {}


def _open_graph(tree) -> dict:
    values: dict[str, str] = {}
    for item in OpenGraphExtractor().extract_items(tree):
        for name, value in item.get("properties", []):
            values.setdefault(name, value)
    return values


def _meta_tags(tree) -> dict:
    values: dict[str, str] = {}
    for meta in tree.xpath("//meta[@content]"):
        name = (meta.get("name") or meta.get("property") or meta.get("itemprop") or "").casefold()
        if name:
            values.setdefault(name, meta.get("content") or "")
    return values


def _names(author) -> tuple[str, ...]:
    """Each author's name; a person's entry naming several ("A and B") is split, an
    organisation's name is kept whole."""
    from masthead.wire.pageimport.article import split_byline

    people = author if isinstance(author, list) else [author]
    names: list[str] = []
    for person in people:
        if isinstance(person, dict):
            is_organisation = bool(_types(person) & _ORGANISATIONS)
            person = person.get("properties", person)
            name = text_of(person.get("name"))
        else:
            is_organisation, name = False, text_of(person)
        if not name or safe_url(name) or is_placeholder(name):
            continue
        for part in [name] if is_organisation else split_byline(name):
            if part not in names:
                names.append(part)
    return tuple(names)


_ORGANISATIONS = frozenset({"Organization", "NewsMediaOrganization", "Corporation"})


# What CMSs put in the author field when nobody was named.
_PLACEHOLDER_NAMES = frozenset(
    {"no author", "unknown", "admin", "administrator", "author", "none", "null", "n/a", "-"}
)


def is_placeholder(name: str) -> bool:
    return name.casefold() in _PLACEHOLDER_NAMES


def _is_publisher(article: dict) -> bool:
    authors = article.get("author")
    authors = authors if isinstance(authors, list) else [authors]
    publisher = article.get("publisher")
    publisher_name = text_of(publisher.get("name")) if isinstance(publisher, dict) else ""
    return bool(authors) and all(
        isinstance(author, dict)
        and _types(author) & _ORGANISATIONS
        and text_of(author.get("name")) == publisher_name
        for author in authors
    )


def _image_url(image) -> str:
    if isinstance(image, list):
        image = image[0] if image else ""
    if isinstance(image, dict):
        image = image.get("properties", image)
        image = image.get("url") or image.get("contentUrl") or ""
        if isinstance(image, list):
            image = image[0] if image else ""
    return image if isinstance(image, str) else ""


def _body_text(value) -> str:
    if not isinstance(value, str):
        return ""
    return html.unescape(_TAG.sub("\n", value)).strip()
