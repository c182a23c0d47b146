"""Wire ingest throughput: fetch → parse → dedupe → store, next to parsing alone.

For each format (RSS 2.0, ninjs 2.1, NewsML-G2) and each round, one document
of ``--items`` new items (``bench/wire_copy.py``: varied agency copy, ~350
words a story, so dedupe folds none) is served by a separate process
(``python -m http.server`` on 127.0.0.1; ``WIRE_ALLOWED_PRIVATE_HOSTS`` lets
the SSRF guard through for that host only, as in the tests) and polled by the
real ``poll_source`` task, run in this process: the fetch (httpx, pinned,
size-capped), ``parsers.parse`` (schema checks included), ``ingest.store``
(the sanitiser, the fingerprint dedupe query, one transaction per item, a
version row each) and the source's health. Beside it, on the same bytes:

* the raw library alone: ``feedparser.parse`` (with the options our parser
  passes), ``json.loads``, ``lxml.etree.fromstring``;
* our ``parse()`` alone (what the pipeline's parse step costs).

Items per second are medians over ``--rounds`` rounds (after one warm-up
round that is not counted); ratios are pipeline ÷ ceiling. Memory: this
process's peak RSS (``VmHWM``, reset before each poll through
``/proc/self/clear_refs``) during a poll, and its RSS before it. Finally the
same document polled again without its ETag (every item unchanged: the
digest shortcut), the cost of a quiet poll.

    .venv/bin/python bench/ingest.py                      # SQLite in a temp folder
    .venv/bin/python bench/ingest.py --items 500 --rounds 7 --json out.json
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_wire \\
        .venv/bin/python bench/ingest.py --create-db      # dropped and made again

Prints a Markdown table. Stops the feed server it started, whatever happens.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path
from urllib.parse import urlsplit

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
import wire_copy  # noqa: E402

EXTENSION = {"rss": "xml", "ninjs": "json", "newsml": "xml"}
LABEL = {"rss": "RSS 2.0", "ninjs": "ninjs 2.1", "newsml": "NewsML-G2"}
RAW = {"rss": "feedparser.parse", "ninjs": "json.loads", "newsml": "lxml fromstring"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_port(port: int, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"the feed server did not listen on 127.0.0.1:{port}")


class FeedServer:
    """``python -m http.server`` over a folder, in a process of its own (stopped by its pid)."""

    def __init__(self, root: Path, log: Path):
        self.port = free_port()
        self.log_path = log
        self._log = log.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "http.server", str(self.port), "--bind", "127.0.0.1",
             "--directory", str(root)],
            stdout=self._log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        wait_port(self.port)
        self.base = f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


def status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def reset_peak() -> bool:
    """Reset VmHWM to the current RSS (Linux ≥ 4.0); False where not possible."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def create_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name.replace("_", "").isalnum() or parts.hostname not in ("127.0.0.1", "localhost"):
        raise SystemExit(f"--create-db: {url} is not a plain database on loopback")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def raw_parse(kind: str, body: bytes):
    if kind == "rss":
        import feedparser

        return feedparser.parse(body, resolve_relative_uris=False, sanitize_html=False).entries
    if kind == "ninjs":
        return json.loads(body)
    from lxml import etree

    return etree.fromstring(body)


