"""Cold render: server time of pages with no page cache, and the query plans.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/masthead_scale \\
        .venv/bin/python bench/cold_render.py --samples 200 --explain

Renders article pages of stories spread over the whole archive (each one
once: nothing of it is cached), plus the home, a desk page, a desk page
deep in its archive, a feed and a monthly sitemap, in this process with
Django's test client (which never passes through the page cache), and prints
the median and 95th percentile of the server time and the query count of
each. ``--explain`` prints the plans of the queries those pages run, for
docs/performance.md.
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


def measure(client, url: str, repeat: int = 1) -> tuple[list[float], int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    timings = []
    queries = status = 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
        queries, status = len(captured), response.status_code
    return timings, queries, status


def row(name: str, timings: list[float], queries: int, status: int) -> str:
    timings = sorted(timings)
    p95 = timings[min(len(timings) - 1, int(len(timings) * 0.95))]
    return (
        f"| {name} | {len(timings)} | {statistics.median(timings):.2f} | {p95:.2f} "
        f"| {queries} | {status} |"
    )


def explain(sql: str, params) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql, params)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return "\n".join(" ".join(str(part) for part in line) for line in cursor.fetchall())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=200, help="article pages to render")
    parser.add_argument("--explain", action="store_true", help="print query plans")
    options = parser.parse_args(argv)
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from masthead.newsroom.models import Desk
    from masthead.stories.models import Story

    setup_test_environment()  # the test client's host, and nothing else of the test runner
    client = Client()
    live = Story.objects.live()
    total = live.count()
    step = max(1, total // options.samples)
    ids = list(
        live.order_by("-published_at").values_list("pk", flat=True)[::step][: options.samples]
    )
    stories = Story.objects.select_related("desk").in_bulk(ids)
    client.get("/")  # imports, templates and connections warm; no page is cached by the client
    article_times, queries, status = [], 0, 0
    for pk in ids:
        timings, queries, status = measure(client, stories[pk].get_absolute_url())
        article_times += timings
    desk = Desk.objects.order_by("position").first()
    deep_page = max(1, live.filter(desk=desk).count() // 20 // 2)
    month = live.order_by("-published_at").values_list("published_at", flat=True)[total // 2]
    print(f"{total:,} live stories ({connection.vendor})\n")
    print("| page | samples | median ms | p95 ms | queries | status |")
    print("| --- | --- | --- | --- | --- | --- |")
    print(row("article (each a different story)", article_times, queries, status))
    for name, url in [
        ("home", "/"),
        ("desk, page 1", f"/{desk.slug}/"),
        (f"desk, page {deep_page:,}", f"/{desk.slug}/?page={deep_page}"),
        ("site RSS feed", "/feed/"),
        ("sitemap index", "/sitemap.xml"),
        (f"sitemap {month:%Y-%m}", f"/sitemaps/stories-{month:%Y-%m}.xml"),
    ]:
        print(row(name, *measure(client, url, repeat=20)))
    if options.explain:
        article = stories[ids[len(ids) // 2]]
        with CaptureQueriesContext(connection) as captured:
            client.get(article.get_absolute_url())
            client.get("/")
            client.get(f"/{desk.slug}/?page={deep_page}")
        seen = set()
        for query in captured.captured_queries:
            sql = query["sql"]
            shape = sql.split(" WHERE ")[0][:80]
            if (
                "stories_story" not in sql
                or shape in seen
                or sql.startswith(("SAVEPOINT", "RELEASE"))
            ):
                continue
            seen.add(shape)
            print(f"\n```sql\n{sql[:600]}\n```\n```\n{explain(sql, None)}\n```")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
