"""The one allow-list sanitiser for story HTML, built on nh3 (Ammonia).

Body HTML is cleaned once, on the way in (``Story.save``), so every surface
that shows it can trust it. nh3 parses with html5ever like a browser does,
drops every tag and attribute not listed here, removes the contents of
``script`` and ``style``, lets only http(s), mailto and tel links through and
adds ``rel="noopener noreferrer"`` to links. Style attributes are not allowed
at all, so CSS expressions have nowhere to live. Control characters and bidi
overrides are removed from the text, including those written as character
references (``&#x202E;``).

Three things here are our own, because nh3 offers none of them:

* Figures. ``<figure data-image="<id>">`` names the library image a body
  figure shows and ``<figure data-gallery>`` groups such figures into a
  gallery (the markup is defined in docs/media-in-stories.md); the id must
  be plain digits and ``class`` is kept only as ``<span class="credit">``.
  The sanitiser never reads the database (but for the editions' hosts, read
  through the cache when ``SITE_URL`` is set: ``editions.edition_netlocs``):
  the story form and the API check that the named image exists and that the
  writer may see it, and write the
  figure's ``src`` from it (``media/figures.py``); the site renders each
  figure from its image id, so a stale or swapped ``src`` never reaches a
  reader. ``dir`` is kept only as ``ltr``, ``rtl`` or ``auto`` (the editor
  writes ``dir="auto"`` on a paragraph of mixed Persian and English).
* URL checks. ``cite``, which nh3 leaves alone, keeps only the URL schemes
  allowed here, like links. An image's ``src`` must be a file of the
  outlet's own media (``MEDIA_URL``, as a path or on ``SITE_URL``'s host or
  an edition's host, or on the media host when ``MEDIA_URL`` names one): a body never makes
  readers' browsers load from another host (a tracking pixel, a picture
  that changes after the editor approved it), and the Content-Security-Policy
  allows images from nowhere else. Links to other hosts are not loads and stay.
* A nesting limit. html5ever scans its stack of open elements for many start
  tags, so its time grows with the square of the nesting depth: a 320 KB body
  of nested ``<dl><dd>`` took 44 seconds, and a 2 MB one would take hours.
  Before parsing, a linear scan (``_limit_nesting``) estimates the depth the
  way html5ever builds it, erring high, and drops start tags beyond a budget;
  the clean output is then held to ``MAX_NESTING_DEPTH``. Dropped tags keep
  their text. No real article nests that deep; parsers and browsers downstream
  have their own limits (libxml2 256, Chromium 512).
* Word boundaries. nh3 unwraps a tag it does not allow, so
  ``<div>a</div><div>b</div>`` would come out as ``ab``, and html5ever drops
  table cells outside a table the same way. Before the allow-list pass, a
  wider nh3 pass keeps the block containers pasted documents are made of
  (``div``, ``section``, ``header``, Google Docs' and Word's wrappers ...),
  and ``_keep_word_boundaries`` turns each into paragraphs where a paragraph
  may stand, into a list item inside a list, or into ``<br>`` line breaks
  inside a paragraph or inline element; ``h1``/``h5``/``h6`` become the
  nearest allowed heading. It never nests deeper than its input, so the
  nesting bound holds, and clean HTML passes through it unchanged.
* Stability. Cleaning can change how the rest parses (nh3 unwraps an
  ``<object>``, which lets a ``<p>`` inside it close the one outside), so the
  output is cleaned again until it no longer changes: cleaning clean HTML
  returns it unchanged.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable
from urllib.parse import unquote, urlsplit

import nh3
from django.conf import settings

from masthead.newsroom.editions import edition_netlocs
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
    # A body figure names its library image; a gallery groups such figures
    # (docs/media-in-stories.md). Values are held to their form below.
    "figure": {"data-image", "data-gallery"},
    "span": {"class"},  # only class="credit", the credit line of a figure
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
    cleaned = _clean_keeping_boundaries(
        _limit_nesting(strip_invisible(html), _PARSE_NESTING_BUDGET)
    )
    for _ in range(_MAX_PASSES):
        again = strip_invisible(cleaned)
        if _nests_deeper(again, MAX_NESTING_DEPTH):
            again = _limit_nesting(again, MAX_NESTING_DEPTH)
        again = _clean_keeping_boundaries(again)
        if again == cleaned:
            break
        cleaned = again
    return cleaned


# The figure markers as the sanitiser writes them (every value double-quoted).
_IMAGE_REFERENCE = re.compile(r' data-(?:image|gallery)="[^"]*"')


def without_image_references(clean_html: str) -> str:
    """Clean HTML from outside the outlet (wire copy, imports) with no figure naming an image.

    Only the outlet's own people choose library images (``stories/body_images.py``
    checks each against the writer): an agency's feed or an old site's export
    that wrote ``data-image="7"`` would otherwise name image 7, whatever it is,
    and publishing the copy would make it public. The figures stay, as plain ones.
    """
    return _IMAGE_REFERENCE.sub("", clean_html)


def _clean_keeping_boundaries(html: str) -> str:
    wide = _clean(_space_table_parts(html), wide=True)
    if _nests_deeper(wide, MAX_NESTING_DEPTH):  # which also bounds the recursion below
        wide = _clean(_limit_nesting(wide, MAX_NESTING_DEPTH), wide=True)
    return _clean(_keep_word_boundaries(wide))


def _clean(html: str, *, wide: bool = False) -> str:
    """The allow-list pass; ``wide`` also keeps the containers that mark word boundaries."""
    # Read here, not in the filter: nh3 takes an exception in its filter for "drop the
    # attribute", so an error reading the editions would quietly remove every image.
    where = own_media_hosts()
    clean = nh3.clean(
        html,
        tags=set(_WIDE_TAGS if wide else ALLOWED_TAGS),
        attributes=_WIDE_ATTRIBUTES if wide else _ATTRIBUTES_ALLOWED,
        attribute_filter=lambda tag, attribute, value: _drop_unsafe_url(
            tag, attribute, value, where
        ),
        url_schemes=set(ALLOWED_URL_SCHEMES),
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    # An image whose source was dropped shows nothing: it goes too.
    return _IMAGE_WITHOUT_SOURCE.sub("", clean).strip()


# nh3 writes every attribute as  name="value", so this reads its output exactly.
_IMAGE_WITHOUT_SOURCE = re.compile(r'<img(?: (?!src=)[a-z-]+="[^"]*")*>')


# nh3 checks the scheme of href and src, but passes cite="javascript:..." through.
_URL_ATTRIBUTES = frozenset({("a", "href"), ("img", "src"), ("blockquote", "cite"), ("q", "cite")})
_URL_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
_URL_TAB_OR_NEWLINE = re.compile(r"[\t\n\r]")  # browsers ignore these anywhere in a URL
_C0_OR_SPACE = "".join(map(chr, range(0x21)))  # and these around it


# Attributes allowed only with one form of value: anything else is dropped.
_FIGURE_IMAGE_ID = re.compile(r"[1-9][0-9]{0,17}")


# A paragraph's direction: the three values browsers know, nothing else.
_DIRECTIONS = frozenset({"ltr", "rtl", "auto"})


def _drop_unsafe_url(tag: str, attribute: str, value: str, where=None) -> str | None:
    if attribute == "dir":
        direction = value.strip().lower()
        return direction if direction in _DIRECTIONS else None
    if (tag, attribute) == ("figure", "data-image"):
        return value if _FIGURE_IMAGE_ID.fullmatch(value) else None
    if (tag, attribute) == ("figure", "data-gallery"):
        return ""  # a marker: its value carries nothing
    if (tag, attribute) == ("span", "class"):
        return "credit" if "credit" in value.split() else None
    if (tag, attribute) not in _URL_ATTRIBUTES:
        return value
    url = _URL_TAB_OR_NEWLINE.sub("", value).strip(_C0_OR_SPACE)
    if (tag, attribute) == ("img", "src"):
        return value if is_own_media(url, where) else None
    scheme = _URL_SCHEME.match(url)
    if scheme and scheme.group(1).lower() not in ALLOWED_URL_SCHEMES:
        return None
    return value


def own_media_hosts() -> tuple[frozenset[str], bool, str]:
    """Where the outlet's media are: their hosts, whether a bare path names them, and
    the path under which they are. Reads the editions' hosts (the database, cached)."""
    media = urlsplit(settings.MEDIA_URL)
    media_path = media.path.rstrip("/") + "/"
    if media.netloc:  # media on a host of its own (a CDN, object storage)
        return frozenset({media.netloc.lower()}), False, media_path
    # The main host and every edition's host (fa.news.example) serve the same media.
    site = urlsplit(settings.SITE_URL).netloc.lower()
    return frozenset(({site} | edition_netlocs()) - {""}), True, media_path


