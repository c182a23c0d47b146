from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from masthead.factories import editor_of, make_desk, make_story
from masthead.stories.models import Story
from masthead.stories.services import change_story_slug, withdraw_story

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk():
    return make_desk("Politics")


@pytest.fixture
def editor(desk):
    return editor_of(desk)


def test_changing_a_slug_keeps_the_old_one_as_a_redirect(desk, editor):
    story = make_story("First headline", desk=desk)

    change_story_slug(editor, story, "better headline")

    story.refresh_from_db()
    assert story.slug == "better-headline"
    assert list(story.old_slugs.values_list("slug", flat=True)) == ["first-headline"]


def test_changing_back_to_an_old_slug_does_not_duplicate_history(desk, editor):
    story = make_story("One", desk=desk)
    change_story_slug(editor, story, "two")
    change_story_slug(editor, story, "one")

    story.refresh_from_db()
    assert story.slug == "one"
    assert sorted(story.old_slugs.values_list("slug", flat=True)) == ["two"]


@pytest.mark.parametrize("slug", ["", "   ", "!!!", "\u202e", "---"])
def test_a_slug_without_letters_is_refused(desk, editor, slug):
    story = make_story("Keep me", desk=desk)

    with pytest.raises(ValidationError):
        change_story_slug(editor, story, slug)
    story.refresh_from_db()
    assert story.slug == "keep-me"


def test_a_slug_another_story_has_or_had_is_refused(desk, editor):
    taken = make_story("Taken", desk=desk)
    other = make_story("Other", desk=desk)
    change_story_slug(editor, taken, "moved")

    for slug in ("moved", "taken"):
        with pytest.raises(ValidationError):
            change_story_slug(editor, other, slug)
    other.refresh_from_db()
    assert other.slug == "other"


def test_withdrawing_takes_a_story_off_the_public_gate(desk, editor):
    story = make_story(desk=desk)

    withdraw_story(editor, story, "Withdrawn: the report relied on a forged document.")

    assert not Story.objects.live().filter(pk=story.pk).exists()
    story.refresh_from_db()
    assert story.withdrawn_note == "Withdrawn: the report relied on a forged document."
