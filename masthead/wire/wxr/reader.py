"""Read a WordPress export (WXR 1.0–1.2) as a stream of plain records.

A WXR file is RSS 2.0 with WordPress's own namespaces: the channel names the
site and lists its users (``wp:author``), categories, tags and other terms;
then one ``<item>`` per post, page, attachment, menu item … with its meta
(``wp:postmeta``) and comments inside. Exports of large sites run to
gigabytes, so nothing here holds more than one item: elements are parsed by
``masthead.wire.xmlsafety.iterparse`` (no DTDs, no entities, no network,
depth capped) and cleared as soon as they are turned into a record.

This module knows the format and nothing of Masthead: it yields
:class:`Site`, :class:`User`, :class:`Category` and :class:`Item` records,
values as WordPress wrote them (text unescaped by the XML parser, HTML left
as HTML). It raises :class:`masthead.wire.items.ParseError` for a document
that is not a WordPress export, is truncated or is refused by the XML rules.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from masthead.wire import xmlsafety
from masthead.wire.items import ParseError

# wp: is http://wordpress.org/export/1.2/ (1.1/, 1.0/); excerpt: is that plus excerpt/.
WORDPRESS_NAMESPACE = "http://wordpress.org/export/"
CONTENT_NAMESPACE = "http://purl.org/rss/1.0/modules/content/"
DC_NAMESPACE = "http://purl.org/dc/elements/1.1/"
SUPPORTED_VERSIONS = ("1.0", "1.1", "1.2")
# Post meta an import reads; the rest (page builders' blobs, plugin caches) is not kept.
META_KEYS = frozenset(
    {
        "_thumbnail_id",
        "_wp_attached_file",
        "_wp_attachment_image_alt",
        "_yoast_wpseo_primary_category",
    }
)


@dataclass
class Site:
    """The exporting site, from the channel (complete before the first item)."""

    title: str = ""
    link: str = ""
    base_site_url: str = ""
    base_blog_url: str = ""
    language: str = ""
    wxr_version: str = ""


@dataclass
class User:
    login: str
    email: str = ""
    display_name: str = ""
    first_name: str = ""
    last_name: str = ""


@dataclass
class Category:
    slug: str
    name: str
    parent: str = ""  # the parent's slug
    term_id: str = ""


@dataclass
class Term:
    """One ``<category domain=… nicename=…>`` of an item: a category, a tag, a language …"""

    domain: str
    slug: str
    name: str


@dataclass
class Item:
    """One ``<item>``: a post, page, attachment, menu item …"""

    position: int  # 1 for the export's first item
    post_id: str = ""
    post_type: str = ""
    status: str = ""
    title: str = ""
    link: str = ""
    guid: str = ""
    creator: str = ""  # the author's login
    content: str = ""
    excerpt: str = ""
    post_date: str = ""  # "2024-05-12 11:30:00", the site's local time
    post_date_gmt: str = ""  # the same in UTC; "0000-00-00 00:00:00" when unset
    post_modified_gmt: str = ""
    pub_date: str = ""  # RFC 822, from the channel's point of view
    post_name: str = ""  # the slug, percent-encoded when not ASCII
    post_password: str = ""
    post_parent: str = ""
    attachment_url: str = ""
    terms: list[Term] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)
    comments: int = 0


def open_export(path: Path) -> BinaryIO:
    """The export file for reading; a gzip-compressed export is read through gzip."""
    handle = path.open("rb")
    if handle.read(2) == b"\x1f\x8b":
        handle.close()
        return gzip.open(path, "rb")  # streamed: a "bomb" costs time, never memory
    handle.seek(0)
    return handle


_names: dict[str, tuple[str, str]] = {}


def _name(tag) -> tuple[str, str]:
    """``(prefix, local name)`` of an element tag, namespaces of every WXR version alike."""
    if not isinstance(tag, str):  # comments and PIs never reach here (removed by the parser)
        return ("?", "")
    known = _names.get(tag)
    if known is not None:
        return known
    namespace, _, local = tag[1:].partition("}") if tag.startswith("{") else ("", "", tag)
    if namespace.startswith(WORDPRESS_NAMESPACE):
        prefix = "excerpt" if namespace.rstrip("/").endswith("excerpt") else "wp"
    else:
        prefix = {"": "", CONTENT_NAMESPACE: "content", DC_NAMESPACE: "dc"}.get(namespace, "?")
    if len(_names) < 1000:  # a hostile file may invent namespaces without end
        _names[tag] = (prefix, local)
    return prefix, local


def _text(element) -> str:
    return element.text or ""


def _children(element) -> dict[tuple[str, str], str]:
    return {_name(child.tag): _text(child) for child in element}


def read_export(fileobj: BinaryIO) -> Iterator[Site | User | Category | Item]:
    """Yield the export's records in document order; the ``Site`` comes before any item.

    Raises ``ParseError`` when the file is not a WordPress export or not
    well-formed (a truncated export fails at its end: read it whole before
    acting on it, as the importer does).
    """
    site = Site()
    site_sent = False
    position = 0
    seen_root = False
    for _event, element in xmlsafety.iterparse(fileobj, events=("end",)):
        parent = element.getparent()
        if not seen_root:
            root = element.getroottree().getroot()
            if _name(root.tag) != ("", "rss"):
                raise ParseError("not a WordPress export: the document is not RSS")
            seen_root = True
        if parent is None:  # </rss>
            continue
        if _name(parent.tag) != ("", "channel"):
            continue  # a part of an item or of a channel record: handled with its parent
        name = _name(element.tag)
        record: Site | User | Category | Item | None = None
        if name == ("", "item"):
            if not site_sent:
                _check_version(site)
                site_sent = True
                yield site
            position += 1
            record = _item(element, position)
        elif name == ("wp", "author"):
            record = _user(element)
        elif name == ("wp", "category"):
            record = _category(element)
        elif name == ("wp", "wxr_version"):
            site.wxr_version = _text(element).strip()
        elif name == ("wp", "base_site_url"):
            site.base_site_url = _text(element).strip()
        elif name == ("wp", "base_blog_url"):
            site.base_blog_url = _text(element).strip()
        elif name == ("", "title"):
            site.title = _text(element).strip()
        elif name == ("", "link"):
            site.link = _text(element).strip()
        elif name == ("", "language"):
            site.language = _text(element).strip()
        _forget(element)
        if record is not None:
            yield record
    if not seen_root:
        raise ParseError("empty document")
    if not site_sent:  # an export without a single item
        _check_version(site)
        yield site


def _forget(element) -> None:
    """Free a handled element and its earlier siblings: memory stays at one item."""
    element.clear(keep_tail=False)
    parent = element.getparent()
    while element.getprevious() is not None:
        del parent[0]


def _check_version(site: Site) -> None:
    if not site.wxr_version:
        raise ParseError(
            "not a WordPress export: no wp:wxr_version before the first item "
            "(export with Tools → Export in WordPress)"
        )
    if site.wxr_version not in SUPPORTED_VERSIONS:
        raise ParseError(
            f"WordPress export version {site.wxr_version} is not supported "
            f"(supported: {', '.join(SUPPORTED_VERSIONS)})"
        )


def _user(element) -> User:
    values = _children(element)
    return User(
        login=values.get(("wp", "author_login"), "").strip(),
        email=values.get(("wp", "author_email"), "").strip(),
        display_name=values.get(("wp", "author_display_name"), "").strip(),
        first_name=values.get(("wp", "author_first_name"), "").strip(),
        last_name=values.get(("wp", "author_last_name"), "").strip(),
    )


def _category(element) -> Category:
    values = _children(element)
    return Category(
        slug=values.get(("wp", "category_nicename"), "").strip(),
        name=values.get(("wp", "cat_name"), "").strip(),
        parent=values.get(("wp", "category_parent"), "").strip(),
        term_id=values.get(("wp", "term_id"), "").strip(),
    )


# Item children by name → the Item field they fill.
_ITEM_FIELDS = {
    ("", "title"): "title",
    ("", "link"): "link",
    ("", "guid"): "guid",
    ("", "pubDate"): "pub_date",
    ("dc", "creator"): "creator",
    ("content", "encoded"): "content",
    ("excerpt", "encoded"): "excerpt",
    ("wp", "post_id"): "post_id",
    ("wp", "post_type"): "post_type",
    ("wp", "status"): "status",
    ("wp", "post_date"): "post_date",
    ("wp", "post_date_gmt"): "post_date_gmt",
    ("wp", "post_modified_gmt"): "post_modified_gmt",
    ("wp", "post_name"): "post_name",
    ("wp", "post_password"): "post_password",
    ("wp", "post_parent"): "post_parent",
    ("wp", "attachment_url"): "attachment_url",
}
_STRIPPED = frozenset(_ITEM_FIELDS.values()) - {"content", "excerpt", "title"}


def _item(element, position: int) -> Item:
    item = Item(position=position)
    for child in element:
        name = _name(child.tag)
        attribute = _ITEM_FIELDS.get(name)
        if attribute is not None:
            value = _text(child)
            setattr(item, attribute, value.strip() if attribute in _STRIPPED else value)
        elif name == ("", "category"):
            item.terms.append(
                Term(
                    domain=(child.get("domain") or "").strip(),
                    slug=(child.get("nicename") or "").strip(),
                    name=_text(child).strip(),
                )
            )
        elif name == ("wp", "postmeta"):
            values = _children(child)
            key = values.get(("wp", "meta_key"), "").strip()
            if key in META_KEYS:
                item.meta[key] = values.get(("wp", "meta_value"), "").strip()
        elif name == ("wp", "comment"):
            item.comments += 1
    return item