def is_own_media(url: str, where: tuple[frozenset[str], bool, str] | None = None) -> bool:
    """Whether ``url`` names a file under ``MEDIA_URL`` on the outlet's own host
    (``where``: ``own_media_hosts()``, read once by a caller checking many)."""
    if "\\" in url:
        return False  # browsers read a backslash as a slash: /\host is //host
    hosts, paths_may_be_relative, media_path = where or own_media_hosts()
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        # A host, even without a scheme (//host/…), must be ours: user@host never is.
        if parts.scheme.lower() not in ("http", "https") or parts.netloc.lower() not in hosts:
            return False
    elif not (paths_may_be_relative and url.startswith("/")):
        return False
    # Browsers resolve ".." and "%2e%2e" before fetching: /media/../desk/ is /desk/.
    segments = unquote(parts.path).split("/")
    return unquote(parts.path).startswith(media_path) and not {".", ".."} & set(segments)


# --- Nesting limit -----------------------------------------------------------
#
# _limit_nesting follows the HTML tokenizer exactly (tags, attributes,
# comments, raw text, script escapes) and html5ever's tree building roughly.
# Where it is unsure it keeps elements open, so its depth is never below the
# parser's by more than the few elements the parser adds itself (tbody, tr,
# reformatted b/i ...). After <svg>, <math>, <select> or <template>, where
# tokenizing depends on tree building, it counts every start tag and no end tag.

