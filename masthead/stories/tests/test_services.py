from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from masthead.factories import make_story
from masthead.stories.models import Story
from masthead.stories.services import change_story_slug, withdraw_story

pytestmark = pytest.mark.django_db


def test_changing_a_slug_keeps_the_old_one_as_a_redirect():
    story = make_story("First headline")

    change_story_slug(story, "better headline")

    story.refresh_from_db()
    assert story.slug == "better-headline"
    assert list(story.old_slugs.values_list("slug", flat=True)) == ["first-headline"]


def test_changing_back_to_an_old_slug_does_not_duplicate_history():
    story = make_story("One")
    change_story_slug(story, "two")
    change_story_slug(story, "one")

    story.refresh_from_db()
    assert story.slug == "one"
    assert sorted(story.old_slugs.values_list("slug", flat=True)) == ["two"]


@pytest.mark.parametrize("slug", ["", "   ", "!!!", "\u202e"])
def test_a_slug_without_letters_is_refused(slug):
    story = make_story("Keep me")

    with pytest.raises(ValidationError):
        change_story_slug(story, slug)
    story.refresh_from_db()
    assert story.slug == "keep-me"


def test_a_slug_another_story_has_or_had_is_refused():
    taken = make_story("Taken")
    other = make_story("Other")
    change_story_slug(taken, "moved")

    for slug in ("moved", "taken"):
        with pytest.raises(ValidationError):
            change_story_slug(other, slug)
    other.refresh_from_db()
    assert other.slug == "other"


def test_withdrawing_takes_a_story_off_the_public_gate():
    story = make_story()

    withdraw_story(story, "Withdrawn: the report relied on a forged document.")

    assert not Story.objects.live().filter(pk=story.pk).exists()
    story.refresh_from_db()
    assert story.withdrawn_note == "Withdrawn: the report relied on a forged document."
