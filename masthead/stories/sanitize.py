"""The one allow-list sanitiser for story HTML, built on nh3 (Ammonia).

Body HTML is cleaned once, on the way in (``Story.save``), so every surface
that shows it can trust it. nh3 parses with html5ever like a browser does,
drops every tag and attribute not listed here, removes the contents of
``script`` and ``style``, lets only http(s), mailto and tel links through and
adds ``rel="noopener noreferrer"`` to links. Style attributes are not
allowed at all, so CSS expressions have nowhere to live. Output is stable:
cleaning clean HTML returns it unchanged.
"""

from __future__ import annotations

import nh3

from masthead.newsroom.text import strip_invisible

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "hr", "h2", "h3", "h4", "blockquote", "q", "cite", "ul", "ol", "li",
        "strong", "em", "b", "i", "u", "s", "sub", "sup", "small", "mark", "abbr", "code",
        "pre", "a", "figure", "figcaption", "img", "table", "thead", "tbody", "tfoot", "tr",
        "th", "td", "caption", "dl", "dt", "dd", "span", "time",
    }
)
ALLOWED_ATTRIBUTES = {
    "*": {"dir", "lang", "title"},
    "a": {"href", "hreflang"},
    "img": {"src", "alt", "width", "height"},
    "blockquote": {"cite"},
    "q": {"cite"},
    "abbr": {"title"},
    "time": {"datetime"},
    "th": {"scope", "colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
    "ol": {"start", "reversed"},
}
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
# Story bodies beyond this are refused with a clear error rather than stored.
MAX_BODY_CHARS = 2_000_000


def sanitize_body(html: str | None) -> str:
    """Return ``html`` reduced to the allow-list; the result is safe to render."""
    if not html:
        return ""
    cleaned = nh3.clean(
        strip_invisible(html),
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(ALLOWED_URL_SCHEMES),
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    return cleaned.strip()
