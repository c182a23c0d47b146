"""Wagtail's side of bench/search.py: the same stories as Masthead's corpus,
as ArticlePages of the peers' Wagtail project (../shared/peers/wagtail),
searched with Wagtail's database search backend (PostgreSQL full-text).

Runs with the Python of a venv that has the peers' requirements (Wagtail,
never Masthead's venv); bench/search.py starts it. Two commands:

    load   --source postgres://…/m12_bench_1m --stories N
           migrate, then HomePage > one SectionPage per desk (add_child, as
           Wagtail code does) > one ArticlePage per story: title = headline,
           summary = dek, body = body, live = published; these rows are
           written with COPY (treebeard paths, url_path and translation keys
           computed here the way add_child would), then Wagtail's own
           `update_index` builds the search index. Skipped when the database
           already holds N article pages and N index entries.
    serve  one JSON line per query on stdin ({"q": "...", "phrase": false}),
           one JSON line back with the time of the search in milliseconds,
           measured here, in-process: ArticlePage.objects.live().search(q),
           its first 20 results fetched (what a results page shows).

The database is chosen by the peers' settings: PEER_DB=postgres with
PEER_PG_NAME / PEER_PG_USER / PEER_PG_PASSWORD / PEER_PG_HOST / PEER_PG_PORT.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PEERS_DIR = Path(
    os.environ.get("PEERS_DIR")
    or next(
        (p for p in (REPO.parent / "shared/peers", REPO.parents[1] / "shared/peers") if p.is_dir()),
        REPO.parent / "shared/peers",
    )
)
sys.path.insert(0, str(PEERS_DIR / "wagtail"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsite.settings")

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"  # treebeard's MP_Node, steplen 4
RESULTS = 20


def note(message: str) -> None:
    print(f"[wagtail {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def step(number: int) -> str:
    digits = ""
    while number:
        number, rest = divmod(number, 36)
        digits = ALPHABET[rest] + digits
    return digits.rjust(4, "0")


def setup():
    import django

    django.setup()


def source_stories(url: str, limit: int):
    """(id, headline, dek, body, slug, desk name, published, live) of the
    first `limit` stories of Masthead's database, by id."""
    import psycopg

    with psycopg.connect(url) as conn, conn.cursor(name="stories") as cursor:
        cursor.itersize = 20_000
        cursor.execute(
            "SELECT s.id, s.headline, s.dek, s.body, s.slug, d.name, s.published_at,"
            " s.status = 'published' FROM stories_story s JOIN newsroom_desk d ON d.id = s.desk_id"
            " ORDER BY s.id LIMIT %s",
            [limit],
        )
        yield from cursor


def counts():
    from django.contrib.contenttypes.models import ContentType
    from news.models import ArticlePage
    from wagtail.search.models import IndexEntry

    pages = ArticlePage.objects.count()
    entries = IndexEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(ArticlePage)
    ).count()
    return pages, entries


def copy_pages(cursor, columns, pages, articles, texts) -> None:
    with cursor.copy(f"COPY wagtailcore_page ({', '.join(columns)}) FROM STDIN") as copy:
        for row in pages:
            copy.write_row(row)
    with cursor.copy(
        "COPY news_articlepage (page_ptr_id, kicker, summary, body) FROM STDIN"
    ) as copy:
        for row in articles:
            copy.write_row(row)
    with cursor.copy("COPY bench_search_text (page_id, title, summary, body) FROM STDIN") as copy:
        for row in texts:
            copy.write_row(row)


INSERT_ENTRIES = """
INSERT INTO wagtailsearch_indexentry
    (content_type_id, object_id, title, autocomplete, body, title_norm, title_text, body_text)
SELECT %s, page_id::text,
    CASE WHEN title = '' THEN ''::tsvector ELSE setweight(to_tsvector(title), 'B') END,
    CASE WHEN title = '' THEN ''::tsvector ELSE setweight(to_tsvector('simple', title), 'D') END,
    CASE WHEN summary = '' THEN ''::tsvector ELSE setweight(to_tsvector(summary), 'D') END
        || CASE WHEN body = '' THEN ''::tsvector ELSE setweight(to_tsvector(body), 'D') END,
    1.0, title, concat_ws(' ', NULLIF(summary, ''), NULLIF(body, ''))
FROM bench_search_text
"""
COLUMNS = ("title", "autocomplete", "body", "title_text", "body_text")


