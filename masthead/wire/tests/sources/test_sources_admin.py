"""The source services: who may change a source, what each action does, and its audit row."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from masthead.factories import make_staff
from masthead.newsroom.audit import events_for
from masthead.newsroom.models import AuditEvent
from masthead.wire import sources_admin
from masthead.wire.models import RoutingRule, Source, WireItem
from masthead.wire.tests.sources.support import MANAGERS, VIEWERS, R, make_source

pytestmark = pytest.mark.django_db

STAFF = ("admin", "chief", "editor", "other_editor", "writer", "other_writer", "reader")


def snapshot(source: Source) -> tuple:
    row = Source.objects.get(pk=source.pk)
    return (row.paused, row.next_poll_at, row.push_secret, row.name, AuditEvent.objects.count())


def _pause(user, source):
    return sources_admin.pause_source(user, source)


def _resume(user, source):
    Source.objects.filter(pk=source.pk).update(paused=True)
    return sources_admin.resume_source(user, source)


def _poll(user, source):
    return sources_admin.poll_now(user, source)


def _secret(user, source):
    Source.objects.filter(pk=source.pk).update(kind=Source.Kind.PUSH, url="")
    return sources_admin.rotate_push_secret(user, source)


def _delete(user, source):
    return sources_admin.delete_source(user, source)


def _rename(user, source):
    source.name = "Renamed"
    return sources_admin.save_source(user, source)


ACTIONS = {
    "pause": (_pause, "wire_source_pause"),
    "resume": (_resume, "wire_source_resume"),
    "poll_now": (_poll, "wire_source_poll_now"),
    "secret": (_secret, "wire_source_secret"),
    "delete": (_delete, "wire_source_delete"),
    "edit": (_rename, "wire_source_update"),
}


@pytest.mark.parametrize("action", sorted(ACTIONS))
@pytest.mark.parametrize("role", STAFF)
def test_who_may_act_on_a_source(people, source, role, action):
    act, audit_action = ACTIONS[action]
    user = people[role]
    if role in MANAGERS:
        act(user, source)
        assert AuditEvent.objects.filter(action=audit_action, actor=user).count() == 1
        return
    Source.objects.filter(pk=source.pk).update(paused=action == "resume")
    before = snapshot(source)
    with pytest.raises(PermissionDenied):
        act(user, Source.objects.get(pk=source.pk))
    assert Source.objects.filter(pk=source.pk).exists()
    after = snapshot(source)
    assert after[0] == before[0] and after[2:] == before[2:]


@pytest.mark.parametrize("role", STAFF)
def test_who_sees_a_source(people, source, other_desk, role):
    from masthead.newsroom.roles import access_for

    elsewhere = make_source(other_desk)
    visible = set(sources_admin.visible_sources(access_for(people[role])))
    assert (source in visible) == (role in VIEWERS)
    assert (elsewhere in visible) == (role in {"admin", "chief", "other_editor", "other_writer"})


def test_a_writer_sees_a_source_whose_rule_feeds_their_desk(people, other_desk, desk):
    from masthead.newsroom.roles import access_for

    elsewhere = make_source(other_desk)
    RoutingRule.objects.create(source=elsewhere, desk=desk, keywords="Tehran")
    assert elsewhere in sources_admin.visible_sources(access_for(people["writer"]))
    assert not sources_admin.can_manage(access_for(people["editor"]), elsewhere)


def test_creating_a_source_is_audited(people, desk):
    source = Source(
        name="AFP", slug="afp", kind=Source.Kind.RSS, url="https://afp.example/x", desk=desk
    )
    sources_admin.save_source(people["editor"], source)
    event = events_for(source).get()
    assert (event.action, event.actor) == ("wire_source_create", people["editor"])


def test_an_editor_may_not_move_a_source_to_a_desk_they_do_not_edit(people, source, other_desk):
    source.desk = other_desk
    with pytest.raises(PermissionDenied):
        sources_admin.save_source(people["editor"], source)
    assert Source.objects.get(pk=source.pk).desk_id != other_desk.pk
    assert not AuditEvent.objects.exists()


def test_an_update_names_the_changed_fields_but_never_the_secret(people, source):
    source.interval_seconds = 900
    source.push_secret = "x" * 64
    sources_admin.save_source(people["editor"], source)
    event = AuditEvent.objects.get(action="wire_source_update")
    assert event.note == "interval_seconds"
    assert "x" * 64 not in str(event.detail) + event.note


def test_saving_nothing_new_writes_no_audit_row(people, source):
    sources_admin.save_source(people["editor"], source)
    assert not AuditEvent.objects.exists()


def test_pause_and_resume(people, source):
    editor = people["editor"]
    sources_admin.pause_source(editor, source)
    assert Source.objects.get(pk=source.pk).paused
    with pytest.raises(ValidationError, match="already paused"):
        sources_admin.pause_source(editor, source)
    Source.objects.filter(pk=source.pk).update(next_poll_at=timezone.now() + timedelta(hours=1))
    sources_admin.resume_source(editor, source)
    row = Source.objects.get(pk=source.pk)
    assert not row.paused and row.next_poll_at <= timezone.now()
    assert list(AuditEvent.objects.order_by("pk").values_list("action", "to_state")) == [
        ("wire_source_pause", "paused"),
        ("wire_source_resume", "active"),
    ]


def test_poll_now_forgets_the_backoff_and_an_expired_lease(people, source):
    now = timezone.now()
    Source.objects.filter(pk=source.pk).update(
        next_poll_at=now + timedelta(hours=2),
        lease_until=now - timedelta(minutes=1),
        lease_token="abc",
    )
    sources_admin.poll_now(people["editor"], source)
    row = Source.objects.get(pk=source.pk)
    assert row.next_poll_at <= timezone.now()
    assert (row.lease_until, row.lease_token) == (None, "")


def test_poll_now_leaves_a_running_poll_its_lease(people, source):
    until = timezone.now() + timedelta(minutes=5)
    Source.objects.filter(pk=source.pk).update(lease_until=until, lease_token="worker-1")
    sources_admin.poll_now(people["editor"], source)
    row = Source.objects.get(pk=source.pk)
    assert (row.lease_until, row.lease_token) == (until, "worker-1")


def test_poll_now_refuses_push_and_paused_sources(people, desk):
    push = make_source(desk, kind=Source.Kind.PUSH, url="")
    with pytest.raises(ValidationError, match="not polled"):
        sources_admin.poll_now(people["editor"], push)
    paused = make_source(desk, paused=True)
    with pytest.raises(ValidationError, match="paused"):
        sources_admin.poll_now(people["editor"], paused)
    assert not AuditEvent.objects.exists()


def test_a_new_secret_replaces_the_old_and_is_never_audited(people, desk):
    push = make_source(desk, kind=Source.Kind.PUSH, url="")
    first = sources_admin.rotate_push_secret(people["editor"], push)
    second = sources_admin.rotate_push_secret(people["editor"], push)
    assert first != second and len(second) == 64
    assert Source.objects.get(pk=push.pk).push_secret == second
    notes = list(AuditEvent.objects.order_by("pk").values_list("note", flat=True))
    assert notes == ["generated", "rotated"]
    assert not AuditEvent.objects.filter(detail__icontains=second).exists()


def test_only_push_sources_have_a_secret(people, source):
    with pytest.raises(ValidationError):
        sources_admin.rotate_push_secret(people["editor"], source)
    assert Source.objects.get(pk=source.pk).push_secret == ""


def test_a_source_with_items_is_archived_not_deleted(people, source, desk):
    WireItem.objects.create(
        source=source, desk=desk, provider_id="a1", headline="x", fingerprint="f"
    )
    assert sources_admin.delete_source(people["editor"], source) is False
    row = Source.objects.get(pk=source.pk)
    assert row.paused
    assert AuditEvent.objects.get().action == "wire_source_archive"


def test_a_source_without_items_is_deleted_and_the_audit_row_keeps_its_name(people, source):
    assert sources_admin.delete_source(people["editor"], source) is True
    assert not Source.objects.filter(pk=source.pk).exists()
    event = AuditEvent.objects.get()
    assert (event.action, event.target_label) == ("wire_source_delete", "Reuters World")


# Auto-publish -----------------------------------------------------------------------------


def _rule(source, desk, **fields):
    return RoutingRule(source=source, desk=desk, **fields)


def test_an_editor_of_the_rule_desk_turns_auto_publish_on_and_off(people, source, desk):
    editor = people["editor"]
    rule = _rule(source, desk, auto_publish=True, publish_as=editor)
    sources_admin.save_source(editor, source, [rule])
    on = AuditEvent.objects.get(action="wire_autopublish_on")
    assert (on.actor, on.from_state, on.to_state) == (editor, "manual", "auto")
    assert on.detail["publish_as"] == editor.pk
    rule.auto_publish = False
    sources_admin.save_source(editor, source, [rule])
    assert RoutingRule.objects.get(pk=rule.pk).publish_as is None
    assert AuditEvent.objects.filter(action="wire_autopublish_off").count() == 1


def test_deleting_an_auto_publish_rule_is_recorded_as_turning_it_off(people, source, desk):
    editor = people["editor"]
    rule = _rule(source, desk, auto_publish=True, publish_as=editor)
    sources_admin.save_source(editor, source, [rule])
    sources_admin.save_source(editor, source, [], [rule])
    assert not RoutingRule.objects.exists()
    assert AuditEvent.objects.filter(action="wire_autopublish_off").count() == 1


@pytest.mark.parametrize("role", ["admin", "other_editor"])
def test_only_an_editor_of_the_rule_desk_turns_auto_publish_on(people, desk, other_desk, role):
    # The source is on a desk the actor manages; the rule publishes on the Politics desk.
    actor_desk = other_desk if role == "other_editor" else desk
    source = make_source(actor_desk)
    rule = _rule(source, desk, auto_publish=True, publish_as=people["editor"])
    with pytest.raises(PermissionDenied, match="Only an editor of the Politics desk"):
        sources_admin.save_source(people[role], source, [rule])
    assert not RoutingRule.objects.exists()
    assert not AuditEvent.objects.exists()


def test_an_administrator_keeps_an_auto_publish_rule_an_editor_set(people, source, desk):
    rule = _rule(source, desk, auto_publish=True, publish_as=people["editor"])
    sources_admin.save_source(people["editor"], source, [rule])
    rule.keywords = "Tehran"
    sources_admin.save_source(people["admin"], source, [rule])
    assert RoutingRule.objects.get(pk=rule.pk).auto_publish
    with pytest.raises(PermissionDenied):
        rule.publish_as = people["chief"]
        sources_admin.save_source(people["admin"], source, [rule])


@pytest.mark.parametrize("publisher", ["writer", "other_editor", "reader", "inactive"])
def test_publish_as_must_publish_on_the_rule_desk(people, source, desk, publisher):
    if publisher == "inactive":
        person = make_staff(R.DESK_EDITOR, desk, username="gone", is_active=False)
    else:
        person = people[publisher]
    rule = _rule(source, desk, auto_publish=True, publish_as=person)
    with pytest.raises(ValidationError, match="does not publish on the Politics desk"):
        sources_admin.save_source(people["chief"], source, [rule])
    assert not RoutingRule.objects.exists()


def test_auto_publish_needs_someone_to_publish_as(people, source, desk):
    with pytest.raises(ValidationError, match="Say whom"):
        sources_admin.save_source(
            people["editor"], source, [_rule(source, desk, auto_publish=True)]
        )


def test_a_refused_rule_leaves_the_source_unchanged(people, source, desk):
    source.name = "Changed name"
    rule = _rule(source, desk, auto_publish=True, publish_as=people["writer"])
    with pytest.raises(ValidationError):
        sources_admin.save_source(people["editor"], source, [rule])
    assert Source.objects.get(pk=source.pk).name == "Reuters World"
    assert not AuditEvent.objects.exists()


def test_rules_keep_the_order_given(people, source, desk, other_desk):
    rules = [_rule(source, other_desk, keywords="oil"), _rule(source, desk)]
    sources_admin.save_source(people["editor"], source, rules)
    assert list(source.rules.values_list("desk_id", "position")) == [
        (other_desk.pk, 0),
        (desk.pk, 1),
    ]


def test_health_words(source):
    now = timezone.now()
    assert sources_admin.health(source, now) == "new"
    source.last_success_at = now
    assert sources_admin.health(source, now) == "ok"
    source.failures = 2
    assert sources_admin.health(source, now) == "failing"
    source.lease_until = now + timedelta(minutes=1)
    assert sources_admin.health(source, now) == "polling"
    source.paused = True
    assert sources_admin.health(source, now) == "paused"


def test_overdue_when_due_for_longer_than_its_interval(source):
    now = timezone.now()
    source.next_poll_at = now - timedelta(seconds=source.interval_seconds - 5)
    assert not sources_admin.overdue(source, now)
    source.next_poll_at = now - timedelta(seconds=source.interval_seconds + 5)
    assert sources_admin.overdue(source, now)
