"""The one allow-list sanitiser for story HTML, built on nh3 (Ammonia).

Body HTML is cleaned once, on the way in (``Story.save``), so every surface
that shows it can trust it. nh3 parses with html5ever like a browser does,
drops every tag and attribute not listed here, removes the contents of
``script`` and ``style``, lets only http(s), mailto and tel links through and
adds ``rel="noopener noreferrer"`` to links. Style attributes are not
allowed at all, so CSS expressions have nowhere to live. Control characters
and bidi overrides are removed from the text, including those written as
character references (``&#x202E;``).

Two things here are our own, because nh3 offers neither:

* A nesting limit. html5ever scans its stack of open elements for many start
  tags, so its time grows with the square of the nesting depth: a 320 KB body
  of nested ``<dl><dd>`` took 44 seconds, and a 2 MB one would take hours.
  Before parsing, a linear scan (``_limit_nesting``) estimates the depth the
  way html5ever builds it, erring high, and drops start tags beyond a budget;
  the clean output is then held to ``MAX_NESTING_DEPTH``. Dropped tags keep
  their text. No real article nests that deep; parsers and browsers downstream
  have their own limits (libxml2 256, Chromium 512).
* Stability. Cleaning can change how the rest parses (nh3 unwraps an
  ``<object>``, which lets a ``<p>`` inside it close the one outside), so the
  output is cleaned again until it no longer changes: cleaning clean HTML
  returns it unchanged.
"""

from __future__ import annotations

import re
import string

import nh3

from masthead.newsroom.text import strip_invisible

ALLOWED_TAGS = frozenset(
    {
        "p",
        "br",
        "hr",
        "h2",
        "h3",
        "h4",
        "blockquote",
        "q",
        "cite",
        "ul",
        "ol",
        "li",
        "strong",
        "em",
        "b",
        "i",
        "u",
        "s",
        "sub",
        "sup",
        "small",
        "mark",
        "abbr",
        "code",
        "pre",
        "a",
        "figure",
        "figcaption",
        "img",
        "table",
        "thead",
        "tbody",
        "tfoot",
        "tr",
        "th",
        "td",
        "caption",
        "dl",
        "dt",
        "dd",
        "span",
        "time",
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
# Elements nested deeper than this are dropped from clean output (their text stays).
MAX_NESTING_DEPTH = 100
# The estimate before parsing errs high, so it gets more room than the output.
_PARSE_NESTING_BUDGET = 4 * MAX_NESTING_DEPTH
# Cleaning settles in one or two more passes; this only bounds a pathological case.
_MAX_PASSES = 4


def sanitize_body(html: str | None) -> str:
    """Return ``html`` reduced to the allow-list; the result is safe to render."""
    if not html:
        return ""
    cleaned, budget = html, _PARSE_NESTING_BUDGET
    for _ in range(_MAX_PASSES):
        again = _clean(_limit_nesting(strip_invisible(cleaned), budget))
        if again == cleaned:
            break
        cleaned, budget = again, MAX_NESTING_DEPTH
    return cleaned


def _clean(html: str) -> str:
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(ALLOWED_URL_SCHEMES),
        link_rel="noopener noreferrer",
        strip_comments=True,
    ).strip()


# --- Nesting limit -----------------------------------------------------------
#
# _limit_nesting follows the HTML tokenizer exactly (tags, attributes,
# comments, raw text, script escapes) and html5ever's tree building roughly.
# Where it is unsure it keeps elements open, so its depth is never below the
# parser's by more than the few elements the parser adds itself (tbody, tr,
# reformatted b/i ...). After <svg>, <math>, <select> or <template>, where
# tokenizing depends on tree building, it counts every start tag and no end tag.

_HTML_SPACE = "\t\n\f "
_TAG_NAME = re.compile(r"[^\t\n\f />]*+")
_ATTRIBUTES = re.compile(
    r"""(?:[\t\n\f /]++|[^\t\n\f />][^\t\n\f />=]*+"""
    r"""(?:[\t\n\f ]*+=[\t\n\f ]*+(?:"[^"]*+"|'[^']*+'|[^\t\n\f >"'][^\t\n\f >]*+)?+)?+)*+"""
)
_COMMENT_END = re.compile(r"--!?>")
_SCRIPT_EVENT = re.compile(r"<!--|-->|</?script(?=[\t\n\f />])", re.ASCII | re.IGNORECASE)
_START_TAG_OPEN = re.compile(r"<++(?=[A-Za-z])")
_TO_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)

