"""Revisions, the published copy, conflicts and restores (DESIGN.md invariants 2 and 4)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from masthead import failpoints
from masthead.factories import editor_of, make_desk, make_staff, make_story
from masthead.newsroom.models import StaffRole
from masthead.stories import services
from masthead.stories.models import Correction, Story
from masthead.stories.services import StaleRevision

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk():
    return make_desk("Politics")


@pytest.fixture
def editor(desk):
    return editor_of(desk)


@pytest.fixture
def live_story(desk):
    story = make_story("Original headline", desk=desk, body="<p>Original body.</p>")
    services.snapshot_revision(story)
    return story


def edit(story: Story, **changes) -> services.Content:
    content = services.Content.of(story.latest_revision)
    for name, value in changes.items():
        setattr(content, name, value)
    return content


def test_every_save_keeps_a_revision_with_who_and_note(editor, live_story):
    revision = services.save_story(
        editor,
        live_story,
        edit(live_story, headline="Second"),
        live_story.latest_revision_id,
        "Tighter",
    )

    assert (revision.number, revision.created_by, revision.note) == (2, editor, "Tighter")
    assert list(live_story.revisions.values_list("number", flat=True)) == [2, 1]


def test_editing_a_live_story_changes_nothing_public_until_published(client, editor, live_story):
    services.save_story(
        editor,
        live_story,
        edit(live_story, headline="Leaked new headline"),
        live_story.latest_revision_id,
    )

    page = client.get(live_story.get_absolute_url()).content.decode()
    assert "Original headline" in page and "Leaked new headline" not in page
    assert client.get("/").content.decode().count("Leaked new headline") == 0

    services.publish_update(editor, live_story, "Adds the new headline.")

    live_story.refresh_from_db()
    page = client.get(live_story.get_absolute_url()).content.decode()
    assert "Leaked new headline" in page
    assert live_story.was_updated and "Updated <time" in page
    assert "Adds the new headline." in page


def test_a_save_over_a_newer_revision_is_refused_and_nothing_is_lost(desk, editor, live_story):
    other_editor = make_staff(StaffRole.Role.DESK_EDITOR, desk)
    base = live_story.latest_revision_id
    services.save_story(editor, live_story, edit(live_story, body="<p>Editor one.</p>"), base)

    with pytest.raises(StaleRevision) as refused:
        services.save_story(
            other_editor, live_story, edit(live_story, body="<p>Editor two.</p>"), base
        )

    assert refused.value.latest.body == "<p>Editor one.</p>"
    assert str(editor) in str(refused.value)
    bodies = set(live_story.revisions.values_list("body", flat=True))
    assert bodies == {"<p>Original body.</p>", "<p>Editor one.</p>"}


# Two writers at once: the row lock decides (PostgreSQL) -------------------------
#
# Writer A is parked by a failpoint inside its transaction, right after it
# locked the story's row; writer B then starts the same kind of write from
# its own connection. B must wait for the lock (seen in PostgreSQL's pg_locks,
# while B has not finished) and, once A commits, be refused. Without the row
# lock B would read the row A has not changed yet, and both would write.


class Writer(threading.Thread):
    """A write in a thread of its own (so on a database connection of its own)."""

    def __init__(self, write):
        super().__init__(daemon=True)
        self.write = write
        self.started_writing = threading.Event()
        self.done = threading.Event()
        self.backend_pid: int | None = None
        self.outcome: str | None = None

    def run(self) -> None:
        try:
            connection.ensure_connection()
            self.backend_pid = connection.connection.info.backend_pid
            self.started_writing.set()
            self.write()
            self.outcome = "done"
        except Exception as error:  # the test reads which one it was
            self.outcome = type(error).__name__
        finally:
            connection.close()
            self.done.set()


def wait_until_blocked_on_a_lock(writer: Writer) -> None:
    """Return once ``writer``'s connection waits for a lock; fail if it finishes first."""
    assert writer.started_writing.wait(timeout=30)
    deadline = threading.Event()
    timer = threading.Timer(30, deadline.set)
    timer.start()
    try:
        while not deadline.is_set():
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE pid = %s AND NOT granted)",
                    [writer.backend_pid],
                )
                if cursor.fetchone()[0]:
                    return
            # Woken at once if the writer finishes: it did not wait for the lock.
            assert not writer.done.wait(timeout=0.01), f"did not wait: {writer.outcome}"
        pytest.fail("the second writer never waited for the row lock")
    finally:
        timer.cancel()


