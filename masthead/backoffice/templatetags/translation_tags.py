"""``{% translations_panel story as panel %}``: what the story page's translations panel shows."""

from __future__ import annotations

from django import template

from masthead.newsroom.models import Desk
from masthead.newsroom.roles import access_for
from masthead.stories import permissions, translations

register = template.Library()


@register.simple_tag(takes_context=True)
def translations_panel(context, story) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    others = [member for member in translations.members(story) if member.pk != story.pk]
    # Versions in the works on desks the user cannot open are counted, not named.
    readable = [other for other in others if translations.may_see(user, other)]
    missing = {edition.pk for edition in translations.editions_missing(story)}
    access = access_for(user)
    desks = [
        desk
        for desk in Desk.objects.select_related("edition").filter(edition_id__in=missing)
        if access.writes_for(desk.pk)
    ]
    return {
        "others": readable,
        "unreadable": len(others) - len(readable),
        "desks": desks,
        # The service checks the pair: the user must be able to edit one of them.
        "may_link": permissions.can_edit(user, story) or access.edits_any_desk,
    }


@register.simple_tag(takes_context=True)
def other_versions(context, story) -> list:
    """The other versions of ``story`` the user may read: the text a translator works from."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return [
        member
        for member in translations.members(story)
        if member.pk != story.pk and translations.may_see(user, member)
    ]
