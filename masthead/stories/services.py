"""Every write to a story: one function per user-visible action.

Each checks the actor's permission on the story's desk, writes the audit
record and announces the change (``signals.story_changed``, after commit), in
one database transaction with the story's row locked (DESIGN.md invariant 3).
Saves carry the revision they started from and are refused over a newer one
(invariant 4); edits to a public story stay in revisions until an editor
publishes them (invariant 2).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from masthead import failpoints
from masthead.media import alt_text, uses
from masthead.newsroom import audit
from masthead.newsroom.models import Author, Desk
from masthead.newsroom.roles import access_for
from masthead.newsroom.slugs import unicode_slug
from masthead.newsroom.text import clean_line
from masthead.sourcing import approvals, rules, wire_link
from masthead.sourcing.kinds import clean_sources
from masthead.stories import permissions, preview, release_clock, versions
from masthead.stories.models import (
    Byline,
    Correction,
    EditLock,
    PreviewLink,
    Revision,
    Story,
    StoryContent,
    StorySlug,
    Tag,
    TagSlug,
)
from masthead.stories.signals import story_changed, tags_rewritten
from masthead.stories.workflow import WORKING_STATES, Action, transition_for

LOCK_SECONDS = 120


class StaleRevision(Exception):
    """A save based on an older revision than the story's latest."""

    def __init__(self, story: Story, base_revision_id: int | None, latest: Revision | None):
        self.story = story
        self.base_revision_id = base_revision_id
        self.latest = latest
        who = latest.created_by if latest and latest.created_by else "someone"
        super().__init__(
            f"{who} saved a newer version of this story while you were editing; "
            "compare both versions and merge your changes."
        )


@dataclass
class Content:
    """What an editor changes in a story: the revisioned content and its desk."""

    headline: str
    desk: Desk
    dek: str = ""
    body: str = ""
    label: Any = None
    dateline: str = ""
    lead_image: Any = None
    language: str = ""
    seo_title: str = ""
    seo_description: str = ""
    dateline_kind: str = ""
    sources: list[dict] = field(default_factory=list)
    method_note: str = ""
    makes_allegation: bool = False
    tags: list[Tag] = field(default_factory=list)
    authors: list[Author] = field(default_factory=list)

    @classmethod
    def of(cls, source: Story | Revision) -> Content:
        if isinstance(source, Revision):
            tags = list(Tag.objects.filter(pk__in=source.tag_ids))
            by_id = Author.objects.in_bulk(source.author_ids)
            authors = [by_id[pk] for pk in source.author_ids if pk in by_id]
            desk = source.desk
        else:
            tags = list(source.tags.all())
            authors = [byline.author for byline in source.ordered_bylines()]
            desk = source.desk
        values = {name: getattr(source, name) for name in StoryContent.CONTENT_FIELDS}
        return cls(desk=desk, tags=tags, authors=authors, **values)


def _announce(story: Story, action: str, scopes: set[str] | None = None) -> None:
    story_id, desk_id, changed = story.pk, story.desk_id, frozenset(scopes or ())
    transaction.on_commit(
        lambda: story_changed.send(
            sender=Story, story_id=story_id, desk_id=desk_id, action=action, scopes=changed
        )
    )


def _locked(story: Story) -> Story:
    """The story's row, locked for this transaction and fresh from the database."""
    return Story.objects.select_for_update().get(pk=story.pk)


def _sources_to_keep(story: Story, content: Content, actor, decided=None) -> list[dict]:
    """The sources a new revision keeps: cleaned, approvals as the latest revision had
    them (never as the input says: ``sourcing/approvals.py``), wire items linked
    (``sourcing/wire_link.py``)."""
    latest = None
    if story.latest_revision_id:
        kept = Revision.objects.filter(pk=story.latest_revision_id)
        latest = kept.values_list("sources", flat=True).first()
    sources = approvals.carry(latest, clean_sources(content.sources), decided)
    return wire_link.link(actor, story, latest, sources)


