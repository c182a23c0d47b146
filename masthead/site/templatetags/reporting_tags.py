"""Template filters of the "How we reported this" box (``site/reporting.py``)."""

from __future__ import annotations

import itertools

from django import template
from django.utils.safestring import SafeString, mark_safe

from masthead.site.reporting import PARAGRAPH

register = template.Library()


@register.filter
def paragraph_anchors(body: str, numbers) -> SafeString:
    """The story's (already sanitised) body with ``id="p-N"`` on its paragraphs.

    Only when some source points at a paragraph (``numbers``); otherwise the
    body is returned as stored. Runs inside the article's cached fragment, so
    it costs nothing on a warm page.
    """
    body = body or ""
    if not numbers:
        return mark_safe(body)  # noqa: S308 - sanitised on save (newsroom/sanitize.py)
    counter = itertools.count(1)
    numbered = PARAGRAPH.sub(lambda _match: f'<p id="p-{next(counter)}"', body)
    return mark_safe(numbered)  # noqa: S308 - the sanitised body with our own ids added


@register.filter
def paragraph_links(numbers) -> list[tuple[int, str]]:
    """``[(3, "#p-3"), …]`` for a source's paragraph numbers."""
    return [(number, f"#p-{number}") for number in numbers or ()]
