"""What a desk does with wire copy: opens it ("seen by"), writes a story from
one or several items, and adds items to a story being written.

The story itself is made by ``stories.services.create_story`` on the chosen
desk, which checks the writer's permission there, keeps the first revision
and writes the audit record; this module only chooses its words and records
``StoryBasis`` rows (what the story is based on) in the same transaction, so
a refusal leaves neither story nor basis behind. The items are also listed
as ``wire`` sources of the story's revision (``sourcing/wire_link.py`` says
how the sources and the basis rows stay in step).

Items are usable when the agency has not killed or withheld them. An item
still under embargo may be written from: the draft inherits the embargo
(``create_story(embargoed_until=…)``), so it cannot go out before the agency
allows.

A basis is added only while the story is being worked on (draft, submitted,
in edit, ready): nothing of such a story is public, so readers' pages need no
new version, and the next publish bumps the story's scope (its page then
names the agency). A published or scheduled story keeps the sources it went
out with; a later addition would change a public page without an editor
publishing it (DESIGN.md invariant 2).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext

from masthead.newsroom import audit
from masthead.newsroom.models import Desk
from masthead.newsroom.roles import access_for
from masthead.newsroom.text import clean_line, clean_paragraphs
from masthead.sourcing.wire_link import wire_source
from masthead.stories import permissions
from masthead.stories.models import Story
from masthead.stories.services import Content, create_story, keep_revision, lock_story
from masthead.stories.workflow import WORKING_STATES
from masthead.wire.items import Status
from masthead.wire.models import Seen, StoryBasis, WireItem
from masthead.wire.queue import agency_of, may_see_desk

# Items one story may be written from at once (a selection in the queue).
MAX_ITEMS_PER_STORY = 20

_HEADLINE_MAX = Story._meta.get_field("headline").max_length
_DEK_MAX = Story._meta.get_field("dek").max_length
_DATELINE_MAX = Story._meta.get_field("dateline").max_length
_LANGUAGE_MAX = Story._meta.get_field("language").max_length


def mark_seen(user, item: WireItem) -> None:
    """Record that ``user`` opened ``item`` (once; the first time is kept)."""
    if not access_for(user).is_staff_member:
        return
    try:
        with transaction.atomic():
            Seen.objects.get_or_create(item=item, user=user)
    except IntegrityError:
        pass  # the same person opened it twice at once: one row is there


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _language(items: Sequence[WireItem]) -> str:
    language = clean_line(items[0].language)
    return language if 0 < len(language) <= _LANGUAGE_MAX and " " not in language else ""


def _check_usable(actor, items: Sequence[WireItem]) -> None:
    access = access_for(actor)
    if not items:
        raise ValidationError("Choose at least one wire item.")
    if len(items) > MAX_ITEMS_PER_STORY:
        raise ValidationError(
            gettext("A story is written from at most %(max_items_per_story)s items.")
            % {"max_items_per_story": MAX_ITEMS_PER_STORY}
        )
    for item in items:
        if not may_see_desk(access, item.desk_id):
            raise PermissionDenied("You do not work on the desk that item is queued for.")
        if item.status == Status.CANCELED:
            raise ValidationError(
                gettext("“%(headline)s” was killed by the agency: do not use it.")
                % {"headline": item.headline}
            )
        if item.status == Status.WITHHELD:
            raise ValidationError(
                gettext("“%(headline)s” is withheld by the agency: not for use now.")
                % {"headline": item.headline}
            )


def _body(items: Sequence[WireItem]) -> str:
    """One item's text as sent; several one after another, each headed by its source."""
    if len(items) == 1:
        return items[0].body or ""
    parts = []
    for item in items:
        when = item.version_created or item.first_created or item.received_at
        parts.append(
            format_html(
                "<p><strong>{}</strong>: {} ({})</p>",
                agency_of(item),
                item.headline,
                timezone.localtime(when).strftime("%d %b %Y %H:%M"),
            )
        )
        parts.append(item.body or "")
    return "".join(parts)


def _content(items: Sequence[WireItem], desk: Desk) -> Content:
    first = items[0]
    return Content(
        headline=_shorten(clean_line(first.headline), _HEADLINE_MAX),
        dek=_shorten(clean_paragraphs(first.dek).replace("\n\n", " "), _DEK_MAX),
        body=_body(items),
        desk=desk,
        dateline=_shorten(clean_line(first.dateline), _DATELINE_MAX),
        language=_language(items),
        sources=[wire_source(item) for item in items],
    )


def _embargo(items: Sequence[WireItem]):
    """The latest embargo of the items that is still to come, or None."""
    now = timezone.now()
    ends = [item.embargoed_until for item in items if item.embargoed_until]
    latest = max(ends, default=None)
    return latest if latest is not None and latest > now else None


def _record_basis(actor, story: Story, items: Sequence[WireItem]) -> list[StoryBasis]:
    made = []
    for item in items:
        basis, created = StoryBasis.objects.get_or_create(
            story=story, item=item, defaults={"added_by": actor}
        )
        if created:
            made.append(basis)
    return made


@transaction.atomic
def write_story_from(actor, items: Sequence[WireItem], desk: Desk) -> Story:
    """A draft on ``desk`` written from ``items`` (in the order given), based on each.

    Headline, dek, dateline and language are the first item's; the body is
    the item's text, or for several items their texts one after another,
    each under a line naming its source. Refused (nothing stored) when the
    actor does not work on the items' desks, may not write for ``desk``, or
    an item was killed or is withheld.
    """
    items = list(dict.fromkeys(items))
    _check_usable(actor, items)
    permissions.check_create(actor, desk)
    story = create_story(
        actor,
        _content(items, desk),
        note=f"Written from {len(items)} wire item{'s' if len(items) > 1 else ''}",
        embargoed_until=_embargo(items),
    )
    _record_basis(actor, story, items)
    audit.record(actor, "wire_basis", story, items=[item.pk for item in items])
    return story


@transaction.atomic
def add_to_story(actor, story: Story, items: Sequence[WireItem]) -> list[StoryBasis]:
    """Record that ``story`` is also based on ``items`` (its text is the writer's to change).

    Only while the story is worked on, by someone who may edit it (see the
    module's docstring for why not once it is public), and not an item whose
    embargo runs longer than the story's.
    """
    items = list(dict.fromkeys(items))
    _check_usable(actor, items)
    story = lock_story(story)
    permissions.check_edit(actor, story)
    if story.status not in WORKING_STATES:
        raise ValidationError(
            "Wire items are added to a story while it is being worked on; this one is "
            f"{Story.Status(story.status).label.lower()}."
        )
    embargo = _embargo(items)
    if embargo is not None and (story.embargoed_until is None or story.embargoed_until < embargo):
        # Only create_story gives a story an embargo to inherit: a story already
        # written takes no new one by the side door.
        raise ValidationError(
            f"An item is under embargo until {embargo:%d %b %Y %H:%M} UTC and this story "
            "is not: write a new story from it, or add it once the embargo ends."
        )
    made = _record_basis(actor, story, items)
    content = Content.of(story.latest_revision or story)
    listed = {source.get("wire_item") for source in content.sources if source["kind"] == "wire"}
    new_sources = [wire_source(item) for item in items if item.pk not in listed]
    if new_sources:
        content.sources = [*content.sources, *new_sources]
        count = len(new_sources)
        keep_revision(
            actor, story, content, f"Added {count} wire item{'s' if count > 1 else ''} as sources"
        )
    if made:
        audit.record(actor, "wire_basis", story, items=[basis.item_id for basis in made])
    return made
