"""The outlet's sourcing rules, enforced by every service that makes a revision public."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from masthead.factories import editor_of, make_desk, make_staff
from masthead.newsroom.models import PolicyPage, StaffRole
from masthead.sourcing import rules
from masthead.sourcing.models import SourcingRule
from masthead.sourcing.services import approve_source, set_rule
from masthead.sourcing.tests.helpers import OUTLET, RESPONSE, UNNAMED, content, in_edit
from masthead.stories import services
from masthead.stories.models import Story

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk():
    return make_desk("Politics")


@pytest.fixture
def editor(desk):
    return editor_of(desk)


@pytest.fixture
def chief():
    return make_staff(StaffRole.Role.CHIEF_EDITOR, None, username="chief")


@pytest.fixture
def policy():
    return PolicyPage.objects.create(
        kind=PolicyPage.Kind.UNNAMED_SOURCES, title="Unnamed sources", slug="unnamed-sources"
    )


def test_the_table_names_a_policy_kind_that_exists_for_every_rule():
    kinds = set(PolicyPage.Kind.values)
    for code, rule in rules.RULES.items():
        assert rule.code == code
        assert rule.policy_kind in kinds
        assert rule.title and rule.explanation


def test_without_a_row_every_rule_is_enforced():
    assert all(setting.is_enforced for setting in rules.settings())


def test_an_unapproved_unnamed_source_is_refused_naming_the_rule_the_source_and_the_policy(
    desk, editor, policy
):
    story = in_edit(editor, desk, UNNAMED, OUTLET)

    with pytest.raises(ValidationError) as refused:
        services.publish_story(editor, story)

    message = " ".join(refused.value.messages)
    assert "unnamed_needs_approval" in message
    assert "An unnamed source needs an editor's approval" in message
    assert "source 1 (unnamed source, “two US officials”)" in message
    assert "/policies/unnamed-sources/" in message
    story.refresh_from_db()
    assert story.status == Story.Status.IN_EDIT
    assert story.published_revision_id is None


def test_an_approved_unnamed_source_is_published(desk, editor):
    story = in_edit(editor, desk, UNNAMED)
    approve_source(editor, story, "u1", "Two officials, confirmed separately by our bureau.")

    services.publish_story(editor, story)

    story.refresh_from_db()
    assert story.status == Story.Status.PUBLISHED
    assert story.sources[0]["approval"]["by_id"] == editor.pk


def test_an_allegation_needs_a_response_source(desk, editor):
    story = in_edit(editor, desk, OUTLET, makes_allegation=True)

    with pytest.raises(ValidationError) as refused:
        services.publish_story(editor, story)
    assert "allegation_needs_response" in " ".join(refused.value.messages)

    no_answer = dict(RESPONSE, outcome="no_response")
    services.save_story(
        editor,
        story,
        content(desk, OUTLET, no_answer, makes_allegation=True),
        story.latest_revision_id,
    )
    services.publish_story(editor, story)
    story.refresh_from_db()
    assert story.status == Story.Status.PUBLISHED


def test_a_rule_switched_off_is_not_enforced_and_on_again_is(desk, editor, chief):
    set_rule(chief, "unnamed_needs_approval", is_enforced=False)
    story = in_edit(editor, desk, UNNAMED)
    services.publish_story(editor, story)

    set_rule(chief, "unnamed_needs_approval", is_enforced=True)
    services.save_story(
        editor,
        story,
        content(desk, UNNAMED, headline="New headline"),
        Story.objects.get(pk=story.pk).latest_revision_id,
    )
    with pytest.raises(ValidationError, match="unnamed_needs_approval"):
        services.publish_update(editor, story, "Headline changed.")


def test_scheduling_is_refused_too(desk, editor):
    story = in_edit(editor, desk, UNNAMED)

    with pytest.raises(ValidationError, match="unnamed_needs_approval"):
        services.schedule_story(editor, story, timezone.now() + timedelta(hours=2))
    story.refresh_from_db()
    assert story.status == Story.Status.IN_EDIT


def test_a_correction_is_refused_when_the_latest_revision_breaks_a_rule(desk, editor, chief):
    story = in_edit(editor, desk, OUTLET)
    services.publish_story(editor, story)
    story.refresh_from_db()
    services.save_story(
        editor, story, content(desk, OUTLET, UNNAMED), story.latest_revision_id, note="Adds"
    )

    with pytest.raises(ValidationError, match="unnamed_needs_approval"):
        services.publish_correction(editor, story, "We misnamed the ministry.")
    assert not story.corrections.exists()


def test_republishing_a_withdrawn_story_is_checked(desk, editor, chief):
    set_rule(chief, "unnamed_needs_approval", is_enforced=False)
    story = in_edit(editor, desk, UNNAMED)
    services.publish_story(editor, story)
    services.withdraw_story(editor, story, "Legal review.")
    set_rule(chief, "unnamed_needs_approval", is_enforced=True)

    with pytest.raises(ValidationError, match="unnamed_needs_approval"):
        services.reinstate_story(editor, story, "Cleared.")
    story.refresh_from_db()
    assert story.status == Story.Status.WITHDRAWN


def test_the_policy_page_chosen_for_a_rule_is_the_one_named(desk, editor, chief, policy):
    ethics = PolicyPage.objects.create(kind=PolicyPage.Kind.OTHER, title="Our code", slug="code")
    set_rule(chief, "unnamed_needs_approval", is_enforced=True, policy_page=ethics)
    story = in_edit(editor, desk, UNNAMED)

    with pytest.raises(ValidationError, match="/policies/code/"):
        services.publish_story(editor, story)

    ethics.is_published = False
    ethics.save()
    with pytest.raises(ValidationError, match="/policies/unnamed-sources/"):
        services.publish_story(editor, story)


def test_only_enforced_rules_are_checked_but_any_can_be_asked_for(desk, editor, chief):
    set_rule(chief, "allegation_needs_response", is_enforced=False)
    story = in_edit(editor, desk, OUTLET, makes_allegation=True)
    revision = story.latest_revision

    assert rules.problems(revision) == []
    found = rules.problems(revision, only=["allegation_needs_response"])
    assert [problem.rule for problem in found] == ["allegation_needs_response"]
    assert SourcingRule.objects.get(code="allegation_needs_response").is_enforced is False
