"""A WordPress post's text as Masthead keeps it: body HTML, plain headline and dek.

WordPress stores the classic editor's text as the author typed it: blank
lines are paragraphs and single line breaks are ``<br>``, which its
``wpautop`` filter adds when a page is shown; shortcodes such as
``[caption]`` are expanded by PHP at the same moment. The export holds that
raw text, so the import does both here, once: ``autop`` is a port of
``wpautop`` (wp-includes/formatting.php) reduced to what changes the
result after sanitising, and ``expand_shortcodes`` knows WordPress's own
shortcodes. Block-editor posts (``<!-- wp:paragraph -->`` …) already hold
their paragraphs, as WordPress assumes too, and are left to the sanitiser.

No library does this in Python (the PHP is the reference). Whatever comes
out still goes through the one sanitiser (``Story.save`` →
``newsroom.sanitize.sanitize_body``): this module makes structure, it never
decides what is safe.

Images inside the text are not carried over: they live on the old site and a
Masthead body shows only the outlet's own media. They are counted, so the
import report can say so; a ``[caption]`` around such an image goes with it.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from django.utils.html import escape, strip_tags

from masthead.newsroom.sanitize import is_own_media
from masthead.newsroom.text import clean_line, clean_paragraphs

_BLOCKS = (
    r"(?:table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre"
    r"|form|map|area|blockquote|address|math|style|p|h[1-6]|hr|fieldset|legend|section"
    r"|article|aside|hgroup|header|footer|nav|figure|figcaption|details|menu|summary)"
)
_BLOCK_OPEN = re.compile(rf"(<{_BLOCKS}[\s/>])", re.IGNORECASE)
_BLOCK_CLOSE = re.compile(rf"(</{_BLOCKS}>)", re.IGNORECASE)
_BLOCK_TAG = rf"</?{_BLOCKS}[^>]*>"
_PRE = re.compile(r"<pre[\s>].*?</pre>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]*>")
_IMG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_SRC = re.compile(r"""\bsrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)


def autop(text: str) -> str:
    """Blank-line paragraphs to ``<p>``, single line breaks to ``<br>`` (``wpautop``)."""
    if not text.strip():
        return ""
    kept: list[str] = []

    def keep_pre(match: re.Match) -> str:
        kept.append(match.group(0))
        return f"<pre wp-pre-tag-{len(kept) - 1}></pre>"

    text = _PRE.sub(keep_pre, text.replace("\r\n", "\n").replace("\r", "\n")) + "\n"
    text = re.sub(r"<br\s*/?>\s*<br\s*/?>", "\n\n", text, flags=re.IGNORECASE)
    text = _BLOCK_OPEN.sub(r"\n\n\1", text)
    text = _BLOCK_CLOSE.sub(r"\1\n\n", text)
    # Line breaks inside a tag (attributes over several lines) are not the author's.
    text = _TAG.sub(lambda match: match.group(0).replace("\n", " "), text)
    text = re.sub(r"\n\n+", "\n\n", text)
    paragraphs = [part.strip("\n") for part in re.split(r"\n\s*\n", text) if part.strip()]
    text = "".join(f"<p>{part}</p>\n" for part in paragraphs)
    text = re.sub(r"<p>\s*</p>", "", text)
    text = re.sub(rf"<p>\s*({_BLOCK_TAG})\s*</p>", r"\1", text, flags=re.IGNORECASE)
    text = re.sub(r"<p><blockquote([^>]*)>", r"<blockquote\1><p>", text, flags=re.IGNORECASE)
    text = re.sub(r"</blockquote></p>", "</p></blockquote>", text, flags=re.IGNORECASE)
    text = re.sub(rf"<p>\s*({_BLOCK_TAG})", r"\1", text, flags=re.IGNORECASE)
    text = re.sub(rf"({_BLOCK_TAG})\s*</p>", r"\1", text, flags=re.IGNORECASE)
    text = re.sub(r"(?<!<br />)\s*\n(?!$)", "<br />\n", text)
    text = re.sub(rf"({_BLOCK_TAG})\s*<br />", r"\1", text, flags=re.IGNORECASE)
    text = re.sub(
        r"<br />(\s*</?(?:p|li|div|dl|dd|dt|th|pre|td|ul|ol)[^>]*>)",
        r"\1",
        text,
        flags=re.IGNORECASE,
    )
    text = re.sub(r"<br />\n</p>", "</p>", text)
    for number, block in enumerate(kept):
        text = text.replace(f"<pre wp-pre-tag-{number}></pre>", block)
    return text.strip()


