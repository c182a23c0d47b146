"""Writing stories from wire items (masthead/wire/editorial.py), and "seen by"."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from masthead.factories import make_staff, make_story
from masthead.newsroom.models import AuditEvent, StaffRole
from masthead.stories import services
from masthead.stories.models import Story
from masthead.wire import editorial
from masthead.wire.items import Status
from masthead.wire.models import Seen, StoryBasis
from masthead.wire.tests.conftest import make_item

pytestmark = pytest.mark.django_db


def test_a_draft_from_one_item_takes_its_words_and_records_the_basis(people, desk, source):
    item = make_item(
        source, "Ceasefire talks resume in Doha", dek="Negotiators meet again.",
        body="<p>Talks resumed on Monday.</p>", dateline="DOHA", language="en",
    )  # fmt: skip

    story = editorial.write_story_from(people["writer"], [item], desk)

    story.refresh_from_db()
    assert story.status == Story.Status.DRAFT
    assert story.desk == desk
    assert story.headline == "Ceasefire talks resume in Doha"
    assert story.dek == "Negotiators meet again."
    assert story.body == "<p>Talks resumed on Monday.</p>"
    assert story.dateline == "DOHA"
    assert story.language == "en"
    assert story.created_by == people["writer"]
    assert [b.author.user for b in story.bylines.all()] == [people["writer"]]
    assert story.latest_revision.number == 1
    basis = StoryBasis.objects.get(story=story)
    assert (basis.item, basis.added_by) == (item, people["writer"])
    assert AuditEvent.objects.filter(action="wire_basis", target_id=story.pk).exists()
    assert story.embargoed_until is None


def test_several_items_make_one_story_with_each_source_noted(people, desk, source):
    first = make_item(source, "Quake hits the north", body="<p>A strong quake struck.</p>")
    second = make_item(
        source, "Rescuers reach villages", body="<p>Rescue teams arrived.</p>", provider="AFP"
    )

    story = editorial.write_story_from(people["editor"], [first, second], desk)

    assert story.headline == "Quake hits the north"
    body = story.body
    assert body.index("Reuters") < body.index("A strong quake struck.")
    assert body.index("A strong quake struck.") < body.index("AFP")
    assert body.index("AFP") < body.index("Rescue teams arrived.")
    assert "Rescuers reach villages" in body
    assert set(story.wire_basis.values_list("item_id", flat=True)) == {first.pk, second.pk}


def test_a_future_embargo_is_carried_and_holds_the_story_back(people, desk, source):
    until = timezone.now() + timedelta(hours=3)
    item = make_item(source, "Budget figures", embargoed_until=until)

    story = editorial.write_story_from(people["editor"], [item], desk)
    assert story.embargoed_until == until

    editor = people["editor"]
    services.submit_story(editor, story)
    services.claim_story(editor, story)
    with pytest.raises(ValidationError, match="embargo"):
        services.publish_story(editor, story)
    with pytest.raises(ValidationError, match="embargo"):
        services.schedule_story(editor, story, until - timedelta(minutes=5))
    story.refresh_from_db()
    assert story.status == Story.Status.IN_EDIT
    assert not Story.objects.live().filter(pk=story.pk).exists()

    services.schedule_story(editor, story, until, embargo=True)
    story.refresh_from_db()
    assert (story.status, story.published_at, story.embargoed_until) == (
        Story.Status.SCHEDULED, until, until,
    )  # fmt: skip


def test_a_past_embargo_is_not_carried(people, desk, source):
    item = make_item(source, embargoed_until=timezone.now() - timedelta(minutes=1))
    story = editorial.write_story_from(people["writer"], [item], desk)
    assert story.embargoed_until is None


@pytest.mark.parametrize("status", [Status.CANCELED, Status.WITHHELD])
def test_killed_or_withheld_copy_is_refused_and_nothing_is_stored(people, desk, source, status):
    usable = make_item(source)
    refused = make_item(source, "Withdrawn report", status=status)

    with pytest.raises(ValidationError, match="Withdrawn report"):
        editorial.write_story_from(people["writer"], [usable, refused], desk)

    assert not Story.objects.exists()
    assert not StoryBasis.objects.exists()


def test_items_of_a_desk_one_does_not_work_on_are_refused(people, desk, other_desk, source):
    item = make_item(source)
    with pytest.raises(PermissionDenied):
        editorial.write_story_from(people["other_writer"], [item], other_desk)
    assert not Story.objects.exists()


def test_a_desk_one_does_not_write_for_is_refused_by_the_story_service(
    people, desk, other_desk, source
):
    item = make_item(source)
    with pytest.raises(PermissionDenied, match="Economy"):
        editorial.write_story_from(people["writer"], [item], other_desk)
    assert not Story.objects.exists()
    assert not StoryBasis.objects.exists()


def test_an_administrator_without_a_content_role_writes_nothing(people, desk, source):
    item = make_item(source)
    with pytest.raises(PermissionDenied):
        editorial.write_story_from(people["admin"], [item], desk)


def test_nothing_chosen_or_too_much_is_refused(people, desk, source):
    with pytest.raises(ValidationError, match="at least one"):
        editorial.write_story_from(people["writer"], [], desk)
    items = [make_item(source) for _ in range(editorial.MAX_ITEMS_PER_STORY + 1)]
    with pytest.raises(ValidationError, match="at most"):
        editorial.write_story_from(people["writer"], items, desk)


def test_hostile_and_oversized_copy_becomes_a_clean_draft(people, desk, source):
    item = make_item(
        source,
        "<script>alert(1)</script> " + "Very long headline " * 24,
        dek="x" * 900,
        body='<p onclick="steal()">Text<script>alert(2)</script></p><img src="https://evil.example/p.gif">',
        dateline="D" * 150,
        language="en; drop table",
    )

    story = editorial.write_story_from(people["writer"], [item], desk)

    assert len(story.headline) <= 200 and story.headline.endswith("…")
    assert len(story.dek) <= 400
    assert len(story.dateline) <= 100
    assert "<script" not in story.body and "onclick" not in story.body
    assert "evil.example" not in story.body
    assert "Text" in story.body
    assert story.language == "en"  # the default: the item's was no language tag


def test_add_to_story_while_it_is_worked_on(people, desk, source):
    editor = people["editor"]
    story = editorial.write_story_from(editor, [make_item(source)], desk)
    later = make_item(source, "Follow-up")

    made = editorial.add_to_story(editor, story, [later])

    assert [basis.item for basis in made] == [later]
    assert story.wire_basis.count() == 2
    assert editorial.add_to_story(editor, story, [later]) == []  # once


def test_add_to_story_refused_once_public_or_for_a_longer_embargo(people, desk, source):
    editor = people["editor"]
    published = make_story("Out already", desk=desk)
    with pytest.raises(ValidationError, match="published"):
        editorial.add_to_story(editor, published, [make_item(source)])

    draft = editorial.write_story_from(editor, [make_item(source)], desk)
    held = make_item(source, embargoed_until=timezone.now() + timedelta(hours=1))
    with pytest.raises(ValidationError, match="embargo"):
        editorial.add_to_story(editor, draft, [held])
    assert draft.wire_basis.count() == 1


def test_add_to_story_needs_the_right_to_edit_it(people, desk, source):
    draft = editorial.write_story_from(people["writer"], [make_item(source)], desk)
    colleague = make_staff(StaffRole.Role.WRITER, desk, username="colleague")
    with pytest.raises(PermissionDenied):
        editorial.add_to_story(colleague, draft, [make_item(source)])
    assert draft.wire_basis.count() == 1


def test_seen_is_recorded_once_and_only_for_staff(people, source):
    item = make_item(source)
    editorial.mark_seen(people["writer"], item)
    editorial.mark_seen(people["writer"], item)
    editorial.mark_seen(people["reader"], item)
    assert list(Seen.objects.values_list("user__username", flat=True)) == ["writer"]
