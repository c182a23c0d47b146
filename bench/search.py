"""Search at scale: Masthead's engine next to Wagtail's database search
backend, on the same stories, in the same run.

    # 1,000,000 stories on PostgreSQL, Wagtail beside it (issue 12's target):
    .venv/bin/python bench/search.py --stories 1000000 \\
        --database-url postgres://postgres@127.0.0.1:5432/m12_bench_1m \\
        --wagtail-db m12_wagtail
    # 100,000 stories on SQLite (Masthead alone):
    .venv/bin/python bench/search.py --stories 100000 --sqlite /tmp/search-100k

1. The corpus: if the database has no story, `bench/generate.py --stories N
   --vocabulary news` loads it (COPY on PostgreSQL); a database holding
   another number of stories, or the 32-word text, is refused, never changed.
2. Masthead's index: `rebuild_index()` when the index is empty (or with
   --rebuild), timed.
3. Wagtail (--wagtail-db, PostgreSQL only): bench/search_wagtail.py, in the
   Wagtail venv (--wagtail-python; never Masthead's), copies the same
   stories into the peers' Wagtail project as ArticlePages and runs
   Wagtail's update_index, unless that database already holds them; then it
   serves queries over a pipe and times each search itself.
4. The queries (`queries()`): 1-, 2- and 3-word queries from the corpus
   vocabulary, common, middling and rare words (by rank), a word that is in
   no story, and phrases taken from the stories. Each engine runs each query
   once to warm up, then `--rounds` rounds: every round in its own shuffled
   order, the two engines interleaved query by query, which one goes first
   alternating. Each time is in-process, around the search call with its
   first 20 results fetched (`search_stories(q, limit=20)`;
   `ArticlePage.objects.live().search(q)[:20]`). The run stops starting
   rounds after --max-seconds; a Wagtail query stops at --timeout.
5. Results in bench/results/search-YYYYmmdd-HHMMSS/: `table.md` (p50/p95 per
   kind of query and per query, Wagtail ÷ Masthead), `samples.json` (every
   time), `explain.txt` (EXPLAIN ANALYZE of every Masthead query whose p95
   is over --slow-ms, on PostgreSQL), `versions.txt`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(BENCH_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masthead.settings")

RESULTS = 20
KINDS = ("1 word", "2 words", "3 words", "phrase")
MISSING_WORD = "qwzxqv"  # no syllable of generate.SYLLABLES makes it


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (share in 0..1) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * share // 1))
    return ordered[int(rank) - 1]


# --- the corpus -----------------------------------------------------------------------


def setup_django(options) -> None:
    if options.sqlite:
        os.environ.pop("DATABASE_URL", None)
        os.environ["MASTHEAD_DATA_DIR"] = str(Path(options.sqlite).resolve())
    else:
        os.environ["DATABASE_URL"] = options.database_url
        os.environ.setdefault("MASTHEAD_DATA_DIR", str(Path(options.out) / "data"))
    import django

    django.setup()


def story_count() -> int:
    from django.db import connection
    from django.db.utils import DatabaseError

    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM stories_story")
            return cursor.fetchone()[0]
    except DatabaseError:  # no tables yet: generate.py migrates
        return 0


def ensure_corpus(options, log) -> dict:
    from django.db import connection
    from generate import WORDS

    have = story_count()
    info: dict = {"stories": options.stories}
    if have == 0:
        log(f"loading {options.stories:,} stories (generate.py --vocabulary news)")
        started = time.perf_counter()
        connection.close()
        subprocess.run(
            [
                sys.executable, str(BENCH_DIR / "generate.py"), "--stories", str(options.stories),
                "--vocabulary", "news",
            ],
            check=True,
            env=os.environ.copy(),
        )  # fmt: skip
        info["load_seconds"] = round(time.perf_counter() - started, 1)
        have = story_count()
    if have != options.stories:
        connection.close()
        raise SystemExit(
            f"the database holds {have:,} stories, not {options.stories:,}: "
            "give its own number, or an empty database"
        )
    with connection.cursor() as cursor:
        cursor.execute("SELECT headline FROM stories_story ORDER BY id LIMIT 50")
        words = {word.lower() for (headline,) in cursor.fetchall() for word in headline.split()}
    if words <= set(WORDS):
        raise SystemExit(
            "this corpus has generate.py's 32-word text (every story holds every word): "
            "load one with --vocabulary news into an empty database"
        )
    from django.core.management import call_command
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        # e.g. search's own migrations, whose 0002 indexes the stories there
        log("migrating (search's 0002 indexes every story there)")
        started = time.perf_counter()
        call_command("migrate", interactive=False, verbosity=0)
        info["migrate_seconds"] = round(time.perf_counter() - started, 1)
    return info


def index_size() -> int:
    from masthead.search.models import StoryEntry

    return StoryEntry.objects.count()


def ensure_index(options, log) -> dict:
    from masthead.search.engine import rebuild_index

    size = index_size()
    if size and not options.rebuild:
        # An index made by search's migration 0002 or an older rebuild: end
        # it the way rebuild_index() does now (the planner's statistics;
        # on SQLite also FTS5's segment merge), so both paths are measured
        # on the same index.
        from masthead.search.engines import current_engine

        started = time.perf_counter()
        current_engine().prune()
        return {
            "index_entries": size,
            "rebuilt": False,
            "prune_seconds": round(time.perf_counter() - started, 1),
        }
    log("building Masthead's search index (rebuild_index)")
    started = time.perf_counter()
    rebuild_index()
    seconds = time.perf_counter() - started
    if options.database_url:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {"index_entries": index_size(), "rebuilt": True, "rebuild_seconds": round(seconds, 1)}


# --- the queries ------------------------------------------------------------------------


def queries(phrase_sources: list[str]) -> list[dict]:
    """The fixed query set: (kind, label, text). Words by rank in the Zipf
    vocabulary: rank 3 is in nearly every story, rank 150 in about 1 in 10,
    rank 1,500 in about 1 in 100, rank 15,000 in about 1 in 1,000 and rank
    80,000 in about 1 in 6,000 (at 1,000,000 stories: ~170)."""
    from generate import news_vocabulary

    v = news_vocabulary()

    def w(rank: int) -> str:
        return v[rank - 1]

    items = [
        ("1 word", "common (rank 3)", w(3)),
        ("1 word", "common (rank 12)", w(12)),
        ("1 word", "middling (rank 150)", w(150)),
        ("1 word", "middling (rank 1,500)", w(1500)),
        ("1 word", "rare (rank 15,000)", w(15000)),
        ("1 word", "rare (rank 80,000)", w(80000)),
        ("1 word", "in no story", MISSING_WORD),
        ("2 words", "common + common", f"{w(3)} {w(12)}"),
        ("2 words", "common + middling", f"{w(12)} {w(1500)}"),
        ("2 words", "middling + middling", f"{w(150)} {w(1500)}"),
        ("2 words", "common + rare", f"{w(3)} {w(80000)}"),
        ("2 words", "rare + rare", f"{w(15000)} {w(80000)}"),
        ("3 words", "common ×3", f"{w(3)} {w(6)} {w(12)}"),
        ("3 words", "common, middling, middling", f"{w(3)} {w(150)} {w(1500)}"),
        ("3 words", "common, middling, rare", f"{w(12)} {w(1500)} {w(15000)}"),
        ("3 words", "middling, middling, rare", f"{w(150)} {w(1500)} {w(80000)}"),
        ("phrase", "2 common words", f"{w(1)} {w(2)}"),
    ]
    for number, text in enumerate(phrase_sources):
        items.append(("phrase", f"{len(text.split())} words from story {number + 1}", text))
    return [
        {"kind": kind, "label": label, "text": text, "phrase": kind == "phrase"}
        for kind, label, text in items
    ]


def phrase_sources(total: int) -> list[str]:
    """Word runs from stories spread over the corpus: headlines and bodies."""
    import re

    from django.db import connection

    picks = []
    with connection.cursor() as cursor:
        for share, source, start, length in (
            (0.13, "headline", 0, 2),
            (0.37, "headline", 2, 3),
            (0.61, "dek", 3, 2),
            (0.89, "body", 5, 3),
        ):
            cursor.execute(
                f"SELECT {source} FROM stories_story WHERE status = 'published'"
                " ORDER BY id LIMIT 1 OFFSET %s",
                [int(total * share * 0.97)],
            )
            row = cursor.fetchone()
            words = re.findall(r"[a-z]+", re.sub("<[^>]+>", " ", row[0]).lower())
            picks.append(" ".join(words[start : start + length]))
    return picks


# --- the engines -------------------------------------------------------------------------


class Masthead:
    name = "masthead"

    def __init__(self):
        from masthead.search.engine import search_stories

        self.search_stories = search_stories

    def text(self, query: dict) -> str:
        return f'"{query["text"]}"' if query["phrase"] else query["text"]

    def run(self, query: dict, count: bool = False) -> dict:
        tasks = self.tasks()
        before = [schedstat(pid) for pid in tasks], time.process_time_ns()
        started = time.perf_counter()
        found = self.search_stories(self.text(query), limit=RESULTS)
        hits = fetched(found)
        answer = {"ms": (time.perf_counter() - started) * 1000, "hits": hits}
        after = [schedstat(pid) for pid in tasks], time.process_time_ns()
        if all(before[0]) and all(after[0]):
            # This process's CPU from its clock (its schedstat lags while it runs); the
            # server's, idle again by now, from its schedstat.
            pairs = list(zip(after[0], before[0], strict=True))
            server = sum(a[0] - b[0] for a, b in pairs[1:])
            answer["cpu_ms"] = (after[1] - before[1] + server) / 1e6
            answer["queued_ms"] = sum(a[1] - b[1] for a, b in pairs) / 1e6
        return answer

    def tasks(self) -> list[str]:
        """This process and, on PostgreSQL, its server process (loopback: same machine)."""
        from django.db import connection

        tasks = ["self"]
        if connection.vendor == "postgresql":
            connection.ensure_connection()
            if getattr(self, "_backend", (None, None))[0] is not connection.connection:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_backend_pid()")
                    self._backend = (connection.connection, str(cursor.fetchone()[0]))
            tasks.append(self._backend[1])
        return tasks

    def explain(self, query: dict) -> str:
        """The plan of every statement one search runs: EXPLAIN (ANALYZE,
        BUFFERS) on PostgreSQL, EXPLAIN QUERY PLAN on SQLite, with each
        statement's time including its fetch (Django's own timing stops
        before SQLite hands over the rows, which is where FTS5 works)."""
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            self.run(query)
        lines = [f"-- {len(captured.captured_queries)} statement(s)"]
        for item in captured.captured_queries:
            sql = item["sql"]
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            with connection.cursor() as cursor:
                started = time.perf_counter()
                cursor.execute(sql)
                rows = len(cursor.fetchall())
                took = (time.perf_counter() - started) * 1000
                lines += ["", f"-- {took:.1f} ms with its fetch, {rows} rows:", sql]
                if connection.vendor == "postgresql":
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                    lines += [row[0] for row in cursor.fetchall()]
                else:
                    cursor.execute("EXPLAIN QUERY PLAN " + sql)
                    lines += [" ".join(str(cell) for cell in row) for row in cursor.fetchall()]
        return "\n".join(lines)


def schedstat(pid: str) -> tuple[int, int] | None:
    """(ns on a CPU, ns waiting for one) of a process so far (Linux's schedstat): a
    search's own CPU time, apart from the time a loaded machine made it wait."""
    try:
        on_cpu, queued, _ = Path(f"/proc/{pid}/schedstat").read_text().split()
    except (OSError, ValueError):
        return None
    return int(on_cpu), int(queued)


def fetched(found) -> int:
    """How many results a search call handed back, fetched."""
    for attribute in ("results", "stories", "hits", "items", "object_list"):
        if hasattr(found, attribute) and not callable(getattr(found, attribute)):
            found = getattr(found, attribute)
            break
    return len(list(found))


class Wagtail:
    name = "wagtail"

    def __init__(self, options, env: dict, log):
        self.process = subprocess.Popen(
            [options.wagtail_python, str(BENCH_DIR / "search_wagtail.py"), "serve",
             "--timeout", str(options.timeout)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            text=True,
        )  # fmt: skip
        ready = json.loads(self.process.stdout.readline() or "{}")
        if not ready.get("ready"):
            raise SystemExit("the Wagtail side did not start (its error is above)")
        self.live_pages = ready["pages"]
        log(f"Wagtail serving queries over {self.live_pages:,} live article pages")

    def run(self, query: dict, count: bool = False) -> dict:
        request = {"q": query["text"], "phrase": query["phrase"], "count": count}
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        return json.loads(self.process.stdout.readline())

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.stdin.close()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def wagtail_env(options) -> dict:
    from urllib.parse import urlsplit

    url = urlsplit(options.database_url)
    env = os.environ.copy()
    for name in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "PYTHONPATH", "MASTHEAD_DATA_DIR"):
        env.pop(name, None)
    env.update(
        PEER_DB="postgres",
        PEER_PG_NAME=options.wagtail_db,
        PEER_PG_USER=url.username or "postgres",
        PEER_PG_PASSWORD=url.password or "",
        PEER_PG_HOST=url.hostname or "127.0.0.1",
        PEER_PG_PORT=str(url.port or 5432),
        PEER_CONN_MAX_AGE="600",
    )
    return env


def ensure_wagtail(options, env: dict, log) -> dict:
    log(f"Wagtail: database {options.wagtail_db} (loads the stories unless it holds them)")
    done = subprocess.run(
        [options.wagtail_python, str(BENCH_DIR / "search_wagtail.py"), "load",
         "--source", options.database_url, "--stories", str(options.stories)],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
        check=False,
    )  # fmt: skip
    if done.returncode:
        raise SystemExit(f"the Wagtail load failed ({done.returncode})")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- the run ------------------------------------------------------------------------------


def measure(options, engines, query_set, log) -> tuple[dict, int]:
    samples = {engine.name: {i: [] for i in range(len(query_set))} for engine in engines}
    cpu = {i: [] for i in range(len(query_set))}  # Masthead: (CPU ms, run-queue ms)
    hits = {engine.name: {} for engine in engines}
    errors = {engine.name: {} for engine in engines}
    log("warm-up: every query once on each engine")
    for index, query in enumerate(query_set):
        for engine in engines:
            answer = (
                engine.run(query, count=True) if engine.name == "wagtail" else engine.run(query)
            )
            hits[engine.name][index] = answer["hits"]
            if "total" in answer:
                query["wagtail_total"] = answer["total"]
    started = time.monotonic()
    rounds = 0
    for number in range(options.rounds):
        if rounds and time.monotonic() - started > options.max_seconds:
            log(f"--max-seconds reached after {rounds} round(s)")
            break
        order = list(range(len(query_set)))
        random.Random(number).shuffle(order)
        for position, index in enumerate(order):
            pair = engines if (number + position) % 2 == 0 else engines[::-1]
            for engine in pair:
                answer = engine.run(query_set[index])
                samples[engine.name][index].append(answer["ms"])
                if "cpu_ms" in answer:
                    cpu[index].append((answer["cpu_ms"], answer["queued_ms"]))
                if answer.get("error"):
                    errors[engine.name][index] = answer["error"]
        rounds += 1
        log(f"round {rounds}/{options.rounds} done ({time.monotonic() - started:.0f} s)")
    return {"samples": samples, "hits": hits, "errors": errors, "cpu": cpu}, rounds


def ratio(wagtail: float | None, masthead: float) -> str:
    if wagtail is None or masthead <= 0:
        return "–"
    return f"{wagtail / masthead:.1f}×"


def table(query_set, measured, engines) -> str:
    names = [engine.name for engine in engines]
    both = "wagtail" in names
    head = "| kind | Masthead p50 | Masthead p95 |"
    rule = "|---|---:|---:|"
    if both:
        head += " Wagtail p50 | Wagtail p95 | Wagtail ÷ Masthead (p50 / p95) |"
        rule += "---:|---:|---:|"
    lines = ["Times in ms, in-process, each search with its first 20 results fetched.", ""]
    lines += [head, rule]
    for kind in (*KINDS, "all"):
        chosen = [i for i, q in enumerate(query_set) if kind in ("all", q["kind"])]
        row = {}
        for name in names:
            values = [ms for i in chosen for ms in measured["samples"][name][i]]
            row[name] = (percentile(values, 0.5), percentile(values, 0.95)) if values else None
        if not row["masthead"]:
            continue
        cells = f"| {kind} | {row['masthead'][0]:.1f} | {row['masthead'][1]:.1f} |"
        if both:
            w50, w95 = row["wagtail"]
            cells += (
                f" {w50:.1f} | {w95:.1f} | {ratio(w50, row['masthead'][0])} / "
                f"{ratio(w95, row['masthead'][1])} |"
            )
        lines.append(cells)
    lines += ["", "Per query (median of the rounds; results: how many of the first 20 came back"]
    lines += ["; Wagtail's total: its count of all matches, outside the timings):", ""]
    head = "| kind | query | words | Masthead ms (p50 / p95) | results |"
    rule = "|---|---|---|---:|---:|"
    if both:
        head += " Wagtail ms (p50 / p95) | results | Wagtail's total | ÷ (p50) |"
        rule += "---:|---:|---:|---:|"
    lines += [head, rule]
    for index, query in enumerate(query_set):
        text = f'"{query["text"]}"' if query["phrase"] else query["text"]
        m = measured["samples"]["masthead"][index]
        if not m:
            continue
        m50, m95 = statistics.median(m), percentile(m, 0.95)
        cells = (
            f"| {query['kind']} | {query['label']} | `{text}` | {m50:.1f} / {m95:.1f} |"
            f" {measured['hits']['masthead'][index]} |"
        )
        if both:
            w = measured["samples"]["wagtail"][index]
            w50, w95 = statistics.median(w), percentile(w, 0.95)
            error = measured["errors"]["wagtail"].get(index)
            total = query.get("wagtail_total")
            cells += (
                f" {w50:.1f} / {w95:.1f}{' (' + error + ')' if error else ''} |"
                f" {measured['hits']['wagtail'][index]} |"
                f" {'–' if total is None else f'{total:,}'} | {ratio(w50, m50)} |"
            )
        lines.append(cells)
    return "\n".join(lines + cpu_table(query_set, measured)) + "\n"


def cpu_table(query_set, measured) -> list[str]:
    """Masthead's CPU time per search and its wait for a CPU, from the same samples."""
    cpu = measured.get("cpu") or {}
    if not any(cpu.values()):
        return []
    lines = [
        "",
        "Masthead's CPU time per search (this process and its PostgreSQL server process,",
        "`/proc/PID/schedstat`) and the time both waited for a CPU (the machine's load),",
        "ms, p50 / p95 of the same samples:",
        "",
        "| kind or query | CPU | waiting for a CPU |",
        "|---|---:|---:|",
    ]
    rows = [(kind, [i for i, q in enumerate(query_set) if kind in ("all", q["kind"])])
            for kind in (*KINDS, "all")]  # fmt: skip
    rows += [
        (f"`{q['text']}`" if not q["phrase"] else f'`"{q["text"]}"`', [i])
        for i, q in enumerate(query_set)
    ]
    for label, chosen in rows:
        pairs = [pair for i in chosen for pair in cpu.get(i, [])]
        if pairs:
            on, queued = [p[0] for p in pairs], [p[1] for p in pairs]
            lines.append(
                f"| {label} | {percentile(on, 0.5):.1f} / {percentile(on, 0.95):.1f} |"
                f" {percentile(queued, 0.5):.1f} / {percentile(queued, 0.95):.1f} |"
            )
    return lines


def versions(options, info: dict) -> str:
    from importlib.metadata import version

    from django.db import connection

    digest = hashlib.sha256()
    for path in sorted((REPO / "masthead" / "search").rglob("*.py")):
        if "tests" not in path.parts:
            digest.update(path.read_bytes())
    lines = [
        f"date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"cpu: {os.cpu_count()} x {cpu_model()}, kernel {platform.release()}",
        f"python: {platform.python_version()}; Django {version('Django')}",
        f"database: {connection.vendor} {database_version()}",
        f"masthead/search digest: {digest.hexdigest()[:16]}",
        f"load average at start: {info.get('load_average', '-')}",
        f"settings: {json.dumps({k: v for k, v in vars(options).items() if k != 'out'})}",
        f"corpus and index: {json.dumps(info)}",
    ]
    return "\n".join(lines) + "\n"


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def database_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
        else:
            cursor.execute("SELECT sqlite_version()")
        return cursor.fetchone()[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--database-url", help="PostgreSQL on loopback, Masthead's corpus")
    where.add_argument("--sqlite", help="Masthead data folder (SQLite), made if absent")
    parser.add_argument("--stories", type=int, required=True)
    parser.add_argument("--wagtail-db", help="PostgreSQL database for Wagtail's copy")
    parser.add_argument(
        "--wagtail-python",
        default=str(BENCH_DIR / "results" / "venv-wagtail" / "bin" / "python"),
        help="Python of a venv with ../shared/peers/wagtail/requirements.txt",
    )
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--max-seconds", type=float, default=900, help="no new round after this")
    parser.add_argument("--timeout", type=float, default=30, help="seconds per Wagtail query")
    parser.add_argument("--slow-ms", type=float, default=50, help="EXPLAIN queries slower (p95)")
    parser.add_argument("--rebuild", action="store_true", help="rebuild Masthead's index anyway")
    parser.add_argument("--out", help="results folder (default bench/results/search-<time>)")
    options = parser.parse_args(argv)
    if options.stories < 1:
        parser.error("--stories: at least 1")
    if options.database_url and not options.database_url.startswith(
        ("postgres://postgres@127.0.0.1", "postgres://postgres@localhost", "postgresql://")
    ):
        parser.error("--database-url: PostgreSQL on loopback")
    if options.wagtail_db and not options.database_url:
        parser.error("--wagtail-db needs --database-url (Wagtail's copy reads the stories there)")
    if options.wagtail_db and not options.wagtail_db.replace("_", "").isalnum():
        parser.error("--wagtail-db: a plain database name")
    out = Path(
        options.out or BENCH_DIR / "results" / f"search-{datetime.now():%Y%m%d-%H%M%S}"
    ).resolve()
    out.mkdir(parents=True, exist_ok=True)
    options.out = str(out)

    def log(message: str) -> None:
        print(f"[search {datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)

    setup_django(options)
    info = ensure_corpus(options, log)
    info["load_average"] = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    info.update(ensure_index(options, log))
    engines: list = [Masthead()]
    wagtail = None
    try:
        if options.wagtail_db:
            env = wagtail_env(options)
            info["wagtail"] = ensure_wagtail(options, env, log)
            wagtail = Wagtail(options, env, log)
            engines.append(wagtail)
        query_set = queries(phrase_sources(options.stories))
        measured, rounds = measure(options, engines, query_set, log)
    finally:
        if wagtail:
            wagtail.close()
    info["rounds"] = rounds
    report = table(query_set, measured, engines)
    slow = []
    for index, query in enumerate(query_set):
        values = measured["samples"]["masthead"][index]
        if values and percentile(values, 0.95) > options.slow_ms:
            slow.append(f"== {query['kind']}: {query['label']}: {query['text']!r}\n")
            slow.append(Masthead().explain(query) + "\n")
    (out / "explain.txt").write_text("".join(slow) or f"no query over {options.slow_ms} ms\n")
    (out / "table.md").write_text(report)
    (out / "versions.txt").write_text(versions(options, info))
    (out / "samples.json").write_text(
        json.dumps({"queries": query_set, "info": info, **measured}, indent=1, default=str)
    )
    print(report)
    log(f"results in {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