# Shortcodes ---------------------------------------------------------------------

# WordPress's own shortcodes that make a link, and those that show nothing without PHP.
_LINKED = frozenset({"embed", "audio", "video"})
_REMOVED = frozenset({"gallery", "playlist"})
_CAPTION = frozenset({"caption", "wp_caption"})
# Page builders' layout shortcodes wrap the text: the wrappers go, the text stays.
_WRAPPER_PREFIXES = ("vc_", "et_pb_", "fusion_", "su_", "tie_", "av_", "mk_", "bt_")
# [name attrs], [name attrs /], [/name]; doubled brackets ([[name]]) are literal text.
_TOKEN = re.compile(r"\[(\[?)(/?)([A-Za-z][\w-]*)((?:\s[^\[\]]*)?)\](\]?)")
_ATTRIBUTE = re.compile(r"""([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s'"]+))""")
_BARE_URL_LINE = re.compile(r"^[ \t]*(https?://[^\s<>\"']+)[ \t]*$", re.MULTILINE)


@dataclass
class Converted:
    """A post's body ready for the sanitiser, and what could not come along."""

    body: str
    images_dropped: int = 0
    shortcodes_removed: list[str] = field(default_factory=list)
    # HTML blocks made here, kept out of autop's way (WordPress expands shortcodes
    # after autop): the text holds a marker for each until autop is done.
    blocks: list[str] = field(default_factory=list)

    def block(self, html_block: str) -> str:
        if not html_block:
            return ""
        self.blocks.append(html_block)
        return f"\n\n\x00{len(self.blocks) - 1}\x00\n\n"  # XML text never holds NUL

    def put_blocks_back(self, text: str) -> str:
        def block(match: re.Match) -> str:
            return self.blocks[int(match.group(1) or match.group(2))]

        return re.sub(r"<p>\s*\x00(\d+)\x00\s*</p>|\x00(\d+)\x00", block, text)


def _attributes(text: str) -> dict[str, str]:
    return {
        match.group(1).lower(): next(g for g in match.groups()[1:] if g is not None)
        for match in _ATTRIBUTE.finditer(text)
    }


def _is_carried(image_tag: str) -> bool:
    match = _SRC.search(image_tag)
    source = next((g for g in match.groups() if g is not None), "") if match else ""
    return bool(source) and is_own_media(html.unescape(source))


def _link(url: str) -> str:
    url = html.unescape(url.strip())
    if not re.match(r"https?://", url, re.IGNORECASE):
        return ""
    return f'<p><a href="{escape(url)}">{escape(url)}</a></p>'


@dataclass
class _Open:
    name: str
    attributes: str
    parts: list[str] = field(default_factory=list)


