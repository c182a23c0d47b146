"""Kills, withholds and corrections: flags on every story based on the item, withdrawals."""

from __future__ import annotations

import pytest
from django.utils import timezone

from masthead.factories import editor_of, make_desk
from masthead.newsroom.models import StaffRole
from masthead.stories import services
from masthead.stories.models import Correction, Story
from masthead.wire import autopublish, ingest
from masthead.wire.items import Status
from masthead.wire.models import StoryBasis, WireItem
from masthead.wire.tests.pipeline_support import copy, feed, make_rule, make_source

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk():
    return make_desk("Media Wire")


@pytest.fixture
def editor(desk):
    return editor_of(desk)


@pytest.fixture
def source(desk):
    return make_source("Reuters", desk=desk)


def written_by_hand(item: WireItem, editor) -> Story:
    """A story an editor wrote from ``item`` and published."""
    story = services.create_story(editor, autopublish.content_of(item, item.desk, []))
    # The wire source of the content made the basis row (masthead/sourcing/wire_link.py).
    assert StoryBasis.objects.filter(story=story, item=item, added_by=editor).exists()
    for step in (services.submit_story, services.claim_story, services.publish_story):
        step(editor, story)
    return Story.objects.get(pk=story.pk)


def test_a_kill_marks_the_item_and_flags_stories_written_from_it(source, editor):
    ingest.store(source, feed(copy("urn:a", version="1", headline="Minister resigns")))
    story = written_by_hand(WireItem.objects.get(), editor)
    when = timezone.now().replace(hour=14, minute=2, second=0, microsecond=0)

    report = ingest.store(
        source,
        feed(
            copy(
                "urn:a",
                version="2",
                headline="KILL: Minister resigns",
                status=Status.CANCELED,
                version_created=when,
            )
        ),
    )

    item = WireItem.objects.get()
    assert item.status == Status.CANCELED
    assert report.flagged == [story.pk] and report.withdrawn == []
    flag = StoryBasis.objects.get().flagged
    assert flag.startswith("Reuters killed this item at ")
    assert "14:02" in flag and "KILL: Minister resigns" in flag
    # A person's story stays up: the editor decides.
    assert Story.objects.get(pk=story.pk).is_live()


def test_a_correction_flags_stories_and_marks_the_item(source, editor):
    ingest.store(source, feed(copy("urn:a", version="1")))
    written_by_hand(WireItem.objects.get(), editor)
    ingest.store(source, feed(copy("urn:a", version="2", is_correction=True, headline="Fixed")))
    item = WireItem.objects.get()
    assert item.corrected
    assert list(item.versions.values_list("is_correction", flat=True)) == [True, False]
    assert "corrected this item" in StoryBasis.objects.get().flagged


@pytest.mark.parametrize("status", [Status.CANCELED, Status.WITHHELD])
def test_a_kill_withdraws_an_auto_published_story_from_every_surface(
    client, source, editor, status
):
    make_rule(source, auto_publish=True, publish_as=editor)
    ingest.store(source, feed(copy("urn:a", version="1", headline="Minister resigns")))
    story = Story.objects.get()
    assert client.get(story.get_absolute_url()).status_code == 200

    report = ingest.store(source, feed(copy("urn:a", version="2", status=status)))

    story = Story.objects.get()
    assert report.withdrawn == [story.pk]
    assert story.status == Story.Status.WITHDRAWN
    assert not Story.objects.live().exists()
    assert client.get(story.get_absolute_url()).status_code == 410
    from masthead.newsroom.audit import events_for

    assert events_for(story).filter(action="withdraw", actor=editor).exists()


def test_a_kill_before_the_embargo_ends_withdraws_the_scheduled_story(source, editor):
    from masthead.wire.tests.pipeline_support import ahead

    make_rule(source, auto_publish=True, publish_as=editor)
    ingest.store(source, feed(copy("urn:a", version="1", embargoed_until=ahead(hours=1))))
    ingest.store(source, feed(copy("urn:a", version="2", status=Status.CANCELED)))
    assert Story.objects.get().status == Story.Status.WITHDRAWN


def test_a_correction_republishes_an_untouched_auto_story_with_a_public_note(source, editor):
    make_rule(source, auto_publish=True, publish_as=editor)
    ingest.store(source, feed(copy("urn:a", version="1", headline="Death toll 50")))
    ingest.store(
        source, feed(copy("urn:a", version="2", headline="Death toll 15", is_correction=True))
    )
    story = Story.objects.get()
    assert story.headline == "Death toll 15" and story.is_live()
    correction = Correction.objects.get(story=story)
    assert correction.kind == Correction.Kind.CORRECTION and "Reuters" in correction.note


def test_an_auto_story_an_editor_changed_is_flagged_not_overwritten(source, editor):
    make_rule(source, auto_publish=True, publish_as=editor)
    ingest.store(source, feed(copy("urn:a", version="1", headline="Death toll 50")))
    story = Story.objects.get()
    content = services.Content.of(story.latest_revision)
    content.headline = "Edited by a person"
    services.save_story(editor, story, content, story.latest_revision_id)
    services.publish_update(editor, Story.objects.get(pk=story.pk))

    ingest.store(source, feed(copy("urn:a", version="2", headline="Toll 15", is_correction=True)))

    story = Story.objects.get()
    assert story.headline == "Edited by a person"
    assert "corrected this item" in StoryBasis.objects.get().flagged


def test_when_the_editor_lost_their_role_the_flag_says_to_withdraw_by_hand(source, editor):
    make_rule(source, auto_publish=True, publish_as=editor)
    ingest.store(source, feed(copy("urn:a", version="1")))
    StaffRole.objects.filter(user=editor).delete()

    ingest.store(source, feed(copy("urn:a", version="2", status=Status.CANCELED)))

    assert Story.objects.get().is_live()  # nobody may withdraw it in that name now
    assert "withdraw it by hand" in StoryBasis.objects.get().flagged
    assert WireItem.objects.get().status == Status.CANCELED