def _new_revision(story: Story, content: Content, actor, note: str, *, decided=None) -> Revision:
    """Every save of a story passes here (create, save, restore, reinstate, imports)."""
    last = story.revisions.order_by("-number").values_list("number", flat=True).first() or 0
    sources = _sources_to_keep(story, content, actor, decided)
    if content.lead_image is not None and content.lead_image.pk is None:
        # A new image is stored with the revision that shows it, after every check.
        content.lead_image.save()
    values = {name: getattr(content, name) for name in StoryContent.CONTENT_FIELDS}
    values["language"] = values["language"] or story.language
    values["sources"] = sources
    revision = Revision.objects.create(
        story=story,
        number=last + 1,
        created_by=actor if actor is not None and actor.is_authenticated else None,
        note=note,
        desk=content.desk,
        tag_ids=[tag.pk for tag in content.tags],
        author_ids=[author.pk for author in content.authors],
        **values,
    )
    story.latest_revision = revision
    uses.record_working(story, revision)
    return revision


def _apply_revision(story: Story, revision: Revision) -> None:
    """Make ``revision`` what the story row (the readers' copy) holds."""
    for name in StoryContent.CONTENT_FIELDS:
        setattr(story, name, getattr(revision, name))
    story.desk_id = revision.desk_id
    story.save()
    uses.record_published(story, revision)
    story.tags.set(revision.tag_ids)
    Byline.objects.filter(story=story).exclude(author_id__in=revision.author_ids).delete()
    for position, author_id in enumerate(revision.author_ids):
        Byline.objects.update_or_create(
            story=story, author_id=author_id, defaults={"position": position}
        )


def _validate(content: Content) -> None:
    """Field rules (lengths, a headline, body size) before anything is written."""
    values = {name: getattr(content, name) for name in StoryContent.CONTENT_FIELDS}
    values["language"] = values["language"] or "en"
    probe = Revision(number=1, **values)
    probe.full_clean(exclude=["story", "desk", "created_by", "tag_ids", "author_ids"])


def _check_desk_move(actor, story: Story, desk: Desk) -> None:
    if desk.pk != story.desk_id:
        permissions.check_create(actor, desk)


@transaction.atomic
def create_story(
    actor, content: Content, note: str = "", *, embargoed_until: datetime | None = None
) -> Story:
    """A new draft on ``content.desk``, by default bylined to the actor's author profile.

    ``embargoed_until`` (a future time) is an embargo the draft inherits, such
    as an agency's on the wire copy it is written from: until then no preview
    link opens it, and it can be scheduled for that time or later but not
    published now (``_check_embargo``).
    """
    permissions.check_create(actor, content.desk)
    if embargoed_until is not None and embargoed_until <= release_clock.now():
        embargoed_until = None
    if not content.authors:
        own = Author.objects.filter(user=actor).first()
        content.authors = [own] if own else []
    _validate(content)
    story = Story(
        headline=content.headline,
        desk=content.desk,
        status=Story.Status.DRAFT,
        created_by=actor,
        # Unless told otherwise, a story is in its desk's edition's language.
        language=content.language or content.desk.edition.language,
        embargoed_until=embargoed_until,
    )
    story.save()
    revision = _new_revision(story, content, actor, note or "Created")
    _apply_revision(story, revision)
    detail = {"embargoed_until": embargoed_until.isoformat()} if embargoed_until else {}
    audit.record(actor, "create", story, to_state=story.status, **detail)
    return story


@transaction.atomic
def save_story(
    actor, story: Story, content: Content, base_revision_id: int | None, note: str = ""
) -> Revision:
    """Keep a new revision of ``story``; refused if ``base_revision_id`` is not the latest."""
    story = _locked(story)
    failpoints.reached("stories.save.after_lock")
    permissions.check_edit(actor, story)
    _check_desk_move(actor, story, content.desk)
    if story.latest_revision_id is not None and base_revision_id != story.latest_revision_id:
        raise StaleRevision(story, base_revision_id, story.latest_revision)
    _validate(content)
    revision = _new_revision(story, content, actor, note)
    if story.status in WORKING_STATES:
        _apply_revision(story, revision)
    else:
        # Public (or scheduled) stories keep showing the published revision.
        story.save(update_fields=["latest_revision", "modified_at"])
    audit.record(actor, "save", story, note=note, revision=revision.number)
    return revision


@transaction.atomic
def restore_revision(
    actor, story: Story, revision: Revision, base_revision_id: int | None
) -> Revision:
    """Make an earlier revision the latest again (as a new revision: history is never rewritten)."""
    if revision.story_id != story.pk:
        raise PermissionDenied(gettext_lazy("That revision belongs to another story."))
    return save_story(
        actor,
        story,
        Content.of(revision),
        base_revision_id,
        note=f"Restored revision {revision.number}",
    )