_TAG_NAME = re.compile(r"[^\t\n\f />]*+")
_ATTRIBUTES = re.compile(
    r"""(?:[\t\n\f /]++|[^\t\n\f />][^\t\n\f />=]*+"""
    r"""(?:[\t\n\f ]*+=[\t\n\f ]*+(?:"[^"]*+"|'[^']*+'|[^\t\n\f >"'][^\t\n\f >]*+)?+)?+)*+"""
)
_COMMENT_END = re.compile(r"--!?>")
_SCRIPT_EVENT = re.compile(r"<!--|-->|</?script(?=[\t\n\f />])", re.ASCII | re.IGNORECASE)
_START_TAG_OPEN = re.compile(r"<++(?=[A-Za-z])")
_CLEAN_TAG = re.compile(r"<(/?)([a-z][a-z0-9]*)")
_TO_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def _names(words: str) -> frozenset[str]:
    return frozenset(words.split())


_VOID = _names("area base basefont bgsound br col embed hr image img input keygen link meta")
_VOID |= _names("param source track wbr")
_IGNORED_IN_BODY = _names("html head body frameset frame")
_RAW_TEXT = _names("script style textarea title xmp iframe noembed noframes noscript")
_RAW_TEXT_END = {
    name: re.compile(rf"</{name}(?=[\t\n\f />])", re.ASCII | re.IGNORECASE) for name in _RAW_TEXT
}
# Where tokenizing depends on tree building in ways not modelled here.
_TREE_DEPENDENT = _names("svg math select template")
_FORMATTING = _names("a b big code em font i nobr s small strike strong tt u")
_HEADINGS = _names("h1 h2 h3 h4 h5 h6")
_SPECIAL = _HEADINGS | _names(
    "address applet area article aside base basefont bgsound blockquote body br button caption "
    "center col colgroup dd details dir div dl dt embed fieldset figcaption figure footer form "
    "frame frameset head header hgroup hr html iframe img input keygen li link listing main "
    "marquee menu meta nav noembed noframes noscript object ol p param plaintext pre script "
    "search section select source style summary table tbody td template textarea tfoot th "
    "thead title tr track ul wbr xmp"
)
_CLOSES_P = _HEADINGS | _names(
    "address article aside blockquote center details dialog dir div dl fieldset figcaption "
    "figure footer header hgroup main menu nav ol p search section summary ul pre listing form "
    "li dd dt table hr xmp plaintext"
)
_SCOPE = _names("applet caption html table td th marquee object template")
_BUTTON_SCOPE = _SCOPE | {"button"}
_LIST_ITEM_SCOPE = _SCOPE | {"ol", "ul"}
_TABLE_SCOPE = _names("html table template")
_MARKERS = _names("applet caption marquee object td th template")
# Start tags that close an open list item or definition, and what stops the search.
_CLOSES_ITEM = {
    "li": ({"li"}, _SPECIAL - _names("address div p li")),
    "dd": ({"dd", "dt"}, _SPECIAL - _names("address div p dd dt")),
    "dt": ({"dd", "dt"}, _SPECIAL - _names("address div p dd dt")),
}
_TABLE_OR_CELL = _names("table td th caption")
_RUBY_PARTS = _names("rb rtc rp rt")
# Table parts close what is open above the nearest of these.
_TABLE_CONTEXT = {
    "td": _names("tr tbody thead tfoot table"),
    "th": _names("tr tbody thead tfoot table"),
    "tr": _names("tbody thead tfoot table"),
    **dict.fromkeys(_names("tbody thead tfoot caption colgroup col"), _names("table")),
}
# End tags that close the nearest such element in scope, with whatever is above it.
_END_SCOPE = {
    **dict.fromkeys(
        _names(
            "address article aside blockquote button center details dialog dir div dl "
            "fieldset figcaption figure footer header hgroup listing main menu nav ol pre "
            "search section summary ul dd dt applet marquee object"
        ),
        _SCOPE,
    ),
    "li": _LIST_ITEM_SCOPE,
    "p": _BUTTON_SCOPE,
    **dict.fromkeys(_HEADINGS, _SCOPE),
    **dict.fromkeys(_names("table tbody thead tfoot tr td th caption"), _TABLE_SCOPE),
}

