"""Template helpers of the wire queue: urgency in words, safe provider links,
a plain-text glimpse of an item, and an item's body through the one sanitiser."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from masthead.backoffice.diff import body_text
from masthead.newsroom.sanitize import sanitize_body
from masthead.wire import queue
from masthead.wire.attribution import web_url
from masthead.wire.items import Status
from masthead.wire.models import WireItem

register = template.Library()

URGENCY_WORDS = {1: "Flash", 2: "Urgent"}


@register.filter
def urgency_word(item: WireItem) -> str:
    """ "Flash" (1) or "Urgent" (2); empty for the rest, which show their number."""
    return URGENCY_WORDS.get(item.urgency or 0, "")


@register.filter
def is_urgent(item: WireItem) -> bool:
    return queue.is_urgent(item)


@register.filter
def is_held(item: WireItem, now=None) -> bool:
    return queue.is_held(item, now)


@register.filter
def agency(item: WireItem) -> str:
    return queue.agency_of(item)


@register.filter
def web_link(url: str) -> str:
    """``url`` if it is an http(s) address, else "" (no ``javascript:`` in an href)."""
    return web_url(url)


@register.filter
def glimpse(item: WireItem, length: int = 180) -> str:
    """The dek, else the start of the text, as plain text (the template escapes it)."""
    text = " ".join((item.dek or "").split())
    if not text and "body" not in item.get_deferred_fields():
        text = " ".join(body_text(item.body).split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


@register.filter
def clean_body(html: str) -> SafeString:
    """An item's body through the one sanitiser (again: an item may have come in by any path)."""
    return mark_safe(sanitize_body(html))  # noqa: S308 - the sanitiser's output


@register.filter
def is_killed(item: WireItem) -> bool:
    return item.status == Status.CANCELED


@register.filter
def is_withheld(item: WireItem) -> bool:
    return item.status == Status.WITHHELD


@register.filter
def kill_reason(item: WireItem) -> str:
    """Why the agency killed the item (read only for killed items: they are few)."""
    return queue.kill_reason(item)