# Transitions after which readers may see something different.
PUBLIC_ACTIONS = frozenset(
    {
        Action.SCHEDULE,
        Action.UNSCHEDULE,
        Action.PUBLISH,
        Action.PUBLISH_UPDATE,
        Action.PUBLISH_CORRECTION,
        Action.WITHDRAW,
        Action.REINSTATE,
    }
)


def _move(actor, story: Story, action: Action, note: str = "", apply=None) -> Story:
    story = _locked(story)
    failpoints.reached("stories.move.after_lock")
    # The time readers' pages go by (the database's on PostgreSQL): a server whose
    # clock runs ahead would otherwise stamp a publication in the future, and every
    # other server would hide it until then (RELIABILITY.md L14).
    now = release_clock.now()
    state = story.effective_status(now)
    transition = transition_for(action, state)
    permissions.check_take(actor, story, transition)
    note = (note or "").strip()
    if transition.needs_note and not note:
        raise ValidationError(
            {"note": gettext("“%(step)s” needs a note.") % {"step": transition.label}}
        )
    scopes_before = versions.story_scopes(story) if action in PUBLIC_ACTIONS else set()
    was_live = story.is_live(now)
    if apply is not None:
        apply(story, now)
    story.status = transition.target
    story.save()
    scopes = set()
    if action in PUBLIC_ACTIONS:
        # Scheduling, unscheduling before the time, or withdrawing a story readers
        # never saw changes nothing readers see (F3): only the pending twins move.
        scopes = versions.bump_story_change(
            scopes_before | versions.story_scopes(story),
            seen_by_readers=was_live or story.is_live(now),
        )
    detail = {}
    if transition.closes_previews:
        detail["previews_closed"] = preview.close_links(story, action.value, actor, now)
    audit.record(
        actor, action.value, story, from_state=state, to_state=story.status, note=note, **detail
    )
    # Everything is written and nothing committed (stories.publish.before_commit…).
    failpoints.reached(f"stories.{action.value}.before_commit")
    _announce(story, action.value, scopes)
    return story


@transaction.atomic
def submit_story(actor, story: Story, note: str = "") -> Story:
    return _move(actor, story, Action.SUBMIT, note)


@transaction.atomic
def claim_story(actor, story: Story, note: str = "") -> Story:
    return _move(actor, story, Action.CLAIM, note)


@transaction.atomic
def approve_story(actor, story: Story, note: str = "") -> Story:
    return _move(actor, story, Action.APPROVE, note)


@transaction.atomic
def return_story(actor, story: Story, note: str) -> Story:
    """Send a story back to its writer as a draft, with a note saying why."""
    return _move(actor, story, Action.RETURN, note)


@transaction.atomic
def pull_back_story(actor, story: Story, note: str = "") -> Story:
    """The writer takes their submission back as a draft, until an editor claims it."""
    return _move(actor, story, Action.PULL_BACK, note)


def _check_embargo(story: Story, when: datetime) -> None:
    """Refuse to let a story out before an embargo it inherited (``create_story``).

    Only a story not yet public carries one (unscheduling clears an embargo
    set when scheduling): a scheduled story's own embargo stays the editor's
    to lift by publishing now.
    """
    if story.status == Story.Status.SCHEDULED:
        return
    if story.embargoed_until is not None and when < story.embargoed_until:
        raise ValidationError(
            {
                "when": f"The story is under embargo until {story.embargoed_until:%d %b %Y %H:%M} "
                "UTC: schedule it for then or later."
            }
        )


def _publish_latest(story: Story) -> None:
    revision = story.latest_revision
    if revision is None:
        raise ValidationError(gettext_lazy("The story has no saved revision to publish."))
    # The outlet's sourcing rules, on what readers are about to see (every path).
    rules.enforce(revision)
    alt_text.enforce(revision)
    _apply_revision(story, revision)
    story.published_revision = revision


@transaction.atomic
def schedule_story(
    actor, story: Story, when: datetime, *, embargo: bool = False, note: str = ""
) -> Story:
    """Publish at ``when`` with no worker needed; an embargo also closes preview links till then."""
    if when <= release_clock.now():
        raise ValidationError(
            {"when": gettext_lazy("Choose a time in the future, or publish now.")}
        )

    def apply(row: Story, now: datetime) -> None:
        _check_embargo(row, when)
        _publish_latest(row)
        row.published_at = when
        row.updated_at = when
        row.embargoed_until = when if embargo else None

    return _move(actor, story, Action.SCHEDULE, note, apply)