_VOID = frozenset(
    {
        "area",
        "base",
        "basefont",
        "bgsound",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "keygen",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
    }
)
_IGNORED_IN_BODY = frozenset({"html", "head", "body", "frameset", "frame"})
_TABLE_PARTS = frozenset(
    {"caption", "colgroup", "col", "tbody", "thead", "tfoot", "tr", "td", "th"}
)
_RAW_TEXT = frozenset(
    {"script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript"}
)
_RAW_TEXT_END = {
    name: re.compile(rf"</{name}(?=[\t\n\f />])", re.ASCII | re.IGNORECASE) for name in _RAW_TEXT
}
_TREE_DEPENDENT = frozenset({"svg", "math", "select", "template"})
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_CLOSES_P = _HEADINGS | frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "center",
        "details",
        "dialog",
        "dir",
        "div",
        "dl",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "header",
        "hgroup",
        "main",
        "menu",
        "nav",
        "ol",
        "p",
        "search",
        "section",
        "summary",
        "ul",
        "pre",
        "listing",
        "form",
        "li",
        "dd",
        "dt",
        "table",
        "hr",
        "xmp",
        "plaintext",
    }
)
_CLOSES_SIBLING = {
    "li": {"li"},
    "dd": {"dd", "dt"},
    "dt": {"dd", "dt"},
    "tr": {"tr"},
    "td": {"td", "th"},
    "th": {"td", "th"},
    **{heading: _HEADINGS for heading in _HEADINGS},
}
_SCOPE_STOP = frozenset(
    {"applet", "caption", "html", "table", "td", "th", "marquee", "object", "template"}
)
_TABLE_SCOPE_STOP = frozenset({"html", "table", "template"})
# End tags that close the nearest such element in scope, with whatever is above it.
_END_SCOPE = {
    **dict.fromkeys(
        {
            "address",
            "article",
            "aside",
            "blockquote",
            "button",
            "center",
            "details",
            "dialog",
            "dir",
            "div",
            "dl",
            "fieldset",
            "figcaption",
            "figure",
            "footer",
            "header",
            "hgroup",
            "listing",
            "main",
            "menu",
            "nav",
            "ol",
            "pre",
            "search",
            "section",
            "summary",
            "ul",
            "dd",
            "dt",
            "applet",
            "marquee",
            "object",
        },
        _SCOPE_STOP,
    ),
    "li": _SCOPE_STOP | {"ol", "ul"},
    "p": _SCOPE_STOP | {"button"},
    **dict.fromkeys(_HEADINGS, _SCOPE_STOP),
    **dict.fromkeys(
        {"table", "tbody", "thead", "tfoot", "tr", "td", "th", "caption"}, _TABLE_SCOPE_STOP
    ),
}


def _limit_nesting(html: str, budget: int) -> str:
    """``html`` without the start tags that would open elements beyond ``budget`` deep."""
    if html.count("<") <= budget:
        return html  # fewer tags than the budget cannot nest past it
    kept: list[str] = []
    stack: list[str] = []
    copied = position = 0
    while (opening := html.find("<", position)) != -1:
        following = html[opening + 1 : opening + 2]
        if following.isascii() and following.isalpha():
            name_end = _TAG_NAME.match(html, opening + 1).end()
            name = html[opening + 1 : name_end].translate(_TO_LOWER)
            if name in _TREE_DEPENDENT:
                kept.append(html[copied:opening])
                kept.append(_limit_every_start_tag(html[opening:], stack, budget))
                return "".join(kept)
            tag_end = _tag_end(html, name_end)
            if tag_end is None:
                break  # an unclosed tag: the parser drops it and all that follows
            if name == "plaintext":
                break  # everything after it is text
            position = tag_end
            if name in _RAW_TEXT:
                position = _raw_text_end(html, tag_end, name)
            elif not _opens_element(name, stack):
                pass
            elif len(stack) < budget:
                stack.append(name)
            else:
                kept.append(html[copied:opening])
                copied = tag_end
        elif following == "/":
            position = _end_tag(html, opening, stack)
        elif following == "!" or following == "?":
            position = _comment_end(html, opening)
        else:
            position = opening + 1
        if position is None:
            break
    kept.append(html[copied:])
    return "".join(kept)


