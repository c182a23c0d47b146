"""stories/developing.py: marking stories developing and linking them in threads."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings

from masthead.factories import editor_of, make_desk, make_staff, make_story
from masthead.newsroom.models import AuditEvent, StaffRole
from masthead.newsroom.tests.test_text import hostile_text
from masthead.newsroom.text import clean_line
from masthead.stories import developing, versions
from masthead.stories.models import Story, StoryThread
from masthead.stories.services import publish_update, snapshot_revision

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk():
    return make_desk("Politics")


@pytest.fixture
def editor(desk):
    return editor_of(desk)


def counter(scope: str) -> int:
    return versions.counters([scope])[scope]


def writer_of(desk):
    return make_staff(StaffRole.Role.WRITER, desk)


def test_an_editor_marks_a_story_developing_and_ends_it(desk, editor):
    story = make_story(desk=desk)
    before = counter(f"story:{story.pk}")

    developing.start_developing(editor, story)
    story.refresh_from_db()
    assert story.is_developing and story.developing_since is not None
    assert counter(f"story:{story.pk}") == before + 1

    developing.end_developing(editor, story)
    story.refresh_from_db()
    assert not story.is_developing
    assert story.developing_until >= story.developing_since
    assert counter(f"story:{story.pk}") == before + 2
    actions = list(AuditEvent.objects.values_list("action", flat=True).order_by("pk"))
    assert actions[-2:] == ["developing_start", "developing_end"]


def test_marking_twice_changes_nothing_the_second_time(desk, editor):
    story = make_story(desk=desk)
    developing.start_developing(editor, story)
    since = Story.objects.get(pk=story.pk).developing_since
    version = counter(f"story:{story.pk}")

    developing.start_developing(editor, story)

    assert Story.objects.get(pk=story.pk).developing_since == since
    assert counter(f"story:{story.pk}") == version


def test_a_story_can_develop_again_after_coverage_ended(desk, editor):
    story = make_story(desk=desk)
    developing.start_developing(editor, story)
    developing.end_developing(editor, story)

    developing.start_developing(editor, story)

    assert Story.objects.get(pk=story.pk).is_developing


def test_a_withdrawn_story_cannot_be_developing(desk, editor):
    story = make_story(desk=desk, status=Story.Status.WITHDRAWN)

    with pytest.raises(ValidationError):
        developing.start_developing(editor, story)


def test_a_draft_marked_developing_bumps_only_pending_scopes(desk, editor):
    story = make_story(desk=desk, status=Story.Status.DRAFT, age=None)

    developing.start_developing(editor, story)

    assert counter(f"story:{story.pk}") == 0
    assert counter(f"pending:story:{story.pk}") == 1


ROLES = [
    ("writer of the desk", lambda desk, other: writer_of(desk), False),
    ("editor of the desk", lambda desk, other: editor_of(desk), True),
    ("editor of another desk", lambda desk, other: editor_of(other), False),
    ("chief editor", lambda desk, other: make_staff(StaffRole.Role.CHIEF_EDITOR), True),
    ("administrator", lambda desk, other: make_staff(StaffRole.Role.ADMINISTRATOR), False),
]


@pytest.mark.parametrize(("who", "make_actor", "allowed"), ROLES, ids=[r[0] for r in ROLES])
@pytest.mark.parametrize(
    "action",
    [
        lambda actor, story, thread: developing.start_developing(actor, story),
        lambda actor, story, thread: developing.end_developing(actor, story),
        lambda actor, story, thread: developing.add_to_thread(actor, story, thread),
        lambda actor, story, thread: developing.remove_from_thread(actor, story),
    ],
    ids=["start", "end", "add to thread", "remove from thread"],
)
def test_who_may_change_how_a_story_is_covered(desk, who, make_actor, allowed, action):
    other = make_desk("Economy")
    chief = make_staff(StaffRole.Role.CHIEF_EDITOR)
    thread = developing.create_thread(chief, "Talks in Vienna")
    story = make_story(desk=desk, created_by=None)
    actor = make_actor(desk, other)
    events = AuditEvent.objects.count()

    if allowed:
        action(actor, story, thread)
    else:
        with pytest.raises(PermissionDenied):
            action(actor, story, thread)
        assert AuditEvent.objects.count() == events


def test_a_writer_may_not_do_it_even_on_their_own_draft(desk):
    writer = writer_of(desk)
    story = make_story(desk=desk, status=Story.Status.DRAFT, age=None, created_by=writer)

    with pytest.raises(PermissionDenied):
        developing.start_developing(writer, story)


def test_only_editors_create_threads(desk, editor):
    with pytest.raises(PermissionDenied):
        developing.create_thread(writer_of(desk), "Talks")
    with pytest.raises(PermissionDenied):
        developing.create_thread(make_staff(StaffRole.Role.ADMINISTRATOR), "Talks")

    thread = developing.create_thread(editor, "Talks")
    assert thread.created_by == editor
    assert AuditEvent.objects.filter(action="thread_create", note="Talks").exists()


@pytest.mark.parametrize(
    ("title", "kept"),
    [
        ("  Talks\tin   Vienna \n", "Talks in Vienna"),
        ("<script>alert(1)</script>", "<script>alert(1)</script>"),  # escaped where shown
        ("\u202eanneiV\u202c talks", "anneiV talks"),
        ("گفتگوهای وین", "گفتگوهای وین"),
    ],
)
def test_thread_titles_are_cleaned_to_one_line(editor, title, kept):
    thread = developing.create_thread(editor, title)

    assert thread.title == kept
    assert thread.slug


@pytest.mark.parametrize("title", ["", "   ", "\u200b\u202e", "x" * 201, "\n\n"])
def test_unusable_thread_titles_are_refused(editor, title):
    with pytest.raises(ValidationError):
        developing.create_thread(editor, title)
    assert not StoryThread.objects.exists()


def test_threads_with_the_same_title_get_their_own_slugs(editor):
    first = developing.create_thread(editor, "Talks")
    second = developing.create_thread(editor, "Talks")

    assert first.slug != second.slug


def test_a_change_to_one_story_of_a_thread_bumps_the_thread(desk, editor):
    thread = developing.create_thread(editor, "Talks")
    first, second = make_story(desk=desk), make_story(desk=desk)
    developing.add_to_thread(editor, first, thread)
    scope = versions.thread_scope(thread.pk)
    assert counter(scope) == 1

    developing.add_to_thread(editor, second, thread)
    assert counter(scope) == 2

    second.refresh_from_db()
    snapshot_revision(second)
    publish_update(editor, second, "Officials confirm.")
    assert counter(scope) == 3


def test_moving_a_story_between_threads_bumps_both(desk, editor):
    old, new = developing.create_thread(editor, "Old"), developing.create_thread(editor, "New")
    story = make_story(desk=desk)
    developing.add_to_thread(editor, story, old)
    old_before = counter(versions.thread_scope(old.pk))

    developing.add_to_thread(editor, story, new)

    assert counter(versions.thread_scope(old.pk)) == old_before + 1
    assert counter(versions.thread_scope(new.pk)) == 1
    story.refresh_from_db()
    assert story.thread == new
    event = AuditEvent.objects.filter(action="thread_add").order_by("pk").last()
    assert event.detail == {"thread": new.pk, "left": old.pk}


def test_removing_a_story_from_its_thread(desk, editor):
    thread = developing.create_thread(editor, "Talks")
    story = make_story(desk=desk)
    developing.add_to_thread(editor, story, thread)

    developing.remove_from_thread(editor, story)

    story.refresh_from_db()
    assert story.thread is None
    assert counter(versions.thread_scope(thread.pk)) == 2
    assert AuditEvent.objects.filter(action="thread_remove").exists()


def test_a_thread_deleted_meanwhile_is_refused(desk, editor):
    thread = developing.create_thread(editor, "Talks")
    story = make_story(desk=desk)
    StoryThread.objects.filter(pk=thread.pk).delete()

    with pytest.raises(ValidationError):
        developing.add_to_thread(editor, story, thread)


@hypothesis_settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(title=hostile_text)
def test_any_thread_title_is_refused_or_stored_as_one_clean_line(editor, title):
    try:
        thread = developing.create_thread(editor, title)
    except ValidationError:
        return
    assert thread.title == clean_line(title)
    assert 0 < len(thread.title) <= developing.THREAD_TITLE_MAX
    assert "\n" not in thread.title and any(c.isalnum() for c in thread.title)
    assert StoryThread.objects.get(pk=thread.pk).slug == thread.slug