@transaction.atomic
def unschedule_story(actor, story: Story, note: str = "") -> Story:
    def apply(row: Story, now: datetime) -> None:
        row.published_at = None
        row.updated_at = None
        row.embargoed_until = None

    return _move(actor, story, Action.UNSCHEDULE, note, apply)


@transaction.atomic
def publish_story(actor, story: Story, note: str = "") -> Story:
    """Publish the latest revision now."""

    def apply(row: Story, now: datetime) -> None:
        _check_embargo(row, now)
        _publish_latest(row)
        row.published_at = now
        row.updated_at = now
        row.embargoed_until = None

    return _move(actor, story, Action.PUBLISH, note, apply)


@transaction.atomic
def publish_update(actor, story: Story, note: str = "") -> Story:
    """Make the latest revision public with a new "Updated" time and, if given, a public note."""

    def apply(row: Story, now: datetime) -> None:
        _publish_latest(row)
        row.updated_at = now
        if note.strip():
            Correction.objects.create(
                story=row,
                revision=row.latest_revision,
                kind=Correction.Kind.UPDATE,
                note=note,
                published_at=now,
                created_by=actor,
            )

    return _move(actor, story, Action.PUBLISH_UPDATE, note, apply)


@transaction.atomic
def publish_correction(
    actor, story: Story, note: str, kind: str = Correction.Kind.CORRECTION
) -> Story:
    """Publish the latest revision with a public correction note (listed on /corrections/).

    The story's readers' reports the desk accepted are linked to the correction
    and marked corrected (``masthead/sourcing/reports.py``), in this transaction.
    """
    from masthead.sourcing.reports import attach_to_correction

    if kind not in (Correction.Kind.CORRECTION, Correction.Kind.CLARIFICATION):
        raise ValidationError(
            {"kind": gettext_lazy("A correction is a correction or a clarification.")}
        )

    def apply(row: Story, now: datetime) -> None:
        _publish_latest(row)
        row.updated_at = now
        correction = Correction.objects.create(
            story=row,
            revision=row.latest_revision,
            kind=kind,
            note=note,
            published_at=now,
            created_by=actor,
        )
        attach_to_correction(actor, correction)

    return _move(actor, story, Action.PUBLISH_CORRECTION, note, apply)


@transaction.atomic
def withdraw_story(actor, story: Story, note: str) -> Story:
    """Take a story off every public surface.

    If readers saw it, its address answers 410 with ``note``; if not (scheduled
    for later, under embargo), nothing public changes and ``note`` stays internal.
    """

    def apply(row: Story, now: datetime) -> None:
        row.withdrawn_note = note
        row.withdrawn_at = now
        row.top_rank = None

    return _move(actor, story, Action.WITHDRAW, note, apply)


@transaction.atomic
def reinstate_story(actor, story: Story, note: str) -> Story:
    """Publish a withdrawn story again, as a new revision of what was published.

    If readers saw it, it keeps its first publication time, shows an updated
    time and ``note`` as a public note of reinstatement. If they never saw it
    (withdrawn while scheduled or under embargo), it is published now as a
    first publication and ``note`` stays internal; refused while an embargo it
    had still runs.
    """

    def apply(row: Story, now: datetime) -> None:
        if row.embargoed_until is not None and row.embargoed_until > now:
            raise ValidationError(
                f"The story's embargo runs until {row.embargoed_until:%d %b %Y %H:%M} UTC: "
                "republish it after that."
            )
        seen = row.is_gone
        source = row.published_revision or row.latest_revision
        label = f"Reinstated revision {source.number}" if source else "Reinstated"
        revision = _new_revision(row, Content.of(source or row), actor, label)
        rules.enforce(revision)
        alt_text.enforce(revision)
        _apply_revision(row, revision)
        row.published_revision = revision
        row.updated_at = now
        if seen:
            Correction.objects.create(
                story=row,
                revision=revision,
                kind=Correction.Kind.REINSTATEMENT,
                note=note,
                published_at=now,
                created_by=actor,
            )
        else:
            row.published_at = now
            row.embargoed_until = None
        row.withdrawn_at = None
        row.withdrawn_note = ""

    return _move(actor, story, Action.REINSTATE, note, apply)


