"""Template helpers of the back office: a story's state as an editor sees it."""

from __future__ import annotations

from datetime import UTC, datetime

from django import template

from masthead.backoffice.forms import AUDIT_ACTIONS
from masthead.stories.models import Story

register = template.Library()


@register.filter
def state(story: Story) -> str:
    """The effective state's value: a scheduled story whose time came is published."""
    return story.effective_status()


@register.filter
def state_label(story: Story) -> str:
    return Story.Status(story.effective_status()).label


@register.filter
def byline_names(story: Story) -> str:
    return ", ".join(byline.author.name for byline in story.bylines.all())


@register.filter
def action_label(action: str) -> str:
    return dict(AUDIT_ACTIONS).get(action, action.replace("_", " "))


@register.filter
def isotime(moment: datetime | None) -> str:
    """A ``<time datetime>`` value: UTC to the second, as HTML wants it (no microseconds)."""
    if moment is None:
        return ""
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
