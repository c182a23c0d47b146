"""The permission matrix: every role × every transition × own/other desk × own/other story.

One row per kind of actor; the expected answer for each transition comes from
the rules in ``stories/permissions.py``, written out here independently:
editors of the story's desk and chief editors may take every transition but
pulling back a submission, which only the story's own writer may take (an
editor only of a story of their own); a writer may only submit and pull back,
and only their own story on a desk they write for; administrators and people
without a role may take none.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from masthead.factories import make_desk, make_staff, make_story, make_user
from masthead.newsroom.models import StaffRole
from masthead.stories import services
from masthead.stories.models import Story
from masthead.stories.workflow import Action

pytestmark = pytest.mark.django_db
R = StaffRole.Role
S = Story.Status

# actor kind -> (role, desk is the story's desk?, is the story theirs?)
ACTORS = {
    "writer, own desk, own story": (R.WRITER, True, True),
    "writer, own desk, other's story": (R.WRITER, True, False),
    "writer, other desk, own story": (R.WRITER, False, True),
    "writer, other desk, other's story": (R.WRITER, False, False),
    "desk editor, own desk, own story": (R.DESK_EDITOR, True, True),
    "desk editor, own desk, other's story": (R.DESK_EDITOR, True, False),
    "desk editor, other desk, own story": (R.DESK_EDITOR, False, True),
    "desk editor, other desk, other's story": (R.DESK_EDITOR, False, False),
    "chief editor": (R.CHIEF_EDITOR, None, False),
    "administrator": (R.ADMINISTRATOR, None, False),
    "no role": (None, None, False),
}


def expected(actor_kind: str, action: Action) -> bool:
    role, same_desk, own = ACTORS[actor_kind]
    if action == Action.PULL_BACK:
        # The story's own writer only, whatever their role, on a desk they write for.
        return role in (R.WRITER, R.DESK_EDITOR) and same_desk and own
    if role == R.CHIEF_EDITOR or (role == R.DESK_EDITOR and same_desk):
        return True
    return role == R.WRITER and same_desk and own and action == Action.SUBMIT


# A state each transition may start from (the most common one) and the state it
# leads to, written out here, not read from ``workflow.TRANSITIONS``.
MOVES = {
    Action.SUBMIT: (S.DRAFT, S.SUBMITTED),
    Action.CLAIM: (S.SUBMITTED, S.IN_EDIT),
    Action.APPROVE: (S.IN_EDIT, S.READY),
    Action.RETURN: (S.SUBMITTED, S.DRAFT),
    Action.SCHEDULE: (S.READY, S.SCHEDULED),
    Action.UNSCHEDULE: (S.SCHEDULED, S.READY),
    Action.PUBLISH: (S.READY, S.PUBLISHED),
    Action.PUBLISH_UPDATE: (S.PUBLISHED, S.PUBLISHED),
    Action.PUBLISH_CORRECTION: (S.PUBLISHED, S.PUBLISHED),
    Action.WITHDRAW: (S.PUBLISHED, S.WITHDRAWN),
    Action.PULL_BACK: (S.SUBMITTED, S.DRAFT),
    Action.REINSTATE: (S.WITHDRAWN, S.PUBLISHED),
}


def start_state(action: Action) -> str:
    return MOVES[action][0]


def take(action: Action, actor, story: Story) -> Story:
    later = timezone.now() + timedelta(hours=2)
    calls = {
        Action.SUBMIT: lambda: services.submit_story(actor, story),
        Action.CLAIM: lambda: services.claim_story(actor, story),
        Action.APPROVE: lambda: services.approve_story(actor, story),
        Action.RETURN: lambda: services.return_story(actor, story, "Needs a second source."),
        Action.SCHEDULE: lambda: services.schedule_story(actor, story, later),
        Action.UNSCHEDULE: lambda: services.unschedule_story(actor, story),
        Action.PUBLISH: lambda: services.publish_story(actor, story),
        Action.PUBLISH_UPDATE: lambda: services.publish_update(actor, story, "Adds reaction."),
        Action.PUBLISH_CORRECTION: lambda: services.publish_correction(
            actor, story, "Fixed a name."
        ),
        Action.WITHDRAW: lambda: services.withdraw_story(actor, story, "Could not verify."),
        Action.PULL_BACK: lambda: services.pull_back_story(actor, story),
        Action.REINSTATE: lambda: services.reinstate_story(actor, story, "Verified after all."),
    }
    return calls[action]()


def story_in(state: str, desk, creator) -> Story:
    timing = {}
    if state == S.SCHEDULED:
        timing["age"] = -timedelta(hours=1)
    elif state != S.PUBLISHED:
        timing["age"] = None
    story = make_story("Matrix story", desk=desk, status=state, created_by=creator, **timing)
    services.snapshot_revision(story)
    return story


def actor_for(kind: str, story_desk, other_desk):
    role, same_desk, _ = ACTORS[kind]
    if role is None:
        return make_user(is_staff=True)
    desk = None if same_desk is None else (story_desk if same_desk else other_desk)
    return make_staff(role, desk)


@pytest.mark.parametrize("action", list(Action), ids=str)
@pytest.mark.parametrize("actor_kind", list(ACTORS))
def test_matrix(actor_kind, action):
    story_desk, other_desk = make_desk("Politics"), make_desk("Economy")
    actor = actor_for(actor_kind, story_desk, other_desk)
    owner = actor if ACTORS[actor_kind][2] else make_user()
    story = story_in(start_state(action), story_desk, owner)
    before = Story.objects.get(pk=story.pk)

    if expected(actor_kind, action):
        moved = take(action, actor, story)
        assert moved.status == MOVES[action][1]
    else:
        with pytest.raises(PermissionDenied):
            take(action, actor, story)
        after = Story.objects.get(pk=story.pk)
        assert (after.status, after.published_at, after.headline) == (
            before.status,
            before.published_at,
            before.headline,
        )


EDIT_CASES = [
    # (actor kind, story state, may edit?)
    ("writer, own desk, own story", S.DRAFT, True),
    ("writer, own desk, own story", S.SUBMITTED, False),
    ("writer, own desk, own story", S.PUBLISHED, False),
    ("writer, own desk, other's story", S.DRAFT, False),
    ("writer, other desk, own story", S.DRAFT, False),
    ("desk editor, own desk, other's story", S.SUBMITTED, True),
    ("desk editor, own desk, other's story", S.PUBLISHED, True),
    ("desk editor, own desk, other's story", S.WITHDRAWN, False),
    ("desk editor, other desk, other's story", S.DRAFT, False),
    ("chief editor", S.READY, True),
    ("administrator", S.DRAFT, False),
    ("no role", S.DRAFT, False),
]


@pytest.mark.parametrize(("actor_kind", "state", "allowed"), EDIT_CASES)
def test_who_may_save(actor_kind, state, allowed):
    story_desk, other_desk = make_desk("Politics"), make_desk("Economy")
    actor = actor_for(actor_kind, story_desk, other_desk)
    owner = actor if ACTORS[actor_kind][2] else make_user()
    story = story_in(state, story_desk, owner)
    content = services.Content.of(story)
    content.headline = "Edited headline"

    if allowed:
        services.save_story(actor, story, content, story.latest_revision_id)
        assert story.revisions.count() == 2
    else:
        with pytest.raises(PermissionDenied):
            services.save_story(actor, story, content, story.latest_revision_id)
        assert story.revisions.count() == 1


@pytest.mark.parametrize(
    ("actor_kind", "allowed"),
    [
        ("writer, own desk, own story", True),
        ("writer, other desk, own story", False),
        ("desk editor, own desk, own story", True),
        ("desk editor, other desk, own story", False),
        ("chief editor", True),
        ("administrator", False),
        ("no role", False),
    ],
)
def test_who_may_create_on_a_desk(actor_kind, allowed):
    story_desk, other_desk = make_desk("Politics"), make_desk("Economy")
    actor = actor_for(actor_kind, story_desk, other_desk)
    content = services.Content(headline="New story", desk=story_desk)

    if allowed:
        assert services.create_story(actor, content).status == S.DRAFT
    else:
        with pytest.raises(PermissionDenied):
            services.create_story(actor, content)
        assert not Story.objects.exists()


def test_a_writer_cannot_read_another_writers_draft():
    from masthead.stories.permissions import can_read

    desk = make_desk("Politics")
    alice, bob = make_staff(R.WRITER, desk), make_staff(R.WRITER, desk)
    story = story_in(S.DRAFT, desk, alice)

    assert can_read(alice, story)
    assert not can_read(bob, story)


def test_one_person_can_hold_different_roles_on_different_desks():
    from masthead.factories import grant

    politics, economy = make_desk("Politics"), make_desk("Economy")
    person = make_staff(R.WRITER, economy)
    grant(person, R.DESK_EDITOR, politics)
    mine_on_economy = story_in(S.READY, economy, person)
    other_on_politics = story_in(S.READY, politics, make_user())

    services.publish_story(person, other_on_politics)
    with pytest.raises(PermissionDenied):
        services.publish_story(person, mine_on_economy)


def test_moving_a_story_to_a_desk_one_does_not_write_for_is_refused():
    politics, economy = make_desk("Politics"), make_desk("Economy")
    editor = make_staff(R.DESK_EDITOR, politics)
    story = story_in(S.DRAFT, politics, make_user())
    content = services.Content.of(story)
    content.desk = economy

    with pytest.raises(PermissionDenied):
        services.save_story(editor, story, content, story.latest_revision_id)
    story.refresh_from_db()
    assert story.desk == politics