# Every set of names that ends a search down the stack.
_SCOPE_ENDS = frozenset(
    {*_END_SCOPE.values(), *(stops for _, stops in _CLOSES_ITEM.values()), _SPECIAL, _MARKERS}
)


def _limit_nesting(html: str, budget: int) -> str:
    """``html`` without the start tags that would open elements beyond ``budget`` deep."""
    if html.count("<") <= budget:
        return html  # so few tags cannot nest deep enough to matter
    kept: list[str] = []
    elements = _OpenElements()
    dropped: list[str] = []
    copied = position = 0
    while (opening := html.find("<", position)) != -1:
        following = html[opening + 1 : opening + 2]
        if following.isascii() and following.isalpha():
            name_end = _TAG_NAME.match(html, opening + 1).end()
            name = html[opening + 1 : name_end].translate(_TO_LOWER)
            if name in _TREE_DEPENDENT:
                kept.append(html[copied:opening])
                kept.append(_limit_every_start_tag(html[opening:], elements.depth, budget))
                return "".join(kept)
            tag_end = _tag_end(html, name_end)
            if tag_end is None or name == "plaintext":
                break  # the parser drops an unclosed tag; after <plaintext> all is text
            position = tag_end
            if name in _RAW_TEXT:
                position = _raw_text_end(html, tag_end, name)
            elif not elements.start(name, budget):
                kept.append(html[copied:opening])
                copied = tag_end
                dropped.append(name)
        elif following == "/":
            name, position = _end_tag(html, opening)
            if name and position and dropped and dropped[-1] == name:
                # Its start tag is gone; left alone, a stray </p> would open a new p.
                dropped.pop()
                kept.append(html[copied:opening])
                copied = position
            elif name and position:
                elements.end(name)
        elif following == "!" or following == "?":
            position = _comment_end(html, opening)
        else:
            position = opening + 1
        if position is None:
            break
    kept.append(html[copied:])
    return "".join(kept)


