"""Where one page's render time goes: in-process, no HTTP, no page cache.

Renders a public URL through Django's test client (the page cache is a WSGI
layer in front of Django, so this is always the render path), and prints
the SQL queries it makes, its CPU time per request, and a cProfile summary
grouped into ORM, templates, SQLite and URL reversing. Standard library
only (cProfile), so nothing is installed for it.

Usage (a demo data folder, e.g. one bench/run made):
  MASTHEAD_DATA_DIR=bench/results/.../data .venv/bin/python bench/render_profile.py / [REQUESTS]

With the URL ``articles``, each request is a different article (spread over
the archive) whose own fragments are cold while the shared ones (header,
footer, Recent Posts) are warm: the render a reader opening another article
causes (site/fragments.py). A repeated URL is otherwise all warm fragments.
"""

from __future__ import annotations

import cProfile
import os
import pstats
import re
import sys
import time

# Cumulative time of these functions; the groups overlap (templates evaluate
# lazy querysets and reverse URLs), the indented ones are part of the ORM.
GROUPS = {
    "ORM (build SQL, run it, make objects)": r"django/db/models/query.py:\d+\(_fetch_all\)",
    "  building and compiling SQL": r"django/db/models/sql/compiler.py:\d+\(as_sql\)",
    "  the database executing": r"SQLiteCursorWrapper.execute|psycopg/cursor.py:\d+\(execute\)",
    "templates (with what they evaluate)": r"django/template/backends/django.py:\d+\(render\)",
    "URL reversing": r"django/urls/base.py:\d+\(reverse\)",
    "cache reads and writes": r"django/core/cache/backends/\w+.py:\d+\((get|set)\)",
}


def main(url: str, requests: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masthead.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    urls = _article_urls(requests * 3 + 6) if url == "articles" else [url] * (requests * 3 + 6)
    upcoming = iter(urls)
    for _ in range(5):
        response = client.get(next(upcoming))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(next(upcoming))
    print(
        f"{url}: HTTP {response.status_code}, {len(response.content)} bytes, "
        f"{len(queries.captured_queries)} queries"
    )
    for query in queries.captured_queries:
        table = re.search(r'FROM "(\w+)"', query["sql"])
        print(f"    {table.group(1) if table else query['sql'][:60]}")

    started = time.process_time()
    for _ in range(requests):
        client.get(next(upcoming))
    per_request = (time.process_time() - started) / requests * 1000
    print(f"CPU per request: {per_request:.1f} ms (mean of {requests})")

    profile = cProfile.Profile()
    profile.enable()
    for _ in range(requests):
        client.get(next(upcoming))
    profile.disable()
    stats = pstats.Stats(profile)
    total = stats.total_tt
    print(f"Share of profiled time ({total / requests * 1000:.1f} ms a request under cProfile):")
    for label, pattern in GROUPS.items():
        spent = sum(
            row[3]
            for func, row in stats.stats.items()
            if re.search(pattern, pstats.func_std_string(func))
        )
        print(f"    {label:34} {spent / total:6.0%}")
    stats.sort_stats("cumulative").print_stats(r"masthead/", 15)


def _article_urls(count: int) -> list[str]:
    """Addresses of ``count`` live stories spread over the whole archive."""
    from masthead.stories.models import Story

    live = Story.objects.live()
    step = max(1, live.count() // count)
    ids = list(live.order_by("-published_at").values_list("pk", flat=True)[::step][:count])
    stories = Story.objects.select_related("desk").in_bulk(ids)
    return [stories[pk].get_absolute_url() for pk in ids]


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) == 3 else 50)
