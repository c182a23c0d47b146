"""A wire backlog drained by `masthead worker` processes: time, and nothing done twice.

The backlog modelled is the one a wire desk really gets: the workers were
down (a deploy, an outage) while the agencies kept filing, so when they come
back every source is due at once and each feed holds a full page of new
items. ``--sources`` pull sources (RSS 2.0, ninjs 2.1 and NewsML-G2 in turn)
of ``--items`` new items each, 100 × 100 = 10,000 items by default, served by
a separate process (``python -m http.server`` on 127.0.0.1, its access log
kept). ``schedule_due_sources()`` — what every worker's beat calls — claims
them all and queues one ``poll_source`` task per source, exactly as in
production; then 1 (or 2, …) ``masthead worker`` processes start and the
clock runs until every source has been polled and given its lease back.

Checked after each drain (the run stops with the reason if one fails):

* rows: one ``WireItem`` and one ``WireItemVersion`` per item, none marked a
  duplicate, ``items_received`` summing to the backlog, every source healthy;
* task executions: one successful ``poll_source`` per source, none failed,
  none left (the database backend's result rows; RQ's finished and failed
  registries), and which worker ran how many;
* fetches: the feed server's log shows each document fetched exactly once.

Backends (``--setups``, any of):

* ``sqlite``: the embedded default, SQLite file + the database task backend;
* ``pg-db``: PostgreSQL + the database task backend (``SKIP LOCKED``);
* ``pg-rq``: PostgreSQL + Redis, tasks through RQ (``TASKS_BACKEND=rq``).

PostgreSQL: database ``--pg-db`` (``bench_wire``) on 127.0.0.1, dropped and
made again for each drain and dropped at the end. Redis: database
``--redis-db`` (5), flushed before and after; the run refuses to start if
another client is connected to it. Every process it starts is stopped by its
pid; a drain longer than ``--timeout`` seconds is stopped and reported.

    .venv/bin/python bench/drain.py                       # all three, 1 and 2 workers
    .venv/bin/python bench/drain.py --setups sqlite --workers 1 2 --sources 100 --items 100
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))
import wire_copy  # noqa: E402
from ingest import EXTENSION, FeedServer  # noqa: E402

KINDS = wire_copy.KINDS
SETUPS = ("sqlite", "pg-db", "pg-rq")
LABEL = {
    "sqlite": "SQLite, database task queue",
    "pg-db": "PostgreSQL, database task queue",
    "pg-rq": "PostgreSQL + Redis (RQ)",
}


# --- run inside the site's environment (a subprocess) ---------------------------------


def prepare(base_url: str, sources: int, interval: int) -> None:
    """Migrate, make the sources, and queue their polls as the beat does; print a JSON line."""
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from masthead.newsroom.models import Desk
    from masthead.wire import tasks
    from masthead.wire.models import Source

    desk, _ = Desk.objects.get_or_create(slug="media-wire", defaults={"name": "Media Wire"})
    Source.objects.bulk_create(
        Source(
            name=f"Agency {n:03d}", slug=f"agency-{n:03d}", kind=KINDS[n % 3],
            provider=f"Agency {n:03d}", desk=desk, interval_seconds=interval,
            url=f"{base_url}/{n:03d}.{EXTENSION[KINDS[n % 3]]}",
        )
        for n in range(sources)
    )  # fmt: skip
    queued = 0
    started = time.perf_counter()
    while claimed := tasks.schedule_due_sources():
        queued += claimed
    print(json.dumps({"queued": queued, "seconds": time.perf_counter() - started}))


# --- the orchestrator ----------------------------------------------------------------


def environment(setup: str, data: Path, args) -> dict[str, str]:
    drop = {"DATABASE_URL", "CACHE_URL", "TASKS_BACKEND", "TASKS_REDIS_URL", "MASTHEAD_DATA_DIR"}
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(
        MASTHEAD_DATA_DIR=str(data),
        DJANGO_SETTINGS_MODULE="masthead.settings",
        WIRE_ALLOWED_PRIVATE_HOSTS="127.0.0.1",
        TASKS_BACKEND="rq" if setup == "pg-rq" else "database",
        PYTHONPATH=os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH")) if p),
    )
    if setup.startswith("pg"):
        env["DATABASE_URL"] = f"{args.pg_url}/{args.pg_db}"
    if setup == "pg-rq":
        env["CACHE_URL"] = env["TASKS_REDIS_URL"] = f"redis://127.0.0.1:6379/{args.redis_db}"
    return env


def psql(args, sql: str, database: str = "postgres") -> list[tuple]:
    import psycopg

    with psycopg.connect(f"{args.pg_url}/{database}", autocommit=True) as conn:
        cursor = conn.execute(sql)
        return cursor.fetchall() if cursor.description else []


def redis_client(args):
    import redis

    return redis.Redis(host="127.0.0.1", port=6379, db=args.redis_db)


def reset_stores(setup: str, args) -> None:
    if setup.startswith("pg"):
        psql(args, f'DROP DATABASE IF EXISTS "{args.pg_db}" WITH (FORCE)')
        psql(args, f'CREATE DATABASE "{args.pg_db}"')
    if setup == "pg-rq":
        client = redis_client(args)
        others = [c for c in client.client_list() if int(c.get("db", -1)) == args.redis_db]
        others = [c for c in others if c.get("id") != str(client.client_id())]
        if others:
            raise SystemExit(
                f"Redis db {args.redis_db} has {len(others)} other client(s) connected "
                f"(someone else uses it); pick another with --redis-db"
            )
        client.flushdb()


class Rows:
    """Reads the site's database directly (no Django here): SQLite file or PostgreSQL."""

    def __init__(self, setup: str, data: Path, args):
        self.setup, self.args = setup, args
        self.path = data / "masthead.sqlite3"

    def __call__(self, sql: str) -> list[tuple]:
        if self.setup == "sqlite":
            with sqlite3.connect(self.path, timeout=10) as db:
                return db.execute(sql).fetchall()
        return psql(self.args, sql, self.args.pg_db)

    def one(self, sql: str):
        return self(sql)[0][0]