def _opens_element(name: str, stack: list[str]) -> bool:
    """Apply the implied end tags of start tag ``name``; say whether it opens an element."""
    if name in _VOID or name in _IGNORED_IN_BODY:
        return False
    if name in _TABLE_PARTS and "table" not in stack:
        return False  # ignored outside a table
    if stack and stack[-1] == "p" and name in _CLOSES_P:
        stack.pop()
    if stack and stack[-1] in _CLOSES_SIBLING.get(name, ()):
        stack.pop()
    return True


def _end_tag(html: str, opening: int, stack: list[str]) -> int | None:
    following = html[opening + 2 : opening + 3]
    if following == ">":
        return opening + 3
    if not (following.isascii() and following.isalpha()):
        return _comment_end(html, opening)
    name_end = _TAG_NAME.match(html, opening + 2).end()
    name = html[opening + 2 : name_end].translate(_TO_LOWER)
    stops = _END_SCOPE.get(name)
    if stops is None:
        if stack and stack[-1] == name:
            stack.pop()
    else:
        targets = _HEADINGS if name in _HEADINGS else {name}
        for index in range(len(stack) - 1, -1, -1):
            if stack[index] in targets:
                del stack[index:]
                break
            if stack[index] in stops:
                break
    return _tag_end(html, name_end)


def _tag_end(html: str, after_name: int) -> int | None:
    """Where the tag whose name ends at ``after_name`` ends; None if it never does."""
    attributes_end = _ATTRIBUTES.match(html, after_name).end()
    return attributes_end + 1 if attributes_end < len(html) else None


def _comment_end(html: str, opening: int) -> int | None:
    """End of a comment, doctype or bogus comment starting at ``opening``."""
    if html.startswith("<!--", opening):
        start = opening + 4
        if html.startswith(">", start):
            return start + 1
        if html.startswith("->", start):
            return start + 2
        found = _COMMENT_END.search(html, start)
        return found.end() if found else None
    closing = html.find(">", opening + 2)
    return closing + 1 if closing != -1 else None


def _raw_text_end(html: str, start: int, name: str) -> int | None:
    """Where the raw text of element ``name``, starting at ``start``, and its end tag end."""
    if name == "script":
        closing = _script_end_tag(html, start)
    else:
        found = _RAW_TEXT_END[name].search(html, start)
        closing = found.start() if found else None
    if closing is None:
        return None
    return _tag_end(html, closing + 2 + len(name))


def _script_end_tag(html: str, start: int) -> int | None:
    """Where ``</script`` ends script data, following its escape states."""
    escaped = double_escaped = False
    position = start
    while found := _SCRIPT_EVENT.search(html, position):
        event = found.group().lower()
        position = found.end()
        if event == "<!--":
            escaped = True
            position = found.start() + 2  # its dashes may begin "-->"
        elif event == "-->":
            escaped = double_escaped = False
        elif event == "</script":
            if not double_escaped:
                return found.start()
            double_escaped = False
        elif escaped and not double_escaped:  # "<script" inside "<!--"
            double_escaped = True
    return None


def _limit_every_start_tag(html: str, stack: list[str], budget: int) -> str:
    """Count every ``<`` before a letter as an element that stays open; drop the excess."""
    depth = len(stack)
    for found in _START_TAG_OPEN.finditer(html):
        depth += 1
        if depth > budget:
            head, tail = html[: found.start()], html[found.start() :]
            return head + _START_TAG_OPEN.sub("", tail)
    return html
