"""Preview links (``stories/preview.py``): random, stored hashed, bound to one
revision, expiring, revocable, and closed by the workflow steps they were not
made for."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from masthead.factories import editor_of, make_desk, make_staff, make_story
from masthead.newsroom.audit import events_for
from masthead.newsroom.models import StaffRole
from masthead.stories import services
from masthead.stories.models import PreviewLink, Story
from masthead.stories.preview import PreviewUnavailable, revision_for_token

pytestmark = pytest.mark.django_db
S = Story.Status


@pytest.fixture
def desk():
    return make_desk("Politics")


@pytest.fixture
def editor(desk):
    return editor_of(desk)


def story_in(state: str, desk, **fields) -> Story:
    timing = {"age": -timedelta(hours=1)} if state == S.SCHEDULED else {}
    if state not in (S.SCHEDULED, S.PUBLISHED):
        timing["age"] = None
    story = make_story("Preview me", desk=desk, status=state, **timing, **fields)
    services.snapshot_revision(story)
    return story


def test_a_link_names_the_latest_revision_and_who_made_it(editor, desk):
    story = story_in(S.READY, desk)

    link, token = services.share_preview(editor, story)

    assert revision_for_token(token) == story.latest_revision == link.revision
    assert (link.created_by, link.story) == (editor, story)
    assert link.expires_at > timezone.now() + timedelta(hours=47)
    event = events_for(story).get(action="share_preview")
    assert event.actor == editor and event.detail["revision"] == story.latest_revision.number


def test_tokens_are_random_long_and_never_stored(editor, desk):
    story = story_in(S.READY, desk)

    tokens = [services.share_preview(editor, story)[1] for _ in range(3)]

    assert len(set(tokens)) == 3
    for token in tokens:
        selector, secret = token.split(".")
        assert len(secret) >= 43  # 32 random bytes, URL-safe base64: 256 bits
        stored = PreviewLink.objects.get(selector=selector)
        assert secret not in stored.secret_hash and token not in str(vars(stored))


@pytest.mark.parametrize(
    "token",
    ["", ".", "nothing", "a.b", "x" * 60, "x" * 5000, "../../etc/passwd", "%00.%00"],
)
def test_malformed_tokens_open_nothing(token):
    with pytest.raises(PreviewUnavailable):
        revision_for_token(token)


def test_an_altered_token_opens_nothing(editor, desk):
    _, token = services.share_preview(editor, story_in(S.READY, desk))
    selector, secret = token.split(".")
    altered = secret[:-1] + ("A" if secret[-1] != "A" else "B")

    with pytest.raises(PreviewUnavailable):
        revision_for_token(f"{selector}.{altered}")


def test_a_link_expires(editor, desk):
    link, token = services.share_preview(editor, story_in(S.READY, desk))

    with pytest.raises(PreviewUnavailable):
        revision_for_token(token, now=link.expires_at + timedelta(seconds=1))


def test_an_embargoed_storys_link_opens_only_when_the_embargo_ends(editor, desk):
    story = story_in(S.READY, desk)
    link, token = services.share_preview(editor, story)
    when = timezone.now() + timedelta(hours=1)
    services.schedule_story(editor, story, when, embargo=True)

    with pytest.raises(PreviewUnavailable):
        revision_for_token(token)
    assert revision_for_token(token, now=when + timedelta(seconds=1)) == link.revision


def test_a_withdrawn_story_cannot_be_shared(editor, desk):
    story = story_in(S.PUBLISHED, desk)
    services.withdraw_story(editor, story, "Withdrawn: forged.")

    with pytest.raises(ValidationError):
        services.share_preview(editor, story)
    assert not PreviewLink.objects.exists()


def test_someone_who_may_not_read_the_story_cannot_share_it(desk):
    story = story_in(S.READY, desk)
    outsider = make_staff(StaffRole.Role.DESK_EDITOR, make_desk("Sports"))

    with pytest.raises(PermissionDenied):
        services.share_preview(outsider, story)
    assert not PreviewLink.objects.exists()


# Which steps close a story's links, written out here (not read from the table):
# the ones that take the story back, off the schedule or off the site.
STEPS = [
    # (step, state, step taken, closes the story's open links?)
    ("submit", S.DRAFT, lambda actor, story: services.submit_story(actor, story), False),
    ("claim", S.SUBMITTED, lambda actor, story: services.claim_story(actor, story), False),
    ("approve", S.IN_EDIT, lambda actor, story: services.approve_story(actor, story), False),
    ("return", S.SUBMITTED, lambda actor, story: services.return_story(actor, story, "Why."), True),
    ("pull back", S.SUBMITTED, lambda actor, story: services.pull_back_story(actor, story), True),
    (
        "schedule",
        S.READY,
        lambda actor, story: services.schedule_story(
            actor, story, timezone.now() + timedelta(hours=2)
        ),
        False,
    ),
    ("unschedule", S.SCHEDULED, lambda actor, story: services.unschedule_story(actor, story), True),
    ("publish", S.READY, lambda actor, story: services.publish_story(actor, story), False),
    ("update", S.PUBLISHED, lambda actor, story: services.publish_update(actor, story, ""), False),
    (
        "correction",
        S.PUBLISHED,
        lambda actor, story: services.publish_correction(actor, story, "Fix."),
        False,
    ),
    (
        "withdraw",
        S.PUBLISHED,
        lambda actor, story: services.withdraw_story(actor, story, "Gone."),
        True,
    ),
    (
        "withdraw a scheduled story",
        S.SCHEDULED,
        lambda actor, story: services.withdraw_story(actor, story, "Gone."),
        True,
    ),
]


@pytest.mark.parametrize(
    ("state", "step", "closes"),
    [pytest.param(state, step, closes, id=name) for name, state, step, closes in STEPS],
)
def test_the_steps_a_link_was_not_made_for_close_it(editor, desk, state, step, closes):
    story = story_in(state, desk, created_by=editor)
    link, token = services.share_preview(editor, story)
    other, _ = services.share_preview(editor, story_in(S.READY, desk))
    expired, _ = services.share_preview(editor, story)
    PreviewLink.objects.filter(pk=expired.pk).update(expires_at=timezone.now())

    step(editor, Story.objects.get(pk=story.pk))

    link.refresh_from_db()
    assert (link.closed_at is not None) is closes
    if closes:
        with pytest.raises(PreviewUnavailable):
            revision_for_token(token)
        assert link.closed_by == editor and link.closed_reason
    else:
        assert revision_for_token(token) == link.revision
    other.refresh_from_db()
    expired.refresh_from_db()
    assert other.closed_at is None and expired.closed_at is None


def test_a_link_is_revoked_by_who_made_it_or_an_editor_of_the_desk(editor, desk):
    writer = make_staff(StaffRole.Role.WRITER, desk)
    colleague = make_staff(StaffRole.Role.WRITER, desk)
    story = story_in(S.DRAFT, desk, created_by=writer)
    story.bylines.create(author=colleague.author)  # both may read it
    by_editor, editors_token = services.share_preview(editor, story)
    by_writer, writers_token = services.share_preview(writer, story)

    with pytest.raises(PermissionDenied):
        services.revoke_preview(colleague, by_writer)
    with pytest.raises(PermissionDenied):
        services.revoke_preview(writer, by_editor)
    services.revoke_preview(writer, by_writer)
    services.revoke_preview(editor, by_editor)

    for token in (editors_token, writers_token):
        with pytest.raises(PreviewUnavailable):
            revision_for_token(token)
    revoked = [
        (e.actor, e.detail["link"]) for e in events_for(story).filter(action="revoke_preview")
    ]
    assert sorted(revoked, key=lambda pair: pair[1]) == [
        (editor, by_editor.pk),
        (writer, by_writer.pk),
    ]
