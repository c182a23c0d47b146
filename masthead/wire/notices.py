"""What an agency's later word on an item does to the stories built on it.

A new version of an item can be a notice: the agency killed it (status
``canceled``), withheld it, or marked it a correction. Every story based on
the item (``StoryBasis``) is then flagged for the back office, in words an
editor reads at a glance: “Reuters killed this item at 02 Dec 14:02: …”.
Stories a person wrote stay as they are: the editor decides. Stories the
wire auto-published are handled in the name of the editor they were published
as (masthead/wire/autopublish.py):

    notice       flag   auto-published story, untouched     … edited since
    ──────────   ────   ─────────────────────────────────   ──────────────
    killed       yes    withdrawn from every surface         withdrawn
    withheld     yes    withdrawn from every surface         withdrawn
    correction   yes    new text, public correction note     flagged only
    new version  no     new text, published as an update     unchanged

When the service refuses (the editor lost their role …) the flag says so,
for a person to act on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from masthead.stories import services
from masthead.stories.models import Story
from masthead.wire import autopublish
from masthead.wire.items import Status
from masthead.wire.models import StoryBasis, WireItem

VERBS = {Status.CANCELED: "killed", Status.WITHHELD: "withheld"}
TAKEN_DOWN = frozenset(VERBS)


@dataclass
class Followed:
    flagged: list[int] = field(default_factory=list)  # story ids
    withdrawn: list[int] = field(default_factory=list)


def notice_text(item: WireItem, verb: str, now: datetime) -> str:
    when = timezone.localtime(item.version_created or now)
    text = (
        f"{autopublish.agency_name(item)} {verb} this item at {when:%d %b %H:%M}: {item.headline}"
    )
    return autopublish.cut(text, 300)


def apply(item: WireItem, *, is_correction: bool, now: datetime) -> Followed:
    """Flag, withdraw or update the stories based on ``item`` after its new version."""
    verb = VERBS.get(item.status) or ("corrected" if is_correction else "")
    followed = Followed()
    bases = list(
        StoryBasis.objects.filter(item=item).select_related(
            "story", "story__latest_revision", "added_by"
        )
    )
    for basis in bases:
        flag_before = basis.flagged
        if verb:
            basis.flagged = notice_text(item, verb, now)
            followed.flagged.append(basis.story_id)
        if basis.auto_published:
            problem = _follow_auto(basis, item, is_correction, followed)
            if problem:
                basis.flagged = autopublish.cut(
                    f"{basis.flagged or 'Not updated'} — {problem}", 300
                )
                if basis.story_id not in followed.flagged:
                    followed.flagged.append(basis.story_id)
        if basis.flagged != flag_before:
            basis.save(update_fields=["flagged"])
    return followed


def _follow_auto(basis: StoryBasis, item: WireItem, is_correction: bool, followed) -> str:
    """Act on an auto-published story; a problem for a person to handle, or ""."""
    story = basis.story
    if basis.added_by is None:
        return "the editor it was published as no longer has an account"
    try:
        with transaction.atomic():
            if item.status in TAKEN_DOWN:
                if story.status not in Story.PUBLIC_STATUSES:
                    return ""  # not out (never published, or already withdrawn)
                verb = VERBS[item.status]
                services.withdraw_story(
                    basis.added_by,
                    story,
                    note=f"{autopublish.agency_name(item)}, whose report this story was, "
                    f"{verb} it.",
                )
                followed.withdrawn.append(story.pk)
            elif autopublish.is_untouched(basis):
                autopublish.follow(basis, item, correction=is_correction)
    except autopublish.REFUSALS as error:
        action = "withdraw" if item.status in TAKEN_DOWN else "update"
        return f"{action} it by hand: {autopublish.message_of(error)}"
    return ""
