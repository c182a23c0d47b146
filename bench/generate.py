"""Load N deterministic stories (with desks, authors, tags, bylines and a
revision each) into Masthead's database, fast, for scale benchmarks.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/masthead_scale \\
        .venv/bin/python bench/generate.py --stories 1000000

PostgreSQL is loaded with COPY (psycopg 3), SQLite with batched
executemany; both in one transaction, with ids assigned here so rows can
point at each other (a story at its revision and back). Content is built
from a fixed seed, so two runs make the same database. Stories are spread
over ``--years`` of publication times ending now; 2 % are drafts or in the
workflow, 0.5 % withdrawn. The demo outlet is not needed: desks, authors
and tags are made here if the database has none.

``--vocabulary news`` writes text a search engine can tell apart: words
drawn from 100,000 (the 32 above, then made-up words of two to four
syllables), each word's chance falling with its rank as in natural
language (Zipf, s = 1), so a few words are in nearly every story and most
are in a few hundred at 1,000,000 stories. The default, ``small``, keeps the
32-word text the other benchmarks were measured on (every story holds
nearly every word: useless for search).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masthead.settings")

# A paragraph of words reads better than 38 quoted ones.
WORDS = tuple(
    (  # noqa: SIM905
        "tehran parliament budget oil talks nuclear sanctions minister council province "
        "market currency drought water metro election court league festival border "
        "trade wheat harvest rail port energy prices workers union inflation reform "
        "talks summit "
    ).split()
)
SYLLABLES = tuple(
    c + v for c in "bdfghklmnprstvz" for v in ("a", "e", "i", "o", "u", "ar", "en", "ol")
)
NEWS_VOCABULARY_SIZE = 100_000


def news_vocabulary(size: int = NEWS_VOCABULARY_SIZE) -> list[str]:
    """WORDS, then made-up words, the same on every run: rank order."""
    vocabulary = list(dict.fromkeys(WORDS))
    seen = set(vocabulary)
    rng = random.Random(1_000_003)
    while len(vocabulary) < size:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((2, 3, 3, 4))))
        if word not in seen:
            seen.add(word)
            vocabulary.append(word)
    return vocabulary


class Text:
    """Draws the words of a story: 'small' (uniform over WORDS, no repeat
    within a sentence) or 'news' (Zipf over news_vocabulary())."""

    def __init__(self, vocabulary: str, rng: random.Random):
        self.rng = rng
        if vocabulary == "news":
            self.words = news_vocabulary()
            total, cumulative = 0.0, []
            for rank in range(1, len(self.words) + 1):
                total += 1.0 / rank
                cumulative.append(total)
            self.cumulative = cumulative
        else:
            self.words = None

    def sample(self, count: int) -> list[str]:
        if self.words is None:
            return self.rng.sample(WORDS, count)
        return self.rng.choices(self.words, cum_weights=self.cumulative, k=count)


DESKS = ["Politics", "Economy", "Society", "Culture", "Sports", "Media Wire"]
STORY_COLUMNS = [
    "id", "headline", "dek", "body", "label_id", "dateline", "lead_image_id", "language",
    "seo_title", "seo_description", "slug", "desk_id", "status", "published_at", "updated_at",
    "embargoed_until", "withdrawn_note", "top_rank", "notes_to_editor", "created_by_id",
    "latest_revision_id", "published_revision_id", "created_at", "modified_at",
    "sources", "method_note", "makes_allegation", "dateline_kind",
]  # fmt: skip
REVISION_COLUMNS = [
    "id", "headline", "dek", "body", "label_id", "dateline", "lead_image_id", "language",
    "seo_title", "seo_description", "story_id", "number", "desk_id", "created_by_id",
    "created_at", "note", "tag_ids", "author_ids",
    "sources", "method_note", "makes_allegation", "dateline_kind",
]  # fmt: skip


def setup_django():
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def reference_rows():
    """Desks, authors and tags: made once, reused by later runs."""
    from masthead.newsroom.models import Author, Desk
    from masthead.stories.models import Label, Tag

    for position, name in enumerate(DESKS):
        Desk.objects.get_or_create(
            slug=name.lower().replace(" ", "-"), defaults={"name": name, "position": position}
        )
    for number in range(60):
        Author.objects.get_or_create(slug=f"writer-{number}", defaults={"name": f"Writer {number}"})
    for number in range(400):
        Tag.objects.get_or_create(slug=f"topic-{number}", defaults={"name": f"Topic {number}"})
    Label.objects.get_or_create(slug="analysis", defaults={"name": "Analysis", "kind": "analysis"})
    desks = list(Desk.objects.values_list("pk", flat=True))
    authors = list(Author.objects.values_list("pk", flat=True))
    tags = list(Tag.objects.values_list("pk", flat=True))
    labels = list(Label.objects.values_list("pk", flat=True))
    return desks, authors, tags, labels


def next_id(table: str) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")
        return cursor.fetchone()[0]


def rows(count: int, seed: int, years: float, refs, vocabulary: str = "small"):
    desks, authors, tags, labels = refs
    rng = random.Random(seed)
    text = Text(vocabulary, rng)
    story_id, revision_id = next_id("stories_story"), next_id("stories_revision")
    byline_id, tag_link_id = next_id("stories_byline"), next_id("stories_story_tags")
    now = datetime.now(UTC).replace(microsecond=0)
    span = timedelta(days=365 * years).total_seconds()
    for index in range(count):
        words = text.sample(8)
        headline = " ".join(words[:6]).capitalize()
        dek = " ".join(text.sample(14)).capitalize() + "."
        body = "".join("<p>" + " ".join(text.sample(20)).capitalize() + ".</p>" for _ in range(6))
        published = now - timedelta(seconds=span * index / max(count, 1) + rng.randrange(60))
        roll = rng.random()
        status = "published"
        if roll < 0.02:
            status = rng.choice(["draft", "submitted", "in_edit", "ready"])
        elif roll < 0.025:
            status = "withdrawn"
        desk = desks[index % len(desks)]
        label = labels[0] if index % 9 == 0 else None
        byline = [authors[(index * 7) % len(authors)]]
        story_tags = sorted({tags[(index * 13) % len(tags)], tags[(index * 31 + 5) % len(tags)]})
        live_time = published if status in ("published", "withdrawn") else None
        slug = f"{'-'.join(words[:6])}-{story_id}"
        yield (
            "story",
            (
                story_id, headline, dek, body, label, "Tehran", None, "en", "", "", slug, desk,
                status, live_time, live_time, None, "", None, "", None, revision_id,
                revision_id if live_time else None, published, published,
                "[]", "", False, "",
            ),
        )  # fmt: skip
        yield (
            "revision",
            (
                revision_id, headline, dek, body, label, "Tehran", None, "en", "", "",
                story_id, 1, desk, None, published, "Generated", json.dumps(story_tags),
                json.dumps(byline), "[]", "", False, "",
            ),
        )  # fmt: skip
        yield "byline", (byline_id, story_id, byline[0], 0, "")
        byline_id += 1
        for tag in story_tags:
            yield "tag", (tag_link_id, story_id, tag)
            tag_link_id += 1
        story_id += 1
        revision_id += 1


TABLES = {
    "story": ("stories_story", STORY_COLUMNS),
    "revision": ("stories_revision", REVISION_COLUMNS),
    "byline": ("stories_byline", ["id", "story_id", "author_id", "position", "role"]),
    "tag": ("stories_story_tags", ["id", "story_id", "tag_id"]),
}


def load_postgresql(row_stream) -> None:
    from django.db import connection

    raw = connection.connection  # psycopg 3
    with raw.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        copies = {}
        buffers: dict[str, list] = {kind: [] for kind in TABLES}
        for kind, row in row_stream:
            buffers[kind].append(row)
            if len(buffers[kind]) >= 20_000:
                _copy(cursor, kind, buffers[kind], copies)
                buffers[kind] = []
        for kind, pending in buffers.items():
            _copy(cursor, kind, pending, copies)
        for table, _ in TABLES.values():
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT MAX(id) FROM {table}))"
            )


def _copy(cursor, kind: str, batch: list, copies: dict) -> None:
    if not batch:
        return
    table, columns = TABLES[kind]
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in batch:
            copy.write_row(row)


def load_sqlite(row_stream) -> None:
    from django.db import connection

    buffers: dict[str, list] = {kind: [] for kind in TABLES}
    with connection.cursor() as cursor:
        for kind, row in row_stream:
            buffers[kind].append(row)
            if len(buffers[kind]) >= 20_000:
                _insert(cursor, kind, buffers[kind])
                buffers[kind] = []
        for kind, pending in buffers.items():
            _insert(cursor, kind, pending)


def _insert(cursor, kind: str, batch: list) -> None:
    if not batch:
        return
    table, columns = TABLES[kind]
    marks = ", ".join(["%s"] * len(columns))
    cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", batch)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stories", type=int, default=1000, help="how many stories (default 1000)")
    parser.add_argument("--seed", type=int, default=20261125)
    parser.add_argument("--years", type=float, default=10.0, help="span of publication times")
    parser.add_argument(
        "--vocabulary",
        choices=("small", "news"),
        default="small",
        help="small: the page benchmarks' 32-word text; news: Zipf over 100,000 words (search)",
    )
    options = parser.parse_args(argv)
    if options.stories < 1:
        parser.error("--stories must be at least 1")
    setup_django()
    from django.db import connection, transaction

    from masthead.stories.versions import SITE, bump

    started = time.perf_counter()
    refs = reference_rows()
    stream = rows(options.stories, options.seed, options.years, refs, options.vocabulary)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            load_postgresql(stream)
        else:
            load_sqlite(stream)
        bump([SITE])  # every page cache in front of this database starts again
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    else:  # as a worker does when it starts (masthead/sqlite/statistics.py)
        from masthead.sqlite import statistics

        statistics.refresh()
    elapsed = time.perf_counter() - started
    print(f"{options.stories:,} stories loaded in {elapsed:.1f} s ({connection.vendor})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
