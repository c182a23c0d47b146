"""A story body as the blocks an editor works in: paragraphs, headings, list items …

The three-way merge (``backoffice/merge.py``) compares bodies block by block,
so two people who changed different paragraphs both keep their change. A
body is cut into a flat list of *tokens*, each an exact slice of its HTML:

* a paragraph, heading, rule, preformatted text, figure, table … is one token;
* a list (``ul``, ``ol``), a definition list and a quotation are cut into
  their opening tag, one token per item (``li``, ``dt``, ``dd``, or each block
  inside the quotation, cut the same way) and their closing tag, so an item
  added to a list or a paragraph changed inside a quote is a change of one
  token, and the merged HTML is the tokens joined;
* text and inline markup outside any block (older or imported bodies) is one
  token per run.

Whitespace between blocks carries nothing and is dropped. Bodies are cut
after sanitising (``newsroom.sanitize``), whose serialiser closes every
element it opens, so the standard library's tokenizer (``html.parser``) is
all the parsing needed: it only has to find where each top-level element
starts and ends. Written here because no library splits HTML this way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

# Elements whose children are blocks of their own in the merge.
CONTAINERS = frozenset({"ul", "ol", "dl", "blockquote"})
# Elements that are a block (a token) wherever they stand.
BLOCKS = frozenset(
    {
        "p",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "pre",
        "figure",
        "table",
        "li",
        "dt",
        "dd",
        "div",
        "section",
        "details",
        "address",
    }
    | CONTAINERS
)
VOID = frozenset(
    {"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)


@dataclass
class _Element:
    tag: str
    start: int  # offset of its start tag
    open_end: int  # offset just after its start tag
    end: int = -1  # offset just after its end tag
    close_start: int = -1  # offset of its end tag
    children: list[_Element] = field(default_factory=list)


class _Outline(HTMLParser):
    """Where each element starts and ends in the source, and the text between."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=False)
        self.html = html
        self._line_offsets = [0]
        for index, character in enumerate(html):
            if character == "\n":
                self._line_offsets.append(index + 1)
        self.root = _Element("#root", 0, 0)
        self._stack = [self.root]

    def _offset(self) -> int:
        line, column = self.getpos()
        return self._line_offsets[line - 1] + column

    def _open(self, tag: str, text: str | None) -> _Element:
        start = self._offset()
        element = _Element(tag, start, start + len(text or ""))
        self._stack[-1].children.append(element)
        return element

    def handle_starttag(self, tag, attrs) -> None:
        element = self._open(tag, self.get_starttag_text())
        if tag in VOID:
            element.end = element.close_start = element.open_end
        else:
            self._stack.append(element)

    def handle_startendtag(self, tag, attrs) -> None:
        element = self._open(tag, self.get_starttag_text())
        element.end = element.close_start = element.open_end

    def handle_endtag(self, tag) -> None:
        if not any(open_.tag == tag for open_ in self._stack[1:]):
            return  # a stray end tag closes nothing
        start = self._offset()
        end = self.html.index(">", start) + 1
        while self._stack[-1].tag != tag:
            self._close(self._stack.pop(), start, start)
        self._close(self._stack.pop(), start, end)

    @staticmethod
    def _close(element: _Element, close_start: int, end: int) -> None:
        element.close_start, element.end = close_start, end

    def finish(self) -> _Element:
        self.close()
        for element in reversed(self._stack[1:]):
            self._close(element, len(self.html), len(self.html))
        self.root.end = self.root.close_start = len(self.html)
        return self.root


def tokens(html: str) -> list[str]:
    """The body's tokens (see the module docstring); ``"".join`` gives the body back."""
    html = html or ""
    root = _Outline(html)
    root.feed(html)
    return _tokens_of(html, root.finish())


def _tokens_of(html: str, parent: _Element) -> list[str]:
    """Tokens of ``parent``'s content: blocks, containers cut open, inline runs."""
    found: list[str] = []
    run_start: int | None = None  # where the current run of text and inline markup began
    position = parent.open_end

    def end_run(until: int) -> None:
        nonlocal run_start
        text = html[position if run_start is None else run_start : until].strip()
        if text:
            found.append(text)
        run_start = None

    for child in parent.children:
        if child.tag not in BLOCKS:
            run_start = position if run_start is None else run_start
        else:
            end_run(child.start)
            if child.tag in CONTAINERS:
                found.append(html[child.start : child.open_end])
                found.extend(_tokens_of(html, child))
                found.append(html[child.close_start : child.end])
            else:
                found.append(html[child.start : child.end])
        position = child.end
    end_run(parent.close_start)
    return found
