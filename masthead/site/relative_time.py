"""Relative times as readers of news sites know them: “16 mins ago”.

Django's ``naturaltime`` says “16 minutes ago” and has no cut-off; news
pages use the short WordPress-style wording and switch to a date after a
week. The same rules are in ``static/site/relative-time.js``, which keeps
every ``<time data-relative>`` element true in the browser, including on a
page served from a cache; keep the two in step.
"""

from __future__ import annotations

import re
from datetime import datetime

from django.utils import timezone
from django.utils.dateformat import format as format_date

MINUTE = 60
HOUR = 60 * MINUTE
DAY = 24 * HOUR
WEEK = 7 * DAY
DATE_FORMAT = "j M Y"


def _plural(count: int, unit: str) -> str:
    return f"{count} {unit}{'' if count == 1 else 's'} ago"


def relative_time(moment: datetime, now: datetime | None = None) -> str:
    """“just now”, “1 min ago”, “16 mins ago”, “4 hours ago”, “3 days ago”, else a date."""
    now = now or timezone.now()
    seconds = int((now - moment).total_seconds())
    if seconds < MINUTE:
        # A time a little in the future (clock skew between servers) reads as now.
        return "just now"
    if seconds < HOUR:
        return _plural(seconds // MINUTE, "min")
    if seconds < DAY:
        return _plural(seconds // HOUR, "hour")
    if seconds < WEEK:
        return _plural(seconds // DAY, "day")
    return format_date(timezone.localtime(moment), DATE_FORMAT)


_RELATIVE_TIME = re.compile(
    rb'(<time datetime="([0-9T:+\-Z]{20,25})"[^>]*\sdata-relative>)([^<]*)(</time>)'
)
_RELATIVE_TIME_TEXT = re.compile(_RELATIVE_TIME.pattern.decode())


def refresh_relative_times(html: bytes, now: datetime | None = None) -> bytes:
    """Rewrite every ``<time data-relative>`` text for ``now``: cached pages stay true.

    Used when a page comes out of the page cache, so a copy rendered an hour
    ago still says "16 mins ago" about a story published sixteen minutes ago,
    with or without script in the reader's browser.
    """
    if b"data-relative" not in html:
        return html
    now = now or timezone.now()
    return _RELATIVE_TIME.sub(lambda match: _rewritten(match, now, str.encode), html)


def refresh_relative_times_text(html: str, now: datetime | None = None) -> str:
    """``refresh_relative_times`` for text: a cached fragment of a page being assembled."""
    if "data-relative" not in html:
        return html
    now = now or timezone.now()
    return _RELATIVE_TIME_TEXT.sub(lambda match: _rewritten(match, now, str), html)


def _rewritten(match: re.Match, now: datetime, encode):
    stamp = match.group(2)
    try:
        moment = datetime.fromisoformat(
            (stamp.decode() if isinstance(stamp, bytes) else stamp).replace("Z", "+00:00")
        )
    except ValueError:
        return match.group(0)
    return match.group(1) + encode(relative_time(moment, now)) + match.group(4)
