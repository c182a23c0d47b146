"""A story and its translations: one group per piece of journalism, one story per edition.

A translation is a story of its own, in another edition (its desk's), with its
own workflow, bylines, revisions and corrections. The group only links them:
the stories of a group share ``Story.translation_key``, and a story with no
translation has none. A group holds at most one story per edition.

Readers see a group through its live stories only: each live member's page
carries ``<link rel="alternate" hreflang>`` to every live member (itself
included) and ``x-default`` to the default edition's member, the sitemaps
list the same alternates, and the article offers "read in …". A draft or
embargoed translation is in nobody's alternates until it is live (the one
gate, ``Story.objects.live()``), so linking a draft changes no public page.

Like a thread's, a group has a scope, ``translations:<key>``
(``versions.translation_scope``): every member's page shows the others, so a
publish, withdrawal or move of one changes the pages of all, and it is timed
(``site/fragments.py``): a member scheduled for later joins the others'
alternates at its time.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext

from masthead.newsroom import audit
from masthead.newsroom.editions import Edition
from masthead.newsroom.models import Desk
from masthead.stories import permissions, versions
from masthead.stories.models import Story, unique_story_slug
from masthead.stories.services import Content, create_story


class TranslationError(ValueError):
    """A link the rules refuse, with a message for the editor."""


@dataclass(frozen=True)
class Alternate:
    """One live version of a story, as an ``hreflang`` alternate names it."""

    language: str
    url: str
    edition: Edition
    story: Story
    is_default: bool


def members(story: Story) -> list[Story]:
    """Every story of ``story``'s group, in any state, itself included, default edition first."""
    if story.translation_key is None:
        return [story]
    stories = Story.objects.filter(translation_key=story.translation_key).select_related(
        "desk__edition"
    )
    return sorted(stories, key=lambda member: _edition_order(member.desk.edition))


def live_alternates(story: Story, now: datetime | None = None) -> list[Alternate]:
    """The live stories of ``story``'s group as alternates, or ``[]`` if it has no live other.

    ``story`` itself is among them (hreflang alternates name the page itself too).
    """
    if story.translation_key is None:
        return []
    live = (
        Story.objects.live(now)
        .filter(translation_key=story.translation_key)
        .select_related("desk__edition")
    )
    found = sorted(live, key=lambda member: _edition_order(member.desk.edition))
    if len(found) < 2 or story.pk not in {member.pk for member in found}:
        return []
    return [
        Alternate(
            language=member.language or member.desk.edition.language,
            url=member.get_absolute_url(),
            edition=member.desk.edition,
            story=member,
            is_default=member.desk.edition.is_default,
        )
        for member in found
    ]


def _edition_order(edition: Edition) -> tuple:
    return (not edition.is_default, edition.pk)


def may_see(user, story: Story) -> bool:
    """A live story is everybody's to read; any other, as the desk rules say."""
    return story.is_live() or permissions.can_read(user, story)


def _check_may_see(actor, story: Story) -> None:
    if not may_see(actor, story):
        permissions.check_read(actor, story)  # raises, with the desk rules' message


def _check_may_link(actor, story: Story, other: Story) -> None:
    _check_may_see(actor, story)
    _check_may_see(actor, other)
    if not (permissions.can_edit(actor, story) or permissions.can_edit(actor, other)):
        raise PermissionDenied(gettext("You may link stories only when you may edit one of them."))


def _locked():
    """Stories locked for this transaction (their rows only), in primary key order."""
    return (
        Story.objects.select_for_update(of=("self",)).select_related("desk__edition").order_by("pk")
    )


def _bump_group(stories: list[Story], keys: set) -> None:
    """The pages of a group changed: every member's scopes and the group's (old and new)."""
    scopes = {versions.translation_scope(key) for key in keys if key is not None}
    for member in stories:
        scopes |= versions.story_scopes(member)
    seen = any(member.is_live() for member in stories)
    versions.bump_story_change(scopes, seen_by_readers=seen)