@transaction.atomic
def change_story_slug(actor, story: Story, new_slug: str) -> Story:
    """Give a story a new slug; every address it had answers 301 to the new one."""
    story = _locked(story)
    if not access_for(actor).edits(story.desk_id):
        raise PermissionDenied(
            gettext_lazy("Only the desk's editors may change a story's address.")
        )
    new_slug = unicode_slug(new_slug, 120)
    if not new_slug:
        raise ValidationError({"slug": gettext_lazy("A slug needs at least one letter or digit.")})
    if new_slug == story.slug:
        return story
    taken_by_story = Story.objects.filter(slug=new_slug).exclude(pk=story.pk).exists()
    taken_before = StorySlug.objects.filter(slug=new_slug).exclude(story=story).exists()
    if taken_by_story or taken_before:
        raise ValidationError(
            {
                "slug": gettext("“%(new_slug)s” is or was another story's address.")
                % {"new_slug": new_slug}
            }
        )
    old_slug = story.slug
    StorySlug.objects.filter(story=story, slug=new_slug).delete()
    StorySlug.objects.create(story=story, slug=old_slug)
    story.slug = new_slug
    story.save(update_fields=["slug", "modified_at"])
    scopes = versions.bump_story_change(
        versions.story_scopes(story), seen_by_readers=story.is_live()
    )
    audit.record(actor, "change_slug", story, note=f"{old_slug} → {new_slug}")
    _announce(story, "change_slug", scopes)
    return story


def snapshot_revision(story: Story, actor=None, note: str = "Imported") -> Revision:
    """Record the story row as a revision (for content loaded outside the workflow)."""
    with transaction.atomic():
        revision = _new_revision(story, Content.of(story), actor, note)
        if story.status in Story.PUBLIC_STATUSES:
            story.published_revision = revision
            uses.record_published(story, revision)
        story.save(update_fields=["latest_revision", "published_revision", "modified_at"])
    return revision


def lock_story(story: Story) -> Story:
    """The story's row locked for the caller's transaction, fresh: for other apps' services
    that write a revision through ``keep_revision``."""
    return _locked(story)


def keep_revision(
    actor, story: Story, content: Content, note: str, *, decided: dict | None = None
) -> Revision:
    """A new revision of ``story`` (locked by ``lock_story``) for another app's service.

    The caller has checked its own permission and writes its own audit record.
    ``decided`` sets or clears approvals of unnamed sources by id
    (``sourcing/services.py`` alone passes it). Like ``save_story``, a story in
    the works shows the revision at once; a public one keeps its published one.
    """
    _validate(content)
    revision = _new_revision(story, content, actor, note, decided=decided)
    if story.status in WORKING_STATES:
        _apply_revision(story, revision)
    else:
        story.save(update_fields=["latest_revision", "modified_at"])
    return revision


# The steps that take nothing but a note, by action: the back office and the
# API run them alike (schedule and correction take more: a time, a kind).
STEPS_WITH_A_NOTE = {
    Action.SUBMIT: submit_story,
    Action.CLAIM: claim_story,
    Action.APPROVE: approve_story,
    Action.RETURN: return_story,
    Action.PULL_BACK: pull_back_story,
    Action.UNSCHEDULE: unschedule_story,
    Action.PUBLISH: publish_story,
    Action.PUBLISH_UPDATE: publish_update,
    Action.WITHDRAW: withdraw_story,
    Action.REINSTATE: reinstate_story,
}


# Preview links ----------------------------------------------------------------


@transaction.atomic
def share_preview(actor, story: Story) -> tuple[PreviewLink, str]:
    """A link to the story's latest saved revision, as it is now, and its token.

    The revision is read under the row lock, so a link made right after a save
    (an autosave included) shows that save.
    """
    story = _locked(story)
    permissions.check_read(actor, story)
    if story.is_withdrawn:
        raise ValidationError(gettext_lazy("A withdrawn story has no preview: republish it first."))
    revision = story.latest_revision
    if revision is None:
        raise ValidationError(gettext_lazy("The story has no saved revision to preview."))
    link, token = preview.open_link(story, revision, actor, timezone.now())
    audit.record(actor, "share_preview", story, revision=revision.number, link=link.pk)
    return link, token


