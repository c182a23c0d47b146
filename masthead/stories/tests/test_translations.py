"""Translation groups (stories/translations.py): one story per edition, linked both ways."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from masthead.factories import grant, make_desk, make_edition, make_staff, make_story
from masthead.newsroom.models import StaffRole
from masthead.stories import translations, versions
from masthead.stories.models import Story
from masthead.stories.translations import TranslationError

pytestmark = pytest.mark.django_db

EDITOR, WRITER = StaffRole.Role.DESK_EDITOR, StaffRole.Role.WRITER


@pytest.fixture
def desks():
    persian = make_edition("fa")
    arabic = make_edition("ar", language="ar", calendar="gregorian", time_zone="")
    return {
        "politics": make_desk("Politics"),
        "economy": make_desk("Economy"),
        "siasat": make_desk("سیاست", slug="siasat", edition=persian),
        "eghtesad": make_desk("اقتصاد", slug="eghtesad", edition=persian),
        "siyasa": make_desk("سياسة", slug="siyasa", edition=arabic),
    }


def keys(*stories: Story) -> set:
    return {Story.objects.get(pk=story.pk).translation_key for story in stories}


def test_linking_puts_two_editions_versions_in_one_group(desks):
    english = make_story("Talks resume in Vienna", desk=desks["politics"])
    persian = make_story("مذاکرات در وین از سر گرفته شد", desk=desks["siasat"])

    key = translations.link(english, persian)

    assert keys(english, persian) == {key} and key is not None
    assert [member.pk for member in translations.members(persian)] == [english.pk, persian.pk]
    assert translations.link(persian, english) == key  # linking again changes nothing


def test_a_group_holds_one_story_per_edition(desks):
    english = make_story(desk=desks["politics"])
    persian = make_story(desk=desks["siasat"])
    other_persian = make_story(desk=desks["eghtesad"])
    other_english = make_story(desk=desks["economy"])
    translations.link(english, persian)

    with pytest.raises(TranslationError, match="two stories of the Edition fa edition"):
        translations.link(english, other_persian)
    with pytest.raises(TranslationError, match="two stories"):
        translations.link(other_english, persian)
    with pytest.raises(TranslationError, match="its own translation"):
        translations.link(english, english)
    with pytest.raises(TranslationError, match="two stories"):
        translations.link(other_english, english)  # two English, whichever side
    assert keys(other_persian, other_english) == {None}


def test_linking_two_groups_joins_them_when_no_edition_repeats(desks):
    english, persian = make_story(desk=desks["politics"]), make_story(desk=desks["siasat"])
    arabic = make_story(desk=desks["siyasa"])
    translations.link(english, persian)

    key = translations.link(arabic, persian)

    assert keys(english, persian, arabic) == {key}


def test_unlinking_takes_one_story_out_and_a_pair_dissolves(desks):
    english, persian = make_story(desk=desks["politics"]), make_story(desk=desks["siasat"])
    arabic = make_story(desk=desks["siyasa"])
    translations.link(english, persian)
    translations.link(english, arabic)

    translations.unlink(arabic)
    assert keys(arabic) == {None} and len(keys(english, persian)) == 1 and keys(english) != {None}

    translations.unlink(persian)
    assert keys(english, persian) == {None}


def test_linking_a_live_story_changes_its_pages_and_a_draft_pair_changes_none(desks):
    english = make_story(desk=desks["politics"])
    draft = make_story(desk=desks["siasat"], status=Story.Status.DRAFT, published_at=None)
    before = versions.counters([f"story:{english.pk}", versions.FRONT])

    translations.link(english, draft)

    after = versions.counters([f"story:{english.pk}", versions.FRONT])
    assert all(after[scope] == before[scope] + 1 for scope in before)

    quiet = make_story(desk=desks["economy"], status=Story.Status.DRAFT, published_at=None)
    other = make_story(desk=desks["eghtesad"], status=Story.Status.DRAFT, published_at=None)
    before = versions.counters([f"story:{quiet.pk}", versions.FRONT])
    translations.link(quiet, other)
    assert versions.counters([f"story:{quiet.pk}", versions.FRONT]) == before


def test_staff_link_only_what_they_may_read_and_edit_one_of(desks):
    english = make_story(desk=desks["politics"])
    persian = make_story(desk=desks["siasat"], status=Story.Status.DRAFT, published_at=None)
    stranger = make_staff(WRITER, desks["economy"])
    with pytest.raises(PermissionDenied):
        translations.link(english, persian, actor=stranger)
    assert keys(english, persian) == {None}

    editor = make_staff(EDITOR, desks["siasat"])
    grant(editor, WRITER, desks["politics"])
    translations.link(english, persian, actor=editor)
    assert len(keys(english, persian) - {None}) == 1


def test_translate_this_story_makes_a_linked_draft_in_the_other_edition(desks):
    source = make_story("Talks resume in Vienna", desk=desks["politics"], slug="talks-resume")
    translator = make_staff(WRITER, desks["siasat"])
    grant(translator, WRITER, desks["politics"])

    draft = translations.start_translation(translator, source, desks["siasat"])

    assert draft.status == Story.Status.DRAFT and draft.desk == desks["siasat"]
    assert draft.language == "fa" and draft.slug == "talks-resume-fa"
    assert draft.body == "" and draft.headline == source.headline  # to write over
    assert [byline.author.user for byline in draft.ordered_bylines()] == [translator]
    assert keys(source, draft) == {Story.objects.get(pk=source.pk).translation_key} != {None}
    assert draft.latest_revision is not None  # its own revisions from the start

    with pytest.raises(TranslationError, match="already has a version"):
        translations.start_translation(translator, source, desks["eghtesad"])


def test_translating_needs_a_desk_the_translator_writes_for(desks):
    source = make_story(desk=desks["politics"])
    outsider = make_staff(WRITER, desks["politics"])

    with pytest.raises(PermissionDenied):
        translations.start_translation(outsider, source, desks["siasat"])
    assert not Story.objects.filter(desk=desks["siasat"]).exists()
    assert keys(source) == {None}


def test_the_editions_a_story_can_still_be_translated_to(desks):
    english, persian = make_story(desk=desks["politics"]), make_story(desk=desks["siasat"])
    translations.link(english, persian)

    assert [edition.slug for edition in translations.editions_missing(persian)] == ["ar"]
