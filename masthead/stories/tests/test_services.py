from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from masthead.factories import editor_of, make_desk, make_staff, make_story, make_tag
from masthead.newsroom.models import AuditEvent, StaffRole
from masthead.stories.models import Story, Tag
from masthead.stories.services import (
    Content,
    change_story_slug,
    merge_tags,
    rename_tag,
    snapshot_revision,
    tags_for_story,
    withdraw_story,
)

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


# Tags ---------------------------------------------------------------------------


@pytest.fixture
def writer(desk):
    return make_staff(StaffRole.Role.WRITER, desk)


def test_a_writer_adds_new_tags_and_reuses_existing_ones(desk, writer):
    iran = make_tag("Iran")

    tags = tags_for_story(
        writer, ["Tehran traffic", " tehran  TRAFFIC ", "iran", "Tehran-Traffic"], desk=desk
    )

    assert [tag.name for tag in tags] == ["Tehran traffic", "Iran"]
    assert tags[1] == iran
    assert Tag.objects.count() == 2
    event = AuditEvent.objects.get(action="tag_create")
    assert (event.actor, event.target_label) == (writer, "Tehran traffic")


def test_a_persian_tag_typed_on_an_arabic_keyboard_is_the_same_tag(desk, writer):
    iran = tags_for_story(writer, ["ایران"], desk=desk)[0]

    # Arabic yeh, a zero-width non-joiner and a diacritic: the same word.
    again = tags_for_story(writer, ["ايران", "اي\u200cران\u064e"], desk=desk)

    assert again == [iran] and iran.slug == "ایران"
    assert Tag.objects.count() == 1


@pytest.mark.parametrize("name", ["", "  ", "---", "\u202e\u202e", "x" * 81])
def test_a_tag_name_without_letters_or_too_long_is_refused(desk, writer, name):
    with pytest.raises(ValidationError):
        tags_for_story(writer, ["Fine", name], desk=desk)
    assert not Tag.objects.exists()


def test_only_someone_who_may_write_the_story_adds_tags(desk):
    other_desk_writer = make_staff(StaffRole.Role.WRITER, make_desk("Economy"))
    administrator = make_staff(StaffRole.Role.ADMINISTRATOR)
    for person in (other_desk_writer, administrator):
        with pytest.raises(PermissionDenied):
            tags_for_story(person, ["Secret plans"], desk=desk)
    story = make_story("Someone else's", desk=desk, status=Story.Status.SUBMITTED)
    with pytest.raises(PermissionDenied):
        tags_for_story(make_staff(StaffRole.Role.WRITER, desk), ["Mine"], desk=desk, story=story)
    assert not Tag.objects.exists()


def test_renaming_a_tag_keeps_its_old_slug_and_is_audited(desk, editor):
    tag = make_tag("Tehran traffic")

    rename_tag(editor, tag, "Traffic in Tehran")

    tag.refresh_from_db()
    assert (tag.name, tag.slug) == ("Traffic in Tehran", "traffic-in-tehran")
    assert list(tag.old_slugs.values_list("slug", flat=True)) == ["tehran-traffic"]
    event = AuditEvent.objects.get(action="tag_rename")
    assert event.note == "Tehran traffic → Traffic in Tehran"
    rename_tag(editor, tag, "Tehran traffic")  # and back: no duplicate history
    assert list(tag.old_slugs.values_list("slug", flat=True)) == ["traffic-in-tehran"]


def test_renaming_onto_another_tag_is_refused(desk, editor):
    make_tag("Iran")
    tag = make_tag("Persia")
    for name in ("Iran", "IRAN", "iran!"):
        with pytest.raises(ValidationError):
            rename_tag(editor, tag, name)
    tag.refresh_from_db()
    assert tag.name == "Persia"


def test_writers_neither_rename_nor_merge_tags(desk, writer):
    one, other = make_tag("One"), make_tag("Other")
    with pytest.raises(PermissionDenied):
        rename_tag(writer, one, "Uno")
    with pytest.raises(PermissionDenied):
        merge_tags(writer, one, other)
    assert sorted(Tag.objects.values_list("name", flat=True)) == ["One", "Other"]


def test_merging_moves_stories_and_revisions_and_keeps_the_old_slug(desk, editor):
    tehran, capital = make_tag("Tehran"), make_tag("The capital")
    both = make_story("Both tags", desk=desk, tags=[tehran, capital])
    only_old = make_story("Capital only", desk=desk, tags=[capital])
    untouched = make_story("Other", desk=desk, tags=[make_tag("Oil")])
    for story in (both, only_old, untouched):
        snapshot_revision(story)

    merge_tags(editor, capital, tehran)

    assert not Tag.objects.filter(name="The capital").exists()
    assert list(both.tags.all()) == [tehran] and list(only_old.tags.all()) == [tehran]
    assert both.revisions.get().tag_ids == [tehran.pk]
    assert Content.of(only_old.revisions.get()).tags == [tehran]
    assert [tag.name for tag in untouched.tags.all()] == ["Oil"]
    assert list(tehran.old_slugs.values_list("slug", flat=True)) == ["the-capital"]
    event = AuditEvent.objects.get(action="tag_merge")
    assert (event.note, event.detail["stories"]) == ("The capital → Tehran", 2)
    # A name typed later that had the merged slug is the surviving tag.
    assert tags_for_story(editor, ["The Capital"], desk=desk) == [tehran]


def test_a_tag_cannot_be_merged_into_itself(desk, editor):
    tag = make_tag("Alone")
    with pytest.raises(ValidationError):
        merge_tags(editor, tag, tag)


def test_a_new_story_is_in_its_desks_editions_language_unless_told_otherwise():
    from masthead.factories import make_edition
    from masthead.stories.services import Content, create_story

    siasat = make_desk("سیاست", slug="siasat", edition=make_edition("fa"))
    writer = make_staff(StaffRole.Role.WRITER, siasat)

    persian = create_story(writer, Content(headline="مذاکرات", desk=siasat))
    quoted = create_story(writer, Content(headline="A quote", desk=siasat, language="en"))

    assert (persian.language, quoted.language) == ("fa", "en")