@transaction.atomic
def link(story: Story, other: Story, actor=None) -> uuid.UUID:
    """Put ``other`` (and its group) in ``story``'s group; the group's key.

    Refused when both are the same story or when the joined group would hold
    two stories of one edition. ``actor`` (``None``: the system, as the demo
    loader) must be able to read both and edit one.
    """
    if story.pk == other.pk:
        raise TranslationError(gettext("A story cannot be its own translation."))
    if actor is not None:
        _check_may_link(actor, story, other)
    given = (story, other)
    # Lock both rows, then every member of their groups, in one order.
    pair = _locked().filter(pk__in=[story.pk, other.pk])
    fresh = {member.pk: member for member in pair}
    story, other = fresh[story.pk], fresh[other.pk]
    if story.translation_key is not None and story.translation_key == other.translation_key:
        return story.translation_key
    keys = {story.translation_key, other.translation_key} - {None}
    group = list(_locked().filter(Q(pk__in=[story.pk, other.pk]) | Q(translation_key__in=keys)))
    by_edition: dict[int, Story] = {}
    for member in group:
        edition_id = member.desk.edition_id
        if edition_id in by_edition:
            first = by_edition[edition_id]
            raise TranslationError(
                gettext(
                    "The group would hold two stories of the %(edition)s edition "
                    "(“%(first)s” and “%(second)s”); unlink one first."
                )
                % {
                    "edition": member.desk.edition.name,
                    "first": first.headline,
                    "second": member.headline,
                }
            )
        by_edition[edition_id] = member
    key = story.translation_key or other.translation_key or uuid.uuid4()
    Story.objects.filter(pk__in=[member.pk for member in group]).update(translation_key=key)
    for member in (*group, *given):
        member.translation_key = key
    _bump_group(group, keys | {key})
    if actor is not None:
        audit.record(actor, "link-translation", story, note=f"story {other.pk}")
    return key


@transaction.atomic
def unlink(story: Story, actor=None) -> None:
    """Take ``story`` out of its group (a group left with one story dissolves)."""
    given, story = story, _locked().get(pk=story.pk)
    key = story.translation_key
    if key is None:
        return
    group = list(_locked().filter(translation_key=key))
    if actor is not None:
        others = [member for member in group if member.pk != story.pk]
        _check_may_link(actor, story, others[0] if others else story)
    leaving = [member for member in group if member.pk == story.pk]
    if len(group) <= 2:
        leaving = group
    Story.objects.filter(pk__in=[member.pk for member in leaving]).update(translation_key=None)
    if any(member.pk == story.pk for member in leaving):
        given.translation_key = None
    _bump_group(group, {key})
    if actor is not None:
        audit.record(actor, "unlink-translation", story)


def editions_missing(story: Story) -> list[Edition]:
    """The editions ``story``'s group has no story in yet: where it can be translated to."""
    present = {member.desk.edition_id for member in members(story)}
    return [
        edition
        for edition in Edition.objects.order_by("-is_default", "pk")
        if edition.pk not in present
    ]


@transaction.atomic
def start_translation(actor, source: Story, desk: Desk) -> Story:
    """A new draft on ``desk`` (another edition's) linked to ``source``: "translate this story".

    The draft starts with the source's headline to write over, its tags and
    nothing else: the translator writes the text with the source beside it
    (the editor shows it), and the translation gets its own bylines (the
    actor's, by default), revisions and workflow.
    """
    _check_may_see(actor, source)
    if desk.edition_id in {member.desk.edition_id for member in members(source)}:
        raise TranslationError(
            gettext("This story already has a version in the %(edition)s edition.")
            % {"edition": desk.edition.name}
        )
    content = Content(
        headline=source.headline,
        desk=desk,
        language=desk.edition.language,
        tags=list(source.tags.all()),
    )
    draft = create_story(actor, content, note=f"Translation of story {source.pk}")
    # Its address is the source's and the edition's, not the borrowed headline's
    # (a draft never public has no address to keep; the editor may change it).
    draft.slug = unique_story_slug(f"{source.slug}-{desk.edition.slug}", exclude_pk=draft.pk)
    draft.save(update_fields=["slug"])
    link(source, draft)
    audit.record(actor, "start-translation", draft, note=f"from story {source.pk}")
    return draft