def build_index(content_type: int) -> int:
    """Wagtail's search index over the article pages, the rows Wagtail's
    indexer writes (PostgresIndex.add_items: per page, the title weighted
    B, the title in 'simple' for autocomplete weighted D, summary and body
    weighted D, and their plain text), computed in one INSERT … SELECT from
    the texts Wagtail's indexer reads, with the GIN indexes dropped and made
    again after, from their own definitions. Wagtail's own add_items() runs
    through update_index at 1,000 pages a minute on this machine (Python per
    page): hours at 1,000,000. The title norms are Wagtail's own full
    refresh. Then a check: a sample of pages is indexed again by Wagtail's
    own add_items() and every column compared. Returns the mismatches."""
    from django.db import connection
    from modelsearch.backends.database.postgres.postgres import PostgresIndex
    from modelsearch.index import get_indexed_models
    from news.models import ArticlePage
    from wagtail.search.backends import get_search_backend

    index = get_search_backend().get_index_for_model(ArticlePage)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes"
            " WHERE tablename = 'wagtailsearch_indexentry' AND indexdef LIKE '%% USING gin %%'"
        )
        gin = cursor.fetchall()
        for name, _definition in gin:
            cursor.execute(f'DROP INDEX "{name}"')
        started = time.perf_counter()
        cursor.execute(INSERT_ENTRIES, [content_type])
        note(f"index entries written in {time.perf_counter() - started:.0f} s")
        cursor.execute("SET maintenance_work_mem = '512MB'")
        for _name, definition in gin:
            cursor.execute(definition)
        note(f"GIN indexes made again, {time.perf_counter() - started:.0f} s")
        cursor.execute("DROP TABLE bench_search_text")
        # Statistics of the rows just written: with the empty table's (the load's
        # ANALYZE ran before them) the sample check below looked each page up
        # through the content-type index alone, reading every entry per page; the
        # check took 20 min at 1,000,000.
        cursor.execute("ANALYZE wagtailsearch_indexentry")
    for model in get_indexed_models():  # the home and section pages: Wagtail's own way
        if model is not ArticlePage and not model._meta.abstract:
            index.add_items(model, list(model.get_indexed_objects()))
    index._refresh_title_norms(full=True)
    note("title norms refreshed")

    # The check: Wagtail's add_items() over a sample spread over every page.
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE bench_ours AS SELECT * FROM wagtailsearch_indexentry"
            " WHERE content_type_id = %s AND object_id::int %% 997 = 0",
            [content_type],
        )
        cursor.execute("ANALYZE bench_ours")
        cursor.execute("SELECT object_id::int FROM bench_ours")
        sample = [row[0] for row in cursor.fetchall()]
    refresh = PostgresIndex._refresh_title_norms
    PostgresIndex._refresh_title_norms = lambda self, full=False: None
    try:
        for start in range(0, len(sample), 500):
            pages = ArticlePage.objects.filter(pk__in=sample[start : start + 500])
            index.add_items(ArticlePage, list(pages))
    finally:
        PostgresIndex._refresh_title_norms = refresh
    differ = " OR ".join(f"o.{c} IS DISTINCT FROM w.{c}" for c in COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM bench_ours o JOIN wagtailsearch_indexentry w"
            " ON w.content_type_id = o.content_type_id AND w.object_id = o.object_id"
            f" WHERE {differ}"
        )
        mismatches = cursor.fetchone()[0]
        cursor.execute(
            "UPDATE wagtailsearch_indexentry w SET title_norm = o.title_norm FROM bench_ours o"
            " WHERE w.content_type_id = o.content_type_id AND w.object_id = o.object_id"
        )
        cursor.execute("DROP TABLE bench_ours")
    print(
        f"index check: {len(sample)} pages re-indexed by Wagtail, {mismatches} differ",
        file=sys.stderr,
    )
    return mismatches