class _OpenElements:
    """html5ever's stack of open elements as the tags tell it, never shallower.

    An element is *certain* while the parser surely has it open. Where the
    parser may close elements in ways not modelled here, they become uncertain:
    they still count, and an end tag closes through them only up to a certain
    element, so a misjudged element can never make the estimate too shallow.

    Every search the parser makes down its stack is answered here from
    per-name and per-scope stacks of positions, in constant time: a walk down
    the stack would make this scan as slow as the parse it protects.
    """

    def __init__(self) -> None:
        self.names: list[str] = []
        self.certain: list[bool] = []
        self.certain_positions: list[int] = []
        self.positions: dict[str, list[int]] = {}
        # For each set of scope-ending names: positions of all, and of certain, members.
        self.scope_positions = {stops: ([], []) for stops in _SCOPE_ENDS}
        self.scopes_by_name: dict[str, list[tuple[list[int], list[int]]]] = {}
        # Formatting elements closed along with an element around them: the
        # parser reopens them at the next content, so they still count.
        self.to_reopen = 0

    @property
    def depth(self) -> int:
        return len(self.names) + self.to_reopen

    def start(self, name: str, budget: int) -> bool:
        """Apply start tag ``name``; False if it would open an element ``budget`` deep."""
        if name in _IGNORED_IN_BODY:
            return True
        if self.names and self.names[-1] == "colgroup" and name != "col":
            self._pop_to(len(self.names) - 1)  # anything but a column closes a column group
        certain = True
        if name in _TABLE_CONTEXT:
            table = self._nearest(("table",))
            if table is None:
                return True  # ignored outside a table
            certain = self.certain[table]
            self._close_above(_TABLE_CONTEXT[name])
        else:
            self._close_implied_by(name)
        if name in _VOID:
            return True
        if self.depth >= budget:
            return False
        self._push(name, certain and name != "form")  # a second form is ignored
        return True

    def end(self, name: str) -> None:
        if name in _END_SCOPE:
            self._close(_HEADINGS if name in _HEADINGS else (name,), _END_SCOPE[name])
        elif name in _FORMATTING:
            if self.names and self.names[-1] == name:
                self._pop_to(len(self.names) - 1, reopen=False)
            else:
                self._doubt_from(self._nearest((name,)))  # the adoption agency moves things
        elif name == "form":
            self._doubt_from(self._nearest(("form",)))  # removed from the stack, not popped to
        else:
            self._close((name,), _SPECIAL)

    def _close_implied_by(self, name: str) -> None:
        if name in _CLOSES_P:
            self._close(("p",), _BUTTON_SCOPE)
        if name in _CLOSES_ITEM:
            self._close(*_CLOSES_ITEM[name])
        elif name in _HEADINGS or name in {"option", "optgroup"}:
            # Closed only if it is the current node, which may sit above this stack.
            self._doubt_from(self._nearest(_HEADINGS if name in _HEADINGS else ("option",)))
        elif name == "button":
            self._close(("button",), _SCOPE)
        elif name in {"a", "nobr"}:
            self._doubt_from(self._nearest((name,), stops=_MARKERS))
        elif name == "table":
            inner = self._nearest(_TABLE_OR_CELL)
            if inner is not None and self.names[inner] == "table":
                self._doubt_from(inner)  # a table in table mode closes the open one
        elif name in _RUBY_PARTS:
            self._doubt_from(0)

    def _close(self, targets: Iterable[str], stops: frozenset[str]) -> None:
        """Close the nearest of ``targets`` not beyond an element of ``stops``."""
        index = self._nearest(targets)
        if index is None:
            return
        every_stop, certain_stops = self.scope_positions[stops]
        if certain_stops and certain_stops[-1] > index:
            return  # out of scope
        if self.certain[index] and not (every_stop and every_stop[-1] > index):
            self._pop_to(index)
        else:
            self._doubt_from(index)

    def _close_above(self, context: Iterable[str]) -> None:
        """Close everything above the nearest element of ``context``."""
        index = self._nearest(context)
        if index is None:
            return
        if self.certain[index]:
            self._pop_to(index + 1)
        else:
            self._doubt_from(index)

    def _nearest(self, targets: Iterable[str], stops: frozenset[str] | None = None) -> int | None:
        index = None
        for name in targets:
            found = self.positions.get(name)
            if found and (index is None or found[-1] > index):
                index = found[-1]
        if index is not None and stops is not None:
            certain_stops = self.scope_positions[stops][1]
            if certain_stops and certain_stops[-1] > index:
                return None
        return index

    def _scopes_ended_by(self, name: str) -> list[tuple[list[int], list[int]]]:
        found = self.scopes_by_name.get(name)
        if found is None:
            found = [kept for stops, kept in self.scope_positions.items() if name in stops]
            self.scopes_by_name[name] = found
        return found

    def _push(self, name: str, certain: bool) -> None:
        index = len(self.names)
        self.names.append(name)
        self.certain.append(certain)
        self.positions.setdefault(name, []).append(index)
        if certain:
            self.certain_positions.append(index)
        for every_stop, certain_stops in self._scopes_ended_by(name):
            every_stop.append(index)
            if certain:
                certain_stops.append(index)

    def _pop_to(self, index: int, *, reopen: bool = True) -> None:
        while len(self.names) > index:
            name, certain = self.names.pop(), self.certain.pop()
            self.positions[name].pop()
            if certain:
                self.certain_positions.pop()
            for every_stop, certain_stops in self._scopes_ended_by(name):
                every_stop.pop()
                if certain:
                    certain_stops.pop()
            self.to_reopen += reopen and name in _FORMATTING

    def _doubt_from(self, index: int | None) -> None:
        if index is None:
            return
        while self.certain_positions and self.certain_positions[-1] >= index:
            position = self.certain_positions.pop()
            self.certain[position] = False
            for _, certain_stops in self._scopes_ended_by(self.names[position]):
                certain_stops.pop()