def timed(function, *args) -> tuple[float, object]:
    gc.collect()
    started = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - started, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=300, help="items per document (300)")
    parser.add_argument("--rounds", type=int, default=5, help="counted rounds (5)")
    parser.add_argument(
        "--kinds", nargs="+", default=list(wire_copy.KINDS), choices=wire_copy.KINDS
    )
    parser.add_argument("--json", type=Path, help="also write every measurement here")
    parser.add_argument("--profile", choices=wire_copy.KINDS, help="cProfile one poll, print top")
    parser.add_argument(
        "--create-db", action="store_true", help="drop and create DATABASE_URL's database first"
    )
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="masthead-ingest-bench-"))
    os.environ["MASTHEAD_DATA_DIR"] = str(work / "data")  # a fresh SQLite file unless DATABASE_URL
    os.environ["WIRE_ALLOWED_PRIVATE_HOSTS"] = "127.0.0.1"
    os.environ["DJANGO_SETTINGS_MODULE"] = "masthead.settings"
    os.environ.setdefault("TASKS_BACKEND", "database")
    if args.create_db:
        if not os.environ.get("DATABASE_URL"):
            raise SystemExit("--create-db needs DATABASE_URL")
        create_database(os.environ["DATABASE_URL"])

    # The documents: one per kind and round, round 0 the warm-up.
    feeds = work / "feeds"
    feeds.mkdir()
    documents: dict[tuple[str, int], bytes] = {}
    for number in range(args.rounds + 1):
        for kind in args.kinds:
            body = wire_copy.document(
                kind, args.items, seed=zlib.crc32(f"{kind}-{number}".encode()),
                prefix=f"urn:bench:{kind}:{number}:{secrets.token_hex(3)}",
            )  # fmt: skip
            documents[kind, number] = body
            (feeds / f"{kind}-{number}.{EXTENSION[kind]}").write_bytes(body)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from masthead.newsroom.models import Desk
    from masthead.wire import parsers
    from masthead.wire.models import Source, WireItem, WireItemVersion
    from masthead.wire.tasks import lease_length, poll_source

    desk, _ = Desk.objects.get_or_create(slug="bench-wire", defaults={"name": "Bench wire"})
    server = FeedServer(feeds, work / "feed-server.log")
    rows: list[dict] = []
    try:
        sources = {}
        for kind in args.kinds:
            sources[kind] = Source.objects.create(
                name=f"Bench {kind} {secrets.token_hex(3)}",
                slug=f"bench-{kind}-{secrets.token_hex(3)}",
                kind=kind, provider="Example Wire", desk=desk, url=f"{server.base}/", paused=True,
            )  # fmt: skip

        cpu_seconds: dict[str, float] = {}

        def poll(kind: str, name: str) -> tuple[float, str, int, int]:
            source = sources[kind]
            token = secrets.token_hex(16)
            Source.objects.filter(pk=source.pk).update(
                url=f"{server.base}/{name}", etag="", last_modified="", paused=False,
                lease_token=token, lease_until=timezone.now() + lease_length(),
            )  # fmt: skip
            gc.collect()
            before = status_kb("VmRSS")
            reset_peak()
            started, cpu = time.perf_counter(), time.process_time()
            summary = poll_source.call(source.pk, token)
            elapsed = time.perf_counter() - started
            cpu_seconds[kind] = time.process_time() - cpu
            return elapsed, summary, before, status_kb("VmHWM")

        if args.profile:
            import cProfile
            import pstats

            kind = args.profile
            profiler = cProfile.Profile()
            profiler.enable()
            poll(kind, f"{kind}-0.{EXTENSION[kind]}")
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
            pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
            return 0

        for number in range(args.rounds + 1):
            for kind in args.kinds:
                body = documents[kind, number]
                raw_seconds, _ = timed(raw_parse, kind, body)
                ours_seconds, parsed = timed(parsers.parse, body, kind)
                if len(parsed.items) != args.items or parsed.refused:
                    raise SystemExit(
                        f"{kind}: parse() kept {len(parsed.items)} items, "
                        f"refused {parsed.refused[:3]}"
                    )
                seconds, summary, rss_before, peak = poll(
                    kind, f"{kind}-{number}.{EXTENSION[kind]}"
                )
                expected = f"{args.items} new, 0 updated, 0 unchanged"
                if summary != expected:
                    raise SystemExit(
                        f"{kind} round {number}: the poll said {summary!r}, not {expected!r}"
                    )
                row = {
                    "kind": kind, "round": number, "items": args.items, "bytes": len(body),
                    "raw_seconds": raw_seconds, "parse_seconds": ours_seconds,
                    "pipeline_seconds": seconds, "pipeline_cpu_seconds": cpu_seconds[kind],
                    "rss_before_kb": rss_before, "peak_kb": peak,
                }  # fmt: skip
                if number:
                    rows.append(row)
                per_second = {
                    "raw": args.items / raw_seconds,
                    "parse()": args.items / ours_seconds,
                    "pipeline": args.items / seconds,
                }
                print(
                    f"round {number}{' (warm-up)' if not number else ''} {kind}: "
                    + ", ".join(f"{name} {value:,.0f}/s" for name, value in per_second.items())
                    + f" (CPU {cpu_seconds[kind] / seconds:.0%} of the time); "
                    f"RSS {rss_before // 1024} MB, peak {peak // 1024} MB",
                    file=sys.stderr,
                    flush=True,
                )
        # Polled again with no ETag: every item unchanged (the digest shortcut).
        quiet = {}
        for kind in args.kinds:
            seconds, summary, _, _ = poll(kind, f"{kind}-{args.rounds}.{EXTENSION[kind]}")
            if summary != f"0 new, 0 updated, {args.items} unchanged":
                raise SystemExit(f"{kind} re-poll: {summary!r}")
            quiet[kind] = seconds

        # Nothing stored twice, nothing folded: one row and one version per item.
        stored = WireItem.objects.filter(source__in=sources.values())
        expected_rows = args.items * (args.rounds + 1) * len(args.kinds)
        counts = {
            "items": stored.count(),
            "versions": WireItemVersion.objects.filter(item__in=stored).count(),
            "duplicates": stored.filter(duplicate_of__isnull=False).count(),
        }
        if counts != {"items": expected_rows, "versions": expected_rows, "duplicates": 0}:
            raise SystemExit(
                f"stored {counts}, expected {expected_rows} items and versions, no duplicates"
            )
    finally:
        server.stop()

    vendor = connection.vendor
    import masthead

    code = str(Path(masthead.__file__).parent)
    print()
    print(f"code measured: {code}")
    print(
        f"Ingest throughput ({vendor}; {args.items} items a document, median of {args.rounds} "
        f"rounds after a warm-up; {counts['items']:,} items stored once each, 0 duplicates)"
    )
    print()
    print("| format | document | raw library items/s | parse() items/s | pipeline items/s "
          "| ÷ raw | ÷ parse() | pipeline CPU ms/item | RSS before / peak MB "
          "| quiet re-poll items/s |")  # fmt: skip
    print("|---|---|---:|---:|---:|---:|---:|---:|---|---:|")
    summary_rows = []
    for kind in args.kinds:
        mine = [row for row in rows if row["kind"] == kind]
        raw = statistics.median(args.items / row["raw_seconds"] for row in mine)
        ours = statistics.median(args.items / row["parse_seconds"] for row in mine)
        pipeline = statistics.median(args.items / row["pipeline_seconds"] for row in mine)
        cpu_ms = statistics.median(1000 * row["pipeline_cpu_seconds"] / args.items for row in mine)
        before = max(row["rss_before_kb"] for row in mine) / 1024
        peak = max(row["peak_kb"] for row in mine) / 1024
        size = statistics.median(row["bytes"] for row in mine) / 1024
        summary_rows.append({
            "kind": kind, "raw_per_s": raw, "parse_per_s": ours, "pipeline_per_s": pipeline,
            "ratio_raw": pipeline / raw, "ratio_parse": pipeline / ours, "cpu_ms_per_item": cpu_ms,
            "rss_before_mb": before, "peak_mb": peak, "quiet_per_s": args.items / quiet[kind],
        })  # fmt: skip
        print(
            f"| {LABEL[kind]} | {size:,.0f} KiB | {raw:,.0f} ({RAW[kind]}) | {ours:,.0f} | "
            f"**{pipeline:,.0f}** | {pipeline / raw:.3f} | **{pipeline / ours:.2f}** | "
            f"{cpu_ms:.2f} | {before:.0f} / {peak:.0f} | {args.items / quiet[kind]:,.0f} |"
        )
    if args.json:
        args.json.write_text(
            json.dumps({"database": vendor, "code": code, "items": args.items,
                        "rounds": args.rounds, "summary": summary_rows, "rounds_detail": rows,
                        "stored": counts}, indent=1)
        )  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
