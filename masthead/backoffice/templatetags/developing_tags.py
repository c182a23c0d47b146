"""``{% developing_panel story as panel %}``: what the story page's developing panel shows."""

from __future__ import annotations

from django import template

from masthead.newsroom.roles import access_for
from masthead.stories import permissions
from masthead.stories.models import StoryThread

register = template.Library()

# The threads offered in the list: the newest (and the story's own, always).
THREADS_OFFERED = 100


@register.simple_tag(takes_context=True)
def developing_panel(context, story) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    threads = list(StoryThread.objects.order_by("-created_at", "-pk")[:THREADS_OFFERED])
    if story.thread_id and all(thread.pk != story.thread_id for thread in threads):
        threads.insert(0, story.thread)
    others = (
        list(story.thread.stories.exclude(pk=story.pk).order_by("published_at", "pk"))
        if story.thread_id
        else []
    )
    # Stories of other desks in the works are not everyone's to see: counted, not named.
    readable = [other for other in others if permissions.can_read(user, other)]
    return {
        "may_change": access_for(user).edits(story.desk_id) and not story.is_withdrawn,
        "threads": threads,
        "others": readable,
        "unreadable": len(others) - len(readable),
    }