def start_worker(env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [str(REPO / ".venv" / "bin" / "masthead"), "worker"],
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )


def stop(process: subprocess.Popen, seconds: float = 30) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(seconds)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def peak_rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def cpu_seconds(pid: int) -> float:
    """User + system CPU of ``pid`` and of its children it has waited for (RQ's work horses)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return sum(int(value) for value in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def machine_busy() -> tuple[float, float]:
    """(busy, total) jiffies of all CPUs so far, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


def fetch_counts(log: Path, start: int) -> Counter:
    """GETs per document in the feed server's access log, from byte ``start``."""
    with log.open("rb") as handle:
        handle.seek(start)
        text = handle.read().decode("utf-8", "replace")
    return Counter(re.findall(r'"GET /(\d+\.\w+) HTTP/1\.[01]" 200', text))


def task_executions(setup: str, rows: Rows, args) -> dict:
    """Finished poll_source tasks by outcome, their results, and the workers that ran them."""
    if setup != "pg-rq":
        found = rows(
            "SELECT status, return_value, worker_ids FROM django_tasks_database_dbtaskresult "
            "WHERE task_path = 'masthead.wire.tasks.poll_source'"
        )
        statuses = Counter(status for status, _, _ in found)
        # JSON columns: text from SQLite, decoded already by psycopg.
        decoded = [
            [json.loads(v) if setup == "sqlite" and v is not None else v for v in (value, ids)]
            for _, value, ids in found
        ]
        results = Counter(str(value) for value, _ in decoded)
        workers = Counter((ids or ["?"])[-1] for _, ids in decoded)
        return {"statuses": dict(statuses), "results": dict(results), "workers": dict(workers)}
    from rq import Queue
    from rq.job import Job
    from rq.registry import FailedJobRegistry, FinishedJobRegistry, StartedJobRegistry

    client = redis_client(args)
    queue = Queue("default", connection=client)
    finished = FinishedJobRegistry(queue=queue).get_job_ids()
    jobs = [job for job in Job.fetch_many(finished, connection=client) if job]
    poll_jobs = [job for job in jobs if "poll_source" in (job.func_name or "")]
    return {
        "statuses": {
            "SUCCESSFUL": len(poll_jobs),
            "FAILED": FailedJobRegistry(queue=queue).count,
            "RUNNING": StartedJobRegistry(queue=queue).count,
            "READY": queue.count,
        },
        "results": dict(Counter(str(job.return_value()) for job in poll_jobs)),
        "workers": dict(Counter(job.worker_name or "?" for job in poll_jobs)),
    }


