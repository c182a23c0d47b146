"""The page importer: one article page from another site → a draft story.

``masthead import page FILE_OR_URL`` (management command ``import_page``)
reads a saved HTML page, a page scraped to plain text, or an http(s) URL
fetched through the wire desk's guarded fetcher, and makes a draft with
headline, kicker, byline, publication date, lead image URL and body
(docs/wire-pageimport.md).

Modules, in the order a page goes through them:

* ``source``: the bytes (file or URL, size-capped), refused when empty,
  binary or in a charset they do not declare; decoded to text;
* ``html`` (with ``metadata``: JSON-LD, microdata, Open Graph via extruct,
  and ``body``: trafilatura on the page with its chrome cut) or ``text``
  (scrapes): an ``Article``;
* ``boilerplate``: the table of page chrome both readers drop;
* ``dates``: dates only as the page states them;
* ``store``: the draft, through ``stories.services``; re-importing the same
  page updates its draft (``ImportedPage``).

``read_page`` is the whole reading half and stores nothing: the dry run is
``read_page(...).as_json()``, and the real run stores exactly that.
"""

from __future__ import annotations

from masthead.wire.pageimport.article import Article, Block, Teaser
from masthead.wire.pageimport.source import (
    DEFAULT_MAX_BYTES,
    PageError,
    RawPage,
    decode,
    fetch_page,
    looks_like_html,
    read_file,
)


def read_page(page: RawPage, *, encoding: str = "") -> Article:
    """The article on ``page``; raises ``PageError`` with a one-line reason."""
    from masthead.wire.pageimport.html import read_html
    from masthead.wire.pageimport.text import read_text

    text = decode(page, encoding)
    if not text.strip():
        raise PageError(f"{page.origin}: the page is empty.")
    if looks_like_html(text, page.content_type):
        article = read_html(text, url=page.url, origin=page.origin)
    else:
        article = read_text(text, origin=page.origin)
    if not article.blocks:
        raise PageError(f"{page.origin}: no article text found on the page.")
    return article


def read_source(
    source: str, *, max_bytes: int = DEFAULT_MAX_BYTES, encoding: str = ""
) -> tuple[RawPage, Article]:
    """A file path or an http(s) URL, read and taken apart."""
    if source.startswith(("http://", "https://")):
        page = fetch_page(source, max_bytes)
    else:
        page = read_file(source, max_bytes)
    return page, read_page(page, encoding=encoding)


__all__ = [
    "DEFAULT_MAX_BYTES",
    "Article",
    "Block",
    "PageError",
    "RawPage",
    "Teaser",
    "read_file",
    "read_page",
    "read_source",
]
