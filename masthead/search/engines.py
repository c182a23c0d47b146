"""The two search engines behind one small interface, chosen by the database.

``Engine.write`` stores documents (the ``search_storyentry`` rows and the
engine's words), ``Engine.delete`` removes stories, and
``Engine.ranked`` answers, for a parsed query and a queryset of entries
already narrowed to the gate and the filters, one page of results as
``(score, story id)``, best first: of the freshest matches — at most
``candidates`` of them, so a common word costs as much as a rare one — the
best by ``score`` (text relevance blended with recency, ``score()``) after a
cursor's position.

- ``Fts5Engine`` (SQLite, the embedded default): an FTS5 table
  ``search_storyfts`` (headline, dek, extra, body, variants; rowid = story
  id; Porter stemming over ``unicode61`` with diacritics removed), relevance
  from ``bm25`` with the columns weighted.
- ``PostgresEngine``: the entries' ``vector`` column (a ``tsvector`` with
  weights A headline, B dek, C tags/bylines, D body, under a GIN index),
  ``websearch_to_tsquery`` and ``ts_rank`` through
  ``django.contrib.postgres.search``.

Both read the same ``Query`` (``query.py``), built from words only, so no
operator a reader types reaches either engine as syntax.

Ranking: ``score = ln(relevance) + fresh_at / RECENCY`` (seconds since the
epoch), so relevance counts multiplicatively and halves in weight every
``RECENCY × ln 2`` (about five days) of age, measured from the last public
update. The score does not depend on the time of the search, so a cursor
keeps pointing at the same place. SQLite ranks the candidates in Python;
PostgreSQL ranks them in the query and sends only the page (handing 1,000
candidates to Python and turning their times into datetimes cost more than
the search itself).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import BooleanField, F, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from masthead.search.documents import Document
from masthead.search.query import Query

# Relevance weights, headline over dek over tags/bylines over body.
HEADLINE, DEK, EXTRA, BODY, VARIANTS = 10.0, 4.0, 2.0, 1.0, 0.5
PG_CONFIG = "english"
PG_WEIGHTS = [BODY / HEADLINE, EXTRA / HEADLINE, DEK / HEADLINE, 1.0]  # D, C, B, A

ENTRY_COLUMNS = (
    "story_id",
    "is_public",
    "live_from",
    "status",
    "desk_id",
    "label_id",
    "author_ids",
    "published_at",
    "fresh_at",
)

Candidate = tuple[int, float, datetime | None]  # story id, relevance, fresh_at
Ranked = tuple[float, int]  # score, story id
RECENCY = timedelta(days=7).total_seconds()
MIN_RELEVANCE = 1e-9  # a match the engine gives no relevance still has a score


def score(relevance: float, fresh_at: datetime | None) -> float:
    seconds = fresh_at.timestamp() if fresh_at else 0.0
    return math.log(max(float(relevance), MIN_RELEVANCE)) + seconds / RECENCY


def _page(ranked: list[Ranked], after: Ranked | None, count: int) -> list[Ranked]:
    ranked.sort(reverse=True)
    if after is not None:
        ranked = [position for position in ranked if position < after]
    return ranked[:count]


def _entry_values(doc: Document) -> list:
    return [*(getattr(doc, name) for name in ENTRY_COLUMNS), timezone.now()]


def _upsert_sql(vector_sql: str | None) -> str:
    columns = list(ENTRY_COLUMNS) + ["indexed_at"] + (["vector"] if vector_sql else [])
    values = ["%s"] * (len(ENTRY_COLUMNS) + 1) + ([vector_sql] if vector_sql else [])
    updates = ", ".join(f"{name} = excluded.{name}" for name in columns if name != "story_id")
    return (
        f"INSERT INTO search_storyentry ({', '.join(columns)}) VALUES ({', '.join(values)}) "  # noqa: S608 - names are ours
        f"ON CONFLICT (story_id) DO UPDATE SET {updates}"
    )


class Fts5Engine:
    name = "sqlite-fts5"
    CREATE = (
        "CREATE VIRTUAL TABLE IF NOT EXISTS search_storyfts USING fts5("
        "headline, dek, extra, body, variants, "
        "tokenize = 'porter unicode61 remove_diacritics 2')"
    )
    DROP = "DROP TABLE IF EXISTS search_storyfts"

    def write(self, docs: list[Document]) -> None:
        with connection.cursor() as cursor:
            cursor.executemany(_upsert_sql(None), [_entry_values(doc) for doc in docs])
            self._delete_words(cursor, [doc.story_id for doc in docs])
            cursor.executemany(
                "INSERT INTO search_storyfts (rowid, headline, dek, extra, body, variants) "
                "VALUES (%s, %s, %s, %s, %s, %s)",
                [(d.story_id, d.headline, d.dek, d.extra, d.body, d.variants) for d in docs],
            )

    def delete(self, story_ids: list[int]) -> None:
        if not story_ids:
            return
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM search_storyentry WHERE story_id IN ({_marks(story_ids)})",  # noqa: S608
                story_ids,
            )
            self._delete_words(cursor, story_ids)

    def _delete_words(self, cursor, story_ids: list[int]) -> None:
        if story_ids:
            marks = _marks(story_ids)
            cursor.execute(f"DELETE FROM search_storyfts WHERE rowid IN ({marks})", story_ids)  # noqa: S608

    def prune(self) -> None:
        """Drop words of stories without an entry (deleted while no receiver ran); then
        merge the FTS5 segments and refresh the planner's statistics, as after any bulk
        change."""
        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM search_storyfts "
                "WHERE rowid NOT IN (SELECT story_id FROM search_storyentry)"
            )
            cursor.execute("INSERT INTO search_storyfts (search_storyfts) VALUES ('optimize')")
            cursor.execute("ANALYZE search_storyentry")

    def ranked(
        self, query: Query, entries: QuerySet, candidates: int, after: Ranked | None, count: int
    ) -> list[Ranked]:
        found = self.candidates(query, entries, candidates)
        return _page([(score(rel, fresh), i) for i, rel, fresh in found], after, count)

    def candidates(self, query: Query, entries: QuerySet, limit: int) -> list[Candidate]:
        expression = query.fts5()
        matching = RawSQL(
            "SELECT rowid FROM search_storyfts WHERE search_storyfts MATCH %s", [expression]
        )
        freshest_first = (
            entries.filter(story_id__in=matching)
            .order_by("-fresh_at", "-story_id")
            .values_list("story_id", "fresh_at")[:limit]
        )
        if self._is_common(expression):
            freshest = self._walking_fresh_index(freshest_first)
            if not freshest:
                return []
            relevance = self._relevance(expression, sorted(i for i, _ in freshest))
        else:
            freshest = list(freshest_first)
            if not freshest:
                return []
            relevance = self._every_relevance(expression)
        return [(i, relevance[i], fresh) for i, fresh in freshest if i in relevance]

    def _every_relevance(self, expression: str) -> dict[int, float]:
        """``bm25`` of every match (no more than ``COMMON``), in one pass.

        The stories of a rarer word are scattered ids: reading them by ranges
        cost a statement each (352 of them, 1 s, for a query with 467 matches
        at 100,000 stories).
        """
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT rowid, -bm25(search_storyfts, %s, %s, %s, %s, %s) "
                "FROM search_storyfts WHERE search_storyfts MATCH %s",
                [HEADLINE, DEK, EXTRA, BODY, VARIANTS, expression],
            )
            return dict(cursor.fetchall())

    # Ids closer than this are scored by one range query (the words between cost
    # ~40 µs a match; a query of its own ~2 ms).
    RUN_GAP = 64

    def _relevance(self, expression: str, ids: list[int]) -> dict[int, float]:
        """``bm25`` of these stories (ids ascending) of a word in over ``COMMON`` stories.

        Not ``rowid IN (…)``: FTS5 then runs the whole query once per id (18 s
        for 1,000 ids of a word in every one of 100,000 stories). Runs of
        nearby ids — the freshest stories mostly have nearby ids — are read
        as ranges instead, each in one pass.
        """
        runs: list[list[int]] = []
        for story_id in ids:
            if runs and story_id - runs[-1][1] <= self.RUN_GAP:
                runs[-1][1] = story_id
            else:
                runs.append([story_id, story_id])
        wanted, relevance = set(ids), {}
        with connection.cursor() as cursor:
            for low, high in runs:
                cursor.execute(
                    "SELECT rowid, -bm25(search_storyfts, %s, %s, %s, %s, %s) "
                    "FROM search_storyfts WHERE search_storyfts MATCH %s "
                    "AND rowid BETWEEN %s AND %s",
                    [HEADLINE, DEK, EXTRA, BODY, VARIANTS, expression, low, high],
                )
                relevance.update(row for row in cursor.fetchall() if row[0] in wanted)
        return relevance

    COMMON = 5000

    def _is_common(self, expression: str) -> bool:
        """More than ``COMMON`` matches (counting stops there)."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM (SELECT rowid FROM search_storyfts "
                "WHERE search_storyfts MATCH %s LIMIT %s)",
                [expression, self.COMMON + 1],
            )
            return cursor.fetchone()[0] > self.COMMON

    def _walking_fresh_index(self, freshest_first: QuerySet) -> list[tuple[int, datetime]]:
        """The same rows, read by walking the freshness index until enough match.

        SQLite's planner otherwise looks up every match by id and sorts them all
        (0.6 s for a word in every one of 100,000 stories); walking the index
        stops after ``limit`` matches. ``INDEXED BY`` is SQLite's own way to say so.
        """
        sql, params = freshest_first.query.sql_with_params()
        table = '"search_storyentry"'
        sql = sql.replace(f"FROM {table}", f'FROM {table} INDEXED BY "search_fresh_idx"', 1)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        return [(story_id, _aware(fresh_at)) for story_id, fresh_at in rows]