def _nests_deeper(clean_html: str, limit: int) -> bool:
    """Whether nh3's output, which closes every element it opens, nests beyond ``limit``."""
    depth = 0
    for tag in _CLEAN_TAG.finditer(clean_html):
        if tag[1]:
            depth -= 1
        elif tag[2] not in _VOID:
            depth += 1
            if depth > limit:
                return True
    return False


def _end_tag(html: str, opening: int) -> tuple[str | None, int | None]:
    """The name of the end tag at ``opening`` (None if it is not one), and where it ends."""
    following = html[opening + 2 : opening + 3]
    if following == ">":
        return None, opening + 3
    if not (following.isascii() and following.isalpha()):
        return None, _comment_end(html, opening)
    name_end = _TAG_NAME.match(html, opening + 2).end()
    return html[opening + 2 : name_end].translate(_TO_LOWER), _tag_end(html, name_end)


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


def _limit_every_start_tag(html: str, depth: int, budget: int) -> str:
    """Count every ``<`` before a letter as an element that stays open; drop the excess."""
    for found in _START_TAG_OPEN.finditer(html):
        depth += 1
        if depth > budget:
            head, tail = html[: found.start()], html[found.start() :]
            return head + _START_TAG_OPEN.sub("", tail)
    return html


# --- Word boundaries -----------------------------------------------------------
#
# The wide pass keeps these containers (with the global attributes only) so
# that _keep_word_boundaries sees where blocks began and ended; the
# allow-list pass after it never sees them.

# Block containers outside the allow-list: their content becomes paragraphs.
_DISSOLVED = _names(
    "address article aside center datalist details dialog div fieldset footer form header "
    "hgroup legend main marquee nav optgroup option search section select summary"
)
# Block elements with an allowed equivalent.
_RENAMED = {"h1": "h2", "h5": "h4", "h6": "h4", "menu": "ul", "dir": "ul", "listing": "pre"}
_WIDE_TAGS = ALLOWED_TAGS | _DISSOLVED | frozenset(_RENAMED)
_ATTRIBUTES_ALLOWED = {tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()}
# Google Docs wraps a whole paste in <b id="docs-internal-guid-..." style="font-weight:normal">.
_WIDE_ATTRIBUTES = {**_ATTRIBUTES_ALLOWED, "b": {"id"}}
_DOCS_WRAPPER_ID = "docs-internal-guid"
_INHERITED = ("dir", "lang")

_PHRASING = _names("a abbr b br cite code em i img mark q s small span strong sub sup time u")
_VOID_ALLOWED = _names("br hr img")
# Where a paragraph may stand.
_FLOW = _names("blockquote li dd dt td th figure figcaption caption")
_LISTS = {"ul": "li", "ol": "li", "dl": "dd"}  # and the item a container becomes in each
_LIST_ITEMS = {"li": {"ul", "ol"}, "dt": {"dl"}, "dd": {"dl"}}
_TABLE_PARTS = _names("table thead tbody tfoot tr")
# html5ever ignores these tags outside a table, gluing the cells' words; a space
# before each start tag and after each end tag keeps them apart. In a real table
# the space lands between cells, where _keep_word_boundaries drops it again.
_TABLE_PART_START = re.compile(
    r"<(?=(?:td|th|tr|tbody|thead|tfoot|caption|colgroup|col)[\t\n\f />])", re.IGNORECASE
)
_TABLE_PART_END = re.compile(
    r"</(?:td|th|tr|tbody|thead|tfoot|caption|colgroup|col)(?=[\t\n\f />])[^>]*>", re.IGNORECASE
)


