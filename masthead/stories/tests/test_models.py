from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from masthead.factories import make_author, make_desk, make_story
from masthead.stories.models import Story, StorySlug, unique_story_slug

pytestmark = pytest.mark.django_db


def test_live_is_published_and_due():
    desk = make_desk()
    live = make_story("Live one", desk=desk)
    make_story("A draft", desk=desk, status=Story.Status.DRAFT)
    make_story("Scheduled", desk=desk, age=-timedelta(minutes=5))
    make_story("Withdrawn", desk=desk, status=Story.Status.WITHDRAWN)
    make_story("Published without a time", desk=desk, age=None)

    assert list(Story.objects.live()) == [live]


def test_scheduled_story_becomes_live_at_its_time_without_a_worker():
    story = make_story("Later", age=-timedelta(minutes=10))
    now = timezone.now()

    assert not Story.objects.live(now=now).filter(pk=story.pk).exists()
    assert Story.objects.live(now=now + timedelta(minutes=11)).filter(pk=story.pk).exists()
    assert story.is_live(now + timedelta(minutes=11))
    assert not story.is_live(now)


HOUR = timedelta(hours=1)
# (published at, embargoed until, withdrawn at) relative to now -> did readers see it?
GONE_CASES = {
    "published, then withdrawn": (-2 * HOUR, None, -HOUR, True),
    "withdrawn the moment it went out": (-HOUR, None, -HOUR, True),
    "withdrawn before its time": (HOUR, None, -HOUR, False),
    "withdrawn before its time, which has passed": (-HOUR, None, -2 * HOUR, False),
    "withdrawn under embargo": (-2 * HOUR, HOUR, -HOUR, False),
    "withdrawn under an embargo that has ended": (-3 * HOUR, -HOUR, -2 * HOUR, False),
    "withdrawn after its embargo": (-3 * HOUR, -2 * HOUR, -HOUR, True),
    "never dated": (None, None, -HOUR, False),
    "withdrawn at no recorded time": (-2 * HOUR, None, None, False),
}


@pytest.mark.parametrize("case", list(GONE_CASES))
def test_gone_is_withdrawn_after_readers_saw_it_in_sql_and_in_python(case):
    published, embargo, withdrawn, seen = GONE_CASES[case]
    now = timezone.now()
    story = make_story(
        case,
        status=Story.Status.WITHDRAWN,
        published_at=None if published is None else now + published,
        age=None,
        embargoed_until=None if embargo is None else now + embargo,
        withdrawn_at=None if withdrawn is None else now + withdrawn,
    )

    assert story.is_gone is seen
    assert Story.objects.gone().filter(pk=story.pk).exists() is seen


def test_only_withdrawn_stories_are_gone():
    live = make_story("Live", withdrawn_at=timezone.now())

    assert not live.is_gone
    assert not Story.objects.gone().exists()


def test_slug_is_made_from_the_headline_and_kept_unique():
    first = make_story("Oil prices rise again")
    second = make_story("Oil prices rise again")

    assert first.slug == "oil-prices-rise-again"
    assert second.slug == "oil-prices-rise-again-2"


def test_slug_keeps_non_latin_headlines_readable():
    story = make_story("تهران در انتظار مذاکرات")

    assert story.slug == "تهران-در-انتظار-مذاکرات"


def test_slug_of_a_headline_without_letters_falls_back():
    assert make_story("!!! ???").slug == "story"


def test_new_slug_never_reuses_an_old_address():
    story = make_story("Budget vote delayed")
    StorySlug.objects.create(story=story, slug="budget-vote-postponed")

    assert unique_story_slug("Budget vote postponed") == "budget-vote-postponed-2"


def test_plain_text_fields_are_cleaned_on_save():
    story = make_story(
        "  Two\nlines\u202e and  spaces ", dek="A dek\u0000 here", dateline=" Tehran\t"
    )

    story.refresh_from_db()
    assert story.headline == "Two lines and spaces"
    assert story.dek == "A dek here"
    assert story.dateline == "Tehran"


def test_headline_is_required():
    story = Story(headline="   ", desk=make_desk())

    with pytest.raises(ValidationError) as error:
        story.full_clean()
    assert "headline" in error.value.message_dict


def test_bylines_keep_their_order():
    first, second = make_author("Zed Writer"), make_author("Amy Writer")
    story = make_story(authors=[first, second])

    assert [byline.author.name for byline in story.ordered_bylines()] == [
        "Zed Writer",
        "Amy Writer",
    ]


def test_updated_is_shown_only_when_later_than_first_publication():
    story = make_story()
    assert not story.was_updated

    story.updated_at = story.published_at + timedelta(minutes=30)
    assert story.was_updated


def test_absolute_url_is_desk_and_slug():
    story = make_story("Quake hits Kerman", desk=make_desk("Society"))

    assert story.get_absolute_url() == "/society/quake-hits-kerman/"
