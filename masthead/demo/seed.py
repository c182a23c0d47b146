"""Parse the scraped seed page into its parts.

The page is text in blank-line-separated blocks: the kicker, the headline,
the body paragraphs, the author's name and bio (the author box), then
"Recent Posts" followed by (headline, opening sentence, age) for each post.
Only the story's own paragraphs go into its body; the author box and the
recent posts are page chrome and become an author and stories of their own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

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
    blocks = [block.strip() for block in re.split(r"\n\s*\n", text.strip()) if block.strip()]
    try:
        heading_at = blocks.index(RECENT_POSTS_HEADING)
    except ValueError:
        raise SeedFormatError(f"No “{RECENT_POSTS_HEADING}” section in the seed page.") from None
    if heading_at < 5:
        raise SeedFormatError("The seed page needs a kicker, headline, body, author and bio.")
    items = blocks[heading_at + 1 :]
    if len(items) % 3:
        raise SeedFormatError("Each recent post needs a headline, an opening and an age.")
    recent = [
        RecentPost(headline=items[i], opening=items[i + 1], age=parse_age(items[i + 2]))
        for i in range(0, len(items), 3)
    ]
    return SeedPage(
        kicker=blocks[0],
        headline=blocks[1],
        paragraphs=blocks[2 : heading_at - 2],
        author_name=blocks[heading_at - 2],
        author_bio=blocks[heading_at - 1],
        recent_posts=recent,
    )


def load_seed(path: Path = SEED_FILE) -> SeedPage:
    return parse_seed(path.read_text(encoding="utf-8"))
