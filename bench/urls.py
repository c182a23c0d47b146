"""The paths the memory phase requests: many different pages, sitemaps and feeds.

Reads a running Masthead's sitemap index (``/sitemap.xml``), takes up to
``--months`` month sitemaps spread over the archive and up to ``--articles``
story addresses spread over them, and prints one path per line: the home
page, the site feed, every desk page and desk feed, the sitemap index, the
month sitemaps, then the stories. ``urls.lua`` makes ``wrk`` request them in
turn, so the server renders (and caches) hundreds of different pages, which
is what its memory has to hold.

Standard library only. Usage: python bench/urls.py BASE_URL [--months 6] [--articles 400]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import urllib.request
from urllib.parse import urlsplit

LOC = re.compile(r"<loc>([^<]+)</loc>")


def fetch(base: str, path: str) -> str:
    with urllib.request.urlopen(base + path, timeout=120) as response:
        return response.read().decode()


def spread(items: list[str], count: int) -> list[str]:
    """COUNT items evenly spaced over ITEMS, first and last included."""
    if len(items) <= count:
        return items
    step = (len(items) - 1) / max(1, count - 1)
    return [items[round(index * step)] for index in range(count)]


def paths(base: str, months: int, articles: int) -> list[str]:
    chosen = ["/", "/feed/", "/feed/atom/"]
    for desk in json.loads(fetch(base, "/api/desks")):
        chosen += [f"/{desk['slug']}/", f"/{desk['slug']}/feed.xml"]
    chosen.append("/sitemap.xml")
    sitemaps = [
        urlsplit(url).path + (f"?{urlsplit(url).query}" if urlsplit(url).query else "")
        for url in LOC.findall(fetch(base, "/sitemap.xml"))
    ]
    # Month sitemaps are named by their month (e.g. /sitemaps/stories-2026-11.xml).
    story_sitemaps = [path for path in sitemaps if re.search(r"\d{4}-\d\d\.xml", path)]
    month_maps = spread(story_sitemaps or sitemaps, months)
    chosen += month_maps
    stories: list[str] = []
    for path in month_maps:
        found = [urlsplit(url).path for url in LOC.findall(fetch(base, path))]
        stories += spread(found, max(1, articles // max(1, len(month_maps))))
    chosen += stories
    return list(dict.fromkeys(chosen))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("base")
    parser.add_argument("--months", type=int, default=6)
    parser.add_argument("--articles", type=int, default=400)
    options = parser.parse_args()
    if urlsplit(options.base).hostname not in {"127.0.0.1", "localhost"}:
        parser.error("loopback addresses only")
    print("\n".join(paths(options.base.rstrip("/"), options.months, options.articles)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
