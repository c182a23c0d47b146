"""How fast the desk board answers with 100,000 stories (docs/back-office.md).

Builds a throwaway SQLite database in a temporary folder (migrations, then
``bulk_create``: 100,000 stories over six desks, 95 % published, the rest
spread over the other states, changed over the last ten weeks, with
bylines), then asks for ``/desk/board/`` through Django's test client as a
chief editor (every desk, no filter), as a chief editor filtering one desk,
as a desk editor, and for the second page of one column, and prints the
median of RUNS requests each, after two warm-up requests.
BENCH_SHOW_QUERIES=1 also prints the slowest queries of each.

Usage: .venv/bin/python bench/board.py [STORIES] [RUNS]
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta

STORIES = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
RUNS = int(sys.argv[2]) if len(sys.argv) > 2 else 25

os.environ["MASTHEAD_DATA_DIR"] = tempfile.mkdtemp(prefix="masthead-bench-board-")
os.environ.pop("DATABASE_URL", None)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masthead.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from masthead.factories import make_author, make_desk, make_staff  # noqa: E402
from masthead.newsroom.models import StaffRole  # noqa: E402
from masthead.stories.models import Byline, Story  # noqa: E402

WORKING = ["draft", "submitted", "in_edit", "ready", "scheduled", "withdrawn"]


def build() -> None:
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    desks = [make_desk(f"Desk {n}", slug=f"desk-{n}") for n in range(6)]
    authors = [make_author(f"Writer {n}") for n in range(30)]
    now = timezone.now()
    batch = []
    for number in range(STORIES):
        status = WORKING[(number // 20) % 6] if number % 20 == 0 else "published"
        published_at = None
        if status == "published":
            published_at = now - timedelta(minutes=number)
        elif status == "scheduled":
            published_at = now + timedelta(minutes=number)
        moment = now - timedelta(minutes=number)
        batch.append(
            Story(
                headline=f"Story number {number}",
                slug=f"story-{number}",
                desk=desks[number % 6],
                status=status,
                published_at=published_at,
                updated_at=published_at,
                body="<p>Body.</p>",
                modified_at=moment,
                created_at=moment,
            )
        )
        if len(batch) == 5000:
            Story.objects.bulk_create(batch)
            batch = []
    Story.objects.bulk_create(batch)
    # auto_now set modified_at on insert; spread it out as a real archive is.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE stories_story SET modified_at = created_at")
    ids = list(Story.objects.values_list("pk", flat=True))
    Byline.objects.bulk_create(
        (Byline(story_id=pk, author=authors[pk % 30], position=0) for pk in ids),
        batch_size=5000,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    make_staff(StaffRole.Role.CHIEF_EDITOR, None, username="bench.chief")
    make_staff(StaffRole.Role.DESK_EDITOR, desks[0], username="bench.editor")


def median_ms(client: Client, url: str) -> tuple[float, int]:
    for _ in range(2):
        assert client.get(url).status_code == 200
    timings = []
    for _ in range(RUNS):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return statistics.median(timings), len(queries)


def main() -> None:
    settings.REQUIRE_2FA_FOR = []
    settings.ALLOWED_HOSTS = ["testserver"]
    started = time.perf_counter()
    build()
    print(f"built {Story.objects.count():,} stories in {time.perf_counter() - started:.0f} s")
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    desk = Story.objects.order_by("pk").first().desk
    cases = [
        ("chief editor, every desk", "bench.chief", "/desk/board/"),
        ("chief editor, one desk", "bench.chief", f"/desk/board/?desk={desk.pk}"),
        ("desk editor, own desk", "bench.editor", "/desk/board/"),
        ("chief editor, one column page 2", "bench.chief", "/desk/board/?state=published&page=2"),
    ]
    print(f"median of {RUNS} requests, SQLite, Django test client:")
    for label, username, url in cases:
        client = Client()
        client.force_login(users.get(username=username))
        median, queries = median_ms(client, url)
        print(f"  {label:34} {median:7.1f} ms  ({queries} queries)")
        if os.environ.get("BENCH_SHOW_QUERIES"):
            with CaptureQueriesContext(connection) as captured:
                client.get(url)
            for query in sorted(captured, key=lambda q: -float(q["time"]))[:4]:
                print(f"      {float(query['time']) * 1000:6.1f} ms  {query['sql'][:150]}")


if __name__ == "__main__":
    main()
