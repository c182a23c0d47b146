"""Server time of every story list, public and back office, and their query plans.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/masthead_scale \\
        .venv/bin/python bench/lists.py --repeat 15 --explain

Read-only: it writes nothing to the database. Public pages (desk, author,
tag, label and corrections lists, first page and one deep in the archive)
are rendered in this process with Django's test client, which never passes
through the page cache. A deep page is addressed by the cursor of the story
at that depth (``?before=``), or by ``?page=N`` on a tree without cursors.
The back office's board and "my stories" are measured through their
selectors with a chief editor's and a desk editor's access (the scale
database has no accounts; the queries are what grow with the archive), and
the API's story list through its URL. Prints the median and 95th percentile
of each, the time its queries took in the database driver (last sample),
and with ``--explain`` the EXPLAIN (ANALYZE, BUFFERS) plan of every
story or correction query each list ran (PostgreSQL).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masthead.settings")

DEEP = 80_000  # stories into a list: page 4,000 of 20


def timed(call, repeat: int):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    call()  # warm: imports, templates, connection
    timings = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            outcome = call()
            timings.append((time.perf_counter() - started) * 1000)
    return timings, captured.captured_queries, outcome


def row(name: str, timings: list[float], queries: list, outcome) -> str:
    timings = sorted(timings)
    p95 = timings[min(len(timings) - 1, int(len(timings) * 0.95))]
    sql = sum(float(query["time"]) for query in queries) * 1000
    return (
        f"| {name} | {statistics.median(timings):.1f} | {p95:.1f} | {sql:.1f} "
        f"| {len(queries)} | {outcome} |"
    )


def deep_url(path: str, stories, depth: int, per_page: int) -> str:
    """The address of the list page that starts ``depth`` stories in."""
    try:
        from masthead.site.pagination import Cursor
    except ImportError:
        return f"{path}?page={depth // per_page + 1}"
    boundary = stories.values_list("published_at", "pk")[depth - 1]
    return f"{path}?before={Cursor(*boundary)}"


def public_cases(per_page: int):
    from masthead.newsroom.models import Author, Desk
    from masthead.site import selectors
    from masthead.stories.models import Label, Tag

    live = selectors.live_stories()
    desk = Desk.objects.order_by("position").first()
    author = Author.objects.order_by("pk").first()
    tag = Tag.objects.order_by("pk").first()
    label = Label.objects.order_by("pk").first()
    lists = [
        ("desk", f"/{desk.slug}/", live.filter(desk=desk)),
        ("author", f"/author/{author.slug}/", live.filter(bylines__author=author)),
        ("tag", f"/tag/{tag.slug}/", live.filter(tags=tag)),
        ("label", f"/label/{label.slug}/", live.filter(label=label)),
    ]
    cases = []
    for name, path, stories in lists:
        cases.append((f"{name}, first page", path))
        depth = min(DEEP, max(per_page, stories.count() // 2))
        cases.append((f"{name}, {depth:,} stories in", deep_url(path, stories, depth, per_page)))
    cases.append(("corrections, first page", "/corrections/"))
    return cases


def board_cases():
    from django.contrib.auth import get_user_model

    from masthead.backoffice import selectors
    from masthead.newsroom.models import Author, Desk
    from masthead.newsroom.roles import StaffAccess

    desk = Desk.objects.order_by("position").first()
    author = Author.objects.order_by("pk").first()
    chief = StaffAccess(user_id=None, is_chief_editor=True)
    editor = StaffAccess(user_id=None, editor_desks=frozenset({desk.pk}))
    writer = StaffAccess(user_id=2**31 - 1, writer_desks=frozenset({desk.pk}))
    everything = selectors.BoardFilter()
    by_author = selectors.BoardFilter(author_id=author.pk)
    nobody = get_user_model()(pk=2**31 - 1)
    return [
        ("board, chief editor", lambda: selectors.board(chief, everything)),
        ("board, desk editor", lambda: selectors.board(editor, everything)),
        ("board, chief editor, one author", lambda: selectors.board(chief, by_author)),
        (
            "board, published column page 50",
            lambda: selectors.board(chief, everything, only="published", page=50),
        ),
        ("board, a writer", lambda: selectors.board(writer, everything)),
        ("my stories (a writer)", lambda: selectors.my_stories(nobody)),
    ]


def deep_api_url() -> str:
    from masthead.api import cursors
    from masthead.api.selectors import StoryFilters
    from masthead.stories.models import Story

    edge = Story.objects.live().newest_first().values_list("published_at", "pk")[DEEP - 1]
    return "/api/stories?cursor=" + cursors.encode(*edge, StoryFilters().as_dict())


def explain(sql: str, params) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql, params)
        return "\n".join(line[0] for line in cursor.fetchall())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=15, help="samples per list")
    parser.add_argument("--explain", action="store_true", help="print the query plans")
    parser.add_argument("--only", default="", help="run only cases whose name has this")
    options = parser.parse_args(argv)
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    client = Client()
    api_deep = deep_api_url()
    cases = [
        (name, lambda url=url: client.get(url).status_code, url)
        for name, url in public_cases(settings.PAGE_SIZE)
    ]
    cases += [(name, call, "") for name, call in board_cases()]
    cases += [
        ("API stories", lambda: client.get("/api/stories").status_code, "/api/stories"),
        ("API stories, 80,000 in", lambda: client.get(api_deep).status_code, "cursor"),
        (
            "API stories, one author",
            lambda: client.get("/api/stories?author=writer-0").status_code,
            "/api/stories?author=writer-0",
        ),
    ]
    print(f"{connection.vendor}, median of {options.repeat} in-process renders\n")
    print("| list | median ms | p95 ms | SQL ms (last) | queries | status |")
    print("| --- | ---: | ---: | ---: | ---: | --- |")
    plans = []
    for name, call, url in cases:
        if options.only not in name:
            continue
        timings, queries, outcome = timed(call, options.repeat)
        if not isinstance(outcome, int):
            outcome = "-"
        print(row(f"{name} `{url}`" if url else name, timings, queries, outcome), flush=True)
        plans.append((name, queries))
    if options.explain and connection.vendor == "postgresql":
        for name, queries in plans:
            for query in queries:
                sql = query["sql"]
                if not any(t in sql for t in ("stories_story", "stories_correction")):
                    continue
                if "stories_byline" in sql.split("FROM", 1)[1][:40]:
                    continue  # the bylines of the page's stories, by primary key
                print(f"\n#### {name}\n\n```sql\n{sql}\n```\n```\n{explain(sql, None)}\n```")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
