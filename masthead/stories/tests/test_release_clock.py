"""Embargoes are released by one authoritative clock: a process whose clock runs ahead
releases nothing early (RELIABILITY.md L14; ``masthead/stories/release_clock.py``).

The process's wall clock is moved 90 s ahead with time-machine (as a server
with a wrong clock would have it); the database's clock is PostgreSQL's own.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.utils import timezone

from masthead.factories import editor_of, make_desk, make_story
from masthead.site.page_cache import next_scheduled_change
from masthead.stories import release_clock, services
from masthead.stories.models import Story
from masthead.stories.preview import PreviewUnavailable, revision_for_token
from masthead.stories.services import Content

pytestmark = pytest.mark.django_db
S = Story.Status
SKEW = timedelta(seconds=90)
DATABASE_CLOCK = "the database's clock is PostgreSQL's; SQLite has the process's only"


@pytest.fixture
def database_clock(settings):
    settings.RELEASE_CLOCK = "database"
    release_clock.forget()
    yield
    release_clock.forget()


def embargoed_for(seconds: float) -> Story:
    until = timezone.now() + timedelta(seconds=seconds)
    return make_story(
        "Embargoed budget leak",
        desk=make_desk("Politics"),
        status=S.SCHEDULED,
        published_at=until,
        embargoed_until=until,
    )


def database_now():
    with connection.cursor() as cursor:
        cursor.execute("SELECT clock_timestamp()")
        return cursor.fetchone()[0]


@pytest.mark.postgres(reason=DATABASE_CLOCK)
def test_a_process_90_s_ahead_does_not_release_an_embargo_early(database_clock):
    story = embargoed_for(30)

    with time_machine.travel(timezone.now() + SKEW, tick=True):
        assert timezone.now() > story.embargoed_until  # this process thinks it is out
        assert not Story.objects.live().filter(pk=story.pk).exists()
        assert not story.is_live()
        page = Client().get(story.get_absolute_url())
        home = Client().get("/")

    assert page.status_code == 404
    assert b"Embargoed budget leak" not in home.content


@pytest.mark.postgres(reason=DATABASE_CLOCK)
def test_the_same_process_on_its_own_clock_would_release_it_early(settings):
    # The control: what the database clock prevents, so the test above can fail.
    settings.RELEASE_CLOCK = "process"
    story = embargoed_for(30)

    with time_machine.travel(timezone.now() + SKEW, tick=True):
        assert Story.objects.live().filter(pk=story.pk).exists()


@pytest.mark.postgres(reason=DATABASE_CLOCK)
def test_the_embargo_ends_by_the_database_clock(database_clock):
    story = embargoed_for(1.0)

    with time_machine.travel(timezone.now() - SKEW, tick=True):  # a process behind
        assert not story.is_live()
        time.sleep(1.3)
        # Its own clock says 88 s to go; the database's says the time has come.
        assert timezone.now() < story.embargoed_until
        assert Story.objects.live().filter(pk=story.pk).exists()
        assert next_scheduled_change(release_clock.now()) is None


@pytest.mark.postgres(reason=DATABASE_CLOCK)
def test_the_release_clock_is_never_ahead_of_the_database(database_clock):
    for _ in range(20):
        ours = release_clock.now()
        assert ours <= database_now()


@pytest.mark.postgres(reason=DATABASE_CLOCK)
def test_the_release_clock_reads_the_database_once_per_sample(
    database_clock, django_assert_num_queries
):
    release_clock.now()
    with django_assert_num_queries(0):
        for _ in range(100):
            release_clock.now()


def test_sqlite_and_the_process_setting_keep_the_process_clock(settings):
    settings.RELEASE_CLOCK = "process" if connection.vendor == "postgresql" else "database"
    assert not release_clock.uses_database()
    with time_machine.travel("2028-02-29 12:00:00+00:00", tick=False):
        assert release_clock.now() == timezone.now()


# The newsroom's side: a server 90 s ahead stamps and checks by the same clock.


def ready_story(desk, editor, headline: str) -> Story:
    story = services.create_story(editor, Content(headline=headline, desk=desk))
    for step in (services.submit_story, services.claim_story, services.approve_story):
        story = step(editor, story)
    return story


@pytest.mark.postgres(reason=DATABASE_CLOCK)
def test_a_story_published_on_a_server_ahead_is_live_at_once_everywhere(database_clock):
    desk = make_desk("Politics")
    editor = editor_of(desk)
    story = ready_story(desk, editor, "Cabinet reshuffle")

    with time_machine.travel(timezone.now() + SKEW, tick=True):
        story = services.publish_story(editor, story)

    # Stamped by the database's clock, not 90 s in the future: no server hides it.
    assert story.published_at <= database_now()
    assert Story.objects.live().filter(pk=story.pk).exists()


@pytest.mark.postgres(reason=DATABASE_CLOCK)
def test_a_server_ahead_schedules_for_a_minute_from_now_and_keeps_an_embargo(database_clock):
    desk = make_desk("Politics")
    editor = editor_of(desk)
    in_a_minute = database_now() + timedelta(seconds=60)
    story = ready_story(desk, editor, "Budget statement")

    with time_machine.travel(timezone.now() + SKEW, tick=True):
        # Its own clock says the minute has passed; the release clock says it has not.
        story = services.schedule_story(editor, story, in_a_minute, embargo=True)
        _link, token = services.share_preview(editor, story)
        with pytest.raises(PreviewUnavailable):
            revision_for_token(token)
        embargoed = services.create_story(
            editor, Content(headline="Agency copy", desk=desk), embargoed_until=in_a_minute
        )

    assert story.status == S.SCHEDULED and story.published_at == in_a_minute
    assert embargoed.embargoed_until == in_a_minute  # not dropped as if it were over
