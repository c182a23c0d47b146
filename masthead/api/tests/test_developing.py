"""Developing stories and threads in the public API: the state, the thread, the versions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from masthead.api.tests.test_ninjs import NINJS, assert_valid
from masthead.factories import make_story
from masthead.stories import developing, services
from masthead.stories.models import Story

pytestmark = pytest.mark.django_db


def test_a_story_never_developing_says_so(client, newsroom):
    item = client.get(f"/api/stories/{newsroom.story.pk}").json()

    assert item["developing"] is None
    assert item["thread"] is None


def test_the_api_carries_the_developing_state_and_the_thread(client, newsroom, editor):
    story = developing.start_developing(editor, newsroom.story)
    thread = developing.create_thread(editor, "Talks in Vienna <b>")
    developing.add_to_thread(editor, story, thread)

    item = client.get(f"/api/stories/{story.pk}").json()
    listed = client.get("/api/stories").json()["items"][0]

    for shown in (item, listed):
        assert shown["developing"]["active"] is True
        assert shown["developing"]["until"] is None
        assert shown["thread"] == {"id": thread.pk, "title": "Talks in Vienna <b>"}

    developing.end_developing(editor, story)
    ended = client.get(f"/api/stories/{story.pk}").json()["developing"]
    assert ended["active"] is False and ended["until"] is not None


def test_nothing_staff_only_of_a_thread_is_exposed(client, newsroom, editor):
    thread = developing.create_thread(editor, "Talks")
    developing.add_to_thread(editor, newsroom.story, thread)
    draft = make_story("Secret draft", desk=newsroom.desk, status=Story.Status.DRAFT, age=None)
    developing.add_to_thread(editor, draft, thread)

    body = client.get(f"/api/stories/{newsroom.story.pk}").content.decode()

    assert "Secret draft" not in body
    assert editor.username not in body
    assert client.get(f"/api/stories/{draft.pk}").status_code == 404


def test_an_update_moves_the_versions_and_last_modified(client, newsroom, editor, time_machine):
    story = developing.start_developing(editor, newsroom.story)
    before = client.get(f"/api/stories/{story.pk}/ninjs")
    first = before.json()
    time_machine.move_to(timezone.now() + timedelta(seconds=5))

    services.publish_update(editor, Story.objects.get(pk=story.pk), "Envoys arrive.")

    after = client.get(f"/api/stories/{story.pk}/ninjs", **NINJS)
    item = after.json()
    assert_valid(item)
    assert int(item["version"]) > int(first["version"])
    assert item["versioncreated"] > first["versioncreated"]
    assert item["firstcreated"] == first["firstcreated"]
    json_item = client.get(f"/api/stories/{story.pk}").json()
    assert json_item["corrections"][-1]["note"] == "Envoys arrive."
    assert json_item["updated_at"] > json_item["published_at"]
    # A validator taken before the update no longer matches.
    revalidated = client.get(
        f"/api/stories/{story.pk}", HTTP_IF_MODIFIED_SINCE=before["Last-Modified"]
    )
    assert revalidated.status_code == 200
