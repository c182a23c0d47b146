"""Wire sources and StoryBasis rows stay in step; auto-publishing meets the sourcing rules."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from masthead.sourcing import rules
from masthead.sourcing.tests.helpers import UNNAMED, content, latest_sources
from masthead.stories import services
from masthead.stories.models import Story
from masthead.wire import editorial, ingest
from masthead.wire.items import Status
from masthead.wire.models import StoryBasis, WireItem
from masthead.wire.tests.conftest import make_item
from masthead.wire.tests.pipeline_support import copy, feed, make_rule, make_source

pytestmark = pytest.mark.django_db


def wire(item_id, **fields) -> dict:
    return {"kind": "wire", "wire_item": item_id, **fields}


def test_a_story_written_from_items_lists_them_as_sources(people, desk, source):
    first = make_item(source, "Quake hits the north")
    second = make_item(source, "Rescuers arrive", provider="AFP")

    story = editorial.write_story_from(people["writer"], [first, second], desk)

    listed = latest_sources(story)
    assert [(s["kind"], s["wire_item"], s["provider"]) for s in listed] == [
        ("wire", first.pk, "Reuters"),
        ("wire", second.pk, "AFP"),
    ]
    assert listed[0]["headline"] == "Quake hits the north"
    assert set(StoryBasis.objects.filter(story=story).values_list("item_id", flat=True)) == {
        first.pk,
        second.pk,
    }


def test_adding_items_to_a_story_adds_sources_once(people, desk, source):
    first = make_item(source)
    story = editorial.write_story_from(people["writer"], [first], desk)
    second = make_item(source)

    editorial.add_to_story(people["writer"], story, [first, second])
    editorial.add_to_story(people["writer"], story, [second])

    assert [s["wire_item"] for s in latest_sources(story)] == [first.pk, second.pk]
    assert StoryBasis.objects.filter(story=story).count() == 2


def test_a_wire_source_added_by_hand_makes_the_basis_row(people, desk, source):
    item = make_item(source, "Minister resigns")
    story = services.create_story(people["writer"], content(desk))
    story.refresh_from_db()

    services.save_story(
        people["writer"], story, content(desk, wire(item.pk)), story.latest_revision_id
    )

    basis = StoryBasis.objects.get(story=story)
    assert (basis.item, basis.added_by) == (item, people["writer"])
    assert latest_sources(story)[0]["provider"] == "Reuters"
    assert latest_sources(story)[0]["headline"] == "Minister resigns"


@pytest.mark.parametrize("item_id", ["other_desk", 999999, 2**62])
def test_a_wire_source_must_name_an_item_the_writer_may_read(
    people, desk, source, other_source, item_id
):
    if item_id == "other_desk":
        item_id = make_item(other_source).pk

    with pytest.raises(ValidationError, match=r"no wire item .* you may read"):
        services.create_story(people["writer"], content(desk, wire(item_id)))
    assert not Story.objects.exists()
    assert not StoryBasis.objects.exists()


@pytest.mark.parametrize("item_id", ["1; DROP TABLE", -1, 0, 2**63, [1], {"a": 1}, 1.5e300])
def test_a_wire_item_id_that_is_not_an_id_is_refused(people, desk, item_id):
    with pytest.raises(ValidationError):
        services.create_story(people["writer"], content(desk, wire(item_id)))


@pytest.mark.parametrize(
    ("status", "word"), [(Status.CANCELED, "killed"), (Status.WITHHELD, "withheld")]
)
def test_a_killed_or_withheld_item_cannot_be_added_by_hand(people, desk, source, status, word):
    item = make_item(source, status=status)
    with pytest.raises(ValidationError, match=word):
        services.create_story(people["writer"], content(desk, wire(item.pk)))


def test_a_later_kill_still_reaches_a_story_whose_source_was_removed(people, desk, source):
    item = make_item(source)
    story = editorial.write_story_from(people["editor"], [item], desk)
    story.refresh_from_db()
    services.save_story(people["editor"], story, content(desk), story.latest_revision_id)

    assert latest_sources(story) == []
    assert StoryBasis.objects.filter(story=story, item=item).exists()


def test_someone_else_may_keep_an_item_they_could_not_add(people, desk, source, other_source):
    """An item already on the story is not checked again for whoever saves next."""
    theirs = make_item(other_source)
    story = services.create_story(people["chief"], content(desk, wire(theirs.pk)))
    story.refresh_from_db()

    services.save_story(
        people["editor"],
        story,
        content(desk, wire(theirs.pk), headline="Edited"),
        story.latest_revision_id,
    )
    assert latest_sources(story)[0]["wire_item"] == theirs.pk


# Auto-publishing ---------------------------------------------------------------------


@pytest.fixture
def reuters(desk):
    return make_source("Reuters", desk=desk)


def test_auto_published_copy_lists_its_item_and_keeps_the_flag(people, reuters):
    make_rule(reuters, auto_publish=True, publish_as=people["editor"])
    ingest.store(reuters, feed(copy("urn:a", headline="Quake")))

    story = Story.objects.get()
    assert story.is_live()
    item = WireItem.objects.get()
    assert story.sources[0]["wire_item"] == item.pk
    basis = StoryBasis.objects.get()
    assert basis.auto_published and basis.added_by == people["editor"]


def test_a_refused_auto_publish_keeps_nothing_and_says_which_rule_on_the_item(
    people, reuters, monkeypatch
):
    """An outlet rule agency copy cannot meet (a rule of the table, configured for the
    test): every item is refused, the ingest goes on, each item says why."""
    monkeypatch.setitem(
        rules.RULES,
        "needs_own_reporting",
        rules.Rule(
            "needs_own_reporting",
            "A story needs our own reporting",
            "We publish nothing we did not report ourselves.",
            "ethics",
            lambda revision: (
                [rules.Problem("needs_own_reporting", "the story lists no reporting of ours.")]
                if not any(s["kind"] == "own_reporting" for s in revision.sources)
                else []
            ),
        ),
    )
    make_rule(reuters, auto_publish=True, publish_as=people["editor"])

    report = ingest.store(
        reuters, feed(copy("urn:a", headline="Quake"), copy("urn:b", headline="Flood"))
    )

    assert report.published == []
    assert not Story.objects.exists()
    assert not StoryBasis.objects.exists()
    assert WireItem.objects.count() == 2
    for item in WireItem.objects.all():
        problem = item.problems[-1]
        assert problem.startswith("Not auto-published: Not published: the rule")
        assert "“A story needs our own reporting” (needs_own_reporting)" in problem
        assert "{" not in problem and "[" not in problem


def test_an_unnamed_source_cannot_ride_in_on_an_auto_published_follow_up(people, reuters):
    """Approvals come only from an editor: nothing the wire path saves carries one."""
    make_rule(reuters, auto_publish=True, publish_as=people["editor"])
    ingest.store(reuters, feed(copy("urn:a", headline="Quake")))
    story = Story.objects.get()

    forged = dict(UNNAMED, approval={"by_id": people["editor"].pk, "reason": "x"})
    services.save_story(
        people["editor"],
        story,
        content(story.desk, forged, *story.sources),
        story.latest_revision_id,
    )
    assert "approval" not in latest_sources(story)[0]
