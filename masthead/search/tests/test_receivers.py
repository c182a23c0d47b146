"""The index follows the story services, inside their transactions (search/receivers.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from masthead.factories import editor_of, make_author, make_desk, make_staff, make_tag
from masthead.newsroom.author_names import set_names
from masthead.newsroom.models import StaffRole
from masthead.search.engine import search_stories
from masthead.stories import services
from masthead.stories.services import Content

pytestmark = pytest.mark.django_db


def found(query: str, **options) -> list[str]:
    return [hit.story.headline for hit in search_stories(query, **options).items]


@pytest.fixture
def desk():
    return make_desk("Politics")


@pytest.fixture
def editor(desk):
    return editor_of(desk)


def written(editor, desk, headline="Ministers meet in Tabriz", body="<p>The gathering.</p>"):
    """A story ready to publish (submitted, claimed and approved by ``editor``)."""
    story = services.create_story(editor, Content(headline=headline, desk=desk, body=body))
    for step in (services.submit_story, services.claim_story, services.approve_story):
        story = step(editor, story)
    return story


def test_publishing_makes_a_draft_findable_and_withdrawing_hides_it(editor, desk):
    story = written(editor, desk)
    assert found("tabriz") == []
    assert found("tabriz", staff_user=editor) == ["Ministers meet in Tabriz"]
    story = services.publish_story(editor, story)
    assert found("tabriz") == ["Ministers meet in Tabriz"]
    services.withdraw_story(editor, story, "Not sure of it.")
    assert found("tabriz") == []
    assert found("tabriz", staff_user=editor) == ["Ministers meet in Tabriz"]


def test_unscheduling_hides_a_scheduled_story(editor, desk, time_machine):
    story = services.schedule_story(
        editor, written(editor, desk), timezone.now() + timedelta(hours=1)
    )
    time_machine.move_to(timezone.now() + timedelta(hours=2))
    assert found("tabriz") == ["Ministers meet in Tabriz"]
    time_machine.move_to(timezone.now() - timedelta(hours=2))
    services.unschedule_story(editor, story)
    time_machine.move_to(timezone.now() + timedelta(hours=2))
    assert found("tabriz") == []


def test_an_unpublished_edit_of_a_live_story_is_not_found_until_published(editor, desk):
    story = services.publish_story(editor, written(editor, desk))
    content = Content.of(story)
    content.body = "<p>The gathering discussed the saffron quota.</p>"
    services.save_story(editor, story, content, story.latest_revision_id)
    assert found("saffron") == []
    services.publish_update(editor, story)
    assert found("saffron") == ["Ministers meet in Tabriz"]


def test_a_rolled_back_publish_leaves_the_index_as_it_was(editor, desk):
    story = written(editor, desk)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.publish_story(editor, story)
        assert found("tabriz") == ["Ministers meet in Tabriz"]
        raise RuntimeError("the transaction fails after the publish")
    assert found("tabriz") == []


def test_bylines_and_tags_set_by_the_services_are_indexed(editor, desk):
    content = Content(
        headline="Port reopens", desk=desk, tags=[make_tag("Bandar Abbas")],
        authors=[make_author("Reza Tehrani")],
    )  # fmt: skip
    story = services.create_story(editor, content)
    for step in (services.submit_story, services.claim_story, services.approve_story):
        story = step(editor, story)
    services.publish_story(editor, story)
    assert found("tehrani") == ["Port reopens"]
    assert found('"bandar abbas"') == ["Port reopens"]


def test_a_writer_finds_only_their_own_hidden_stories(desk, editor):
    writer = make_staff(StaffRole.Role.WRITER, desk)
    services.create_story(writer, Content(headline="Writer's own falafel", desk=desk))
    written(editor, desk, headline="Editor's falafel draft")
    assert found("falafel", staff_user=writer) == ["Writer's own falafel"]
    assert sorted(found("falafel", staff_user=editor)) == [
        "Editor's falafel draft",
        "Writer's own falafel",
    ]


def test_renaming_a_tag_or_an_author_reindexes_their_stories(editor, desk):
    tag, author = make_tag("Old tag"), make_author("Old Name")
    content = Content(headline="Harbour story", desk=desk, tags=[tag], authors=[author])
    story = services.create_story(editor, content)
    for step in (services.submit_story, services.claim_story, services.approve_story):
        story = step(editor, story)
    services.publish_story(editor, story)
    tag.name = "Quayside"
    tag.save()
    author.name = "Shirin Navabi"
    author.save()
    assert found("quayside") == ["Harbour story"]
    assert found("navabi") == ["Harbour story"]


def test_an_authors_name_in_another_language_finds_their_stories(editor, desk):
    author = make_author("Kaveh Nouri")
    content = Content(headline="Tehran air quality", desk=desk, authors=[author])
    story = services.create_story(editor, content)
    for step in (services.submit_story, services.claim_story, services.approve_story):
        story = step(editor, story)
    services.publish_story(editor, story)
    assert found("کاوه") == []

    set_names(author, {"fa": {"name": "کاوه نوری", "job_title": "", "bio": ""}})
    assert found("نوری") == ["Tehran air quality"]
    assert found("نوري") == ["Tehran air quality"]  # typed on an Arabic keyboard
    assert found("nouri") == ["Tehran air quality"]  # the profile's name still

    set_names(author, {"fa": {"name": "کاوه نورانی", "job_title": "", "bio": ""}})
    assert found("نورانی") == ["Tehran air quality"]
    assert found("نوری") == []

    set_names(author, {"fa": {"name": "", "job_title": "", "bio": ""}})
    assert found("نورانی") == []
    assert found("nouri") == ["Tehran air quality"]


def test_merging_tags_reindexes_the_stories_that_moved(editor, desk):
    source, target = make_tag("Waterfront"), make_tag("Harbourside")
    content = Content(headline="Ferry story", desk=desk, tags=[source])
    story = services.create_story(editor, content)
    for step in (services.submit_story, services.claim_story, services.approve_story):
        story = step(editor, story)
    services.publish_story(editor, story)
    assert found("waterfront") == ["Ferry story"] and found("harbourside") == []
    services.merge_tags(editor, source, target)
    assert found("harbourside") == ["Ferry story"]
    assert found("waterfront") == []


def test_saves_while_indexing_is_paused_wait_for_the_rebuild_in_the_same_transaction(editor, desk):
    from masthead.search.engine import paused_indexing, rebuild_index

    with transaction.atomic():
        with paused_indexing():
            story = services.publish_story(editor, written(editor, desk))
            assert found("tabriz") == []  # not indexed at its saves
        assert found("tabriz") == []  # nor once the pause ends: the caller rebuilds
        rebuild_index()
        assert found("tabriz") == ["Ministers meet in Tabriz"]

    # Outside the pause each save is indexed as it commits, as before.
    services.withdraw_story(editor, story, "Not sure of it.")
    assert found("tabriz") == []


def test_a_pause_in_one_thread_leaves_the_others_indexing(editor, desk):
    import threading

    from masthead.search.engine import paused_indexing

    paused_here, seen = threading.Event(), {}

    def elsewhere():
        from masthead.search.indexing import _paused

        paused_here.wait(5)
        seen["paused"] = _paused.get()

    thread = threading.Thread(target=elsewhere)
    thread.start()
    with paused_indexing():
        paused_here.set()
        thread.join(5)

    assert seen == {"paused": False}
