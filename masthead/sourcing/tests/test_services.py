"""Approving unnamed sources, why an approval cannot be forged, and the rules' settings."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from masthead.factories import editor_of, make_desk, make_staff
from masthead.newsroom.models import AuditEvent, PolicyPage, StaffRole
from masthead.sourcing.kinds import is_approved
from masthead.sourcing.models import SourcingRule
from masthead.sourcing.services import approve_source, set_rule, withdraw_approval
from masthead.sourcing.tests.helpers import OUTLET, UNNAMED, content, in_edit, latest_sources
from masthead.stories import services, versions
from masthead.stories.models import ContentVersion, Story

pytestmark = pytest.mark.django_db
R = StaffRole.Role

FORGED = {"by_id": 1, "by_name": "Chief", "at": "2026-01-01T00:00:00+00:00", "reason": "fine"}


@pytest.fixture
def desk():
    return make_desk("Politics")


@pytest.fixture
def editor(desk):
    return editor_of(desk)


@pytest.fixture
def writer(desk):
    return make_staff(R.WRITER, desk, username="writer")


def test_approval_is_a_new_revision_with_who_when_why_and_an_audit_record(desk, editor):
    story = in_edit(editor, desk, UNNAMED)
    before = story.latest_revision.number

    approve_source(editor, story, "u1", "  Known to our bureau\u202e chief. ")

    story.refresh_from_db()
    assert story.latest_revision.number == before + 1
    approval = story.latest_revision.sources[0]["approval"]
    assert approval["by_id"] == editor.pk
    assert approval["reason"] == "Known to our bureau chief."
    assert approval["at"]
    assert is_approved(story.latest_revision.sources[0])
    event = AuditEvent.objects.get(action="source_approve")
    assert event.detail["source"] == "u1"
    assert event.note == "Known to our bureau chief."


@pytest.mark.parametrize("reason", ["", "   ", None, 42, ["x"], "x" * 301])
def test_an_approval_needs_a_short_reason(desk, editor, reason):
    story = in_edit(editor, desk, UNNAMED)

    with pytest.raises(ValidationError):
        approve_source(editor, story, "u1", reason)
    assert "approval" not in latest_sources(story)[0]


@pytest.mark.parametrize("source_id", ["nope", "", None, 7, "o1", "u1' OR 1=1"])
def test_only_an_unnamed_source_of_the_latest_revision_can_be_approved(desk, editor, source_id):
    story = in_edit(editor, desk, UNNAMED, OUTLET)

    with pytest.raises(ValidationError):
        approve_source(editor, story, source_id, "Reason.")


def test_writers_and_other_desks_editors_may_not_approve(desk, editor, writer):
    other_editor = editor_of(make_desk("Economy"))
    story = services.create_story(writer, content(desk, UNNAMED))

    for person in (writer, other_editor, make_staff(R.ADMINISTRATOR, None, username="admin")):
        with pytest.raises(PermissionDenied):
            approve_source(person, story, "u1", "Reason.")
    chief = make_staff(R.CHIEF_EDITOR, None, username="chief")
    approve_source(chief, story, "u1", "Reason.")
    assert is_approved(latest_sources(story)[0])


def test_withdrawing_an_approval_clears_it_and_is_audited(desk, editor):
    story = in_edit(editor, desk, UNNAMED)
    approve_source(editor, story, "u1", "Reason.")

    withdraw_approval(editor, story, "u1", "The source recanted.")

    assert "approval" not in latest_sources(story)[0]
    assert AuditEvent.objects.filter(action="source_withdraw_approval").exists()
    with pytest.raises(ValidationError, match="unnamed_needs_approval"):
        services.publish_story(editor, story)


def test_withdrawing_is_refused_while_the_story_waits_on_the_schedule(desk, editor):
    story = in_edit(editor, desk, UNNAMED)
    approve_source(editor, story, "u1", "Reason.")
    services.schedule_story(editor, story, timezone.now() + timedelta(hours=3))

    with pytest.raises(ValidationError, match="unschedule"):
        withdraw_approval(editor, story, "u1")


# Forging: every save ignores ``approval`` from its input ------------------------------


def test_a_new_story_cannot_bring_its_own_approval(desk, editor):
    story = services.create_story(editor, content(desk, dict(UNNAMED, approval=FORGED)))

    assert "approval" not in latest_sources(story)[0]
    assert "approval" not in Story.objects.get(pk=story.pk).sources[0]


def test_a_save_cannot_forge_an_approval_and_keeps_a_real_one_while_unchanged(desk, editor):
    story = in_edit(editor, desk, UNNAMED)
    story.refresh_from_db()
    services.save_story(
        editor, story, content(desk, dict(UNNAMED, approval=FORGED)), story.latest_revision_id
    )
    assert "approval" not in latest_sources(story)[0]

    approve_source(editor, story, "u1", "Real reason.")
    story.refresh_from_db()
    forged_over = dict(UNNAMED, approval=FORGED, paragraphs=[2])
    services.save_story(
        editor, story, content(desk, forged_over, headline="Other"), story.latest_revision_id
    )
    kept = latest_sources(story)[0]
    assert kept["approval"]["reason"] == "Real reason."
    assert kept["approval"]["by_id"] == editor.pk
    assert kept["paragraphs"] == [2]


@pytest.mark.parametrize(
    "change",
    [
        {"description": "a senior official"},
        {"count": 3},
        {"anonymity_reason": "Fear of reprisal."},
        {"how_known": "A phone call."},
        {"id": "u2"},
    ],
)
def test_changing_what_was_approved_clears_the_approval(desk, editor, change):
    story = in_edit(editor, desk, UNNAMED)
    approve_source(editor, story, "u1", "Reason.")
    story.refresh_from_db()

    services.save_story(
        editor, story, content(desk, dict(UNNAMED, **change)), story.latest_revision_id
    )

    assert "approval" not in latest_sources(story)[0]


def test_restoring_an_old_revision_does_not_bring_back_a_withdrawn_approval(desk, editor):
    story = in_edit(editor, desk, UNNAMED)
    approve_source(editor, story, "u1", "Reason.")
    story.refresh_from_db()
    approved = story.latest_revision
    withdraw_approval(editor, story, "u1")
    story.refresh_from_db()

    services.restore_revision(editor, story, approved, story.latest_revision_id)

    assert "approval" not in latest_sources(story)[0]


def test_restoring_keeps_an_approval_the_latest_revision_still_has(desk, editor):
    story = in_edit(editor, desk, UNNAMED)
    first = Story.objects.get(pk=story.pk).latest_revision
    approve_source(editor, story, "u1", "Reason.")
    story.refresh_from_db()

    services.restore_revision(editor, story, first, story.latest_revision_id)

    assert is_approved(latest_sources(story)[0])


# The rules' settings -----------------------------------------------------------------


def test_set_rule_is_for_chief_editors_and_administrators(desk, editor, writer):
    for person in (editor, writer):
        with pytest.raises(PermissionDenied):
            set_rule(person, "unnamed_needs_approval", is_enforced=False)
    assert not SourcingRule.objects.exists()

    admin = make_staff(R.ADMINISTRATOR, None, username="admin")
    before = versions.counters([versions.SITE]).get(versions.SITE, 0)
    set_rule(admin, "unnamed_needs_approval", is_enforced=False)

    rule = SourcingRule.objects.get(code="unnamed_needs_approval")
    assert rule.is_enforced is False and rule.updated_by == admin
    assert AuditEvent.objects.filter(action="sourcing_rule", actor=admin).exists()
    assert ContentVersion.objects.get(scope=versions.SITE).counter == before + 1


@pytest.mark.parametrize(
    ("code", "enforced"),
    [("nope", True), ("", True), ("unnamed_needs_approval", "yes"), ("unnamed_needs_approval", 1)],
)
def test_set_rule_refuses_unknown_rules_and_non_booleans(code, enforced):
    chief = make_staff(R.CHIEF_EDITOR, None, username="chief")
    with pytest.raises(ValidationError):
        set_rule(chief, code, is_enforced=enforced)


def test_set_rule_refuses_a_policy_page_that_does_not_exist():
    chief = make_staff(R.CHIEF_EDITOR, None, username="chief")
    ghost = PolicyPage(pk=999999, kind="ethics", title="Ghost", slug="ghost")
    with pytest.raises(ValidationError):
        set_rule(chief, "unnamed_needs_approval", is_enforced=True, policy_page=ghost)
