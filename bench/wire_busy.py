"""A wire backlog for bench/run's pages phase with ``WIRE_BUSY=1``.

bench/run measures the reader pages idle and, round by round, again while
``masthead worker`` drains a wire backlog on the same database as the server
(see bench/README.md). This script makes that backlog and reports on it; it
runs in the backend's environment (``MASTHEAD_DATA_DIR``, ``DATABASE_URL``,
``TASKS_BACKEND`` … as bench/run sets them):

``prepare DIR TAG SOURCES ITEMS``
    writes SOURCES documents of ITEMS new items each (RSS, ninjs and
    NewsML-G2 in turn, ``wire_copy.py``) under ``DIR/wire-TAG/``, starts a
    feed server for them on 127.0.0.1 (``python -m http.server``, its pid in
    ``DIR/pids/wire-feeds-TAG.pid``, left running: bench/run stops it), and
    adds the sources (slugs ``bench-wire-…``, due now) with every poll
    queued, as a worker's beat would; the lease (``WIRE_LEASE_SECONDS``, set
    long by bench/run) must outlast the run, so a poll queued early is still
    valid when a worker reaches it;
``count``
    prints the items stored so far from those sources, and the sources not
    yet polled;
``wait BEFORE SECONDS``
    waits until more than BEFORE items are stored (the worker is at work),
    at most SECONDS.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import zlib
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
import wire_copy  # noqa: E402
from ingest import EXTENSION, free_port, wait_port  # noqa: E402

PREFIX = "bench-wire-"


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masthead.settings")
    import django

    django.setup()


def prepare(folder: Path, tag: str, sources: int, items: int) -> None:
    feeds = folder / f"wire-{tag}"
    feeds.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    for n in range(sources):
        kind = wire_copy.KINDS[n % 3]
        body = wire_copy.document(
            kind, items, seed=zlib.crc32(f"{tag}-{n}".encode()), prefix=f"urn:busy-{tag}-{n}"
        )
        (feeds / f"{n:04d}.{EXTENSION[kind]}").write_bytes(body)
    written = time.perf_counter() - started
    port = free_port()
    log = (folder / "logs" / f"wire-feeds-{tag}.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
         "--directory", str(feeds)],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    (folder / "pids" / f"wire-feeds-{tag}.pid").write_text(f"{server.pid}\n")
    wait_port(port)

    setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)  # RQ's tables, when TASKS_BACKEND=rq
    from masthead.newsroom.models import Desk
    from masthead.wire import tasks
    from masthead.wire.models import Source

    desk, _ = Desk.objects.get_or_create(slug="bench-wire", defaults={"name": "Bench wire"})
    Source.objects.bulk_create(
        Source(
            name=f"Bench wire {tag} {n:04d}", slug=f"{PREFIX}{tag}-{n:04d}",
            kind=wire_copy.KINDS[n % 3], provider="Example Wire", desk=desk,
            interval_seconds=86_400,
            url=f"http://127.0.0.1:{port}/{n:04d}.{EXTENSION[wire_copy.KINDS[n % 3]]}",
        )
        for n in range(sources)
    )  # fmt: skip
    queued = 0
    while claimed := tasks.schedule_due_sources():
        queued += claimed
    print(
        f"wire backlog ({tag}): {sources} sources × {items} items written in {written:.0f} s, "
        f"{queued} polls queued, feeds at http://127.0.0.1:{port}/"
    )


def counts() -> tuple[int, int]:
    from masthead.wire.models import Source, WireItem

    stored = WireItem.objects.filter(source__slug__startswith=PREFIX).count()
    left = Source.objects.filter(slug__startswith=PREFIX, last_polled_at__isnull=True).count()
    return stored, left


def main() -> int:
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    command, arguments = sys.argv[1], sys.argv[2:]
    if command == "prepare" and len(arguments) == 4:
        prepare(Path(arguments[0]), arguments[1], int(arguments[2]), int(arguments[3]))
    elif command == "count" and not arguments:
        setup_django()
        print(*counts())
    elif command == "wait" and len(arguments) == 2:
        setup_django()
        before, deadline = int(arguments[0]), time.monotonic() + float(arguments[1])
        while counts()[0] <= before:
            if time.monotonic() > deadline:
                sys.exit(f"no wire item stored in {arguments[1]} s: is the worker running?")
            time.sleep(0.2)
    else:
        sys.exit(__doc__)
    return 0


if __name__ == "__main__":
    sys.exit(main())