@transaction.atomic
def revoke_preview(actor, link: PreviewLink) -> PreviewLink:
    """Close a preview link by hand: who made it, or an editor of the story's desk."""
    story = _locked(link.story)
    permissions.check_read(actor, story)
    link = PreviewLink.objects.select_for_update().get(pk=link.pk)
    if link.created_by_id != actor.pk and not access_for(actor).edits(story.desk_id):
        raise PermissionDenied(
            gettext_lazy("Only who made a preview link, or the desk's editors, may revoke it.")
        )
    if link.closed_at is None:
        link.closed_at = timezone.now()
        link.closed_by = actor
        link.closed_reason = PreviewLink.Closed.REVOKED
        link.save(update_fields=["closed_at", "closed_by", "closed_reason"])
    audit.record(actor, "revoke_preview", story, revision=link.revision.number, link=link.pk)
    return link


# Tags -----------------------------------------------------------------------

TAG_NAME_MAX = Tag._meta.get_field("name").max_length
# Tags a person may add to the outlet's list with one save.
NEW_TAGS_MAX = 10


def tag_name_and_slug(raw: str) -> tuple[str, str]:
    """A tag name cleaned as it is stored, and the slug it gets; ValidationError if unusable."""
    name = clean_line(raw or "")
    if len(name) > TAG_NAME_MAX:
        raise ValidationError(
            gettext("A tag name has at most %(tag_name_max)s characters: “%(name)s…”.")
            % {"tag_name_max": TAG_NAME_MAX, "name": f"{name[:40]}"}
        )
    slug = unicode_slug(name, TAG_NAME_MAX)
    if not slug:
        raise ValidationError(
            gettext("“%(name)s” is not a tag name: use at least one letter or digit.")
            % {"name": name}
        )
    return name, slug


def _tag_known_as(name: str, slug: str) -> Tag | None:
    """The tag that has this slug or name (or had the slug, before a rename or merge)."""
    tag = Tag.objects.filter(models.Q(slug=slug) | models.Q(name__iexact=name)).first()
    if tag is None:
        old = TagSlug.objects.select_related("tag").filter(slug=slug).first()
        tag = old.tag if old is not None else None
    return tag


@transaction.atomic
def tags_for_story(actor, names: list[str], *, desk: Desk, story: Story | None = None) -> list[Tag]:
    """The tags called ``names``, adding to the outlet's list those it does not have yet.

    Whoever may write the story (create it on ``desk``, or edit ``story``)
    may add tags while writing; a name whose slug an existing tag has, or
    had before a rename or merge, is that tag. Each new tag is audited. A
    tag no live story carries is public nowhere, so nothing is bumped.
    """
    if story is None:
        permissions.check_create(actor, desk)
    else:
        permissions.check_edit(actor, story)
    cleaned = [tag_name_and_slug(name) for name in names]
    if len({slug for _, slug in cleaned}) > NEW_TAGS_MAX:
        raise ValidationError(
            gettext("Add at most %(new_tags_max)s new tags at a time.")
            % {"new_tags_max": NEW_TAGS_MAX}
        )
    found: list[Tag] = []
    for name, slug in cleaned:
        tag = _tag_known_as(name, slug)
        if tag is None:
            try:
                with transaction.atomic():
                    tag = Tag.objects.create(name=name, slug=slug)
            except IntegrityError:  # made by someone else a moment ago
                tag = _tag_known_as(name, slug)
                if tag is None:
                    raise
            else:
                audit.record(actor, "tag_create", tag, note=name)
        if tag not in found:
            found.append(tag)
    return found


def check_manages_tags(actor) -> None:
    """Renaming and merging tags is for desk editors and chief editors."""
    if not access_for(actor).edits_any_desk:
        raise PermissionDenied(
            gettext_lazy("Only desk editors and chief editors rename and merge tags.")
        )


def _retire_slug(tag: Tag, slug: str) -> None:
    TagSlug.objects.update_or_create(slug=slug, defaults={"tag": tag})


