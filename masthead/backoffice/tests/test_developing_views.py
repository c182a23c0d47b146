"""The story page's developing panel and its two actions (backoffice/developing_views.py)."""

from __future__ import annotations

import pytest

from masthead.factories import make_story
from masthead.stories import developing
from masthead.stories.models import Story, StoryThread

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>\u202e'


@pytest.fixture
def story(desk, people):
    return make_story("Talks resume", desk=desk, created_by=people["writer"])


def refresh(story: Story) -> Story:
    return Story.objects.get(pk=story.pk)


def test_the_panel_shows_its_controls_to_the_desks_editors_only(client_for, story):
    page = client_for("editor").get(f"/desk/stories/{story.pk}/").content.decode()
    assert 'id="developing-panel"' in page and "Mark as developing" in page

    assert "Mark as developing" in client_for("chief").get(f"/desk/stories/{story.pk}/").text
    # The writer reads the panel (the state), without its buttons.
    page = client_for("writer").get(f"/desk/stories/{story.pk}/").content.decode()
    assert 'id="developing-panel"' in page and "Mark as developing" not in page
    assert 'name="new_title"' not in page


@pytest.mark.parametrize(
    ("who", "allowed"),
    [("writer", False), ("editor", True), ("other_editor", False), ("chief", True)],
)
def test_who_may_mark_a_story_developing(client_for, story, who, allowed):
    response = client_for(who).post(f"/desk/stories/{story.pk}/developing/", {"action": "start"})

    assert refresh(story).is_developing is allowed
    if allowed:
        assert response.status_code == 302
    else:
        assert response.status_code in (403, 404)


def test_an_editor_starts_and_ends_coverage(client_for, story):
    client = client_for("editor")
    url = f"/desk/stories/{story.pk}/developing/"

    client.post(url, {"action": "start"})
    page = client.get(f"/desk/stories/{story.pk}/").content.decode()
    assert "End live coverage" in page
    assert "Marked developing" in page  # the activity list names the step
    client.post(url, {"action": "end"})

    story = refresh(story)
    assert story.developing_since and story.developing_until


@pytest.mark.parametrize("action", ["", "begin", HOSTILE, "start" * 500])
def test_an_unknown_action_changes_nothing(client_for, story, action):
    response = client_for("editor").post(
        f"/desk/stories/{story.pk}/developing/", {"action": action}
    )

    assert response.status_code == 302
    assert refresh(story).developing_since is None


def test_get_is_refused(client_for, story):
    assert client_for("editor").get(f"/desk/stories/{story.pk}/developing/").status_code == 405


def test_an_editor_starts_a_thread_and_adds_a_second_story(client_for, story, desk):
    client = client_for("editor")
    client.post(f"/desk/stories/{story.pk}/thread/", {"new_title": "  Talks in Vienna  "})
    thread = StoryThread.objects.get()
    assert thread.title == "Talks in Vienna"
    assert refresh(story).thread == thread

    second = make_story("Officials confirm", desk=desk)
    client.post(f"/desk/stories/{second.pk}/thread/", {"thread": str(thread.pk)})

    assert refresh(second).thread == thread
    page = client.get(f"/desk/stories/{second.pk}/").content.decode()
    assert f'<option value="{thread.pk}" selected>Talks in Vienna</option>' in page
    assert "Talks resume" in page  # the other story of the thread

    client.post(f"/desk/stories/{second.pk}/thread/", {"thread": ""})
    assert refresh(second).thread is None


@pytest.mark.parametrize("who", ["writer", "other_editor"])
def test_others_may_neither_start_nor_choose_threads(client_for, story, people, who):
    thread = developing.create_thread(people["chief"], "Talks")
    client = client_for(who)

    client.post(f"/desk/stories/{story.pk}/thread/", {"new_title": "Mine"})
    client.post(f"/desk/stories/{story.pk}/thread/", {"thread": str(thread.pk)})

    assert refresh(story).thread is None
    assert list(StoryThread.objects.values_list("title", flat=True)) == ["Talks"]


@pytest.mark.parametrize(
    "data",
    [
        {"thread": "999999"},  # forged: no such thread
        {"thread": "not a number"},
        {"thread": ["1", "2"]},
        {"new_title": "x" * 201},
        {"new_title": "   "},
        {"new_title": "\u202e\u200b"},
    ],
    ids=["missing", "wrong-type", "twice", "overlong", "blank", "controls-only"],
)
def test_hostile_thread_input_changes_nothing(client_for, story, data):
    response = client_for("editor").post(f"/desk/stories/{story.pk}/thread/", data)

    assert response.status_code == 302
    assert refresh(story).thread is None
    assert not StoryThread.objects.exists()


def test_choosing_and_starting_at_once_is_refused(client_for, story, people):
    thread = developing.create_thread(people["chief"], "Talks")

    client_for("editor").post(
        f"/desk/stories/{story.pk}/thread/", {"thread": str(thread.pk), "new_title": "Other"}
    )

    assert refresh(story).thread is None
    assert StoryThread.objects.count() == 1


def test_a_hostile_thread_title_is_stored_clean_and_shown_escaped(client_for, story):
    client = client_for("editor")
    client.post(f"/desk/stories/{story.pk}/thread/", {"new_title": HOSTILE})

    thread = StoryThread.objects.get()
    assert "\u202e" not in thread.title
    page = client.get(f"/desk/stories/{story.pk}/").content.decode()
    assert '<script>alert("x")</script>' not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


def test_the_panel_names_only_the_thread_stories_the_viewer_may_open(
    client_for, story, people, other_desk
):
    thread = developing.create_thread(people["chief"], "Talks")
    developing.add_to_thread(people["chief"], story, thread)
    secret = make_story("Economy draft", desk=other_desk, status=Story.Status.DRAFT, age=None)
    developing.add_to_thread(people["chief"], secret, thread)

    page = client_for("editor").get(f"/desk/stories/{story.pk}/").content.decode()
    assert "Economy draft" not in page
    assert "1 other story you cannot open" in page
    assert "Economy draft" in client_for("chief").get(f"/desk/stories/{story.pk}/").text
