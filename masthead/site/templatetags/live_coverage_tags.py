"""Template tags of developing stories and threads (``site/live_coverage.py``).

``{% story_timeline story corrections as entries %}`` the timeline of a
developing story; ``{% story_thread story as thread %}`` its thread's live
stories, or None. Both read only when the fragment around them renders.
"""

from __future__ import annotations

from django import template

from masthead.site import live_coverage

register = template.Library()


@register.simple_tag
def story_timeline(story, corrections):
    return live_coverage.timeline(story, corrections or [])


@register.simple_tag
def story_thread(story):
    return live_coverage.thread_of(story)