@transaction.atomic
def rename_tag(actor, tag: Tag, new_name: str) -> Tag:
    """Give a tag a new name (and the slug that goes with it); its old address answers 301.

    Every page that shows the tag changes: saving the tag bumps the "site"
    scope (``stories.apps``).
    """
    check_manages_tags(actor)
    tag = Tag.objects.select_for_update().get(pk=tag.pk)
    name, slug = tag_name_and_slug(new_name)
    other = Tag.objects.filter(models.Q(slug=slug) | models.Q(name__iexact=name)).exclude(pk=tag.pk)
    if other.exists():
        raise ValidationError(
            gettext("The tag “%(other)s” exists: merge into it instead.")
            % {"other": other.first().name}
        )
    if TagSlug.objects.filter(slug=slug).exclude(tag=tag).exists():
        raise ValidationError(
            gettext("“%(slug)s” was another tag's address: choose another name.") % {"slug": slug}
        )
    old_name, old_slug = tag.name, tag.slug
    if (name, slug) == (old_name, old_slug):
        return tag
    if slug != old_slug:
        TagSlug.objects.filter(tag=tag, slug=slug).delete()
        _retire_slug(tag, old_slug)
    tag.name, tag.slug = name, slug
    tag.save()
    versions.bump({f"tag:{tag.pk}"})
    audit.record(actor, "tag_rename", tag, note=f"{old_name} → {name}", old_slug=old_slug)
    return tag


def _revisions_with_tag(tag: Tag):
    """Revisions whose tag list holds ``tag`` (a text match narrows, an exact check decides)."""
    candidates = Revision.objects.annotate(tag_text=Cast("tag_ids", models.TextField())).filter(
        tag_text__contains=str(tag.pk)
    )
    for revision in candidates.only("pk", "tag_ids").iterator(chunk_size=500):
        if tag.pk in revision.tag_ids:
            yield revision


@transaction.atomic
def merge_tags(actor, source: Tag, target: Tag) -> Tag:
    """Fold ``source`` into ``target``: its stories and revisions carry ``target``, its
    addresses answer 301 to ``target``'s, and ``source`` is gone.

    Revisions are rewritten to name the surviving tag (their words are untouched), so a
    restored or previewed revision keeps the tag. Deleting ``source`` bumps the "site"
    scope, which every page depends on.
    """
    check_manages_tags(actor)
    if source.pk == target.pk:
        raise ValidationError(gettext_lazy("A tag cannot be merged into itself."))
    first, second = sorted((source.pk, target.pk))
    locked = Tag.objects.select_for_update().in_bulk([first, second])
    if len(locked) < 2:
        raise ValidationError(gettext_lazy("One of the two tags no longer exists."))
    source, target = locked[source.pk], locked[target.pk]
    links = Story.tags.through.objects
    story_ids = list(links.filter(tag=source).values_list("story_id", flat=True))
    links.bulk_create(
        [links.model(story_id=story_id, tag=target) for story_id in story_ids],
        ignore_conflicts=True,
    )
    links.filter(tag=source).delete()
    rewritten = []
    for revision in _revisions_with_tag(source):
        ids = [target.pk if pk == source.pk else pk for pk in revision.tag_ids]
        revision.tag_ids = list(dict.fromkeys(ids))
        rewritten.append(revision)
    Revision.objects.bulk_update(rewritten, ["tag_ids"], batch_size=500)
    TagSlug.objects.filter(tag=source).update(tag=target)
    tags_rewritten.send(Tag, story_ids=story_ids, note=f"tag {source.pk} merged into {target.pk}")
    audit.record(
        actor,
        "tag_merge",
        target,
        note=f"{source.name} → {target.name}",
        merged_slug=source.slug,
        stories=len(story_ids),
    )
    old_slug, source_pk = source.slug, source.pk
    source.delete()
    _retire_slug(target, old_slug)
    versions.bump({f"tag:{source_pk}", f"tag:{target.pk}"})
    return target


# Soft locks -----------------------------------------------------------------


def acquire_lock(actor, story: Story, now: datetime | None = None) -> EditLock:
    """Mark ``actor`` as editing ``story``; returns the lock, which may be someone else's."""
    now = now or timezone.now()
    with transaction.atomic():
        lock = EditLock.objects.select_for_update().filter(story=story).first()
        if lock is not None and lock.user_id != actor.pk and lock.is_active(now):
            return lock
        if lock is None or lock.user_id != actor.pk or not lock.is_active(now):
            lock, _ = EditLock.objects.update_or_create(
                story=story, defaults={"user": actor, "since": now, "expires_at": now}
            )
        lock.expires_at = now + timedelta(seconds=LOCK_SECONDS)
        lock.save(update_fields=["expires_at"])
        return lock


def release_lock(actor, story: Story) -> None:
    EditLock.objects.filter(story=story, user=actor).delete()


def active_lock(story: Story, now: datetime | None = None) -> EditLock | None:
    lock = EditLock.objects.select_related("user").filter(story=story).first()
    return lock if lock is not None and lock.is_active(now) else None
