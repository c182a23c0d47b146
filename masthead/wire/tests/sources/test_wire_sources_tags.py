"""Relative times of the source pages, past and future."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from masthead.wire.templatetags.wire_sources import relative, when

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("offset", "words"),
    [
        (timedelta(seconds=-10), "just now"),
        (timedelta(seconds=0), "just now"),
        (timedelta(seconds=30), "in under a minute"),
        (timedelta(seconds=-60), "1 min ago"),
        (timedelta(minutes=-16), "16 mins ago"),
        (timedelta(minutes=5, seconds=30), "in 5 mins"),
        (timedelta(hours=2, minutes=1), "in 2 hours"),
        (timedelta(hours=-1), "1 hour ago"),
        (timedelta(days=-3), "3 days ago"),
        (timedelta(days=1), "in 1 day"),
        (timedelta(days=-8), "24 Nov 2026"),
    ],
)
def test_relative(offset, words, settings):
    settings.TIME_ZONE = "UTC"
    assert relative(NOW + offset, NOW) == words


def test_when_renders_a_time_element(settings):
    settings.TIME_ZONE = "UTC"
    html = str(when(NOW))
    assert html.startswith('<time datetime="2026-12-02T12:00:00Z" title="2 Dec 2026, 12:00:00 UTC"')
    assert "data-when>" in html
    assert when(None, "never") == "never"
