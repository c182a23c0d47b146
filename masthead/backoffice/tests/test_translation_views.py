"""The story page's translations panel and its actions (backoffice/translation_views.py)."""

from __future__ import annotations

import pytest

from masthead.factories import grant, make_desk, make_edition, make_story
from masthead.newsroom.models import StaffRole
from masthead.stories import translations
from masthead.stories.models import Story

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script>'


@pytest.fixture
def siasat(db):
    return make_desk("سیاست", slug="siasat", edition=make_edition("fa", name="فارسی"))


@pytest.fixture
def story(desk, people):
    return make_story(
        "Talks resume in Vienna",
        desk=desk,
        slug="talks-resume",
        body="<p>Negotiators met for six hours.</p>",
        created_by=people["writer"],
    )


@pytest.fixture
def translator(people, siasat):
    """The desk's editor, who also writes for the Persian desk."""
    grant(people["editor"], StaffRole.Role.WRITER, siasat)
    return people["editor"]


def key_of(story: Story):
    return Story.objects.get(pk=story.pk).translation_key


def test_translate_this_story_opens_a_linked_draft_with_the_original_beside_it(
    client_for, story, translator, siasat
):
    client = client_for("editor")
    page = client.get(f"/desk/stories/{story.pk}/").content.decode()
    assert "Translate this story" in page and "فارسی — سیاست" in page

    response = client.post(f"/desk/stories/{story.pk}/translate/", {"desk": siasat.pk})

    draft = Story.objects.get(desk=siasat)
    assert response.status_code == 302 and response["Location"] == f"/desk/stories/{draft.pk}/"
    assert key_of(draft) == key_of(story) is not None
    editor = client.get(response["Location"]).content.decode()
    # The original's text beside the fields, in its own language and direction.
    assert '<aside class="translating__source"' in editor
    assert "Negotiators met for six hours." in editor
    assert '<article class="translating__version" lang="en" dir="auto">' in editor
    # The draft's panel names the original; the original's names the draft.
    assert f'href="/desk/stories/{story.pk}/"' in editor
    original = client.get(f"/desk/stories/{story.pk}/").content.decode()
    assert f'href="/desk/stories/{draft.pk}/"' in original
    assert "readers do not see it" in original
    assert "Translate this story" not in original  # no edition left to translate into


def test_a_writer_without_a_desk_in_another_edition_is_offered_no_translation(
    client_for, story, siasat
):
    page = client_for("writer").get(f"/desk/stories/{story.pk}/").content.decode()

    assert "Translate this story" not in page
    response = client_for("writer").post(
        f"/desk/stories/{story.pk}/translate/", {"desk": siasat.pk}
    )
    assert response.status_code == 403
    assert not Story.objects.filter(desk=siasat).exists()


@pytest.mark.parametrize("forged", ["", "999999", "x", HOSTILE])
def test_a_forged_desk_changes_nothing(client_for, story, translator, forged):
    client = client_for("editor")
    response = client.post(f"/desk/stories/{story.pk}/translate/", {"desk": forged}, follow=True)

    assert response.status_code == 200
    assert "Choose a desk from the list." in response.content.decode() or "required" in (
        response.content.decode()
    )
    assert Story.objects.count() == 1 and key_of(story) is None


def test_a_second_version_in_one_edition_is_refused_with_a_message(
    client_for, story, translator, siasat
):
    client = client_for("editor")
    client.post(f"/desk/stories/{story.pk}/translate/", {"desk": siasat.pk})

    response = client.post(f"/desk/stories/{story.pk}/translate/", {"desk": siasat.pk}, follow=True)

    assert "already has a version in the فارسی edition" in response.content.decode()
    assert Story.objects.filter(desk=siasat).count() == 1


def test_linking_an_existing_story_by_its_number(client_for, story, translator, siasat, people):
    persian = make_story("مذاکرات در وین", desk=siasat, created_by=people["editor"])
    client = client_for("editor")

    response = client.post(
        f"/desk/stories/{story.pk}/translations/link/", {"other": persian.pk}, follow=True
    )

    assert "Linked with “مذاکرات در وین” as a translation." in response.content.decode()
    assert key_of(story) == key_of(persian) is not None

    client.post(f"/desk/stories/{persian.pk}/translations/unlink/")
    assert key_of(story) is None and key_of(persian) is None


@pytest.mark.parametrize("other", ["", "0", "-3", "abc", "99999999", HOSTILE])
def test_linking_a_story_that_is_not_there_changes_nothing(client_for, story, translator, other):
    response = client_for("editor").post(
        f"/desk/stories/{story.pk}/translations/link/", {"other": other}, follow=True
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "number" in page and "<script>alert" not in page
    assert key_of(story) is None


def test_a_story_the_user_may_not_open_is_not_linked_nor_named(
    client_for, story, people, other_desk
):
    hidden = make_story(
        "Secret draft", desk=other_desk, status=Story.Status.DRAFT, published_at=None
    )
    response = client_for("editor").post(
        f"/desk/stories/{story.pk}/translations/link/", {"other": hidden.pk}, follow=True
    )

    page = response.content.decode()
    assert "There is no story with that number that you may open." in page
    assert "Secret draft" not in page and key_of(story) is None


def test_two_stories_of_one_edition_are_not_linked(client_for, story, desk, people):
    same_edition = make_story("Another English story", desk=desk)

    response = client_for("editor").post(
        f"/desk/stories/{story.pk}/translations/link/", {"other": same_edition.pk}, follow=True
    )

    assert "two stories of the" in response.content.decode()
    assert key_of(story) is None


def test_a_version_on_a_desk_the_user_cannot_open_is_counted_not_named(
    client_for, story, siasat, people
):
    persian = make_story(
        "پیش‌نویس محرمانه", desk=siasat, status=Story.Status.DRAFT, published_at=None
    )
    translations.link(story, persian)

    page = client_for("writer").get(f"/desk/stories/{story.pk}/").content.decode()

    assert "پیش‌نویس محرمانه" not in page
    assert "and 1 version on desks you cannot open." in page


@pytest.mark.parametrize("action", ["translate/", "translations/link/", "translations/unlink/"])
def test_get_is_refused(client_for, story, action):
    assert client_for("editor").get(f"/desk/stories/{story.pk}/{action}").status_code == 405
