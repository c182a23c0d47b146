"""The workflow table and its services: states, notes, schedules, embargoes, audit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from masthead.factories import editor_of, make_desk, make_staff, make_story
from masthead.newsroom.audit import events_for
from masthead.newsroom.models import StaffRole
from masthead.stories import services
from masthead.stories.models import Story
from masthead.stories.workflow import (
    Action,
    InvalidTransition,
    transition_for,
    transitions_from,
)

pytestmark = pytest.mark.django_db
S = Story.Status


# The workflow as the newsroom agreed it, written out here by hand and not read
# from ``workflow.TRANSITIONS``: (action, from state) -> (to state, who may take
# it, needs a note). A pair that is not here is not a transition.
EXPECTED = {
    ("submit", "draft"): ("submitted", "author_or_editor", False),
    ("claim", "submitted"): ("in_edit", "editor", False),
    ("approve", "in_edit"): ("ready", "editor", False),
    ("return", "submitted"): ("draft", "editor", True),
    ("return", "in_edit"): ("draft", "editor", True),
    ("return", "ready"): ("draft", "editor", True),
    ("schedule", "in_edit"): ("scheduled", "editor", False),
    ("schedule", "ready"): ("scheduled", "editor", False),
    ("unschedule", "scheduled"): ("ready", "editor", False),
    ("publish", "in_edit"): ("published", "editor", False),
    ("publish", "ready"): ("published", "editor", False),
    ("publish", "scheduled"): ("published", "editor", False),
    ("publish_update", "published"): ("published", "editor", False),
    ("publish_correction", "published"): ("published", "editor", True),
    ("withdraw", "published"): ("withdrawn", "editor", True),
    ("withdraw", "scheduled"): ("withdrawn", "editor", True),
    ("pull_back", "submitted"): ("draft", "author", False),
    ("reinstate", "withdrawn"): ("published", "editor", True),
}
ACTIONS = sorted({action for action, _ in EXPECTED})
STATES = ["draft", "submitted", "in_edit", "ready", "scheduled", "published", "withdrawn"]


def test_the_expected_table_names_every_action_and_state():
    assert sorted(a.value for a in Action) == ACTIONS
    assert sorted(S.values) == sorted(STATES)


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("state", STATES)
def test_every_action_from_every_state_follows_the_agreed_workflow(action, state):
    if (action, state) in EXPECTED:
        transition = transition_for(action, state)
        assert (transition.target, transition.who, transition.needs_note) == EXPECTED[
            (action, state)
        ]
    else:
        with pytest.raises(InvalidTransition):
            transition_for(action, state)


@pytest.mark.parametrize("state", STATES)
def test_the_steps_offered_from_each_state_are_the_agreed_ones(state):
    offered = {t.action.value for t in transitions_from(state)}
    assert offered == {action for action, source in EXPECTED if source == state}


def test_unknown_action_is_refused_clearly():
    with pytest.raises(InvalidTransition, match="not a workflow action"):
        transition_for("publish_everything", S.DRAFT)


@pytest.fixture
def desk():
    return make_desk("Politics")


@pytest.fixture
def editor(desk):
    return editor_of(desk)


@pytest.fixture
def writer(desk):
    return make_staff(StaffRole.Role.WRITER, desk)


def draft_by(writer, desk, headline="Budget talks stall") -> Story:
    return services.create_story(
        writer, services.Content(headline=headline, desk=desk, body="<p>First version.</p>")
    )


def test_a_full_day_from_draft_to_withdrawn(writer, editor, desk):
    story = draft_by(writer, desk)
    assert [b.author.user for b in story.bylines.all()] == [writer]

    services.submit_story(writer, story)
    services.claim_story(editor, story)
    services.approve_story(editor, story)
    services.publish_story(editor, story)
    story.refresh_from_db()
    assert story.is_live() and story.published_revision == story.latest_revision

    services.publish_correction(editor, story, "An earlier version misnamed the minister.")
    services.withdraw_story(editor, story, "Withdrawn: the talks never took place.")

    actions = [e.action for e in events_for(story).order_by("at", "pk")]
    assert actions == [
        "create", "submit", "claim", "approve", "publish", "publish_correction", "withdraw",
    ]  # fmt: skip
    last = events_for(story).first()
    assert (last.actor, last.from_state, last.to_state) == (editor, S.PUBLISHED, S.WITHDRAWN)
    assert last.note == "Withdrawn: the talks never took place."


def test_return_to_the_writer_needs_a_note_and_reopens_editing(writer, editor, desk):
    story = draft_by(writer, desk)
    services.submit_story(writer, story)

    with pytest.raises(ValidationError):
        services.return_story(editor, story, "   ")
    services.return_story(editor, story, "Please add the ministry's response.")

    story.refresh_from_db()
    assert story.status == S.DRAFT
    content = services.Content.of(story)
    content.body = "<p>With the ministry's response.</p>"
    services.save_story(writer, story, content, story.latest_revision_id)


@pytest.mark.parametrize("action", [Action.PUBLISH_CORRECTION, Action.WITHDRAW])
def test_corrections_and_withdrawals_need_a_note(editor, desk, action):
    story = make_story(desk=desk)
    services.snapshot_revision(story)
    call = {
        Action.PUBLISH_CORRECTION: services.publish_correction,
        Action.WITHDRAW: services.withdraw_story,
    }[action]

    with pytest.raises(ValidationError):
        call(editor, story, "")
    story.refresh_from_db()
    assert story.status == S.PUBLISHED and not story.corrections.exists()


def test_a_scheduled_story_is_public_at_its_time_with_no_worker(writer, editor, desk):
    story = draft_by(writer, desk)
    services.submit_story(writer, story)
    services.claim_story(editor, story)
    when = timezone.now() + timedelta(minutes=30)

    services.schedule_story(editor, story, when)

    story.refresh_from_db()
    assert story.status == S.SCHEDULED
    assert not Story.objects.live().filter(pk=story.pk).exists()
    later = when + timedelta(seconds=1)
    assert Story.objects.live(now=later).filter(pk=story.pk).exists()
    assert story.effective_status(later) == S.PUBLISHED


def test_scheduling_in_the_past_is_refused(editor, desk):
    story = make_story(desk=desk, status=S.READY, age=None)
    services.snapshot_revision(story)

    with pytest.raises(ValidationError, match="future"):
        services.schedule_story(editor, story, timezone.now() - timedelta(minutes=1))
    story.refresh_from_db()
    assert story.status == S.READY


def test_a_due_scheduled_story_takes_published_transitions(editor, desk):
    story = make_story(desk=desk, status=S.SCHEDULED, age=timedelta(minutes=1))
    services.snapshot_revision(story)

    services.publish_update(editor, story, "")

    story.refresh_from_db()
    assert story.status == S.PUBLISHED
    with pytest.raises(InvalidTransition):
        services.unschedule_story(editor, story)


def test_unscheduling_takes_a_story_back_before_its_time(editor, desk):
    story = make_story(desk=desk, status=S.SCHEDULED, age=-timedelta(hours=1))
    services.snapshot_revision(story)

    services.unschedule_story(editor, story)

    story.refresh_from_db()
    assert (story.status, story.published_at) == (S.READY, None)


def test_an_embargo_keeps_a_story_off_the_gate_even_if_its_time_is_wrong(editor, desk):
    now = timezone.now()
    story = make_story(desk=desk, status=S.SCHEDULED, age=timedelta(minutes=5))
    Story.objects.filter(pk=story.pk).update(embargoed_until=now + timedelta(hours=1))

    assert not Story.objects.live(now=now).filter(pk=story.pk).exists()
    assert Story.objects.live(now=now + timedelta(hours=2)).filter(pk=story.pk).exists()


def test_embargoed_scheduling_sets_the_embargo(editor, desk):
    story = make_story(desk=desk, status=S.READY, age=None)
    services.snapshot_revision(story)
    when = timezone.now() + timedelta(hours=3)

    services.schedule_story(editor, story, when, embargo=True)

    story.refresh_from_db()
    assert story.embargoed_until == when == story.published_at


# Pulling back a submission (the writer's own step, until an editor claims it) -------


def test_a_writer_pulls_back_a_submitted_story_and_edits_it_again(writer, desk):
    story = draft_by(writer, desk)
    services.submit_story(writer, story)

    services.pull_back_story(writer, story)

    story.refresh_from_db()
    assert story.status == S.DRAFT
    content = services.Content.of(story)
    content.body = "<p>Second thoughts.</p>"
    services.save_story(writer, story, content, story.latest_revision_id)
    last = events_for(story).filter(action="pull_back").get()
    assert (last.actor, last.from_state, last.to_state) == (writer, S.SUBMITTED, S.DRAFT)


def test_once_an_editor_claims_it_the_writer_cannot_pull_it_back(writer, editor, desk):
    story = draft_by(writer, desk)
    services.submit_story(writer, story)
    services.claim_story(editor, story)

    with pytest.raises(InvalidTransition):
        services.pull_back_story(writer, story)
    story.refresh_from_db()
    assert story.status == S.IN_EDIT


def test_only_the_storys_own_writer_pulls_it_back(writer, editor, desk):
    story = draft_by(writer, desk)
    services.submit_story(writer, story)
    colleague = make_staff(StaffRole.Role.WRITER, desk)

    for someone_else in (colleague, editor):
        with pytest.raises(PermissionDenied):
            services.pull_back_story(someone_else, story)
    story.refresh_from_db()
    assert story.status == S.SUBMITTED


# Reinstating a withdrawn story -------------------------------------------------------


def published_by(writer, editor, desk, headline="Budget talks stall") -> Story:
    story = draft_by(writer, desk, headline)
    services.submit_story(writer, story)
    services.claim_story(editor, story)
    services.publish_story(editor, story)
    story.refresh_from_db()
    return story


def test_reinstating_republishes_what_readers_saw_with_a_public_note(client, writer, editor, desk):
    story = published_by(writer, editor, desk)
    seen_revision = story.published_revision
    content = services.Content.of(story)
    content.headline = "Unpublished edit"
    services.save_story(editor, story, content, story.latest_revision_id)
    services.withdraw_story(editor, story, "Withdrawn: a source recanted.")
    assert client.get(story.get_absolute_url()).status_code == 410
    first_published = story.published_at

    services.reinstate_story(editor, story, "Reinstated: the source confirmed the account.")

    story.refresh_from_db()
    assert story.status == S.PUBLISHED and story.is_live()
    assert story.published_at == first_published and story.updated_at > first_published
    assert story.withdrawn_at is None
    reinstated = story.published_revision
    assert reinstated == story.latest_revision and reinstated.number == 3
    assert services.Content.of(reinstated) == services.Content.of(seen_revision)
    last = events_for(story).first()
    assert (last.action, last.actor, last.from_state, last.to_state) == (
        "reinstate",
        editor,
        S.WITHDRAWN,
        S.PUBLISHED,
    )
    page = client.get(story.get_absolute_url())
    assert page.status_code == 200
    html = page.content.decode()
    assert "Budget talks stall" in html and "Unpublished edit" not in html
    assert "Reinstated: the source confirmed the account." in html
    assert "Budget talks stall" in client.get("/").content.decode()
    assert client.get(f"/api/stories/{story.pk}").json()["headline"] == "Budget talks stall"


def test_reinstating_needs_a_note(writer, editor, desk):
    story = published_by(writer, editor, desk)
    services.withdraw_story(editor, story, "Withdrawn: a source recanted.")

    with pytest.raises(ValidationError):
        services.reinstate_story(editor, story, "  ")
    story.refresh_from_db()
    assert story.status == S.WITHDRAWN


def test_a_story_readers_never_saw_is_republished_as_a_first_publication(client, editor, desk):
    story = make_story(desk=desk, status=S.SCHEDULED, age=-timedelta(hours=1))
    services.snapshot_revision(story)
    services.withdraw_story(editor, story, "Internal: legal wants another look.")
    before = timezone.now()

    services.reinstate_story(editor, story, "Legal cleared it.")

    story.refresh_from_db()
    assert story.is_live() and story.published_at >= before
    assert not story.corrections.exists()
    html = client.get(story.get_absolute_url()).content.decode()
    assert "Legal cleared it." not in html and "Reinstated" not in html


def test_reinstating_is_refused_while_an_embargo_it_had_still_runs(editor, desk):
    now = timezone.now()
    story = make_story(
        desk=desk,
        status=S.SCHEDULED,
        published_at=now - timedelta(minutes=5),
        embargoed_until=now + timedelta(hours=1),
    )
    services.snapshot_revision(story)
    services.withdraw_story(editor, story, "Internal: the embargo was broken elsewhere.")

    with pytest.raises(ValidationError, match="embargo"):
        services.reinstate_story(editor, story, "Back on.")
    story.refresh_from_db()
    assert story.status == S.WITHDRAWN