def load(options) -> int:
    setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    call_command("migrate", verbosity=0)
    from django.contrib.contenttypes.models import ContentType
    from news.models import ArticlePage, HomePage, SectionPage
    from wagtail.models import Locale, Page, Site

    pages, entries = counts()
    if pages == options.stories and entries == options.stories:
        print(json.dumps({"loaded": False, "pages": pages, "index_entries": entries}))
        return 0
    if pages:
        print(
            f"{pages} article pages and {entries} index entries here, not {options.stories}:"
            " drop the database and run again",
            file=sys.stderr,
        )
        return 2
    started = time.perf_counter()
    sections = {}
    with transaction.atomic():
        root = Page.get_first_root_node()
        welcome = list(root.get_children())
        home = root.add_child(instance=HomePage(title="Peer News", slug="peer-news"))
        Site.objects.update_or_create(
            is_default_site=True,
            defaults={"hostname": "localhost", "port": 80, "root_page": home, "site_name": "News"},
        )
        for page in welcome:
            page.delete()
    content_type = ContentType.objects.get_for_model(ArticlePage).pk
    locale = Locale.get_default().pk
    children: dict[str, int] = {}
    page_columns = [
        "id", "path", "depth", "numchild", "title", "slug", "live", "has_unpublished_changes",
        "url_path", "seo_title", "show_in_menus", "search_description", "expired",
        "content_type_id", "locked", "first_published_at", "last_published_at", "draft_title",
        "translation_key", "locale_id",
    ]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM wagtailcore_page")
        next_id = cursor.fetchone()[0] + 1000
    import psycopg

    with psycopg.connect(options.source) as source:
        desks = [name for (name,) in source.execute("SELECT name FROM newsroom_desk ORDER BY id")]
    with transaction.atomic():
        for desk in desks:
            sections[desk] = home.add_child(
                instance=SectionPage(title=desk, slug=desk.lower().replace(" ", "-"))
            )
            children[desk] = 0
    from wagtail.rich_text import get_text_for_indexing

    raw = connection.connection
    with transaction.atomic(), raw.cursor() as cursor:
        cursor.execute(
            "CREATE UNLOGGED TABLE bench_search_text"
            " (page_id integer PRIMARY KEY, title text, summary text, body text)"
        )
        pages, articles, texts = [], [], []
        for row in source_stories(options.source, options.stories):
            _story, headline, dek, body, slug, desk, published, live = row
            section = sections[desk]
            children[desk] += 1
            page_id = next_id
            next_id += 1
            pages.append(
                (
                    page_id, section.path + step(children[desk]), section.depth + 1, 0,
                    headline[:255], slug[:255], live, False, f"{section.url_path}{slug}/",
                    "", False, "", False, content_type, False, published, published,
                    headline[:255], uuid.UUID(int=page_id), locale,
                )
            )  # fmt: skip
            articles.append((page_id, "", dek[:500], body))
            # What Wagtail's indexer reads: SearchField.get_value(), i.e. the
            # RichTextField's get_searchable_content(), stripped.
            texts.append(
                (page_id, headline[:255].strip(), dek[:500].strip(), get_text_for_indexing(body))
            )
            if len(pages) >= 20_000:
                copy_pages(cursor, page_columns, pages, articles, texts)
                pages, articles, texts = [], [], []
        copy_pages(cursor, page_columns, pages, articles, texts)
        for desk, section in sections.items():
            cursor.execute(
                "UPDATE wagtailcore_page SET numchild = %s WHERE id = %s",
                [children[desk], section.pk],
            )
    pages_seconds = time.perf_counter() - started
    note(f"{options.stories:,} article pages written in {pages_seconds:.0f} s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    indexed = time.perf_counter()
    mismatches = build_index(content_type)
    if mismatches:
        print(f"{mismatches} index entries differ from Wagtail's own: stopped", file=sys.stderr)
        return 3
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE wagtailsearch_indexentry")
    pages, entries = counts()
    print(
        json.dumps(
            {
                "loaded": True,
                "pages": pages,
                "index_entries": entries,
                "pages_seconds": round(pages_seconds, 1),
                "index_seconds": round(time.perf_counter() - indexed, 1),
            }
        )
    )
    return 0


def serve(options) -> int:
    setup()
    from django.db import connection
    from news.models import ArticlePage
    from wagtail.search.query import Phrase

    with connection.cursor() as cursor:
        cursor.execute(f"SET statement_timeout = {int(options.timeout * 1000)}")
    print(json.dumps({"ready": True, "pages": ArticlePage.objects.live().count()}), flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        query = Phrase(request["q"]) if request.get("phrase") else request["q"]
        answer: dict = {}
        started = time.perf_counter()
        try:
            results = list(ArticlePage.objects.live().search(query)[:RESULTS])
        except Exception as error:  # a statement timeout, reported as such
            connection.close()
            with connection.cursor() as cursor:
                cursor.execute(f"SET statement_timeout = {int(options.timeout * 1000)}")
            answer["error"] = type(error).__name__ + ": " + str(error).splitlines()[0]
            results = []
        answer["ms"] = (time.perf_counter() - started) * 1000
        answer["hits"] = len(results)
        if request.get("count"):
            answer["total"] = ArticlePage.objects.live().search(query).count()
        print(json.dumps(answer), flush=True)
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    load_parser = commands.add_parser("load")
    load_parser.add_argument("--source", required=True, help="Masthead's PostgreSQL database URL")
    load_parser.add_argument("--stories", type=int, required=True)
    serve_parser = commands.add_parser("serve")
    serve_parser.add_argument("--timeout", type=float, default=30.0, help="seconds per query")
    options = parser.parse_args(argv)
    return load(options) if options.command == "load" else serve(options)


if __name__ == "__main__":
    raise SystemExit(main())
