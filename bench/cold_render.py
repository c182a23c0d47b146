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

``--pages fragments`` renders the article page in the cases of shared
fragments (site/fragments.py): own parts cold with the shared ones warm,
everything cold, after a ``front`` bump, all warm; and the home page cold
and warm.

``--pages sitemaps,feeds`` renders the sitemap index, the largest month's
sitemap, the news sitemap and the other sitemap files, and every kind of
feed (site, desk, author, tag, label; RSS and Atom) instead, each sample
with Django's cache emptied first (truly cold; ``--warm`` keeps it), plus
the index with only one month's cached summary gone (what a publish costs).

``--pages lists`` renders every page made of a list of stories (an article,
for its Recent Posts; the home; the busiest desk, label, tag and writer;
corrections; the API's stories, by label, tag and writer too, and its tags),
each sample with Django's cache emptied first: what a reader waits for after
a publish on a big archive.
``--memory`` adds
the peak of Python allocations during one render (tracemalloc), measured in
a separate render so that tracing does not slow the timed ones:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/masthead_scale \\
        .venv/bin/python bench/cold_render.py --pages sitemaps,feeds --repeat 5 --memory
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masthead.settings")


def measure(client, url: str, repeat: int = 1, before=None) -> tuple[list[float], int, int]:
    """Server times (ms) of ``repeat`` GETs of ``url``; ``before()`` runs untimed before each."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    timings = []
    queries = status = 0
    for _ in range(repeat):
        if before is not None:
            before()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
        queries, status = len(captured), response.status_code
    return timings, queries, status


def peak_memory(client, url: str, before=None) -> tuple[float, int]:
    """Peak of Python allocations (MiB) during one GET of ``url``, and the body's size."""
    if before is not None:
        before()
    gc.collect()
    tracemalloc.start()
    try:
        response = client.get(url)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 2**20, len(response.content)


def row(
    name: str, timings: list[float], queries: int, status: int, memory: tuple | None = None
) -> str:
    timings = sorted(timings)
    p95 = timings[min(len(timings) - 1, int(len(timings) * 0.95))]
    line = (
        f"| {name} | {len(timings)} | {statistics.median(timings):.2f} | {p95:.2f} "
        f"| {queries} | {status} |"
    )
    if memory is not None:
        line += f" {memory[0]:.1f} | {memory[1] / 1024:,.0f} |"
    return line


def header(memory: bool) -> str:
    columns = ["page", "samples", "median ms", "p95 ms", "queries", "status"]
    if memory:
        columns += ["peak MiB", "body KiB"]
    return "| " + " | ".join(columns) + " |\n|" + " --- |" * len(columns)


def distribution_pages(pages: set[str]) -> list[tuple[str, str, object]]:
    """(name, address, what to do before each sample) for the sitemaps and feeds."""
    from django.core.cache import cache
    from django.db.models import Count
    from django.db.models.functions import TruncMonth

    from masthead.newsroom.models import Author, Desk
    from masthead.site import sitemaps
    from masthead.stories import versions
    from masthead.stories.models import Label, Story, Tag
    from masthead.stories.versions import month_scope_of

    live = Story.objects.live()
    result = []
    if "sitemaps" in pages:
        newest = live.newest_first().values_list("published_at", flat=True).first()
        # The largest month of the last two years (a full scan once, untimed).
        largest = (
            live.filter(published_at__gte=newest.replace(year=newest.year - 2))
            .annotate(month=TruncMonth("published_at"))
            .values("month")
            .annotate(count=Count("pk"))
            .order_by("-count")
            .first()
        )
        month = f"{largest['month']:%Y-%m}"

        def forget_one_month():
            # What a publish does: the newest month's version, hence its summary, is new.
            scope = month_scope_of(newest)
            pending = versions.pending_scope(scope)
            counters = versions.counters([scope, pending])
            cache.delete(sitemaps.summary_key(scope, counters[scope], counters[pending]))

        result += [
            ("sitemap index, cold", "/sitemap.xml", cache.clear),
            ("sitemap index, one month changed", "/sitemap.xml", forget_one_month),
            (
                f"sitemap {month} ({largest['count']:,} stories)",
                f"/sitemaps/stories-{month}.xml",
                cache.clear,
            ),
            ("news sitemap", "/sitemaps/news.xml", cache.clear),
        ]
        result += [
            (f"{name} sitemap", f"/sitemaps/{name}.xml", cache.clear)
            for name in ("pages", "desks", "authors", "tags", "labels")
        ]
    if "feeds" in pages:
        desk = Desk.objects.order_by("position").first()
        # The busiest author, tag and label: the feeds with the most stories to skip.
        author = Author.objects.annotate(n=Count("bylines")).order_by("-n").first()
        tag = Tag.objects.annotate(n=Count("stories")).order_by("-n").first()
        label = Label.objects.order_by("position").first()
        sections = [("site", "/feed/", "/feed/atom/")]
        sections.append((f"desk {desk.slug}", f"/{desk.slug}/feed.xml", f"/{desk.slug}/atom.xml"))
        for kind, row_ in (("author", author), ("tag", tag), ("label", label)):
            if row_ is not None:
                base = f"/{kind}/{row_.slug}/"
                sections.append((f"{kind} {row_.slug}", base + "feed.xml", base + "atom.xml"))
        for name, rss, atom in sections:
            result += [(f"{name} RSS", rss, cache.clear), (f"{name} Atom", atom, cache.clear)]
    if "lists" in pages:
        # Every page made of a list of stories, truly cold: an article (its Recent
        # Posts), the home, the busiest desk, label, tag and writer, corrections,
        # the API's lists.
        desk = Desk.objects.annotate(n=Count("stories")).order_by("-n").first()
        author = Author.objects.annotate(n=Count("bylines")).order_by("-n").first()
        tag = Tag.objects.annotate(n=Count("stories")).order_by("-n").first()
        labelled = live.exclude(label=None).values("label_id").annotate(n=Count("pk"))
        label = Label.objects.get(pk=labelled.order_by("-n")[0]["label_id"])
        article = live.newest_first()[live.count() // 2]
        pages_of = [
            ("article, everything cold", article.get_absolute_url()),
            ("home", "/"),
            (f"desk {desk.slug}", f"/{desk.slug}/"),
            (f"label {label.slug}", f"/label/{label.slug}/"),
            (f"tag {tag.slug}", f"/tag/{tag.slug}/"),
            (f"author {author.slug}", f"/author/{author.slug}/"),
            ("corrections", "/corrections/"),
            ("API stories", "/api/stories"),
            (f"API stories, label {label.slug}", f"/api/stories?label={label.slug}"),
            (f"API stories, tag {tag.slug}", f"/api/stories?tag={tag.slug}"),
            (f"API stories, author {author.slug}", f"/api/stories?author={author.slug}"),
            ("API tags", "/api/tags"),
        ]
        result += [(name, url, cache.clear) for name, url in pages_of]
    return result


def fragment_renders(client, urls: list[str]) -> list[tuple[str, list[float], int, int]]:
    """The article page's render cases with shared fragments (site/fragments.py).

    (a) each article's own parts cold, the shared ones (header, footer, Recent
    Posts) warm: a reader opening another article; (b) everything cold
    (Django's cache emptied before each sample); (c) the article again after
    a ``front`` bump (a publish anywhere): its own parts warm, Recent Posts
    new, as the first page re-rendered after the bump pays it; (d) every
    fragment warm. The database is only read: a bump is simulated by moving
    the ``front`` part of the fragment keys on, as a new counter would.
    """
    from django.core.cache import cache

    from masthead.site import fragments

    bumps = [0]
    plain_key = fragments.PageFragments.key

    def key(self, name, scopes, vary):
        moved = f"+bump{bumps[0]}" if "front" in scopes else ""
        return plain_key(self, name, scopes, vary) + moved

    fragments.PageFragments.key = key
    try:
        cases = {"a": [], "b": [], "c": [], "d": []}
        queries = {}
        for url in urls:
            # (a): the shared parts are warm from the previous article.
            timings, queries["a"], status = measure(client, url)
            cases["a"] += timings
            timings, queries["d"], _ = measure(client, url)
            cases["d"] += timings
            bumps[0] += 1
            timings, queries["c"], _ = measure(client, url)
            cases["c"] += timings
            timings, queries["b"], _ = measure(client, url, before=cache.clear)
            cases["b"] += timings
        names = {
            "a": "article, own parts cold, shared warm",
            "b": "article, everything cold (cache cleared)",
            "c": "article again after a front bump",
            "d": "article, every fragment warm",
        }
        return [(names[case], cases[case], queries[case], status) for case in "abcd"]
    finally:
        fragments.PageFragments.key = plain_key


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
    parser.add_argument(
        "--pages",
        default="articles",
        help="comma-separated: articles (the default set), fragments, sitemaps, feeds, lists",
    )
    parser.add_argument("--repeat", type=int, default=20, help="samples of each other page")
    parser.add_argument(
        "--memory", action="store_true", help="add the peak of Python allocations per page"
    )
    parser.add_argument(
        "--warm",
        action="store_true",
        help="keep Django's cache between samples (sitemap summaries warm, as after one crawl)",
    )
    options = parser.parse_args(argv)
    pages = {page.strip() for page in options.pages.split(",") if page.strip()}
    import django

    django.setup()
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from masthead.newsroom.models import Desk
    from masthead.stories.models import Story

    setup_test_environment()  # the test client's host, and nothing else of the test runner
    client = Client()
    if pages - {"articles", "fragments"}:
        client.get("/feed/")  # imports and connections warm
        print(f"{Story.objects.live().count():,} live stories ({connection.vendor})\n")
        print(header(options.memory))
        for name, url, before in distribution_pages(pages):
            if options.warm and before == cache.clear:
                name, before = name.replace(", cold", "") + ", warm", None
                client.get(url)
            measured = measure(client, url, repeat=options.repeat, before=before)
            memory = peak_memory(client, url, before) if options.memory else None
            print(row(name, *measured, memory=memory), flush=True)
        if "articles" not in pages:
            return 0
    live = Story.objects.live()
    total = live.count()
    step = max(1, total // options.samples)
    ids = list(
        live.order_by("-published_at").values_list("pk", flat=True)[::step][: options.samples]
    )
    stories = Story.objects.select_related("desk").in_bulk(ids)
    client.get("/")  # imports, templates and connections warm; no page is cached by the client
    if "fragments" in pages:
        urls = [stories[pk].get_absolute_url() for pk in ids]
        client.get(urls[-1])  # the shared fragments warm, as on a running site
        print(f"{total:,} live stories ({connection.vendor})\n")
        print(header(False))
        for name, timings, queries, status in fragment_renders(client, urls):
            print(row(name, timings, queries, status), flush=True)
        from django.core.cache import cache

        print(row("home, everything cold", *measure(client, "/", options.repeat, cache.clear)))
        print(row("home, warm fragments", *measure(client, "/", options.repeat)))
        if "articles" not in pages:
            return 0
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
