"""Auto-publishing: an editor's standing decision that a trusted source's items go out.

Nothing from the wire is ever published unless an editor set ``auto_publish``
on a routing rule of the source and named the editor it publishes as
(``publish_as``). Then a matching new item becomes a story through the same
services a person uses (masthead/stories/services.py): created on the rule's
desk, submitted, taken for editing, approved and published, or scheduled
under embargo until the item's embargo ends, each step permission-checked,
audited and kept as a revision, in that editor's name. The story's
``StoryBasis`` records the item with ``auto_published`` set, so a later kill
withdraws it (masthead/wire/notices.py) and a later version of the item
updates it, as long as nobody has edited it since: an editor's changes are
never overwritten; the story is flagged instead.

The byline is the agency, as a collective author (“Reuters”), not the editor.
If a step is refused (the editor lost their role, the copy breaks a content
rule or one of the outlet's sourcing rules, ``sourcing/rules.py``) nothing of
the story is kept and the item says why in its problems, in the words the
refusal gives (a sourcing refusal names the rule and its policy); the ingest
goes on with the next item.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from masthead.newsroom.models import Author
from masthead.newsroom.slugs import unicode_slug
from masthead.sourcing.wire_link import wire_source
from masthead.stories import services
from masthead.stories.models import Story
from masthead.stories.workflow import InvalidTransition
from masthead.wire.items import Status
from masthead.wire.models import RoutingRule, StoryBasis, WireItem

WIRE_NOTE = "From the wire"
REFUSALS = (PermissionDenied, ValidationError, InvalidTransition)


def agency_name(item: WireItem) -> str:
    return item.provider or item.source.provider or item.source.name


def cut(value: str, limit: int) -> str:
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"


def agency_author(item: WireItem) -> Author:
    """The agency as a collective author: the byline of what is published from its copy."""
    name = cut(agency_name(item), 120)
    slug = unicode_slug(name, 120) or "wire"
    author, _ = Author.objects.get_or_create(
        slug=slug, defaults={"name": name, "kind": Author.Kind.COLLECTIVE}
    )
    return author


def content_of(item: WireItem, desk, authors=None) -> services.Content:
    return services.Content(
        headline=cut(item.headline, 200),
        desk=desk,
        dek=cut(item.dek.replace("\n\n", " "), 400),
        body=item.body,
        dateline=cut(item.dateline, 100),
        language=item.language,
        authors=authors if authors is not None else [agency_author(item)],
        sources=[wire_source(item)],
    )


def _note(item: WireItem) -> str:
    return cut(f"{WIRE_NOTE}: {agency_name(item)} {item.provider_id}", 300)


def _why_not(item: WireItem, rule: RoutingRule) -> str:
    if rule.publish_as_id is None:
        return "the auto-publish rule names no editor to publish as"
    if item.status != Status.USABLE:
        return f"the agency marked it {item.get_status_display().lower()}"
    if item.duplicate_of_id is not None:
        return "the same copy is already on the wire desk"
    return ""


def _refused(item: WireItem, reason: str) -> None:
    item.problems = [*item.problems, f"Not auto-published: {reason}"]
    item.save(update_fields=["problems"])


def publish(item: WireItem, rule: RoutingRule, now: datetime) -> int | None:
    """Publish ``item`` as the rule's editor; the story's id, or None (the item says why)."""
    reason = _why_not(item, rule)
    if reason:
        _refused(item, reason)
        return None
    actor = rule.publish_as
    try:
        with transaction.atomic():
            story = services.create_story(actor, content_of(item, rule.desk), note=_note(item))
            # Saving the wire source made the basis row (sourcing/wire_link.py); mark it ours.
            StoryBasis.objects.update_or_create(
                story=story, item=item, defaults={"added_by": actor, "auto_published": True}
            )
            services.submit_story(actor, story)
            services.claim_story(actor, story)
            services.approve_story(actor, story)
            if item.embargoed_until is not None and item.embargoed_until > now:
                services.schedule_story(
                    actor, story, item.embargoed_until, embargo=True, note=_note(item)
                )
            else:
                services.publish_story(actor, story, note=_note(item))
    except REFUSALS as error:
        _refused(item, message_of(error))
        return None
    return story.pk


def message_of(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return "; ".join(error.messages)
    return str(error)


def is_untouched(basis: StoryBasis) -> bool:
    """Whether the auto-published story is still as the wire made it, and public."""
    story = basis.story
    latest = story.latest_revision
    return (
        basis.auto_published
        and basis.added_by_id is not None
        and story.status == Story.Status.PUBLISHED
        and latest is not None
        and story.published_revision_id == latest.pk
        and latest.created_by_id == basis.added_by_id
        and latest.note.startswith(WIRE_NOTE)
    )


def follow(basis: StoryBasis, item: WireItem, *, correction: bool) -> None:
    """Bring an untouched auto-published story up to the item's new version.

    A correction is published with a public note naming the agency; any other
    new version as an update. Raises what the services raise.
    """
    story, actor = basis.story, basis.added_by
    authors = [byline.author for byline in story.ordered_bylines()]
    services.save_story(
        actor,
        story,
        content_of(item, story.desk, authors),
        story.latest_revision_id,
        note=cut(f"{WIRE_NOTE}: {agency_name(item)} version {item.version}".strip(), 300),
    )
    story = Story.objects.get(pk=story.pk)
    if correction:
        services.publish_correction(
            actor, story, note=f"{agency_name(item)}, whose report this story is, corrected it."
        )
    else:
        services.publish_update(actor, story)
