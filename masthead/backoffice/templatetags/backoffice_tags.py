"""Template helpers of the back office: a story's state as an editor sees it."""

from __future__ import annotations

from django import template
from js_asset import Media

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
def with_csp_nonce(media, nonce) -> Media:
    """Form media whose tags carry the page's CSP nonce: the body editor's import map is inline."""
    return Media.from_media(media, nonce=str(nonce))