def _space_table_parts(html: str) -> str:
    if "<" not in html:
        return html
    return _TABLE_PART_END.sub(r"\g<0> ", _TABLE_PART_START.sub(" <", html))


class _Element:
    __slots__ = ("attributes", "children", "has_content", "name", "start_tag")

    def __init__(self, name: str, start_tag: str) -> None:
        self.name = _RENAMED.get(name, name)
        self.start_tag = start_tag if self.name == name else None  # None: write it anew
        self.attributes = _ATTRIBUTE.findall(start_tag)  # (name, escaped value) pairs
        self.children: list[_Element | str] = []
        self.has_content = name == "img"


# nh3's output is regular: lower-case names, every attribute value in double
# quotes with <, >, & and " escaped, text escaped, every element closed. So a
# regular expression reads it exactly (and much faster than html.parser).
_CLEAN_TAG_TOKEN = re.compile(r"<(/?)([a-z][a-z0-9]*)([^>]*)>")
_ATTRIBUTE = re.compile(r' ([^\s="]+)(?:="([^"]*)")?')


def _tree(html: str) -> _Element:
    """The wide pass's output as a tree."""
    root = _Element("", "")
    stack: list[_Element | None] = [root]  # None: a Google Docs wrapper, left out
    parent = root
    position = 0
    for tag in _CLEAN_TAG_TOKEN.finditer(html):
        if tag.start() > position:
            text = html[position : tag.start()]
            _append_text(parent, text)
        position = tag.end()
        is_end, name, attributes = tag.groups()
        if is_end:
            if len(stack) > 1:
                closed = stack.pop()
                if closed is not None:
                    parent = _parent(stack)
                    parent.has_content = parent.has_content or closed.has_content
            continue
        if name == "b" and f'id="{_DOCS_WRAPPER_ID}' in attributes:
            stack.append(None)
            continue
        if " id=" in attributes:
            attributes = re.sub(r' id="[^"]*"', "", attributes)
        element = _Element(name, f"<{name}{attributes}>")
        parent.children.append(element)
        if name not in _VOID_ALLOWED:
            stack.append(element)
            parent = element
    if position < len(html):
        _append_text(parent, html[position:])
    return root


def _parent(stack: list[_Element | None]) -> _Element:
    return next(element for element in reversed(stack) if element is not None)


def _append_text(parent: _Element, text: str) -> None:
    if parent.children and isinstance(parent.children[-1], str):
        parent.children[-1] += text
    else:
        parent.children.append(text)
    if not text.isspace():
        parent.has_content = True


class _Block(str):
    """Rendered block-level HTML: a boundary of its own, needing no <br> beside it."""


_BREAK = object()  # a line break, if content stands on both sides of it


def _keep_word_boundaries(html: str) -> str:
    """Turn the wide pass's block containers into allowed blocks, never gluing words."""
    if "<" not in html:
        return html
    return "".join(_resolve_breaks(_render_children(_tree(html), "", {})))


def _start_tag(name: str, attributes: Iterable[tuple[str, str]]) -> str:
    """A start tag from escaped attribute values."""
    return "<" + name + "".join(f' {key}="{value}"' for key, value in attributes) + ">"


def _kept_start_tag(element: _Element, inherited: dict[str, str]) -> str:
    own = {name for name, _ in element.attributes}
    added = [(key, value) for key, value in inherited.items() if key not in own]
    if element.start_tag is not None and not added:
        return element.start_tag
    return _start_tag(element.name, element.attributes + added)


def _inheriting(element: _Element, inherited: dict[str, str]) -> dict[str, str]:
    own = {k: v for k, v in element.attributes if k in _INHERITED and v}
    return {**inherited, **own} if own else inherited