def _aware(value) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    moment = parse_datetime(value)
    return moment if moment is None or moment.tzinfo else moment.replace(tzinfo=UTC)


class PostgresEngine:
    name = "postgresql"
    CREATE = (
        "CREATE INDEX IF NOT EXISTS search_entry_vector_gin ON search_storyentry USING gin (vector)"
    )
    DROP = "DROP INDEX IF EXISTS search_entry_vector_gin"
    VECTOR = " || ".join(
        f"setweight(to_tsvector('{PG_CONFIG}'::regconfig, %s), '{weight}')"
        for weight in ("A", "B", "C", "D", "D")
    )

    # Adjacent word pairs of a vector (from its lexemes' positions), under their own
    # GIN index: a phrase's stories are found by its pairs, not by all its words. The
    # planner knows how common each pair is (ANALYZE keeps the expression's most
    # common elements), where it estimates a phrase as its words together (a phrase
    # of three words in 132 stories was estimated at 37,305 at 1,000,000 and walked
    # the freshness index through 771,084 entries: 1.3 s). Each pair is kept as one
    # of 2^20 keys (the first 32 bits of the MD5 of "lexeme lexeme", a hash that does
    # not change between PostgreSQL versions): as text, nearly every pair of rare
    # words is a key of its own, and the index took 20 s to build for 3,000 stories.
    # A shared key only lets more entries through to the exact phrase test
    # (``vector @@ query``), which every candidate still passes; the condition is
    # implied by a phrase match (the same vector, the same positions, the join
    # keeps lexemes that share a position), so it removes no result.
    PAIR_KEYS = 1 << 20
    # One function, calling only pg_catalog's: a restore (pg_dump empties search_path)
    # rebuilds the index with it.
    PAIRS_FUNCTION = (
        "CREATE OR REPLACE FUNCTION search_adjacent_pairs(v tsvector) RETURNS int[] "
        "LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ "
        "SELECT coalesce(array_agg(DISTINCT "
        "('x' || substr(md5(a.lexeme || ' ' || b.lexeme), 1, 8))::bit(32)::int "
        "& 1048575), '{}') "  # PAIR_KEYS - 1
        "FROM (SELECT u.lexeme, p FROM unnest(v) AS u, unnest(u.positions) AS p) AS a "
        "JOIN (SELECT u.lexeme, p FROM unnest(v) AS u, unnest(u.positions) AS p) AS b "
        "ON b.p = a.p + 1 $$"
    )
    PAIRS_INDEX = (
        "CREATE INDEX IF NOT EXISTS search_entry_pairs_gin "
        "ON search_storyentry USING gin (search_adjacent_pairs(vector))"
    )
    PAIRS_INDEX_NAME = "search_entry_pairs_gin"
    PAIRS_DROP = "DROP INDEX IF EXISTS search_entry_pairs_gin"
    PAIRS_FUNCTION_DROP = "DROP FUNCTION IF EXISTS search_adjacent_pairs(tsvector)"
    # The entries holding a phrase's pairs, read from the pairs index once (an
    # InitPlan) and then by key: a condition on search_adjacent_pairs(vector) in the
    # candidates query itself made PostgreSQL compute the pairs of every entry it
    # walked (~2 ms each: 2 s for a common phrase at 100,000 stories).
    PHRASE_PAIRS = (  # PG_CONFIG
        "SELECT p.story_id FROM search_storyentry AS p WHERE search_adjacent_pairs(p.vector) "
        "@> search_adjacent_pairs(to_tsvector('english'::regconfig, %s::text))"
    )
    PAIRS_OF_PHRASE = f'"search_storyentry"."story_id" = ANY(ARRAY({PHRASE_PAIRS}))'
    # Only a phrase the planner expects in at most this many entries goes through its
    # pairs; a common one is found fastest by walking the freshest entries, as before.
    RARE_PHRASE = 5000

    def write(self, docs: list[Document]) -> None:
        rows = [[*_entry_values(d), d.headline, d.dek, d.extra, d.body, d.variants] for d in docs]
        with connection.cursor() as cursor:
            cursor.executemany(_upsert_sql(self.VECTOR), rows)

    def delete(self, story_ids: list[int]) -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM search_storyentry WHERE story_id = ANY(%s)", [story_ids])

    def prune(self) -> None:
        """Refresh the planner's statistics (the words live in the entries, which the
        stories' rows cascade to). Without them, after a bulk load, PostgreSQL reads every
        match of a common word instead of walking the freshest entries (0.6 s, not 15 ms,
        at 100,000 stories)."""
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE search_storyentry")

    def candidates(self, query: Query, entries: QuerySet, limit: int) -> QuerySet:
        """The freshest ``limit`` matches as (story id, relevance, fresh_at) rows."""
        search = SearchQuery(query.websearch(), search_type="websearch", config=PG_CONFIG)
        matches = entries.filter(vector=search)
        for phrase in self._rare_phrases(query):
            # The phrase is a parameter; the SQL is ours.
            pairs = RawSQL(self.PAIRS_OF_PHRASE, [phrase], output_field=BooleanField())  # noqa: S611
            matches = matches.filter(pairs)
        return (
            matches.annotate(relevance=SearchRank(F("vector"), search, weights=PG_WEIGHTS))
            .order_by("-fresh_at", "-story_id")
            .values_list("story_id", "relevance", "fresh_at")[:limit]
        )

    def _rare_phrases(self, query: Query) -> list[str]:
        """The required phrases whose pairs the planner expects in few entries (its
        estimate from the pairs index's statistics, not prepared: a generic plan would
        not see the phrase)."""
        rare = []
        for phrase in _required_phrases(query):
            text = " ".join(phrase)
            with connection.cursor() as cursor:
                cursor.cursor.execute(
                    f"EXPLAIN (FORMAT JSON) {self.PHRASE_PAIRS}", [text], prepare=False
                )
                plan = cursor.fetchone()[0]
            plan = json.loads(plan) if isinstance(plan, str) else plan
            # Only through the index: without it (an unfinished concurrent build leaves
            # it invalid) the pairs of every entry would be computed, seconds a search.
            uses_index = self.PAIRS_INDEX_NAME in json.dumps(plan)
            if uses_index and plan[0]["Plan"]["Plan Rows"] <= self.RARE_PHRASE:
                rare.append(text)
        return rare

    def ranked(
        self, query: Query, entries: QuerySet, candidates: int, after: Ranked | None, count: int
    ) -> list[Ranked]:
        try:
            inner, params = self.candidates(query, entries, candidates).query.sql_with_params()
        except EmptyResultSet:  # a scope that can match nothing (a writer with no stories)
            return []
        # score() in SQL; ts_rank's real widened to double as Python's float() does.
        scored = (
            "SELECT story_id, ln(greatest(relevance::float8, %s)) "
            "+ coalesce(extract(epoch FROM fresh_at)::float8, 0) / %s AS score FROM "
        )
        sql = f"SELECT score, story_id FROM ({scored}({inner}) AS candidate) AS scored"  # noqa: S608 - Django's own SQL
        params = [MIN_RELEVANCE, RECENCY, *params]
        if after is not None:
            sql += " WHERE (score, story_id) < (%s, %s)"
            params += [after[0], after[1]]
        sql += " ORDER BY score DESC, story_id DESC LIMIT %s"
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, count])
            return [(float(value), story_id) for value, story_id in cursor.fetchall()]


def _required_phrases(query: Query) -> list[tuple[str, ...]]:
    """Phrases of two words or more that every match must hold (not one of an ``or``)."""
    return [
        clause.alternatives[0]
        for clause in query.clauses
        if len(clause.alternatives) == 1 and len(clause.alternatives[0]) > 1
    ]


def _marks(values: Iterable) -> str:
    return ", ".join("%s" for _ in values)


def current_engine() -> Fts5Engine | PostgresEngine:
    return PostgresEngine() if connection.vendor == "postgresql" else Fts5Engine()