def race(settings, point: str, first, second) -> tuple[Writer, Writer]:
    """Park ``first`` at failpoint ``point`` holding the row lock; run ``second`` against it."""
    parked = failpoints.Park()
    settings.FAILPOINTS = {point: parked}
    a, b = Writer(first), Writer(second)
    a.start()
    assert parked.arrived.wait(timeout=30)
    settings.FAILPOINTS = {}  # B goes straight through once it has the lock
    b.start()
    try:
        wait_until_blocked_on_a_lock(b)
        assert not b.done.is_set()
    finally:
        parked.release.set()
        a.join(timeout=30)
        b.join(timeout=30)
    return a, b


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_second_save_waits_for_the_row_lock_then_is_refused(desk, settings):
    editors = [editor_of(desk), editor_of(desk)]
    story = make_story("Race", desk=desk)
    services.snapshot_revision(story)
    base = story.latest_revision_id

    def save(editor, text):
        return lambda: services.save_story(
            editor, Story.objects.get(pk=story.pk), edit(story, body=text), base
        )

    a, b = race(
        settings,
        "stories.save.after_lock",
        save(editors[0], "<p>A</p>"),
        save(editors[1], "<p>B</p>"),
    )

    assert (a.outcome, b.outcome) == ("done", "StaleRevision")
    assert sorted(story.revisions.values_list("body", flat=True)) == [
        "<p>A</p>",
        "<p>Body text.</p>",
    ]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_second_workflow_step_waits_for_the_row_lock_then_is_refused(desk, settings):
    from masthead.newsroom.audit import events_for

    editors = [editor_of(desk), editor_of(desk)]
    story = make_story("Race", desk=desk, status=Story.Status.SUBMITTED, age=None)
    services.snapshot_revision(story)

    def claim(editor):
        return lambda: services.claim_story(editor, Story.objects.get(pk=story.pk))

    a, b = race(settings, "stories.move.after_lock", claim(editors[0]), claim(editors[1]))

    assert (a.outcome, b.outcome) == ("done", "InvalidTransition")
    claims = events_for(story).filter(action="claim")
    assert [event.actor for event in claims] == [editors[0]]
    assert Story.objects.get(pk=story.pk).status == Story.Status.IN_EDIT


def test_restore_makes_an_old_revision_the_latest_again(editor, live_story):
    first = live_story.latest_revision
    services.save_story(editor, live_story, edit(live_story, headline="Changed"), first.pk)
    live_story.refresh_from_db()

    restored = services.restore_revision(editor, live_story, first, live_story.latest_revision_id)

    assert restored.number == 3 and restored.headline == "Original headline"
    assert restored.note == "Restored revision 1"


def test_restore_refuses_another_storys_revision(desk, editor, live_story):
    from django.core.exceptions import PermissionDenied

    other = make_story("Other", desk=desk)
    services.snapshot_revision(other)

    with pytest.raises(PermissionDenied):
        services.restore_revision(
            editor, live_story, other.latest_revision, live_story.latest_revision_id
        )


def test_a_correction_is_public_on_the_story_and_the_corrections_page(client, editor, live_story):
    services.save_story(
        editor,
        live_story,
        edit(live_story, body="<p>Fixed body.</p>"),
        live_story.latest_revision_id,
    )
    services.publish_correction(editor, live_story, "An earlier version gave the wrong date.")

    page = client.get(live_story.get_absolute_url()).content.decode()
    assert "Corrections and updates" in page and "An earlier version gave the wrong date." in page
    assert "Fixed body." in page
    listing = client.get("/corrections/").content.decode()
    assert "An earlier version gave the wrong date." in listing and live_story.headline in listing
    assert (
        Correction.objects.get().revision == Story.objects.get(pk=live_story.pk).published_revision
    )


def test_hostile_content_is_stored_clean_in_revisions(editor, live_story):
    revision = services.save_story(
        editor,
        live_story,
        edit(
            live_story,
            headline="Title\u202e<script>x</script>",
            body=(
                '<p onclick="x()">Hi<script>alert(1)</script></p>'
                '<a href="javascript:alert(1)">l</a>'
            ),
        ),
        live_story.latest_revision_id,
    )

    assert revision.headline == "Title<script>x</script>"
    assert "script" not in revision.body and "onclick" not in revision.body
    assert "javascript" not in revision.body


def test_content_rules_are_checked_before_anything_is_written(editor, live_story):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.save_story(
            editor, live_story, edit(live_story, headline="x" * 201), live_story.latest_revision_id
        )
    with pytest.raises(ValidationError):
        services.save_story(
            editor, live_story, edit(live_story, headline="  "), live_story.latest_revision_id
        )
    assert live_story.revisions.count() == 1


def test_soft_lock_shows_who_is_editing_and_expires(desk, editor):
    from datetime import timedelta

    from django.utils import timezone

    other = editor_of(desk)
    story = make_story(desk=desk)
    now = timezone.now()

    mine = services.acquire_lock(editor, story, now)
    theirs = services.acquire_lock(other, story, now + timedelta(seconds=30))
    assert theirs.user == editor and mine.since == theirs.since

    later = now + timedelta(seconds=services.LOCK_SECONDS + 1)
    assert services.active_lock(story, later) is None
    assert services.acquire_lock(other, story, later).user == other
    services.release_lock(other, story)
    assert services.active_lock(story) is None
