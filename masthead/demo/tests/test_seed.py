from __future__ import annotations

from datetime import timedelta

import pytest

from masthead.demo.seed import SeedFormatError, load_seed, parse_age, parse_seed


def test_the_seed_page_splits_into_story_author_box_and_recent_posts():
    page = load_seed()

    assert page.kicker == "IFP Exclusive"
    assert page.headline == "Trump Cancels ‘Imminent’ Attack on Iran, Says Not after War"
    assert page.paragraphs[0].startswith("Iran has denied reports")
    assert page.paragraphs[-1].startswith("Trump said the episode")
    assert len(page.paragraphs) == 14
    assert page.author_name == "IFP Editorial Staff"
    assert page.author_bio.startswith("The IFP Editorial Staff is composed of dozens")
    assert not any(
        "Recent Posts" in p or "Editorial Staff is composed" in p for p in page.paragraphs
    )
    assert [post.age for post in page.recent_posts] == [
        timedelta(minutes=16),
        timedelta(hours=4),
        timedelta(hours=4),
        timedelta(hours=5),
        timedelta(hours=5),
        timedelta(hours=6),
    ]
    assert (
        page.recent_posts[0].headline
        == "Senior Iran general says US seeks targeting all Muslim world"
    )


@pytest.mark.parametrize(
    ("text", "age"),
    [
        ("16 mins ago", timedelta(minutes=16)),
        ("1 hour ago", timedelta(hours=1)),
        ("2 days ago", timedelta(days=2)),
    ],
)
def test_ages(text, age):
    assert parse_age(text) == age


@pytest.mark.parametrize("text", ["", "yesterday", "16 mins", "-3 hours ago", "1e9 hours ago"])
def test_bad_ages_are_refused(text):
    with pytest.raises(SeedFormatError):
        parse_age(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Only a headline",
        "Kicker\n\nHeadline\n\nBody\n\nAuthor\n\nBio",
        "K\n\nH\n\nRecent Posts\n\nA\n\nB\n\n1 min ago",
        "K\n\nH\n\nBody\n\nAuthor\n\nBio\n\nRecent Posts\n\nOnly a title",
        "K\n\nH\n\nBody\n\nAuthor\n\nBio\n\nRecent Posts\n\nTitle\n\nOpening\n\nsoon",
    ],
)
def test_pages_of_the_wrong_shape_are_refused_clearly(text):
    with pytest.raises(SeedFormatError):
        parse_seed(text)
