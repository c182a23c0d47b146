"""Fill Masthead's search index of a generated corpus in SQL, for scale benchmarks.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/search1m_db \\
        .venv/bin/python bench/search_index_sql.py

``rebuild_index()`` reads every story into Python and writes its entry back
(~10,000 stories a minute here at load average 15: well over an hour at
1,000,000). A corpus from ``bench/generate.py`` is plain ASCII text, which
``normalize`` leaves as it is, so PostgreSQL can build the same entries
itself: one ``INSERT … SELECT`` per range of ids with the engine's own
vector expression over the story, its tags (by name, as ``document_for``
reads them), bylines (by position), label and dateline. The GIN index is
dropped first and made again at the end (one build, no pending list), and
so is the phrase pairs' index (``search/migrations/0003``), then ``ANALYZE``.

It proves itself: every story whose id is divisible by 997 is then indexed
again by the engine (``index_stories``) and its entry compared, every column
and the vector; any difference stops it with an error, and those entries are
the engine's own either way. It refuses a corpus with text other than ASCII.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masthead.settings")

ENTRY_SQL = """
INSERT INTO search_storyentry (story_id, is_public, live_from, status, desk_id, label_id,
    author_ids, published_at, fresh_at, indexed_at, vector)
SELECT s.id, s.status IN ('published', 'scheduled'),
    CASE WHEN s.published_at IS NULL THEN NULL
         WHEN s.embargoed_until > s.published_at THEN s.embargoed_until
         ELSE s.published_at END,
    s.status, s.desk_id, s.label_id,
    coalesce((SELECT string_agg('|' || b.author_id, '' ORDER BY b.position)
              FROM stories_byline b WHERE b.story_id = s.id), '') || '|',
    s.published_at, coalesce(s.updated_at, s.published_at, s.modified_at), now(),
    {vector}
FROM (
    SELECT s.*, concat_ws(' ',
        (SELECT string_agg(t.name, ' ' ORDER BY t.name)
         FROM stories_story_tags st JOIN stories_tag t ON t.id = st.tag_id
         WHERE st.story_id = s.id),
        (SELECT string_agg(a.name, ' ' ORDER BY b.position)
         FROM stories_byline b JOIN newsroom_author a ON a.id = b.author_id
         WHERE b.story_id = s.id),
        (SELECT l.name FROM stories_label l WHERE l.id = s.label_id),
        s.dateline) AS extra,
        btrim(regexp_replace(regexp_replace(s.body, '<[^>]*>', ' ', 'g'), '\\s+', ' ', 'g'))
            AS plain
    FROM stories_story s WHERE s.id >= %s AND s.id < %s
) s
"""


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--step", type=int, default=50_000, help="stories per statement")
    parser.add_argument("--check-every", type=int, default=997)
    parser.add_argument(
        "--no-pairs", action="store_true", help="leave the phrase pairs' index out (build time)"
    )
    options = parser.parse_args(argv)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    call_command("migrate", interactive=False, verbosity=0)

    from masthead.search.engines import PostgresEngine
    from masthead.search.indexing import index_stories

    if connection.vendor != "postgresql":
        parser.error("PostgreSQL only")
    columns = ("headline", "dek", "body", "dateline")
    vector = PostgresEngine.VECTOR % ("s.headline", "s.dek", "s.extra", "s.plain", "''")
    sql = ENTRY_SQL.format(vector=vector)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for column in columns:
            cursor.execute(f"SELECT count(*) FROM stories_story WHERE {column} !~ '^[ -~]*$'")
            if cursor.fetchone()[0]:
                parser.error(
                    f"stories with text other than ASCII in {column}: not a generated corpus"
                )
        cursor.execute("SELECT min(id), max(id) FROM stories_story")
        low, high = cursor.fetchone()
        cursor.execute("TRUNCATE search_storyentry")
        cursor.execute(PostgresEngine.DROP)
        cursor.execute(PostgresEngine.PAIRS_DROP)
    for start in range(low, high + 1, options.step):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [start, start + options.step])
        print(
            f"  entries to id {start + options.step - 1}: {time.perf_counter() - started:.0f} s",
            flush=True,
        )
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '256MB'")
        cursor.execute(PostgresEngine.CREATE)
        print(f"  GIN index: {time.perf_counter() - started:.0f} s", flush=True)
        if not options.no_pairs:
            cursor.execute(PostgresEngine.PAIRS_INDEX)
            print(f"  pairs index: {time.perf_counter() - started:.0f} s", flush=True)
        cursor.execute("ANALYZE search_storyentry")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT story_id FROM search_storyentry WHERE story_id %% %s = 0", [options.check_every]
        )
        sample = [row[0] for row in cursor.fetchall()]
    fields = ["story_id", "is_public", "live_from", "status", "desk_id", "label_id",
              "author_ids", "published_at", "fresh_at", "vector"]  # fmt: skip
    query = (
        f"SELECT {', '.join(fields)} FROM search_storyentry "
        "WHERE story_id = ANY(%s) ORDER BY story_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(query, [sample])
        ours = cursor.fetchall()
    with transaction.atomic():
        index_stories(sample)
    with connection.cursor() as cursor:
        cursor.execute(query, [sample])
        engines = cursor.fetchall()
    differ = [a for a, b in zip(ours, engines, strict=True) if a != b]
    print(f"{high - low + 1:,} ids indexed in {time.perf_counter() - started:.0f} s; "
          f"{len(sample)} re-indexed by the engine, {len(differ)} differ")  # fmt: skip
    if differ:
        print("first difference:", differ[0], file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