def drain(setup: str, workers: int, args, feeds: Path, server: FeedServer, work: Path) -> dict:
    data = work / f"data-{setup}-{workers}"
    data.mkdir()
    reset_stores(setup, args)
    env = environment(setup, data, args)
    prepared = subprocess.run(
        [sys.executable, __file__, "--prepare", server.base, str(args.sources)],
        env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    if prepared.returncode:
        raise SystemExit(f"prepare failed ({setup}):\n{prepared.stderr[-3000:]}")
    queued = json.loads(prepared.stdout.strip().splitlines()[-1])["queued"]
    if queued != args.sources:
        raise SystemExit(f"{setup}: {queued} polls queued for {args.sources} sources")
    rows = Rows(setup, data, args)
    log_start = server.log_path.stat().st_size
    total = args.sources * args.items
    print(f"{LABEL[setup]}, {workers} worker(s): {total:,} items queued", file=sys.stderr)

    load = os.getloadavg()[0]
    busy_before = machine_busy()
    started = time.perf_counter()
    processes = [
        start_worker(env, work / f"worker-{setup}-{workers}-{n}.log") for n in range(workers)
    ]
    pending = args.sources
    timed_out = False
    try:
        while True:
            pending = rows.one(
                "SELECT count(*) FROM wire_source WHERE last_polled_at IS NULL OR lease_token != ''"
            )
            if not pending:
                break
            if time.perf_counter() - started > args.timeout:
                timed_out = True
                break
            if any(p.poll() is not None for p in processes):
                raise SystemExit(f"{setup}: a worker exited early; logs in {work}")
            time.sleep(0.5)
        seconds = time.perf_counter() - started
        busy_after = machine_busy()
        peaks = [peak_rss_mb(p.pid) for p in processes]
        worker_cpu = sum(cpu_seconds(p.pid) for p in processes)
    finally:
        for process in processes:
            stop(process)
    time.sleep(0.5)  # the feed server's log is written per request

    counts = {
        "items": rows.one("SELECT count(*) FROM wire_wireitem"),
        "versions": rows.one("SELECT count(*) FROM wire_wireitemversion"),
        "duplicates": rows.one(
            "SELECT count(*) FROM wire_wireitem WHERE duplicate_of_id IS NOT NULL"
        ),
        "received": rows.one("SELECT coalesce(sum(items_received), 0) FROM wire_source"),
        "unhealthy": rows.one(
            "SELECT count(*) FROM wire_source WHERE last_success_at IS NULL OR failures > 0 "
            "OR last_error != ''"
        ),
    }  # fmt: skip
    executions = task_executions(setup, rows, args)
    fetches = fetch_counts(server.log_path, log_start)
    result = {
        "setup": setup, "workers": workers, "items": total, "seconds": seconds,
        "items_per_second": total / seconds, "timed_out": timed_out, "pending": pending,
        "counts": counts, "tasks": executions, "fetches": sum(fetches.values()),
        "fetched_twice": sorted(name for name, n in fetches.items() if n > 1),
        "worker_peak_rss_mb": peaks, "worker_cpu_seconds": worker_cpu,
        "cpu_ms_per_item": 1000 * worker_cpu / total, "load_at_start": load,
        "machine_busy_percent": 100 * os.cpu_count() * (busy_after[0] - busy_before[0])
        / max(1, busy_after[1] - busy_before[1]),
    }  # fmt: skip
    problems = []
    if timed_out:
        problems.append(f"not drained in {args.timeout} s ({pending} sources left)")
    if counts != {"items": total, "versions": total, "duplicates": 0, "received": total,
                  "unhealthy": 0}:  # fmt: skip
        problems.append(f"rows: {counts}")
    expected = {"SUCCESSFUL": args.sources}
    if {k: v for k, v in executions["statuses"].items() if v} != expected:
        problems.append(f"task executions: {executions['statuses']}, expected {expected}")
    if executions["results"] != {f"{args.items} new, 0 updated, 0 unchanged": args.sources}:
        problems.append(f"task results: {executions['results']}")
    if sum(fetches.values()) != args.sources or result["fetched_twice"]:
        problems.append(f"fetches: {sum(fetches.values())}, twice: {result['fetched_twice'][:5]}")
    result["problems"] = problems
    split = " / ".join(str(n) for n in sorted(executions["workers"].values(), reverse=True))
    print(
        f"  drained in {seconds:.1f} s = {total / seconds:,.0f} items/s; tasks per worker {split}; "
        f"workers' CPU {result['cpu_ms_per_item']:.2f} ms/item; machine busy "
        f"{result['machine_busy_percent']:.0f} % (100 % = one core), load {load:.1f} at start; "
        f"{'OK' if not problems else 'PROBLEMS: ' + '; '.join(problems)}",
        file=sys.stderr,
    )
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--setups", nargs="+", default=list(SETUPS), choices=SETUPS)
    parser.add_argument("--workers", nargs="+", type=int, default=[1, 2])
    parser.add_argument("--sources", type=int, default=100)
    parser.add_argument("--items", type=int, default=100, help="new items per source (100)")
    parser.add_argument("--timeout", type=float, default=900, help="seconds per drain (900)")
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--pg-db", default="bench_wire")
    parser.add_argument("--redis-db", type=int, default=5)
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument(
        "--prepare", nargs=2, metavar=("BASE_URL", "SOURCES"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.prepare:
        prepare(args.prepare[0], int(args.prepare[1]), interval=86_400)
        return 0
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", args.pg_db) or args.pg_db in ("postgres", "test"):
        raise SystemExit("--pg-db: a plain database name of the bench's own")
    if not re.fullmatch(r"postgres(ql)?://([^/@]*@)?(127\.0\.0\.1|localhost)(:\d+)?", args.pg_url):
        raise SystemExit("--pg-url: loopback only, no database part")

    work = Path(tempfile.mkdtemp(prefix="masthead-drain-bench-"))
    feeds = work / "feeds"
    feeds.mkdir()
    started = time.perf_counter()
    for n in range(args.sources):
        kind = KINDS[n % 3]
        body = wire_copy.document(kind, args.items, seed=1000 + n, prefix=f"urn:agency-{n:03d}")
        (feeds / f"{n:03d}.{EXTENSION[kind]}").write_bytes(body)
    print(
        f"{args.sources} documents of {args.items} items written in "
        f"{time.perf_counter() - started:.1f} s ({work})",
        file=sys.stderr,
    )
    server = FeedServer(feeds, work / "feed-server.log")
    results = []
    try:
        for setup in args.setups:
            for workers in args.workers:
                results.append(drain(setup, workers, args, feeds, server, work))
    finally:
        server.stop()
        if any(s.startswith("pg") for s in args.setups):
            psql(args, f'DROP DATABASE IF EXISTS "{args.pg_db}" WITH (FORCE)')
        if "pg-rq" in args.setups:
            redis_client(args).flushdb()

    print()
    print(
        f"Backlog drain: {args.sources} sources × {args.items} new items = "
        f"{args.sources * args.items:,} items, all due at once"
    )
    print()
    print("| set-up | workers | drained in s | items/s | tasks per worker | "
          "rows / versions / duplicates | task runs (ok / failed / left) | fetches | "
          "workers' CPU ms/item | machine CPU busy | worker peak RSS MB | checks |")  # fmt: skip
    print("|---|---:|---:|---:|---|---|---|---:|---:|---:|---|---|")
    for r in results:
        statuses = r["tasks"]["statuses"]
        left = statuses.get("READY", 0) + statuses.get("RUNNING", 0)
        split = " / ".join(str(n) for n in sorted(r["tasks"]["workers"].values(), reverse=True))
        c = r["counts"]
        print(
            f"| {LABEL[r['setup']]} | {r['workers']} | {r['seconds']:.1f} | "
            f"**{r['items_per_second']:,.0f}** | {split} | "
            f"{c['items']:,} / {c['versions']:,} / {c['duplicates']} | "
            f"{statuses.get('SUCCESSFUL', 0)} / {statuses.get('FAILED', 0)} / {left} | "
            f"{r['fetches']} | {r['cpu_ms_per_item']:.2f} | {r['machine_busy_percent']:.0f} % | "
            f"{' + '.join(f'{p:.0f}' for p in r['worker_peak_rss_mb'])} | "
            f"{'ok' if not r['problems'] else '; '.join(r['problems'])} |"
        )
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, default=str))
    return 1 if any(r["problems"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
