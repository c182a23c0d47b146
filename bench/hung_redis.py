"""What a hung Redis costs readers: wall-clock times of requests while Redis never answers.

    .venv/bin/python bench/hung_redis.py            # the demo outlet in a temporary SQLite
    .venv/bin/python bench/hung_redis.py --rounds 3

RELIABILITY.md L6: a Redis that accepts connections and never answers (hung,
or starved of CPU) must cost a request at most a few hundred milliseconds,
once, and then nothing while it stays hung. The tests count the calls that
waited (``masthead/tests/test_resilient_cache.py``); this measures the time.

It loads the demo outlet into a fresh SQLite database in a temporary data
folder, then, for each kind of cache, runs requests in this process through
the page cache around Django's WSGI handler (as ``masthead serve`` does, minus
the network): the sitemap index, the home page, a desk page, an article, the
public API list (with a per-client rate limit, so the API counts in the cache
too) and the staff API (per-token rate limit). Each round starts a new page
cache (every page cold) and a new Redis outage:

- ``redis``: the real Redis at ``--redis`` (skipped if it does not answer);
- ``refused``: nothing listens on the port (connections refused at once);
- ``hung``: a loopback listener that accepts and never answers
  (``masthead/fault_servers.py``).

It prints each request's time in ms and the number of connections the hung
listener accepted (each one is a cache call that waited for its timeout).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from io import BytesIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masthead.settings")
os.environ.setdefault("MASTHEAD_DATA_DIR", tempfile.mkdtemp(prefix="masthead-hung-redis-"))
os.environ.pop("DATABASE_URL", None)
os.environ.pop("CACHE_URL", None)


def call(app, path: str, headers: dict[str, str] | None = None) -> int:
    path, _, query = path.partition("?")
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "HTTP_HOST": "127.0.0.1",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": BytesIO(b""),
        "wsgi.errors": BytesIO(),
        **{f"HTTP_{k.upper().replace('-', '_')}": v for k, v in (headers or {}).items()},
    }
    answer = {}

    def start_response(status, response_headers, exc_info=None):
        answer["status"] = int(status.split()[0])

    result = app(environ, start_response)
    b"".join(result)
    if hasattr(result, "close"):
        result.close()
    return answer["status"]


def requests_to_make(token: str) -> list[tuple[str, str, dict[str, str]]]:
    from masthead.stories.models import Story

    story = Story.objects.filter(status=Story.Status.PUBLISHED).order_by("-published_at").first()
    return [
        ("sitemap index", "/sitemap.xml", {}),
        ("home", "/", {}),
        ("desk page", f"/{story.desk.slug}/", {}),
        ("article", story.get_absolute_url(), {}),
        ("public API list", "/api/stories", {}),
        ("staff API story", f"/api/desk/stories/{story.pk}", {"Authorization": f"Bearer {token}"}),
        ("home again", "/", {}),
        ("article again", story.get_absolute_url(), {}),
    ]


def run_round(location: str | None, requests) -> list[tuple[str, float, int]]:
    """Each request's (name, ms, status) through a new page cache on ``location``'s cache."""
    from django.core.handlers.wsgi import WSGIHandler
    from django.test.utils import override_settings

    from masthead.resilient_cache import ResilientRedisCache
    from masthead.site.page_cache import PageCache

    cache = {
        "BACKEND": "masthead.resilient_cache.ResilientRedisCache",
        "LOCATION": location,
        "KEY_PREFIX": f"bench-hung-{time.time_ns()}",  # every page cold in Redis too
    }
    reset = getattr(ResilientRedisCache, "reset_breakers", None)  # absent before issue 9
    if reset is not None:
        reset()
    times = []
    with override_settings(CACHES={"default": cache}):
        app = PageCache(WSGIHandler())
        for name, path, headers in requests:
            started = time.perf_counter()
            status = call(app, path, headers)
            times.append((name, (time.perf_counter() - started) * 1000, status))
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    args = parser.parse_args()

    import django

    django.setup()
    import logging

    import redis
    from django.conf import settings
    from django.core.management import call_command

    from masthead.api.services import issue_token
    from masthead.demo.loader import load_demo
    from masthead.fault_servers import HungServer
    from masthead.newsroom.models import StaffRole

    # Pages link static files by plain names: no collectstatic needed.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # The once-a-minute "cache unavailable" warning would print a traceback per round.
    logging.getLogger("masthead.resilient_cache").setLevel(logging.ERROR)
    call_command("migrate", verbosity=0)
    load_demo()
    settings.API_PUBLIC_RATE_LIMIT = "100000/min"
    settings.API_RATE_LIMIT = "100000/min"
    editor = StaffRole.objects.filter(role=StaffRole.Role.CHIEF_EDITOR).first().user
    token = issue_token(editor, "bench").raw
    requests = requests_to_make(token)

    kinds: list[tuple[str, str]] = []
    try:
        redis.Redis.from_url(args.redis, socket_connect_timeout=1).ping()
        kinds.append(("redis", args.redis))
    except redis.exceptions.ConnectionError:
        print(f"# {args.redis} does not answer: no baseline with a working Redis")
    kinds.append(("refused", "redis://127.0.0.1:1/0"))
    kinds.append(("hung", ""))

    print("| cache | " + " | ".join(name for name, _, _ in requests) + " | waited calls |")
    print("|---|" + "---:|" * (len(requests) + 1))
    for kind, location in kinds:
        rounds, waited = [], []
        for _ in range(args.rounds):
            if kind == "hung":
                with HungServer() as hung:
                    rounds.append(run_round(hung.url, requests))
                    waited.append(hung.connections())
            else:
                rounds.append(run_round(location, requests))
        cells = []
        for index in range(len(requests)):
            timings = [one[index][1] for one in rounds]
            statuses = {one[index][2] for one in rounds}
            status = "" if statuses == {200} else f" ({'/'.join(map(str, sorted(statuses)))})"
            cells.append(f"{statistics.median(timings):,.0f}{status}")
        waits = f"{statistics.median(waited):.0f}" if waited else "–"
        print(f"| {kind} | " + " | ".join(cells) + f" | {waits} |")
    print(f"\n# median of {args.rounds} rounds, ms per request, each round cold (new page cache)")


if __name__ == "__main__":
    main()