class _Expander:
    """Shortcodes to HTML in one pass over the text (a stack, never a backtracking regex)."""

    def __init__(self, converted: Converted):
        self.converted = converted

    def removed(self, name: str) -> None:
        if name not in self.converted.shortcodes_removed:
            self.converted.shortcodes_removed.append(name)

    def pair(self, name: str, attributes: str, inner: str) -> str:
        values = _attributes(attributes)
        if name in _CAPTION:
            images = _IMG.findall(inner)
            if not images or not all(_is_carried(tag) for tag in images):
                self.converted.images_dropped += max(1, len(images))
                return ""
            words = values.get("caption") or _TAG.sub("", inner).strip()
            figure = f"<figure>{''.join(images)}<figcaption>{words}</figcaption></figure>"
            return self.converted.block(figure)
        if name in _LINKED:
            url = _TAG.sub("", inner).strip() or values.get("src", "")
            return self.converted.block(_link(url))
        if name in _REMOVED:
            self.removed(name)
            return ""
        self.removed(name)  # a plugin's wrapper: its text stays
        return inner

    def single(self, name: str, attributes: str) -> str:
        if name in _LINKED:
            values = _attributes(attributes)
            url = values.get("src") or values.get("mp3") or values.get("mp4") or ""
            return self.converted.block(_link(url))
        self.removed(name)
        return ""

    def expand(self, text: str) -> str:
        tokens = list(_TOKEN.finditer(text))
        closed = {match.group(3).lower() for match in tokens if match.group(2)}
        handled = _LINKED | _REMOVED | _CAPTION | closed
        stack = [_Open("", "")]
        position = 0
        for match in tokens:
            name = match.group(3).lower()
            if name not in handled and not name.startswith(_WRAPPER_PREFIXES):
                continue  # [sic], [1], [Editor's note …]: text, as WordPress leaves it
            stack[-1].parts.append(text[position : match.start()])
            position = match.end()
            escaped, closing, attributes = match.group(1), match.group(2), match.group(4)
            if escaped and match.group(5):
                stack[-1].parts.append(match.group(0)[1:-1])
            elif closing:
                self._close(stack, name)
            elif attributes.rstrip().endswith("/") or name not in closed:
                stack[-1].parts.append(self.single(name, attributes.rstrip().rstrip("/")))
            else:
                stack.append(_Open(name, attributes))
        stack[-1].parts.append(text[position:])
        while len(stack) > 1:
            self._unwind(stack)
        return "".join(stack[0].parts)

    def _close(self, stack: list[_Open], name: str) -> None:
        if not any(frame.name == name for frame in stack[1:]):
            return  # a closing tag with no opening: dropped
        while stack[-1].name != name:
            self._unwind(stack)
        frame = stack.pop()
        stack[-1].parts.append(self.pair(frame.name, frame.attributes, "".join(frame.parts)))

    def _unwind(self, stack: list[_Open]) -> None:
        """An opening tag never closed: a shortcode on its own, then the text after it."""
        frame = stack.pop()
        stack[-1].parts.append(self.single(frame.name, frame.attributes) + "".join(frame.parts))


def expand_shortcodes(text: str, converted: Converted) -> str:
    """WordPress's shortcodes as HTML (or gone, reported); other bracketed text untouched."""
    return _Expander(converted).expand(text)


def body_html(content: str) -> Converted:
    """The body of a post (``content:encoded``) as HTML for the sanitiser."""
    converted = Converted(body="")
    text = expand_shortcodes(content or "", converted)
    # A URL alone on its line is an embed in WordPress (oEmbed): a plain link here.
    text = _BARE_URL_LINE.sub(lambda match: converted.block(_link(match.group(1))), text)
    dropped = [tag for tag in _IMG.findall(text) if not _is_carried(tag)]
    converted.images_dropped += len(dropped)
    if "<!-- wp:" not in text:  # block-editor posts hold their own paragraphs
        text = autop(text)
    converted.body = converted.put_blocks_back(text)
    return converted


# Elements whose text is code, not words: gone with their tags from plain text.
_CODE = re.compile(r"<(script|style)\b.*?(?:</\1\s*>|$)", re.IGNORECASE | re.DOTALL)


def plain_text(fragment: str) -> str:
    """HTML or text from WordPress as plain text: tags gone, entities read, one line."""
    return clean_line(html.unescape(strip_tags(_CODE.sub("", fragment or ""))))


def plain_paragraphs(fragment: str) -> str:
    """As ``plain_text``, keeping paragraph breaks (for a dek from an excerpt)."""
    text = re.sub(r"</p\s*>|<br\s*/?>", "\n\n", _CODE.sub("", fragment or ""), flags=re.I)
    return clean_paragraphs(html.unescape(strip_tags(text)))
