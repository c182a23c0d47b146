"""Managing wire sources: who may see and change them, and every change as one service.

The back office's source pages (``source_views.py``) and nothing else change
a ``Source`` or its ``RoutingRule`` rows through here; the pipeline
(``ingest.py``, ``tasks.py``) writes only the health and schedule fields. Who
may do what is one table::

    action                         who
    ─────────────────────────────  ─────────────────────────────────────────────
    see a source and its health    staff who write for or edit its desk or a
                                   desk its rules feed; chief editors;
                                   administrators
    create, edit, pause, resume,   editors of the source's desk (and of the new
    poll now, rotate the push      desk when it moves), chief editors,
    secret, delete or archive      administrators
    turn a rule's auto-publish on  editors of the rule's desk and chief editors
    (or change whom or where it    only — administrators hold no content role by
    publishes while on)            themselves; ``publish_as`` must be someone
                                   who publishes on that desk
    turn auto-publish off          whoever manages the source

The push secret is never shown again after the response that generated it,
and never to someone who does not manage the source. Every change writes an
audit record (``newsroom/audit.py``) in the same transaction as the change.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from masthead.newsroom import audit
from masthead.newsroom.models import Desk
from masthead.newsroom.roles import StaffAccess, access_for
from masthead.wire import tasks
from masthead.wire.models import RoutingRule, Source

# The fields whose change is worth an audit line; the secret and the
# pipeline's own fields (health, schedule, conditional GET) are not.
SOURCE_FIELDS = ("name", "slug", "kind", "provider", "url", "folder", "desk_id", "interval_seconds")
RULE_FIELDS = ("desk_id", "keywords", "subjects", "max_urgency", "auto_publish", "publish_as_id")
PULL_KINDS = frozenset({Source.Kind.RSS, Source.Kind.NINJS, Source.Kind.NEWSML})
POLLED_KINDS = PULL_KINDS | {Source.Kind.FOLDER}
SECRET_BYTES = 32  # 256 bits, as long as the HMAC-SHA256 key it is


# Who ---------------------------------------------------------------------------


def sees_every_source(access: StaffAccess) -> bool:
    return access.is_chief_editor or access.is_administrator


def visible_sources(access: StaffAccess) -> QuerySet[Source]:
    """The sources whose health ``access`` may read."""
    sources = Source.objects.select_related("desk")
    if sees_every_source(access):
        return sources
    desks = sorted(access.writer_desks | access.editor_desks)
    return sources.filter(Q(desk_id__in=desks) | Q(rules__desk_id__in=desks)).distinct()


def can_manage(access: StaffAccess, source: Source) -> bool:
    return manages_desk(access, source.desk_id)


def manages_desk(access: StaffAccess, desk_id: int | None) -> bool:
    if access.is_administrator or access.is_chief_editor:
        return True
    return desk_id is not None and desk_id in access.editor_desks


def managed_desks(access: StaffAccess) -> QuerySet[Desk]:
    """The desks ``access`` may put a source on."""
    if access.is_administrator or access.is_chief_editor:
        return Desk.objects.all()
    return Desk.objects.filter(pk__in=sorted(access.editor_desks))


def may_auto_publish(access: StaffAccess, desk_id: int | None) -> bool:
    """Only an editor of the desk (a chief editor edits every desk) turns auto-publish on."""
    return desk_id is not None and access.edits(desk_id)


def publishes_on(user, desk_id: int) -> bool:
    """Whether ``user`` may publish on the desk: an active editor of it."""
    return user is not None and user.is_active and access_for(user).edits(desk_id)


def check_view(actor, source: Source) -> None:
    if not visible_sources(access_for(actor)).filter(pk=source.pk).exists():
        raise PermissionDenied("This source feeds none of your desks.")


def check_manage(actor, source: Source) -> None:
    if not can_manage(access_for(actor), source):
        raise PermissionDenied(
            f"Only the {source.desk.name} desk's editors, the chief editor and administrators "
            "manage this source."
        )


# Creating and editing ------------------------------------------------------------


@transaction.atomic
def save_source(
    actor,
    source: Source,
    rules: Iterable[RoutingRule] = (),
    deleted_rules: Iterable[RoutingRule] = (),
) -> Source:
    """Create or change a source a form has filled in, with its routing rules.

    ``rules`` are the rules to keep (new or changed, in order), ``deleted_rules``
    those to remove. Raises ``PermissionDenied`` when the actor may not manage
    the source's desk (old or new) or may not set a rule's auto-publish, and
    ``ValidationError`` when a row does not hold; nothing is stored then.
    """
    access = access_for(actor)
    creating = source.pk is None
    before = {} if creating else _locked_values(source)
    if not creating and not manages_desk(access, before["desk_id"]):
        raise PermissionDenied("You do not manage this source.")
    if not manages_desk(access, source.desk_id):
        raise PermissionDenied("You may only put sources on desks you edit.")
    source.full_clean()
    source.save()
    if creating:
        audit.record(actor, "wire_source_create", source, note=source.get_kind_display())
    else:
        after = Source.objects.filter(pk=source.pk).values(*SOURCE_FIELDS).first()
        changed = sorted(name for name in SOURCE_FIELDS if before.get(name) != after.get(name))
        if changed:
            audit.record(actor, "wire_source_update", source, note=", ".join(changed))
    for rule in deleted_rules:
        if rule.pk is None or rule.source_id != source.pk:
            continue
        was = RoutingRule.objects.select_for_update().filter(pk=rule.pk).first()
        if was is None:
            continue
        if was.auto_publish:
            _record_auto_publish(actor, source, was, on=False)
        was.delete()
    for position, rule in enumerate(rules):
        rule.source = source
        rule.position = position
        _save_rule(actor, access, source, rule)
    return source


def _locked_values(source: Source) -> dict:
    row = Source.objects.select_for_update().filter(pk=source.pk).values(*SOURCE_FIELDS).first()
    if row is None:
        raise ValidationError("This source was deleted meanwhile.")
    return row


def _save_rule(actor, access: StaffAccess, source: Source, rule: RoutingRule) -> None:
    before = None
    if rule.pk is not None:
        before = RoutingRule.objects.select_for_update().filter(pk=rule.pk, source=source).first()
        if before is None:
            raise ValidationError("A routing rule was removed meanwhile; reload the page.")
    if not rule.auto_publish:
        rule.publish_as = None
    was_on = bool(before and before.auto_publish)
    publishing_changed = rule.auto_publish and (
        not was_on or before.desk_id != rule.desk_id or before.publish_as_id != rule.publish_as_id
    )
    if publishing_changed:
        check_auto_publish(access, rule)
    rule.full_clean()
    rule.save()
    if rule.auto_publish != was_on:
        _record_auto_publish(actor, source, rule, on=rule.auto_publish)
    elif publishing_changed:
        audit.record(
            actor,
            "wire_autopublish_change",
            source,
            note=_rule_note(rule),
            rule=rule.pk,
            desk=rule.desk_id,
            publish_as=rule.publish_as_id,
        )


def check_auto_publish(access: StaffAccess, rule: RoutingRule) -> None:
    """Raise unless ``access`` may let ``rule`` publish on its own, as its ``publish_as``."""
    desk = rule.desk
    if not may_auto_publish(access, rule.desk_id):
        raise PermissionDenied(
            gettext("Only an editor of the %(desk)s desk may turn on auto-publish.")
            % {"desk": desk.name}
        )
    if rule.publish_as is None:
        raise ValidationError({"publish_as": "Say whom auto-published stories are published as."})
    if not publishes_on(rule.publish_as, rule.desk_id):
        raise ValidationError(
            {
                "publish_as": gettext("%(publish_as)s does not publish on the %(desk)s desk.")
                % {"publish_as": rule.publish_as, "desk": desk.name}
            }
        )


def _rule_note(rule: RoutingRule) -> str:
    who = rule.publish_as.get_username() if rule.publish_as else "nobody"
    return f"to {rule.desk.name}, published as {who}"


def _record_auto_publish(actor, source: Source, rule: RoutingRule, *, on: bool) -> None:
    audit.record(
        actor,
        "wire_autopublish_on" if on else "wire_autopublish_off",
        source,
        from_state="manual" if on else "auto",
        to_state="auto" if on else "manual",
        note=_rule_note(rule),
        rule=rule.pk,
        desk=rule.desk_id,
        publish_as=rule.publish_as_id,
    )


# Actions ---------------------------------------------------------------------------


def _locked(actor, source: Source) -> Source:
    row = Source.objects.select_for_update().select_related("desk").filter(pk=source.pk).first()
    if row is None:
        raise ValidationError("This source was deleted meanwhile.")
    check_manage(actor, row)
    return row


@transaction.atomic
def pause_source(actor, source: Source) -> Source:
    """Stop polling (or accepting pushes from) a source until someone resumes it."""
    row = _locked(actor, source)
    if row.paused:
        raise ValidationError(gettext("“%(row)s” is already paused.") % {"row": row.name})
    row.paused = True
    row.save(update_fields=["paused"])
    audit.record(actor, "wire_source_pause", row, from_state="active", to_state="paused")
    return row


@transaction.atomic
def resume_source(actor, source: Source) -> Source:
    """Start again; a polled source is due at once."""
    row = _locked(actor, source)
    if not row.paused:
        raise ValidationError(gettext("“%(row)s” is not paused.") % {"row": row.name})
    row.paused = False
    row.next_poll_at = timezone.now()
    row.save(update_fields=["paused", "next_poll_at"])
    audit.record(actor, "wire_source_resume", row, from_state="paused", to_state="active")
    return row


@transaction.atomic
def poll_now(actor, source: Source) -> Source:
    """Make the source due now, forgetting any backoff after errors.

    A worker holding the lease keeps it (two polls of one source never run
    at once); an expired lease is cleared. The next ``schedule_due_sources``
    run picks the source up.
    """
    row = _locked(actor, source)
    if row.kind not in POLLED_KINDS:
        raise ValidationError("A push source is not polled: the agency sends its items to us.")
    if row.paused:
        raise ValidationError(
            gettext("“%(row)s” is paused: resume it to poll it.") % {"row": row.name}
        )
    tasks.poll_now(row)
    audit.record(actor, "wire_source_poll_now", row)
    row.refresh_from_db()
    return row


@transaction.atomic
def rotate_push_secret(actor, source: Source) -> str:
    """A new push secret for the source, returned once; the old one stops working at once."""
    row = _locked(actor, source)
    if row.kind != Source.Kind.PUSH:
        raise ValidationError("Only push sources have a secret.")
    had_one = bool(row.push_secret)
    row.push_secret = secrets.token_hex(SECRET_BYTES)
    row.save(update_fields=["push_secret"])
    audit.record(actor, "wire_source_secret", row, note="rotated" if had_one else "generated")
    return row.push_secret


@transaction.atomic
def delete_source(actor, source: Source) -> bool:
    """Delete a source that never received an item; archive (pause) one that did.

    Items stay: stories rest on them and the queue's history names them.
    Returns whether the source was deleted.
    """
    row = _locked(actor, source)
    if row.items.exists():
        if not row.paused:
            row.paused = True
            row.save(update_fields=["paused"])
        audit.record(actor, "wire_source_archive", row, to_state="paused")
        return False
    audit.record(actor, "wire_source_delete", row, note=row.get_kind_display())
    row.delete()
    return True


# Health, as the list shows it ----------------------------------------------------------


def health(source: Source, now=None) -> str:
    """One word for the list: paused, polling, failing, ok, or new (never polled)."""
    now = now or timezone.now()
    if source.paused:
        return "paused"
    if source.lease_until is not None and source.lease_until > now:
        return "polling"
    if source.failures:
        return "failing"
    if source.last_success_at is not None:
        return "ok"
    return "new"


def overdue(source: Source, now=None) -> bool:
    """Due for longer than one interval and not being polled: workers may not be running."""
    now = now or timezone.now()
    if source.paused or source.kind not in POLLED_KINDS:
        return False
    late = now - source.next_poll_at
    return late > timedelta(seconds=max(source.interval_seconds, 60))
