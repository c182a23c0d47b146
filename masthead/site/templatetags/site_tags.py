"""Template tags of the public site: times readers can trust."""

from __future__ import annotations

from datetime import UTC, datetime

from django import template
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.html import format_html

from masthead.site.relative_time import relative_time

register = template.Library()

FULL_FORMAT = "j F Y, H:i T"


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


@register.simple_tag
def reltime(moment: datetime | None):
    """``<time datetime="…" data-relative>16 mins ago</time>``, kept true by script."""
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    return format_html(
        '<time datetime="{}" title="{}" data-relative>{}</time>',
        _iso(moment),
        format_date(local, FULL_FORMAT),
        relative_time(moment),
    )


@register.simple_tag
def fulltime(moment: datetime | None):
    """``<time datetime="…">25 November 2026, 14:03 UTC</time>`` in the outlet's zone."""
    if moment is None:
        return ""
    return format_html(
        '<time datetime="{}">{}</time>',
        _iso(moment),
        format_date(timezone.localtime(moment), FULL_FORMAT),
    )
