"""Template helpers of the source pages: times relative to now, past and future.

The back office shows the time a thing happened; a source's health is about
how long ago it last worked and how soon it polls again, so these pages say
“4 mins ago” and “in 3 mins” inside ``<time datetime>`` (the exact time in
its title), and ``static/wire/source-times.js`` keeps the words true while
the page stays open. Keep the two in step.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django import template
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.html import format_html

from masthead.wire import sources_admin

register = template.Library()

MINUTE = 60
HOUR = 60 * MINUTE
DAY = 24 * HOUR
WEEK = 7 * DAY
ABSOLUTE_FORMAT = "j M Y, H:i:s T"


def _amount(seconds: int) -> str:
    for size, unit in ((DAY, "day"), (HOUR, "hour"), (MINUTE, "min")):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'' if count == 1 else 's'}"
    return ""


def relative(moment: datetime, now: datetime | None = None) -> str:
    """“just now”, “16 mins ago”, “in 3 mins”, “in 2 hours”; past a week, the date."""
    now = now or timezone.now()
    seconds = int((now - moment).total_seconds())
    if abs(seconds) < MINUTE:
        return "just now" if seconds >= 0 else "in under a minute"
    if abs(seconds) >= WEEK:
        return format_date(timezone.localtime(moment), "j M Y")
    return f"{_amount(seconds)} ago" if seconds > 0 else f"in {_amount(-seconds)}"


@register.simple_tag
def when(moment: datetime | None, empty: str = "—"):
    """``<time datetime="…" title="…" data-when>4 mins ago</time>``, kept true by script."""
    if moment is None:
        return empty
    stamp = moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    return format_html(
        '<time datetime="{}" title="{}" data-when>{}</time>',
        stamp,
        format_date(timezone.localtime(moment), ABSOLUTE_FORMAT),
        relative(moment),
    )


@register.filter
def health(source) -> str:
    return sources_admin.health(source)


@register.filter
def overdue(source) -> bool:
    return sources_admin.overdue(source)
