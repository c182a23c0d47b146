"""The scraped seed page, read by the page importer's text path.

The page is text: the kicker, the headline, the body paragraphs, the
author's name and bio (the author box), then "Recent Posts" followed by
(headline, opening sentence, age) for each post. The page importer
(``masthead.wire.pageimport``, the same code as ``masthead import page``)
takes it apart; this module checks that the page has every part the demo
needs and turns the posts' ages into durations, which only the demo does:
its recent posts are made as old as the page says, right after loading.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from masthead.wire.pageimport import Article, PageError, RawPage, read_file, read_page

SEED_FILE = Path(__file__).with_name("data") / "seed-article.txt"
RECENT_POSTS_HEADING = "Recent Posts"
_AGE = re.compile(r"^(\d+)\s+(min|mins|minute|minutes|hour|hours|day|days)\s+ago$")


class SeedFormatError(ValueError):
    """The seed text does not have the shape of an article page."""


@dataclass(frozen=True)
class RecentPost:
    headline: str
    opening: str
    age: timedelta


@dataclass(frozen=True)
class SeedPage:
    kicker: str
    headline: str
    paragraphs: list[str]
    author_name: str
    author_bio: str
    recent_posts: list[RecentPost]


def parse_age(text: str) -> timedelta:
    match = _AGE.match(text.strip())
    if not match:
        raise SeedFormatError(f"“{text}” is not an age such as “16 mins ago”.")
    count, unit = int(match.group(1)), match.group(2)
    if unit.startswith("min"):
        return timedelta(minutes=count)
    if unit.startswith("hour"):
        return timedelta(hours=count)
    return timedelta(days=count)


def parse_seed(text: str) -> SeedPage:
    page = RawPage(data=text.encode("utf-8"), origin="the seed page")
    try:
        article = read_page(page) if text.strip() else None
    except PageError as error:
        raise SeedFormatError(str(error)) from None
    if article is None:
        raise SeedFormatError("The seed page is empty.")
    return _seed_page(article)


def load_seed(path: Path = SEED_FILE) -> SeedPage:
    try:
        return _seed_page(read_page(read_file(path)))
    except PageError as error:
        raise SeedFormatError(str(error)) from None


def _seed_page(article: Article) -> SeedPage:
    if not (article.kicker and article.byline and article.author_bio):
        raise SeedFormatError("The seed page needs a kicker, headline, body, author and bio.")
    if not article.teasers:
        raise SeedFormatError(f"No “{RECENT_POSTS_HEADING}” section in the seed page.")
    if any(not (post.opening and post.age) for post in article.teasers):
        raise SeedFormatError("Each recent post needs a headline, an opening and an age.")
    return SeedPage(
        kicker=article.kicker,
        headline=article.headline,
        paragraphs=[block.text for block in article.blocks],
        author_name=article.byline,
        author_bio=article.author_bio,
        recent_posts=[
            RecentPost(headline=post.headline, opening=post.opening, age=parse_age(post.age))
            for post in article.teasers
        ],
    )