def _is_dissolved(element: _Element, parent: str) -> bool:
    if element.name in _DISSOLVED:
        return True
    lists = _LIST_ITEMS.get(element.name)
    return lists is not None and parent not in lists


def _render_children(element: _Element, context: str, inherited: dict[str, str]) -> list:
    """The pieces of ``element``'s content, as it stands inside ``context`` (a tag name)."""
    pieces: list = []
    for child in element.children:
        if isinstance(child, str):
            if not (context in _TABLE_PARTS and child.isspace()):
                pieces.append(child)
        elif not _is_dissolved(child, context):
            pieces += _render_kept(child, inherited)
        elif context in _LISTS:
            pieces += _render_as_item(child, context, inherited)
        elif context in _TABLE_PARTS:
            pieces += _render_children(child, context, inherited)
        elif context == "" or context in _FLOW:
            # An empty block still ends the line it stands in (``w0<div><br></div>w0``
            # reads as two lines): a break between the words around it, not nothing.
            pieces += _paragraphs(child, _inheriting(child, inherited)) or [_BREAK]
        else:  # inside a paragraph, heading or inline element: lines
            pieces += [_BREAK, *_render_children(child, context, inherited), _BREAK]
    return pieces


def _render_kept(element: _Element, inherited: dict[str, str]) -> list:
    name = element.name
    if name in _PHRASING:
        start = _kept_start_tag(element, {})
        if name in _VOID_ALLOWED:
            return [start]
        inner = _render_children(element, name, {})
        leading = inner[:1] == [_BREAK]
        trailing = inner[-1:] == [_BREAK]
        body = "".join(_resolve_breaks(inner))
        return [*[_BREAK] * leading, start, body, f"</{name}>", *[_BREAK] * trailing]
    start = _kept_start_tag(element, inherited)
    if name in _VOID_ALLOWED:
        return [_Block(start)]
    inner = "".join(_resolve_breaks(_render_children(element, name, {})))
    return [_Block(f"{start}{inner}</{name}>")]


def _render_as_item(element: _Element, context: str, inherited: dict[str, str]) -> list:
    """A container inside a list: its items if it holds some, else an item itself."""
    item = _LISTS[context]
    if any(isinstance(child, _Element) and child.name in _LIST_ITEMS for child in element.children):
        return _render_children(element, context, inherited)
    inherited = _inheriting(element, inherited)
    inner = "".join(_resolve_breaks(_render_children(element, item, {})))
    return [_Block(f"{_start_tag(item, inherited.items())}{inner}</{item}>")]


def _paragraphs(element: _Element, inherited: dict[str, str]) -> list:
    """A container's content where paragraphs may stand: runs of text become paragraphs."""
    blocks: list = []
    run: list = []
    run_has_content = False

    def end_run() -> None:
        nonlocal run_has_content
        if run_has_content:
            text = "".join(_resolve_breaks(run)).strip()
            text = _EDGE_BREAKS.sub("", text)
            blocks.append(_Block(f"{_start_tag('p', inherited.items())}{text}</p>"))
        run.clear()
        run_has_content = False

    for child in element.children:
        if isinstance(child, str):
            run.append(child)
            run_has_content = run_has_content or not child.isspace()
        elif _is_dissolved(child, ""):
            end_run()
            blocks += _paragraphs(child, _inheriting(child, inherited))
        elif child.name in _PHRASING:
            run += _render_kept(child, {})
            run_has_content = run_has_content or child.has_content
        else:
            end_run()
            blocks += _render_kept(child, inherited)
    end_run()
    return blocks


_EDGE_BREAKS = re.compile(r"^(?:<br>\s*)+|(?:\s*<br>)+$")


def _resolve_breaks(pieces: list) -> list[str]:
    """Each break between two pieces of content becomes one <br>; the rest go."""
    resolved: list[str] = []
    pending = False
    for piece in pieces:
        if piece is _BREAK:
            pending = bool(resolved) and not isinstance(resolved[-1], _Block)
            continue
        if pending and piece.strip():
            if not isinstance(piece, _Block) and piece != "<br>":
                resolved.append("<br>")
            pending = False
        if piece == "<br>" and resolved and resolved[-1] == "<br>" and pending:
            continue
        resolved.append(piece)
    return resolved
