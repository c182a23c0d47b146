"""The fault and load suite: RELIABILITY.md §3 scenarios L1–L14 on one machine, on loopback.

    bench/faults                    # every scenario, both backends (≤ 15 min)
    bench/faults --write-docs       # … and put the table in docs/reliability.md
    bench/faults --smoke            # CI's subset on PostgreSQL + Redis, ≤ 3 min
    bench/faults --only L1,L6 --backends pg

Harness rules (§3.1), kept in code:

- its own PostgreSQL (``initdb`` in a temporary folder, port 61432,
  ``fsync=on``, ``synchronous_commit=on``) and its own Redis (port 61379,
  ``--save '' --appendonly no``); the shared 5432 and 6379 are never used;
- every process it starts is recorded in ``RUN/faults.pids``; at the end
  (even on Ctrl-C) it stops those and only those, by process id;
- the app reaches PostgreSQL and Redis through ``bench/fault_proxy.py``
  (ports 61433 and 61380; all four outside the kernel's ephemeral
  range, see ``PG_PORT``), so a scenario can add latency, reset or
  blackhole a connection while the load runs;
- loopback only; every load has a fixed duration and a timeout;
- the servers run ``bench/faults_settings.py`` (Masthead's settings plus
  ``MASTHEAD_FAILPOINTS``), the one place failpoints are read.

Backends: ``sqlite`` (embedded: SQLite, local-memory cache) and ``pg``
(PostgreSQL + Redis, the harness's own). Each scenario prints one row in the
§3.3 format and checks its pass criteria here; a criterion this run cannot
check says why (``n/a``) rather than pass. Exit status 1 if any check failed.
Output: ``bench/results/faults-*/`` (``rows.json``, ``table.md``, logs).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import email.utils
import json
import os
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
import loadgen  # noqa: E402
import storm  # noqa: E402
from fault_proxy import ProxyProcess  # noqa: E402

VENV = ROOT / ".venv" / "bin"
# Outside Linux's ephemeral range (32768–60999): RELIABILITY.md §3.1 names 55432 and
# 56379, but a port in that range can be any client socket's local port at the moment
# the harness binds it (CI's suite makes thousands of loopback connections beside the
# smoke: once, the Redis proxy found 56380 taken and the run failed to start).
# FAULTS_PORT_OFFSET moves all four, so that two runs (two worktrees) can share a machine.
_OFFSET = int(os.environ.get("FAULTS_PORT_OFFSET", "0"))
PG_PORT, PG_PROXY_PORT = 61432 + _OFFSET, 61433 + _OFFSET
REDIS_PORT, REDIS_PROXY_PORT = 61379 + _OFFSET, 61380 + _OFFSET
HOT = "/politics/trump-cancels-imminent-attack-on-iran-says-not-after-war/"
ORDER = [
    "L1",
    "L2",
    "L3",
    "L5",
    "L6",
    "L8",
    "L4",
    "L10",
    "L9",
    "L13",
    "L12",
    "L7",
    "L11",
    "L14",
    "R6",
    "R10",
    "E8",
]


def log(message: str) -> None:
    print(f"[faults {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def commit() -> str:
    head = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    return head + ("+dirty" if dirty else "")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def port_open(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.2)
        return probe.connect_ex(("127.0.0.1", port)) == 0


# --- processes: started here, recorded, and only those stopped ---------------------------
class Processes:
    def __init__(self, run: Path):
        self.pidfile = run / "faults.pids"
        self.logs = run / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.live: dict[str, subprocess.Popen] = {}

    def start(
        self, name: str, argv: list[str], env: dict | None = None, user: str | None = None
    ) -> subprocess.Popen:
        handle = open(self.logs / f"{name}.log", "ab")  # noqa: SIM115 - the child keeps it
        process = subprocess.Popen(
            argv,
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            user=user,
        )
        self.live[name] = process
        self.record(name, process.pid)
        return process

    def record(self, name: str, pid: int) -> None:
        with open(self.pidfile, "a") as handle:
            handle.write(f"{pid} {name}\n")

    def children(self, name: str) -> list[int]:
        """Process ids of granian's workers under NAME, recorded too: `masthead serve` runs
        granian as its child (masthead/serve_supervisor.py), the workers are its children."""
        process = self.live[name]
        found = [pid for granian in _children_of(process.pid) for pid in _children_of(granian)]
        for pid in found:
            self.record(f"{name}-worker", pid)
        return found

    def stop(self, name: str, sig=signal.SIGTERM, wait: float = 15) -> None:
        process = self.live.pop(name, None)
        if process is None or process.poll() is not None:
            return
        process.send_signal(sig)
        try:
            process.wait(wait)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)

    def stop_all(self) -> None:
        for name in reversed(list(self.live)):
            with contextlib.suppress(Exception):
                self.stop(name)
        # A granian worker respawned while its server was stopping can outlive it
        # (seen after L4's kills): any recorded worker still running is stopped too.
        time.sleep(1)
        for line in self.pidfile.read_text().splitlines() if self.pidfile.exists() else []:
            pid, name = line.split(" ", 1)
            if name.endswith("-worker") and _is_ours(int(pid)):
                with contextlib.suppress(OSError):
                    os.kill(int(pid), signal.SIGKILL)


def _children_of(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        with contextlib.suppress(OSError):
            found += [int(child) for child in task.read_text().split()]
    return found


def _is_ours(pid: int) -> bool:
    """Whether PID still is a granian process of this checkout (not a reused id)."""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return b"granian" in command and str(VENV).encode() in command


# --- the backends: the harness's own PostgreSQL and Redis, and Masthead servers -----------
class Services:
    def __init__(self, run: Path, procs: Processes):
        self.run, self.procs = run, procs
        self.pg_dir = run / "pg"
        self.pg_bin = self._pg_bin()
        # PostgreSQL refuses to run as root: as its own system user then.
        self.pg_user = "postgres" if os.geteuid() == 0 else None
        self.pg_proxy: ProxyProcess | None = None
        self.redis_proxy: ProxyProcess | None = None

    @staticmethod
    def _pg_bin() -> Path:
        found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
        if not found:
            raise SystemExit("no PostgreSQL server binaries under /usr/lib/postgresql/*/bin")
        return found[-1].parent

    # PostgreSQL ---------------------------------------------------------------------------
    def start_pg(self) -> None:
        for port in (PG_PORT, PG_PROXY_PORT, REDIS_PORT, REDIS_PROXY_PORT):
            if port_open(port):
                raise SystemExit(f"port {port} is in use: another bench/faults run? (never shared)")
        if not self.pg_dir.exists():
            self.pg_dir.mkdir()
            self.run.chmod(0o755)
            shutil.chown(self.pg_dir, self.pg_user or os.getuid())
            subprocess.run(
                [
                    self.pg_bin / "initdb",
                    "-D",
                    self.pg_dir,
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "-E",
                    "UTF8",
                ],
                check=True,
                capture_output=True,
                user=self.pg_user,
            )
        self.postmaster()
        self.pg_proxy = ProxyProcess(PG_PROXY_PORT, ("127.0.0.1", PG_PORT)).start()
        self.procs.record("pg-proxy", self.pg_proxy.pid)
        subprocess.run(
            [
                self.pg_bin / "createdb",
                "-h",
                "127.0.0.1",
                "-p",
                str(PG_PORT),
                "-U",
                "postgres",
                "masthead",
            ],
            check=True,
        )

    def postmaster(self) -> None:
        socket_dir = self.run / "pg-socket"
        socket_dir.mkdir(exist_ok=True)
        shutil.chown(socket_dir, self.pg_user or os.getuid())
        self.procs.start(
            "postgres",
            [
                str(self.pg_bin / "postgres"),
                "-D",
                str(self.pg_dir),
                "-p",
                str(PG_PORT),
                "-k",
                str(socket_dir),
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                "fsync=on",
                "-c",
                "synchronous_commit=on",
                "-c",
                "max_connections=100",
            ],
            user=self.pg_user,
        )
        self.wait_port(PG_PORT, 30, "PostgreSQL")

    def pg_accepts(self) -> bool:
        return (
            subprocess.run(
                [self.pg_bin / "pg_isready", "-q", "-h", "127.0.0.1", "-p", str(PG_PORT)],
                check=False,
            ).returncode
            == 0
        )

    def pg_stop(self, mode: str) -> None:
        """As ``pg_ctl -m fast|immediate stop``, by signal to the postmaster this run started."""
        sig = {"fast": signal.SIGINT, "immediate": signal.SIGQUIT}[mode]
        self.procs.stop("postgres", sig, wait=30)

    # Redis --------------------------------------------------------------------------------
    def start_redis(self) -> None:
        self.procs.start(
            "redis",
            [
                "redis-server",
                "--port",
                str(REDIS_PORT),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.run),
            ],
        )
        self.wait_port(REDIS_PORT, 10, "Redis")
        if self.redis_proxy is None:
            self.redis_proxy = ProxyProcess(REDIS_PROXY_PORT, ("127.0.0.1", REDIS_PORT)).start()
            self.procs.record("redis-proxy", self.redis_proxy.pid)

    def redis_shutdown(self) -> None:
        subprocess.run(
            ["redis-cli", "-p", str(REDIS_PORT), "shutdown", "nosave"],
            capture_output=True,
            check=False,
        )
        process = self.procs.live.pop("redis")
        process.wait(10)

    @staticmethod
    def wait_port(port: int, seconds: float, what: str) -> None:
        end = time.monotonic() + seconds
        while not port_open(port):
            if time.monotonic() > end:
                raise SystemExit(f"{what} did not listen on {port} within {seconds} s")
            time.sleep(0.1)

    def stop(self) -> None:
        for proxy in (self.pg_proxy, self.redis_proxy):
            if proxy is not None:
                proxy.stop()


@dataclass
class Backend:
    name: str
    env: dict
    data: Path
    base: str = ""
    token: str = ""
    server: str = ""


def backend_env(name: str, data: Path) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "CACHE_URL", "DJANGO_SETTINGS_MODULE", "TASKS_BACKEND"}
    }
    env.update(
        MASTHEAD_DATA_DIR=str(data),
        API_RATE_LIMIT="off",
        DJANGO_SETTINGS_MODULE="faults_settings",
        PYTHONPATH=os.pathsep.join([str(BENCH), str(ROOT)]),
        STATIC_COMPRESS="false",
        PAGE_CACHE="true",
    )
    if name == "pg":
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:{PG_PROXY_PORT}/masthead"
        env["CACHE_URL"] = f"redis://127.0.0.1:{REDIS_PROXY_PORT}/0"
    return env


class Harness:
    def __init__(self, options):
        self.options = options
        stamp = time.strftime("%Y%m%d-%H%M%S")
        self.out = BENCH / "results" / f"faults-{stamp}"
        self.out.mkdir(parents=True, exist_ok=True)
        self.tmp = Path(tempfile.mkdtemp(prefix="masthead-faults-"))
        self.procs = Processes(self.out)
        self.services = Services(self.tmp, self.procs)
        self.backends: dict[str, Backend] = {}

    def close(self) -> None:
        self.procs.stop_all()
        self.services.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def masthead(self, backend: Backend, *args: str, env: dict | None = None) -> str:
        result = subprocess.run(
            [str(VENV / "masthead"), *args],
            env={**backend.env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if result.returncode:
            raise SystemExit(f"masthead {' '.join(args)} failed:\n{result.stderr[-2000:]}")
        return result.stdout

    def prepare(self, name: str) -> Backend:
        if name in self.backends:
            return self.backends[name]
        data = self.tmp / f"data-{name}"
        if name == "pg":
            self.services.start_pg()
            self.services.start_redis()
        backend = Backend(name, backend_env(name, data), data)
        log(f"{name}: demo data")
        self.masthead(backend, "demo", "--no-serve")
        backend.token = (
            self.masthead(
                backend,
                "manage",
                "create_api_token",
                "chief",
                "--name",
                "faults",
                "--expires-days",
                "1",
            )
            .strip()
            .splitlines()[-1]
        )
        backend.server = f"masthead-{name}"
        backend.base = self.serve(backend, backend.server)
        self.backends[name] = backend
        return backend

    def serve(self, backend: Backend, name: str, workers: int = 2, env: dict | None = None) -> str:
        port = free_port()
        self.procs.start(
            name,
            [
                str(VENV / "masthead"),
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                str(workers),
                "--threads",
                "4",
            ],
            env={**backend.env, **(env or {})},
        )
        base = f"http://127.0.0.1:{port}"
        end = time.monotonic() + 120
        while True:
            with contextlib.suppress(OSError, urllib.error.URLError):
                if urllib.request.urlopen(base + HOT, timeout=5).status == 200:
                    break
            if time.monotonic() > end or self.procs.live[name].poll() is not None:
                raise SystemExit(f"{name} did not answer 200 (log: {self.procs.logs / name}.log)")
            time.sleep(0.3)
        return base


# --- page-cache renders, from the servers' logs -------------------------------------------
RENDER_LINE = re.compile(rb"page_cache\.renders: render (.+?) version=(\w+) pid=(\d+)")


class Renders:
    """The page-cache renders a server logs from now on, one line each (faults_settings.py).

    ``worst`` is the most renders of one page at one content version in one cache: each
    process's own on SQLite (local memory, no shared level), all processes' on pg (Redis).
    """

    def __init__(self, log: Path):
        self.log = log
        self.start = log.stat().st_size if log.exists() else 0

    def lines(self) -> list[tuple[str, str, str]]:
        with open(self.log, "rb") as handle:
            handle.seek(self.start)
            data = handle.read()
        return [
            (m[1].decode(errors="replace"), m[2].decode(), m[3].decode())
            for m in RENDER_LINE.finditer(data)
        ]

    def worst(self, shared: bool, paths: set[str] | None = None) -> tuple[int, int, str]:
        """(most renders of one (page, version) in one cache, renders in all, which page)."""
        counts: dict = {}
        lines = [line for line in self.lines() if paths is None or page_path(line[0]) in paths]
        for key, version, pid in lines:
            domain = (key, version) if shared else (key, version, pid)
            counts[domain] = counts.get(domain, 0) + 1
        if not counts:
            return 0, 0, ""
        domain, most = max(counts.items(), key=lambda item: item[1])
        return most, len(lines), page_path(domain[0])


def page_path(key: str) -> str:
    """The path in a page-cache key (scheme|proto|host|path|query)."""
    parts = key.split("|")
    return parts[3] if len(parts) > 3 else key


class HotUpdates(threading.Thread):
    """Updates of the hot article during a storm (L2): each saved with If-Match through the
    staff API, made public with ``publish_update``, then polled on the article's page until
    its new text is there. ``seen`` holds the seconds from each update's request to that."""

    def __init__(self, backend: Backend, count: int, every: float, run_id: str):
        super().__init__(daemon=True)
        self.backend, self.count, self.every, self.run_id = backend, count, every, run_id
        self.seen: list[float | None] = []
        self.failed: list[str] = []

    def story_id(self) -> int:
        listed = json.loads(fetch(self.backend.base, "/api/stories?desk=politics&limit=50"))
        for item in listed["items"]:
            if urlsplit(item["url"]).path == HOT:
                return item["id"]
        raise RuntimeError(f"the hot article {HOT} is not in the API list")

    def run(self) -> None:
        base, headers = self.backend.base, auth(self.backend)
        story = self.story_id()
        started = time.monotonic()
        original = None
        for n in range(self.count):
            time.sleep(max(0.0, started + n * self.every - time.monotonic()))
            status, hdrs, payload, _t = request(
                base, "GET", f"/api/desk/stories/{story}", headers=headers
            )
            if status != 200:
                self.failed.append(f"GET {status}")
                continue
            content = json.loads(payload)["content"]
            original = original if original is not None else content["body"]
            marker = f"Live update {self.run_id} number {n}."
            body = {**content, "body": f"{original}<p>{marker}</p>"}
            etag = {"If-Match": hdrs.get("ETag", "")}
            sent = time.monotonic()
            status, _h, payload, _t = request(
                base, "PUT", f"/api/desk/stories/{story}", body, {**headers, **etag}
            )
            if status != 200:
                self.failed.append(f"PUT {status}: {payload[:120]!r}")
                continue
            status, _h, payload, _t = transition(
                self.backend, story, "publish_update", {"note": ""}, headers={}
            )
            if status != 200:
                self.failed.append(f"publish_update {status}: {payload[:120]!r}")
                continue
            self.seen.append(self.until_shown(marker.encode(), sent))

    def until_shown(self, marker: bytes, sent: float, limit: float = 10.0) -> float | None:
        while time.monotonic() - sent < limit:
            if marker in request(self.backend.base, "GET", HOT)[2]:
                return time.monotonic() - sent
            time.sleep(0.25)
        return None


# --- reader mix and helpers -----------------------------------------------------------------
def reader_mix(base: str) -> list[tuple[float, list[str]]]:
    home = fetch(base, "/")
    articles = sorted(set(re.findall(r'href="(/[a-z-]+/[a-z0-9-]{12,}/)"', home)))
    sections = sorted(
        set(
            re.findall(
                r'href="(/(?:politics|business|world|sport|culture|science|opinion|technology)/)"',
                home,
            )
        )
    )
    return [
        (40, ["/"]),
        (30, [HOT]),
        (15, articles or [HOT]),
        (10, sections or ["/politics/"]),
        (5, ["/feed/"]),
    ]


def fetch(base: str, path: str, headers: dict | None = None) -> str:
    request = urllib.request.Request(base + path, headers=headers or {})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.read().decode()


def request(base, method, path, body=None, headers=None, timeout=10.0):
    """(status, headers, body bytes, seconds); status 0 and the error class when none came."""
    data = json.dumps(body).encode() if body is not None else None
    headers = dict(headers or {})
    if data is not None:
        headers["Content-Type"] = "application/json"
    start = time.monotonic()
    try:
        with urllib.request.urlopen(
            urllib.request.Request(base + path, data=data, method=method, headers=headers),
            timeout=timeout,
        ) as response:
            # The headers as they came: a case-insensitive mapping (granian sends lower case).
            return (
                response.status,
                response.headers,
                response.read(),
                time.monotonic() - start,
            )
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read(), time.monotonic() - start
    except (OSError, urllib.error.URLError) as error:
        kind = "timeout" if "timed out" in str(error) else type(error).__name__
        return 0, {"error": kind}, b"", time.monotonic() - start


def auth(backend: Backend) -> dict:
    return {"Authorization": f"Bearer {backend.token}", "Accept": "application/json"}


def draft(
    backend: Backend,
    headline: str,
    body: str = "<p>Fault bench.</p>",
    desk: str = "politics",
    **extra,
) -> dict:
    status, _h, payload, _s = request(
        backend.base,
        "POST",
        "/api/desk/stories",
        {
            "headline": headline,
            "desk": desk,
            "dek": "Fault bench.",
            "body": body,
            "note": "bench/faults",
            **extra,
        },
        auth(backend),
    )
    if status != 201:
        raise RuntimeError(f"create story: HTTP {status}: {payload[:300]!r}")
    story = json.loads(payload)
    for action in ("submit", "claim"):
        transition(backend, story["id"], action)
    return story


def transition(backend: Backend, story_id: int, action: str, body=None, headers=None, timeout=10.0):
    status, hdrs, payload, seconds = request(
        backend.base,
        "POST",
        f"/api/desk/stories/{story_id}/transitions/{action}",
        body or {},
        {**auth(backend), **(headers or {})},
        timeout,
    )
    if headers is None and status != 200:
        raise RuntimeError(f"{action} {story_id}: HTTP {status}: {payload[:300]!r}")
    return status, hdrs, payload, seconds


def ms(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f}" if value >= 10 else f"{value:.1f}"


# --- rows -----------------------------------------------------------------------------------
@dataclass
class Row:
    scenario: str
    backend: str
    command: str
    duration_s: float = 0.0
    rps: float | None = None
    latency: dict = field(default_factory=dict)
    errors: dict = field(default_factory=dict)
    checks: list = field(default_factory=list)  # (text, True | False | None)
    ratio: str = "n/a"
    commit: str = ""
    note: str = ""

    def check(self, text: str, ok: bool | None) -> bool | None:
        self.checks.append((text, ok))
        return ok

    @property
    def verdict(self) -> str:
        states = [ok for _text, ok in self.checks]
        if any(ok is False for ok in states):
            return "FAIL"
        if not states or any(ok is None for ok in states):
            return "partial" if any(states) else "not run"
        return "pass"

    def markdown(self) -> str:
        lat = self.latency
        latency = (
            f"{ms(lat.get('p50'))}/{ms(lat.get('p95'))}/"
            f"{ms(lat.get('p99'))}/{ms(lat.get('max'))} ms"
            if lat.get("requests")
            else "–"
        )
        errors = ", ".join(f"{k} {v}" for k, v in sorted(self.errors.items())) or "0"
        marks = {True: "✅", False: "❌", None: "n/a"}
        checks = "; ".join(f"{marks[ok]} {text}" for text, ok in self.checks) or "–"
        if self.note:
            checks += f" — {self.note}"
        rps = f"{self.rps:.0f}" if self.rps is not None else "–"
        return (
            f"| {self.scenario} | {self.backend} | `{self.command}` "
            f"| {self.duration_s:.0f} s | {rps} "
            f"| {latency} | {errors} | **{self.verdict}**: {checks} "
            f"| {self.ratio} | {self.commit} |"
        )


HEADER = (
    "| scenario | backend | command | duration | req/s (offered, open loop) | p50/p95/p99/max "
    "| errors by class | SLO checks | ratio vs nginx-static / Wagtail | commit |\n"
    "|---|---|---|---|---|---|---|---|---|---|"
)


# --- scenarios --------------------------------------------------------------------------------
class Suite:
    def __init__(self, harness: Harness, options):
        self.h, self.o = harness, options
        self.baseline_p99: dict[str, float] = {}
        self.rows: list[Row] = []
        self.command = "bench/faults" + (" --smoke" if options.smoke else "")
        self.commit = commit()  # the code the servers run: taken when the run starts

    def row(self, scenario: str, backend: str) -> Row:
        return Row(scenario, backend, self.command, commit=self.commit)

    def load(self, backend: Backend, rate: float, seconds: float) -> loadgen.Load:
        return loadgen.Load(backend.base, rate, seconds, reader_mix(backend.base)).start()

    def timed(self, row: Row, text: str, ok: bool) -> None:
        """A criterion on time (latency, seconds to visible): gated in the full run; in CI's
        smoke recorded only, with its value. The smoke shares a 2-core machine with the test
        suite's other worker, and timings are measured in bench runs, not in tests
        (DEVELOPERS.md); what the smoke gates is correctness: errors, leaks, exactly once,
        integrity, and that each thing happens at all within the poll's time-out."""
        if self.o.smoke:
            row.check(
                f"{text}: recorded ({'met' if ok else 'not met'} here), gated in the full run", None
            )
        else:
            row.check(text, ok)

    def p99_limit(self, backend: str, times: float, cap: float) -> float:
        """times × L1's p99, and at most ``cap`` ms except in the smoke (see L1)."""
        relative = times * self.baseline_p99.get(backend, cap)
        return relative if self.o.smoke else min(relative, cap)

    # L1 ------------------------------------------------------------------------------------
    def L1(self, backend: Backend) -> Row:
        row = self.row("L1", backend.name)
        seconds, rate = self.o.seconds, 200
        for _weight, paths in reader_mix(backend.base):
            for path in paths:
                fetch(backend.base, path)  # warm: L1 is the cached reader path
        load = self.load(backend, rate, seconds).join()
        stats = loadgen.summary(load.samples)
        peak = asyncio.run(loadgen.closed_loop(backend.base, ["/", HOT, "/feed/"], 32, 10))
        row.duration_s, row.rps, row.latency, row.errors = seconds, rate, stats, stats["errors"]
        self.baseline_p99[backend.name] = stats["p99"] or 0
        row.check(f"0 errors ({sum(stats['errors'].values())})", not stats["errors"])
        text = f"p99 ≤ 30 ms at {rate} req/s ({ms(stats['p99'])} ms)"
        if self.o.smoke:
            # CI's smoke shares its machine: absolute latency caps are recorded, and
            # the later scenarios' limits relative to this baseline are gated.
            row.check(text + ": recorded, gated in the full run", None)
        else:
            row.check(text, (stats["p99"] or 1e9) <= 30)
        row.check("0 DB queries on cache hits: no per-request query counter exposed", None)
        row.ratio = (
            f"peak {peak:.0f} req/s (asyncio closed loop, 32 conns, 10 s); no ratio: wrk and the "
            "nginx/Wagtail peers are not installed here (bench/run measures them)"
        )
        return row

    # L2 ------------------------------------------------------------------------------------
    def L2(self, backend: Backend) -> Row:
        row = self.row("L2", backend.name)
        count = self.o.publishes
        run_id = uuid.uuid4().hex[:6]
        desks = [d["slug"] for d in json.loads(fetch(backend.base, "/api/desks"))][:3]
        drafts = []
        for n in range(count):
            desk = desks[n % len(desks)]
            drafts.append({**draft(backend, f"Storm {run_id} story {n}", desk=desk), "desk": desk})
        poller = storm.Poller([backend.base], 250, 10.0)
        seconds = count + 10
        renders = Renders(self.h.procs.logs / f"{backend.server}.log")
        load = self.load(backend, 200, seconds)
        # 20 updates of the hot article (two thirds of the publishes in the smoke).
        hot_updates = max(1, min(20, count * 2 // 3))
        updates = HotUpdates(backend, hot_updates, count / hot_updates, run_id)
        updates.start()
        visible, errors5xx, early = [], 0, 0
        started = time.monotonic()
        for index, story in enumerate(drafts):
            due = started + index  # 1 publish/s
            time.sleep(max(0.0, due - time.monotonic()))
            pages = storm.surfaces(story["desk"], HOT)
            pages["sitemap_news"] = "/sitemaps/news.xml"
            pages["api"] = "/api/stories"
            # Not on home or its desk page before the publish is sent (its headline).
            headline = f"Storm {run_id} story {index}".encode()
            early += any(
                headline in request(backend.base, "GET", p)[2] for p in ("/", f"/{story['desk']}/")
            )
            sent = time.monotonic()
            _status, _h, payload, _s = transition(backend, story["id"], "publish")
            path = urlsplit(json.loads(payload)["url"]).path
            seen = poller.visible(pages, path.encode(), sent)
            visible.append(seen)
        load.join()
        updates.join(30)
        poller.pool.shutdown(wait=False, cancel_futures=True)
        stats = loadgen.summary(load.samples)
        errors5xx = sum(v for k, v in stats["errors"].items() if k == "5xx")
        worst = [max((t if t is not None else 1e9) for t in seen.values()) for seen in visible]
        ordered = sorted(worst)
        p50 = ordered[len(ordered) // 2] if ordered else None
        limit = self.p99_limit(backend.name, 3, 250)
        row.duration_s, row.rps, row.latency, row.errors = seconds, 200, stats, stats["errors"]
        row.check(
            f"0 5xx/socket errors (readers {sum(stats['errors'].values())}, "
            f"pollers {poller.errors})",
            not stats["errors"] and errors5xx == 0,
        )
        self.timed(
            row,
            f"reader p99 ≤ 3×L1{'' if self.o.smoke else ' and ≤ 250'} = {ms(limit)} ms "
            f"({ms(stats['p99'])})",
            (stats["p99"] or 1e9) <= limit,
        )
        row.check(
            f"{count} stories visible on all surfaces within the poll's time-out "
            f"({sum(w < 1e9 for w in worst)}/{count})",
            max(worst) < 1e9,
        )
        self.timed(
            row,
            f"{count} stories visible on all surfaces ≤ 5 s (max {max(worst):.2f} s)",
            max(worst) <= 5,
        )
        self.timed(row, f"p50 visible ≤ 1 s ({p50:.2f} s)", p50 is not None and p50 <= 1)
        row.check(f"no story on home or its desk before its publish ({early})", early == 0)
        shared = backend.name == "pg"
        most, total, page = renders.worst(shared)
        row.check(
            f"renders per (page, version) ≤ 1 (+1 for a race) "
            f"{'across processes (Redis)' if shared else 'per process (local memory)'}: "
            f"{most} ({page or 'none'}; {total} renders in all)",
            most <= 2,
        )
        shown = [t for t in updates.seen if t is not None]
        row.check(
            f"{updates.count} hot-article updates saved and published "
            f"({len(updates.seen)}; failed: {updates.failed[:3] or 'none'})",
            len(updates.seen) == updates.count,
        )
        row.check(
            f"every update on the hot article's page within the poll's time-out "
            f"({len(shown)}/{len(updates.seen)})",
            bool(updates.seen) and len(shown) == len(updates.seen),
        )
        self.timed(
            row,
            f"hot-article updates visible ≤ 5 s (max {max(shown, default=0):.2f} s)",
            bool(shown) and max(shown) <= 5,
        )
        row.note = (
            "surfaces: home, desk, recent (hot article), feed, desk feed, news sitemap, "
            f"API list; {count} publishes at 1/s"
        )
        return row

    # L3 ------------------------------------------------------------------------------------
    def L3(self, backend: Backend) -> Row:
        row = self.row("L3", backend.name)
        story = draft(backend, f"Stampede {uuid.uuid4().hex[:6]}")
        transition(backend, story["id"], "publish")  # bumps home's and the desk's version
        renders = Renders(self.h.procs.logs / f"{backend.server}.log")
        results = {}
        for path in ("/", HOT):
            results[path] = asyncio.run(loadgen.burst(backend.base, path, 200))
        flat = [r for res in results.values() for r in res]
        bad = [r for r in flat if r[1] != 200]
        slowest = max(r[0] for r in flat)
        row.duration_s = slowest
        row.latency = loadgen.summary([(0, s, o) for s, o in flat])
        row.errors = row.latency["errors"]
        row.check(f"0 5xx of 400 concurrent ({len(bad)} not 200)", not bad)
        row.check(f"every request ≤ 2 s (slowest {slowest:.2f} s)", slowest <= 2)
        shared = backend.name == "pg"
        most, total, page = renders.worst(shared, {"/", HOT})
        row.check(
            f"renders per (page, new version) ≤ 1 (+1 for a race) "
            f"{'across processes (Redis)' if shared else 'per process (local memory)'}: "
            f"{most} ({page or 'none'}; {total} renders of the two pages in all)",
            most <= 2,
        )
        if backend.name == "pg":
            load = self.load(backend, 200, 20)
            time.sleep(5)
            self.h.services.redis_shutdown()
            self.h.services.start_redis()
            load.join()
            after = loadgen.summary(load.window(15, 20))
            whole = loadgen.summary(load.samples)
            limit = 2 * self.baseline_p99.get("pg", 50)
            row.check(
                f"Redis restarted empty under 200 req/s: 0 5xx ({whole['errors']})",
                not whole["errors"].get("5xx"),
            )
            row.check(
                f"p99 10 s later ≤ 2×L1 = {ms(limit)} ms ({ms(after['p99'])})",
                (after["p99"] or 1e9) <= limit,
            )
        return row

    # L5 ------------------------------------------------------------------------------------
    def L5(self, backend: Backend) -> Row:
        row = self.row("L5", backend.name)
        if backend.name != "pg":
            return None
        services = self.h.services
        seconds = 55
        # An uncached request that needs the database: a story as the staff API shows it.
        probe_story = draft(backend, f"Outage probe {uuid.uuid4().hex[:6]}")["id"]
        load = self.load(backend, 100, seconds)
        probe: list = []  # (t, status, seconds, retry-after) of an uncached DB request
        acked: list = []  # (id, headline) of writes answered 2xx
        write_statuses: dict = {}
        stop = threading.Event()
        t0 = time.monotonic()

        def prober():
            while not stop.is_set():
                sent = time.monotonic() - t0
                status, hdrs, _b, took = request(
                    backend.base,
                    "GET",
                    f"/api/desk/stories/{probe_story}",
                    headers=auth(backend),
                    timeout=10,
                )
                probe.append((sent, status, took, hdrs.get("Retry-After")))
                time.sleep(0.2)

        def writer():
            number = 0
            while not stop.is_set():
                number += 1
                headline = f"Outage write {uuid.uuid4().hex[:8]}"
                status, _h, payload, _t = request(
                    backend.base,
                    "POST",
                    "/api/desk/stories",
                    {"headline": headline, "desk": "politics", "body": "<p>x</p>"},
                    auth(backend),
                    timeout=10,
                )
                write_statuses[status] = write_statuses.get(status, 0) + 1
                if 200 <= status < 300:
                    acked.append((json.loads(payload)["id"], headline))
                time.sleep(1)

        threads = [threading.Thread(target=f, daemon=True) for f in (prober, writer)]
        for thread in threads:
            thread.start()
        outages, recoveries = [], []

        def outage(kind: str, at: float, action, restore) -> None:
            time.sleep(max(0.0, t0 + at - time.monotonic()))
            begin = time.monotonic() - t0
            action()
            restore_at = restore()
            outages.append((kind, begin, time.monotonic() - t0))
            recoveries.append((kind, restore_at))

        def back_up():
            services.postmaster()
            while not services.pg_accepts():
                time.sleep(0.05)
            return time.monotonic() - t0

        outage("fast restart", 8, lambda: services.pg_stop("fast"), back_up)
        outage("crash + recovery", 22, lambda: services.pg_stop("immediate"), back_up)

        def blackhole():
            services.pg_proxy.mode = "blackhole"
            time.sleep(10)

        def unblock():
            services.pg_proxy.mode = "pass"
            return time.monotonic() - t0

        outage("blackhole 10 s", 36, blackhole, unblock)
        load.join()
        stop.set()
        for thread in threads:
            thread.join(15)
        stats = loadgen.summary(load.samples)
        in_outage = [s for s in load.samples if any(b <= s[0] < e for _k, b, e in outages)]
        cached_ok = sum(1 for s in in_outage if s[2] == 200)
        row.duration_s, row.rps, row.latency, row.errors = seconds, 100, stats, stats["errors"]
        slowest_reader = max((s[1] for s in in_outage), default=0)
        row.check(
            f"no reader request hangs > 5 s during the outages (slowest {slowest_reader:.2f} s)",
            slowest_reader <= 5,
        )
        row.check(
            f"cached pages during outages 100 % 200 ({cached_ok}/{len(in_outage)})",
            cached_ok == len(in_outage),
        )
        failed = [p for p in probe if p[1] != 200]
        slow = max((p[2] for p in failed), default=0)
        not503 = [p for p in failed if p[1] != 503 or not p[3]]
        row.check(
            "uncached DB requests fail with 503 + Retry-After "
            f"({len(failed) - len(not503)}/{len(failed)})",
            not not503,
        )
        row.check(f"… in ≤ 2 s (slowest failure {slow:.2f} s)", slow <= 2)
        row.check(
            f"never > 5 s (slowest probe {max(p[2] for p in probe):.2f} s)",
            max(p[2] for p in probe) <= 5,
        )
        firsts = []
        for kind, back in recoveries:
            after = [p for p in probe if p[0] >= back and p[1] == 200]
            firsts.append((kind, (after[0][0] - back) if after else None))
        row.check(
            "first success after PostgreSQL is back ≤ 5 s ("
            + ", ".join(f"{k}: {'never' if v is None else f'{v:.2f} s'}" for k, v in firsts)
            + ")",
            all(v is not None and v <= 5 for _k, v in firsts),
        )
        lost, dupes = [], 0
        for story_id, headline in acked:
            status, _h, payload, _t = request(
                backend.base, "GET", f"/api/desk/stories/{story_id}", headers=auth(backend)
            )
            if status != 200 or json.loads(payload)["content"].get("headline") != headline:
                lost.append(story_id)
        headlines = [h for _i, h in acked]
        dupes = len(headlines) - len(set(headlines))
        row.check(
            f"0 lost acknowledged writes ({len(lost)} of {len(acked)}), 0 duplicates ({dupes})",
            not lost and not dupes,
        )
        row.note = f"writes by status: {write_statuses}; outages at " + ", ".join(
            f"{k} {b:.0f}–{e:.0f} s" for k, b, e in outages
        )
        return row

    # L6 ------------------------------------------------------------------------------------
    def L6(self, backend: Backend) -> Row:
        row = self.row("L6", backend.name)
        if backend.name != "pg":
            return None
        services = self.h.services
        hold = self.o.redis_hold
        seconds = 3 * (hold + 6)
        load = self.load(backend, 100, seconds)
        t0 = load.started or time.monotonic()
        windows, stale = [], []

        def phase(kind, begin, end):
            time.sleep(3)
            start = time.monotonic() - t0
            begin()
            time.sleep(hold)
            end()
            windows.append((kind, start, time.monotonic() - t0))
            time.sleep(1)
            # Publishing works and nothing stale is served once Redis is back.
            story = draft(backend, f"After Redis {kind} {uuid.uuid4().hex[:6]}")
            sent = time.monotonic()
            _s, _h, payload, _t = transition(backend, story["id"], "publish")
            path = urlsplit(json.loads(payload)["url"]).path
            seen = storm.Poller([backend.base], 100, 5).visible(
                {"home": "/", "desk": "/politics/"}, path.encode(), sent
            )
            stale.append((kind, max((v if v is not None else 1e9) for v in seen.values())))

        phase("down", services.redis_shutdown, services.start_redis)
        pid = self.h.procs.live["redis"].pid
        phase(
            "hung (SIGSTOP)",
            lambda: os.kill(pid, signal.SIGSTOP),
            lambda: os.kill(pid, signal.SIGCONT),
        )

        def slow():
            services.redis_proxy.mode = "latency=500ms"

        def fast():
            services.redis_proxy.mode = "pass"

        phase("latency 500 ms", slow, fast)
        load.join()
        stats = loadgen.summary(load.samples)
        row.duration_s, row.rps, row.latency, row.errors = seconds, 100, stats, stats["errors"]
        limit = self.p99_limit("pg", 10, 1000)
        for kind, begin, end in windows:
            part = loadgen.summary(load.window(begin, end))
            row.check(
                f"{kind}: all 200 ({part['requests'] - sum(part['errors'].values())}"
                f"/{part['requests']})",
                not part["errors"],
            )
            self.timed(
                row,
                f"{kind}: p99 {ms(part['p99'])} ≤ {ms(limit)} ms",
                (part["p99"] or 1e9) <= limit,
            )
        seen = ", ".join(f"{k}: {v:.2f} s" if v < 1e9 else f"{k}: never" for k, v in stale)
        row.check(
            f"published after Redis is back: on home and desk, no stale page ({seen})",
            all(v < 1e9 for _k, v in stale),
        )
        self.timed(
            row,
            f"published after Redis is back, on home and desk ≤ 5 s ({seen})",
            all(v <= 5 for _k, v in stale),
        )
        row.check(
            "redis_errors_total bounded (breaker): counted in "
            "masthead/tests/test_resilient_cache.py, not here",
            None,
        )
        row.note = f"each fault {hold} s under 100 req/s"
        return row

    # L8 ------------------------------------------------------------------------------------
    def L8(self, backend: Backend) -> Row:
        row = self.row("L8", backend.name)
        canary = "cnry" + secrets.token_hex(5)
        lead = self.o.embargo_seconds
        t0 = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=lead)
        story = draft(backend, f"Canary {canary} report", body=f"<p>Secret {canary} body.</p>")
        status, _h, payload, _s = transition(
            backend, story["id"], "schedule", {"when": t0.isoformat(), "embargo": True}
        )
        scheduled = json.loads(payload)
        slug_path = (
            urlsplit(scheduled.get("url") or "").path or f"/politics/canary-{canary}-report/"
        )
        surfaces = {
            "home": "/",
            "desk": "/politics/",
            "feed": "/feed/",
            "desk_feed": "/politics/feed.xml",
            "sitemap": "/sitemap.xml",
            "news_sitemap": "/sitemaps/news.xml",
            "api": "/api/stories",
            "search": f"/search/?q={canary}",
            "story": slug_path,
        }
        missing = "/politics/no-such-story-" + canary[4:] + "/"
        needles = [f"{canary} report".encode(), f"canary-{canary}-report".encode()]
        needles.append(f"Secret {canary}".encode())
        must_show = ["home", "desk", "feed", "desk_feed", "api", "story"]
        hits_before, tags_changed, fetches, parity = [], set(), 0, []
        first_seen: dict[str, float] = {}
        tags: dict[str, tuple] = {}
        load = self.load(backend, 100, lead + 8)
        deadline = t0.timestamp() + 8
        while time.time() < deadline:
            for name, path in surfaces.items():
                status, hdrs, body, _t = request(backend.base, "GET", path)
                fetches += 1
                date = (
                    email.utils.parsedate_to_datetime(hdrs["Date"]).timestamp()
                    if "Date" in hdrs
                    else time.time()
                )
                # The headline, slug and body; not the bare token, which the
                # search page echoes back from its own query.
                hit = any(needle in body for needle in needles)
                if date < t0.timestamp():
                    if hit:
                        hits_before.append(name)
                    tag = (hdrs.get("ETag"), hdrs.get("Last-Modified"))
                    if name in tags and tags[name] != tag and name not in {"search", "story"}:
                        tags_changed.add(name)
                    tags.setdefault(name, tag)
                    if name == "story":
                        other = request(backend.base, "GET", missing)[0]
                        parity.append((status, other))
                elif hit and name not in first_seen:
                    first_seen[name] = time.time() - t0.timestamp()
            time.sleep(0.25)
        load.join()
        stats = loadgen.summary(load.samples)
        row.duration_s, row.rps, row.latency, row.errors = lead + 8, 100, stats, stats["errors"]
        row.check(
            f"0 canary hits before T0 ({len(hits_before)} in {fetches} fetches: "
            f"{sorted(set(hits_before)) or 'none'})",
            not hits_before,
        )
        validators = (
            f"ETag/Last-Modified unchanged before T0 (changed: {sorted(tags_changed) or 'none'})"
        )
        if self.o.smoke:
            # Not gated in CI yet: these validators moved with time alone until they were
            # computed from content (site/http.py); the pg full run passes since, SQLite's
            # has not been re-run (docs/reliability.md). The deterministic F3 checks are in
            # the suite: masthead/tests/test_canary_walk.py, masthead/site/tests/test_http.py.
            row.check(validators + ": recorded, gated in the full run", None)
        else:
            row.check(validators, not tags_changed)
        row.check(
            f"story URL status = missing slug's before T0 ({sorted(set(parity))})",
            bool(parity) and all(a == b for a, b in parity),
        )
        late = {n: first_seen.get(n) for n in must_show}
        worst = max((v if v is not None else 1e9) for v in late.values())
        row.check(
            f"after T0 visible on every surface ({sum(v is not None for v in late.values())}"
            f"/{len(must_show)})",
            worst < 1e9,
        )
        self.timed(
            row,
            "after T0 visible on "
            + ", ".join(must_show)
            + f" ≤ 5 s (slowest {'never' if worst >= 1e9 else f'{worst:.2f} s'})",
            worst <= 5,
        )
        row.check("readers 0 errors under 100 req/s", not stats["errors"])
        row.note = (
            f"embargo T0 = now + {lead} s; canary in headline, slug and body (a tag must "
            f"exist first: not used); {len(surfaces)} surfaces every 250 ms"
        )
        return row

    # L4 ------------------------------------------------------------------------------------
    def L4(self, backend: Backend) -> Row:
        row = self.row("L4", backend.name)
        pids = self.h.tmp / f"failpoints-{backend.name}"
        pids.mkdir(exist_ok=True)
        name = f"masthead-{backend.name}-failpoints"
        base = self.h.serve(
            backend,
            name,
            env={
                "MASTHEAD_FAILPOINTS": "stories.publish.before_commit=sleep:3",
                "MASTHEAD_FAILPOINT_DIR": str(pids),
            },
        )
        fp = Backend(backend.name, backend.env, backend.data, base, backend.token, name)
        kills = self.o.kills
        load = loadgen.Load(base, 50, kills * 14 + 10, reader_mix(base)).start()
        respawn, partial, once, replay_supported, unreadable = [], [], [], None, []
        marker = pids / "stories.publish.before_commit.pid"
        for _n in range(kills):
            story = draft(fp, f"Kill {uuid.uuid4().hex[:6]}")
            key = str(uuid.uuid4())
            marker.unlink(missing_ok=True)
            before = self.h.procs.children(name)
            result: list = []
            thread = threading.Thread(
                target=lambda s=story, k=key, r=result: r.append(
                    transition(fp, s["id"], "publish", headers={"Idempotency-Key": k}, timeout=15)
                ),
                daemon=True,
            )
            thread.start()
            end = time.monotonic() + 10
            while not marker.exists() and time.monotonic() < end:
                time.sleep(0.02)
            if not marker.exists():
                raise RuntimeError("the publish never reached stories.publish.before_commit")
            victim = int(marker.read_text())
            if victim not in before:
                raise RuntimeError(f"pid {victim} is not a worker this run started ({before})")
            os.kill(victim, signal.SIGKILL)
            killed = time.monotonic()
            while True:
                now = self.h.procs.children(name)
                if len(now) >= len(before) and victim not in now:
                    respawn.append(time.monotonic() - killed)
                    break
                if time.monotonic() - killed > 10:
                    respawn.append(None)
                    break
                time.sleep(0.05)
            thread.join(20)
            # granian exits altogether ("Worker crash loop detected") when a worker
            # dies within 5.5 s of its respawn: the next kill waits that out, so the
            # scenario measures one kill at a time (docs/reliability.md, findings).
            time.sleep(6)
            # R3: nothing of the killed publish committed.
            for _try in range(50):  # the respawned worker may still be starting
                status, hdrs, payload, _t = request(
                    base, "GET", f"/api/desk/stories/{story['id']}", headers=auth(fp)
                )
                if status == 200:
                    break
                time.sleep(0.2)
            after = json.loads(payload) if status == 200 else {"status": f"HTTP {status} {hdrs}"}
            if status != 200:
                unreadable.append(story["id"])  # the server is gone: nothing to check
                break
            if after.get("status") != "in_edit" or after.get("url"):
                partial.append((story["id"], after.get("status")))
            # The retry with the same key (the failpoint still sleeps 3 s, then it commits).
            r1 = transition(
                fp, story["id"], "publish", headers={"Idempotency-Key": key}, timeout=15
            )
            r2 = transition(
                fp, story["id"], "publish", headers={"Idempotency-Key": key}, timeout=15
            )
            replayed = {k.lower(): v for k, v in r2[1].items()}.get("idempotent-replayed")
            if replay_supported is None:
                replay_supported = replayed == "true"
            once.append(r1[0] == 200 and (r2[0] == 200 and replayed == "true" and r2[2] == r1[2]))
        load.join()
        back_after = self._two_quick_deaths(name, base)
        self.h.procs.stop(name)
        stats = loadgen.summary(load.samples)
        row.duration_s, row.rps, row.latency, row.errors = (
            kills * 14 + 10,
            50,
            stats,
            stats["errors"],
        )
        row.check(
            f"R3: killed publish left nothing committed ({len(partial)} partial of {kills}"
            + (f"; server gone after story {unreadable[0]}" if unreadable else "")
            + ")",
            not partial and not unreadable,
        )
        good = [r for r in respawn if r is not None]
        row.check(f"worker respawned after every kill ({len(good)}/{kills})", len(good) == kills)
        if good:
            self.timed(row, f"worker respawned ≤ 2 s (max {max(good):.2f} s)", max(good) <= 2)
        failures = sum(stats["errors"].values())
        retried = load.retried
        row.check(
            f"reader failures ≤ in flight on the killed worker (≤ 4 threads × {kills} kills; "
            f"{failures}; {retried} GETs retried on a new connection)",
            failures <= 4 * kills,
        )
        if replay_supported:
            row.check(
                f"retry with the same Idempotency-Key: exactly one publish ({sum(once)}/{kills})",
                all(once),
            )
        else:
            row.check(
                "needs idempotency keys: the staff API does not replay (no Idempotent-Replayed)",
                None,
            )
        quick = "two kills within granian's 5.5 s crash-loop guard: `masthead serve` answers again"
        if back_after is None:
            row.check(f"{quick} (not within 30 s)", False)
        else:
            self.timed(row, f"{quick} ≤ 10 s ({back_after:.1f} s)", back_after <= 10)
        if backend.name == "sqlite":
            with contextlib.closing(
                sqlite3.connect(f"file:{backend.data / 'masthead.sqlite3'}?mode=ro", uri=True)
            ) as db:
                integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
                fks = db.execute("PRAGMA foreign_key_check").fetchall()
            row.check(
                f"SQLite integrity_check = {integrity}, foreign_key_check {len(fks)} rows",
                integrity == "ok" and not fks,
            )
        row.note = (
            f"{kills} kill -9 at stories.publish.before_commit (sleep 3 s); "
            "granian --respawn-failed-workers"
        )
        return row

    def _two_quick_deaths(self, name: str, base: str) -> float | None:
        """Kill a worker, and its replacement as soon as it is there: granian exits
        ("Worker crash loop detected") and `masthead serve` starts it again
        (masthead/serve_supervisor.py). Seconds until the hot page answers 200 again."""
        first = self.h.procs.children(name)
        if not first:
            return None
        os.kill(first[0], signal.SIGKILL)
        killed = time.monotonic()
        while time.monotonic() - killed < 10:
            respawned = [pid for pid in self.h.procs.children(name) if pid not in first]
            if respawned:
                os.kill(respawned[0], signal.SIGKILL)
                break
            time.sleep(0.05)
        time.sleep(1)  # granian notices and gives up; the supervisor's back-off starts
        while time.monotonic() - killed < 30:
            with contextlib.suppress(OSError, urllib.error.URLError):
                if urllib.request.urlopen(base + HOT, timeout=2).status == 200:
                    return time.monotonic() - killed
            time.sleep(0.1)
        return None

    # L10 -----------------------------------------------------------------------------------
    def L10(self, backend: Backend) -> Row:
        row = self.row("L10", backend.name)
        if backend.name != "sqlite":
            return None
        stop = threading.Event()
        written: list = []

        def writer():
            while not stop.is_set():
                status, _h, _payload, _t = request(
                    backend.base,
                    "POST",
                    "/api/desk/stories",
                    {
                        "headline": f"Backup write {uuid.uuid4().hex[:8]}",
                        "desk": "politics",
                        "body": "<p>x</p>",
                    },
                    auth(backend),
                )
                written.append((time.monotonic(), status))
                time.sleep(1)

        thread = threading.Thread(target=writer, daemon=True)
        thread.start()
        time.sleep(2)
        folder = self.h.tmp / "backup"
        before = self._count(backend)
        start = time.monotonic()
        self.h.masthead(backend, "backup", str(folder))
        backup_s = time.monotonic() - start
        after = self._count(backend)
        stop.set()
        thread.join(10)
        restored = Backend(
            "sqlite",
            backend_env("sqlite", self.h.tmp / "data-restored"),
            self.h.tmp / "data-restored",
        )
        start = time.monotonic()
        self.h.masthead(restored, "restore", str(folder))
        restore_s = time.monotonic() - start
        with contextlib.closing(sqlite3.connect(restored.data / "masthead.sqlite3")) as db:
            integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
            count = db.execute("SELECT count(*) FROM stories_story").fetchone()[0]
        restored.base = self.h.serve(restored, "masthead-restored", workers=1)
        pages = {p: request(restored.base, "GET", p)[0] for p in ("/", HOT, "/feed/")}
        self.h.procs.stop("masthead-restored")
        manifest = json.loads((folder / "manifest.json").read_text())
        row.duration_s = backup_s + restore_s
        row.check(f"backup {backup_s:.1f} s, restore {restore_s:.1f} s under 1 write/s", True)
        row.check(f"restored integrity_check = {integrity}", integrity == "ok")
        row.check(
            f"story count {count} within the snapshot's bounds [{before}, {after}]",
            before <= count <= after,
        )
        row.check(
            f"home, article and feed of the restored instance render ({pages})",
            set(pages.values()) == {200},
        )
        row.check(
            f"media manifest: {len(manifest.get('media', manifest.get('files', [])))} "
            "files checked by restore",
            True,
        )
        row.note = (
            "SQLite online backup API, never a file copy (masthead/backups.py); "
            "the cp-of-a-live-WAL-file negative test is not run"
        )
        return row

    def _count(self, backend: Backend) -> int:
        with contextlib.closing(
            sqlite3.connect(f"file:{backend.data / 'masthead.sqlite3'}?mode=ro", uri=True)
        ) as db:
            return db.execute("SELECT count(*) FROM stories_story").fetchone()[0]

    # L9 ------------------------------------------------------------------------------------
    def L9(self, backend: Backend) -> Row:
        row = self.row("L9", backend.name)
        count = self.o.scheduled
        tag = uuid.uuid4().hex[:6]
        stories = [draft(backend, f"Burst {tag} {n}") for n in range(count)]
        # Far enough ahead for every schedule call to land before it on a busy machine.
        lead = 10 + count // 2
        when = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=lead)
        for story in stories:
            transition(backend, story["id"], "schedule", {"when": when.isoformat()})
        time.sleep(max(0.0, when.timestamp() - time.time()) + 1)
        start = time.monotonic()
        found = {}
        while time.monotonic() - start < 60:
            for story in stories:
                if story["id"] in found:
                    continue
                _status, _h, payload, _t = request(
                    backend.base, "GET", f"/api/desk/stories/{story['id']}", headers=auth(backend)
                )
                data = json.loads(payload)
                if data.get("status") == "published":
                    found[story["id"]] = data
            if len(found) == count:
                break
            time.sleep(0.5)
        feed = fetch(backend.base, "/feed/")
        listed = re.findall(rf"Burst {tag} \d+", feed)
        at_schedule = [
            d
            for d in found.values()
            if d.get("published_at") and datetime.fromisoformat(d["published_at"]) == when
        ]
        row.duration_s = time.monotonic() - start + lead + 1
        row.check(
            f"{count} scheduled for one second all published by T+60 s ({len(found)})",
            len(found) == count,
        )
        row.check(
            f"exactly once in the feed ({len(listed)} listed, {len(set(listed))} distinct)",
            len(listed) == len(set(listed)),
        )
        row.check(
            f"published_at = the schedule ({len(at_schedule)}/{count})", len(at_schedule) == count
        )
        row.check(
            "kill a worker at T-5 s: n/a, a scheduled story goes public by the clock "
            "with no worker (services.schedule_story)",
            None,
        )
        return row

    # L13 -----------------------------------------------------------------------------------
    def L13(self, backend: Backend) -> Row:
        row = self.row("L13", backend.name)
        if backend.name != "pg":
            return None
        b = self.h.serve(backend, "masthead-pg-b", workers=1)
        poller = storm.Poller([b], 50, 5)
        times = []
        for _n in range(self.o.servers_publishes):
            story = draft(backend, f"Two servers {uuid.uuid4().hex[:6]}")
            sent = time.monotonic()
            _s, _h, payload, _t = transition(backend, story["id"], "publish")
            path = urlsplit(json.loads(payload)["url"]).path
            seen = poller.visible(
                {"home": "/", "desk": "/politics/", "feed": "/feed/"}, path.encode(), sent
            )
            times.append(max((v if v is not None else 1e9) for v in seen.values()))
        poller.pool.shutdown(wait=False, cancel_futures=True)
        self.h.procs.stop("masthead-pg-b")
        row.duration_s = sum(times)
        row.check(
            f"published on A, visible on B ≤ 1 s (max {max(times):.2f} s over {len(times)})",
            max(times) <= 1,
        )
        row.check(
            "F1 privacy, locks, exactly-once across instances: masthead/tests "
            "(one database), not re-run here",
            None,
        )
        row.note = (
            "A: 2 workers, B: 1 worker, on one PostgreSQL + Redis; 3 server processes share 2 cores"
        )
        return row

    # L12 -----------------------------------------------------------------------------------
    def L12(self, backend: Backend) -> Row:
        row = self.row("L12", backend.name)
        seconds = 30
        port = urlsplit(backend.base).port

        async def hold():
            conns = []
            for _ in range(300):
                with contextlib.suppress(OSError):
                    reader, writer = await asyncio.open_connection("127.0.0.1", port)
                    writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
                    conns.append((reader, writer))
            slow = []
            for _ in range(50):
                with contextlib.suppress(OSError):
                    reader, writer = await asyncio.open_connection("127.0.0.1", port)
                    writer.write(
                        b"POST /search/ HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n"
                    )
                    slow.append(writer)
            end = time.monotonic() + seconds
            while time.monotonic() < end:
                for writer in slow:
                    if not writer.is_closing():  # the server may have given up on it
                        writer.write(b"a")
                await asyncio.sleep(1)
            for _r, writer in conns:
                writer.close()
            for writer in slow:
                writer.close()

        attackers = threading.Thread(target=lambda: asyncio.run(hold()), daemon=True)
        attackers.start()
        time.sleep(2)
        load = self.load(backend, 200, seconds - 4).join()
        attackers.join(seconds + 10)
        stats = loadgen.summary(load.samples)
        limit = 2 * self.baseline_p99.get(backend.name, 30)
        row.duration_s, row.rps, row.latency, row.errors = seconds, 200, stats, stats["errors"]
        row.check(
            f"with 300 idle keep-alive + 50 slowloris: p99 ≤ 2×L1 = {ms(limit)} ms "
            f"({ms(stats['p99'])})",
            (stats["p99"] or 1e9) <= limit,
        )
        row.check(f"0 reader errors ({stats['errors']})", not stats["errors"])
        return row

    # R6, R10, E8: the threat rows of RELIABILITY.md §2 run live ------------------------------
    def R6(self, backend: Backend) -> Row:
        """20 editors save at once (10 on their own story, 10 on one shared story) for 20 s
        beside 100 req/s of readers, on the embedded deployment: 200/409/412 only, never the
        503 a lock not given up within the busy timeout becomes (masthead/database_outage.py)."""
        row = self.row("R6", backend.name)
        if backend.name != "sqlite":
            return None
        seconds = 20
        database = backend.data / "masthead.sqlite3"
        with contextlib.closing(
            sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5)
        ) as db:
            journal = db.execute("PRAGMA journal_mode").fetchone()[0]
        own = [draft(backend, f"Editor {n} {uuid.uuid4().hex[:6]}")["id"] for n in range(10)]
        shared = draft(backend, f"Shared {uuid.uuid4().hex[:6]}")["id"]
        statuses: list[int] = []
        slowest = [0.0]
        end = time.monotonic() + seconds

        def editor(n: int, story_id: int) -> None:
            while time.monotonic() < end:
                status, _h, payload, _t = request(
                    backend.base, "GET", f"/api/desk/stories/{story_id}", headers=auth(backend)
                )
                if status != 200:
                    statuses.append(status)
                    continue
                current = json.loads(payload)
                body = {
                    **current["content"],
                    "base_revision": current["latest_revision"],
                    "body": f"<p>editor {n} at {time.time():.3f}</p>" * 20,
                }
                status, _h, _p, took = request(
                    backend.base, "PUT", f"/api/desk/stories/{story_id}", body, auth(backend)
                )
                statuses.append(status)
                slowest[0] = max(slowest[0], took)

        editors = [threading.Thread(target=editor, args=(n, own[n])) for n in range(10)]
        editors += [threading.Thread(target=editor, args=(n, shared)) for n in range(10, 20)]
        load = self.load(backend, 100, seconds)
        for thread in editors:
            thread.start()
        for thread in editors:
            thread.join(seconds + 30)
        load.join()
        stats = loadgen.summary(load.samples)
        log_text = (self.h.procs.logs / f"{backend.server}.log").read_text(errors="replace")
        locked_in_log = log_text.count("database is locked")
        by_status = {s: statuses.count(s) for s in sorted(set(statuses))}
        bad = {s: n for s, n in by_status.items() if s not in (200, 409, 412)}
        row.duration_s, row.rps, row.latency = seconds, 100, stats
        row.errors = {**stats["errors"], **{f"save {s}": n for s, n in bad.items()}}
        row.check(f"PRAGMA journal_mode = wal ({journal})", journal == "wal")
        row.check(
            f"saves answered only 200/409/412 ({by_status}; {by_status.get(200, 0)} saved)",
            not bad and by_status.get(200, 0) > 0,
        )
        row.check(f'0 "database is locked" in the server log ({locked_in_log})', not locked_in_log)
        row.check(f"readers 0 errors ({stats['errors']})", not stats["errors"])
        self.timed(row, f"slowest save ≤ 5 s ({slowest[0]:.2f} s)", slowest[0] <= 5)
        row.note = (
            "20 editor threads through the staff API (GET, then PUT with base_revision) for "
            f"{seconds} s, 10 on their own story and 10 on one shared story; 100 req/s readers"
        )
        return row

    def _staff_cookies(self, backend: Backend, base: str) -> tuple[str, str]:
        """A signed-in session for the demo's chief (made in the database, no password),
        and the CSRF token of the media library's form: (Cookie header, token)."""
        code = (
            "from importlib import import_module\n"
            "from django.conf import settings\n"
            "from django.contrib import auth\n"
            "user = auth.get_user_model().objects.get(username='chief')\n"
            "store = import_module(settings.SESSION_ENGINE).SessionStore()\n"
            "store[auth.SESSION_KEY] = str(user.pk)\n"
            "store[auth.BACKEND_SESSION_KEY] = [\n"
            "    b for b in settings.AUTHENTICATION_BACKENDS if 'axes' not in b.lower()][0]\n"
            "store[auth.HASH_SESSION_KEY] = user.get_session_auth_hash()\n"
            "store.save()\n"
            "print(settings.SESSION_COOKIE_NAME, store.session_key)\n"
        )
        name, key = self.h.masthead(backend, "manage", "shell", "-c", code).split()[-2:]
        cookie = f"{name}={key}"
        status, headers, page, _t = request(base, "GET", "/desk/media/", headers={"Cookie": cookie})
        if status != 200:
            raise RuntimeError(f"/desk/media/ as chief: HTTP {status}")
        found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        csrf = re.search(r"csrftoken=([^;]+)", ", ".join(headers.get_all("Set-Cookie") or []))
        if not found or not csrf:
            raise RuntimeError("no CSRF token on /desk/media/")
        return f"{cookie}; csrftoken={csrf.group(1)}", found.group(1).decode()

    def R10(self, backend: Backend) -> Row:
        """A full disk: a second server on the same data folder whose processes may not write
        past 256 KB into any file (RLIMIT_FSIZE through prlimit; Python ignores SIGXFSZ, so
        a write fails with EFBIG). Image uploads and saves that need room must fail with a
        clear answer, the database must stay intact, and reads must go on."""
        row = self.row("R10", backend.name)
        if backend.name != "sqlite":
            return None
        limit = 256 * 1024
        database = backend.data / "masthead.sqlite3"
        story = draft(backend, f"Disk full {uuid.uuid4().hex[:6]}")
        with contextlib.closing(sqlite3.connect(database, timeout=10)) as db:
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the WAL starts from 0 bytes
        port = free_port()
        name = f"{backend.server}-full"
        start = time.monotonic()
        self.h.procs.start(
            name,
            [
                "prlimit",
                f"--fsize={limit}",
                "--",
                str(VENV / "masthead"),
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                "1",
                "--threads",
                "2",
            ],
            # The media library's form as a signed-in chief: no second factor on this bench.
            env={**backend.env, "REQUIRE_2FA_FOR": "none"},
        )
        full = Backend(backend.name, backend.env, backend.data, f"http://127.0.0.1:{port}")
        full.token, full.server = backend.token, name
        try:
            deadline = time.monotonic() + 120
            while request(full.base, "GET", HOT, timeout=5)[0] != 200:
                if time.monotonic() > deadline or self.h.procs.live[name].poll() is not None:
                    raise RuntimeError(
                        f"{name} did not answer (log {self.h.procs.logs}/{name}.log)"
                    )
                time.sleep(0.3)
            # An image of ~1 MB through the media library: more than the disk takes.
            cookie, token = self._staff_cookies(backend, full.base)
            image = _noise_png(600)
            boundary = uuid.uuid4().hex
            parts = (
                (
                    f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"'
                    f"\r\n\r\n{token}\r\n--{boundary}\r\nContent-Disposition: form-data; "
                    f'name="desk"\r\n\r\n\r\n--{boundary}\r\nContent-Disposition: form-data; '
                    f'name="files"; filename="full-disk.png"\r\nContent-Type: image/png\r\n\r\n'
                ).encode()
                + image
                + f"\r\n--{boundary}--\r\n".encode()
            )
            upload = urllib.request.Request(
                full.base + "/desk/media/upload/",
                data=parts,
                method="POST",
                headers={
                    "Cookie": cookie,
                    "Content-Type": f"multipart/form-data; boundary={boundary}",
                    "Referer": full.base + "/desk/media/",
                },
            )
            try:
                with urllib.request.urlopen(upload, timeout=30) as answer:
                    up_status, up_body = answer.status, answer.read()
            except urllib.error.HTTPError as error:
                up_status, up_body = error.code, error.read()
            # Saves of ~150 KB each until one does not fit.
            _s, _h, payload, _t = request(
                full.base, "GET", f"/api/desk/stories/{story['id']}", headers=auth(full)
            )
            current = json.loads(payload)
            saved, failure, text = 0, None, ""
            for n in range(12):
                text = f"<p>Kept text {n} {uuid.uuid4().hex}</p>" + "<p>filler words</p>" * 8000
                body = {**current["content"], "base_revision": current["latest_revision"]}
                status, _h, answer, _t = request(
                    full.base,
                    "PUT",
                    f"/api/desk/stories/{story['id']}",
                    {**body, "body": text},
                    auth(full),
                    timeout=30,
                )
                if status != 200:
                    failure = (status, answer)
                    break
                saved += 1
                current = json.loads(answer)
            reads = [request(full.base, "GET", path)[0] for path in ("/", HOT, "/feed/")] * 3
        finally:
            self.h.procs.stop(name)
        row.duration_s = time.monotonic() - start
        with contextlib.closing(sqlite3.connect(database, timeout=10)) as db:
            integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
        _s, _h, payload, _t = request(
            backend.base, "GET", f"/api/desk/stories/{story['id']}", headers=auth(backend)
        )
        kept = json.loads(payload)["content"]["body"]
        log_text = (self.h.procs.logs / f"{name}.log").read_text(errors="replace")
        row.check(
            f"image upload on a full disk: 503 that says the disk is full, no 500 ({up_status}: "
            f"{_visible_text(up_body)[:160]!r})",
            up_status == 503 and b"disk is full" in up_body and b"Traceback" not in up_body,
        )
        if failure is None:
            row.check(f"a save that needs room fails ({saved} saves of ~150 KB fitted)", False)
        else:
            status, answer = failure
            row.check(
                f"a save that needs room fails with 503 problem details, not 500 (after {saved}: "
                f"{status} {_visible_text(answer)[:200]!r})",
                status == 503 and b"disk is full" in answer and b"Traceback" not in answer,
            )
            row.check(
                "the failed save changed nothing: the story holds the last saved text",
                (saved == 0 and "Kept text" not in kept) or f"Kept text {saved - 1} " in kept,
            )
        row.check(f"integrity_check afterwards = {integrity}", integrity == "ok")
        row.check(f"reads go on while the disk is full ({reads})", set(reads) == {200})
        row.note = (
            f"RLIMIT_FSIZE {limit // 1024} KB on a second `masthead serve` (prlimit), same "
            f"data folder; {log_text.count('Traceback')} tracebacks in its log"
        )
        return row

    def E8(self, backend: Backend) -> Row:
        """Hostile bodies at the sign-in form (its CSRF check reads the body before anything
        else): 10,000 fields, 1,000 files, an endless chunked body, and more slow bodies
        (1 byte/s) than the server has threads. Each is refused within its limit and the
        server answers a normal request afterwards."""
        row = self.row("E8", backend.name)
        if backend.name != "sqlite":
            return None
        start = time.monotonic()
        port = urlsplit(backend.base).port
        status, headers, page, _t = request(backend.base, "GET", "/account/login/")
        found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        csrf = re.search(r"csrftoken=([^;]+)", ", ".join(headers.get_all("Set-Cookie") or []))
        if status != 200 or not found or not csrf:
            raise RuntimeError(f"/account/login/: HTTP {status}, no CSRF token")
        token, cookie = found.group(1).decode(), f"csrftoken={csrf.group(1)}"
        head = (
            "POST /account/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Cookie: {cookie}\r\nReferer: {backend.base}/account/login/\r\n"
        )

        def post(body: bytes, content_type: str) -> tuple[int, float]:
            sent = urllib.request.Request(
                backend.base + "/account/login/",
                data=body,
                method="POST",
                headers={"Cookie": cookie, "Content-Type": content_type},
            )
            began = time.monotonic()
            try:
                with urllib.request.urlopen(sent, timeout=30) as answer:
                    return answer.status, time.monotonic() - began
            except urllib.error.HTTPError as error:
                return error.code, time.monotonic() - began

        fields = f"csrfmiddlewaretoken={token}&" + "&".join(f"f{n}=1" for n in range(10_000))
        many_fields = post(fields.encode(), "application/x-www-form-urlencoded")
        boundary = uuid.uuid4().hex
        files = f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"'
        files += f"\r\n\r\n{token}\r\n"
        files += "".join(
            f'--{boundary}\r\nContent-Disposition: form-data; name="f{n}"; filename="{n}.txt"'
            f"\r\nContent-Type: text/plain\r\n\r\nx\r\n"
            for n in range(1_000)
        )
        many_files = post(
            f"{files}--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"
        )

        # An endless chunked body: 64 KB chunks for up to 15 s.
        endless = _endless_chunked(port, head, 15)
        # More slow bodies than threads (2 workers × 4): 1 byte/s of a 100-byte form.
        slow_seconds = 40
        results: list = []

        def slow() -> None:
            results.append(_slow_body(port, head, 100, slow_seconds))

        slows = [threading.Thread(target=slow) for _ in range(10)]
        for thread in slows:
            thread.start()
        probes = []
        probes_began = time.monotonic() - start
        probe_end = time.monotonic() + 30
        while time.monotonic() < probe_end and any(t.is_alive() for t in slows):
            status, _h, _b, took = request(backend.base, "GET", "/healthz", timeout=5)
            probes.append((time.monotonic() - start, status, took))
            time.sleep(1)
        for thread in slows:
            thread.join(slow_seconds + 10)
        after = request(backend.base, "GET", "/account/login/", timeout=5)
        row.duration_s = time.monotonic() - start
        refused = {400, 408, 413}
        row.check(
            f"10,000 fields → 400 ({many_fields[0]} in {many_fields[1]:.2f} s)",
            many_fields[0] == 400,
        )
        row.check(
            f"1,000 files → 400 ({many_files[0]} in {many_files[1]:.2f} s)", many_files[0] == 400
        )
        row.check(
            f"endless chunked body: answered or cut off ≤ 15 s ({endless})",
            endless["answer"] is not None or endless["closed"] is not None,
        )
        answered = [r for r in results if r["status"] in refused or r["closed"] is not None]
        slowest = max((r["at"] for r in results), default=0)
        row.check(
            f"10 bodies at 1 byte/s: each refused (408) or cut off by the server ≤ 30 s "
            f"({len(answered)}/10, statuses {sorted(r['status'] for r in results)}, "
            f"last at {slowest:.1f} s)",
            len(answered) == 10 and slowest <= 30,
        )
        # The threads are held until the body deadline (REQUEST_BODY_TIMEOUT, 10 s) has
        # passed; after it (and a margin for the queue of 10 bodies on 8 threads) every
        # probe must be answered.
        freed_after = 10 + 5
        late = [p for p in probes if p[0] - probes_began > freed_after] if probes else []
        during = [p for p in probes if p[0] - probes_began <= freed_after]
        row.check(
            f"a normal request succeeds after them ({after[0]} in {after[3]:.2f} s)",
            after[0] == 200,
        )
        self.timed(
            row,
            f"the worker is freed: /healthz every 1 s answered 200 ≤ 5 s from "
            f"{freed_after} s on ({sum(p[1] == 200 for p in late)}/{len(late)}; in the first "
            f"{freed_after} s {sum(p[1] == 200 for p in during)}/{len(during)})",
            all(p[1] == 200 for p in late),
        )
        row.note = "sign-in form with its CSRF cookie; Django's and Masthead's limits, granian"
        return row

    # L7, L11, L14: where they are proven ---------------------------------------------------------
    def L7(self, backend: Backend) -> Row:
        row = self.row("L7", backend.name)
        story = draft(backend, f"Two editors {uuid.uuid4().hex[:6]}")
        _status, _h, payload, _t = request(
            backend.base, "GET", f"/api/desk/stories/{story['id']}", headers=auth(backend)
        )
        current = json.loads(payload)
        base_revision = current.get("latest_revision")
        if base_revision is None:
            row.check("the desk API answer names no revision to save against", False)
            return row
        # A full replacement: every field as GET gave it (StoryUpdateIn), the body changed.
        body = {**current["content"], "base_revision": base_revision}
        results: list = []

        def save(n):
            results.append(
                request(
                    backend.base,
                    "PUT",
                    f"/api/desk/stories/{story['id']}",
                    {**body, "body": f"<p>editor {n}</p>"},
                    auth(backend),
                )[0]
            )

        threads = [threading.Thread(target=save, args=(n,)) for n in range(50)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        ok = results.count(200)
        conflicts = sum(1 for s in results if s in (409, 412))
        row.check(
            f"50 saves on one base: exactly 1 × 2xx ({ok}), 49 × 409/412 ({conflicts}); "
            f"others {sorted(set(results) - {200, 409, 412})}",
            ok == 1 and conflicts == 49,
        )
        row.check(
            "(b) Chromium conflict view and (c) stale lock take-over: "
            "browser tests in masthead/backoffice/tests",
            None,
        )
        return row

    def L11(self, backend: Backend) -> Row:
        """Representative migrations on a large stories table under reader load
        (bench/l11_migrations); its size from FAULTS_L11_STORIES (default 100,000)."""
        row = self.row("L11", backend.name)
        count = int(os.environ.get("FAULTS_L11_STORIES") or 100_000)
        env = {**backend.env, "MASTHEAD_L11_APP": "1"}
        started = time.monotonic()
        subprocess.run(  # without the L11 app: generate.py migrates first
            [str(VENV / "python"), str(BENCH / "generate.py"), "--stories", str(count)],
            env=backend.env,
            capture_output=True,
            check=True,
            timeout=1800,
        )
        generated = time.monotonic() - started

        def migrate(target: str, hold: float = 25):
            """Run ``migrate l11_migrations target`` under 100 req/s of readers; the
            readers' samples while it ran, its seconds and its result."""
            load = self.load(backend, 100, hold)
            time.sleep(2)
            begin = time.monotonic() - load.started
            result = subprocess.run(
                [str(VENV / "masthead"), "manage", "migrate", "l11_migrations", target],
                env=env,
                capture_output=True,
                text=True,
                timeout=1800,
                check=False,
            )
            end = time.monotonic() - load.started
            load.join()
            window = load.window(begin, end + 0.5)
            slow = [f"+{due - begin:.2f}: {took:.2f}" for due, took, _ in window if took > 0.25]
            if slow:  # when in the step: the migrate's start, its DDL, its commit
                log(f"L11 {target} ({end - begin:.1f} s), readers > 0.25 s: {', '.join(slow)}")
            return window, end - begin, result

        if backend.name == "sqlite":
            steps = [("0002", "nullable column"), ("0003", "index"), ("0004", "batched backfill")]
            steps.append(("0006", "table rebuild"))
        else:
            steps = [
                ("0002", "nullable column"),
                ("0003", "AddIndexConcurrently"),
                ("0004", "batched backfill"),
            ]
        # Warm the caches the generation left cold (PostgreSQL's buffers, the page
        # cache): the criterion is about the DDL, not about the first reads of new rows.
        self.load(backend, 100, 10).join()
        timings, worst = [], 0.0
        for target, what in steps:
            if target == "0006":  # 0005 first, outside the measured step
                self.h.masthead(backend, "manage", "migrate", "l11_migrations", "0005", env=env)
            samples, seconds, result = migrate(target)
            if result.returncode:
                raise RuntimeError(f"migrate {target}: {result.stderr[-500:]}")
            stats = loadgen.summary(samples)
            slowest = max((s[1] for s in samples), default=0)
            worst = max(worst, slowest)
            timings.append(
                f"{what} {seconds:.1f} s (readers p99 {ms(stats['p99'])}, max "
                f"{slowest * 1000:.0f} ms, {stats['errors']} errors of {len(samples)})"
            )
        row.duration_s = round(time.monotonic() - started)
        row.rps = 100
        row.check(
            f"reader requests not blocked > 1 s by the DDL (slowest {worst:.2f} s)", worst <= 1
        )
        if backend.name == "pg":
            self._long_reader_stops_the_migration(backend, env, row, migrate)
        else:
            rebuild = [t for t in timings if t.startswith("table rebuild")]
            row.check(f"SQLite table rebuild recorded: {rebuild[0].split(' (')[0]}", None)
        row.note = (
            f"{count:,} generated stories ({generated:.0f} s, bench/generate.py) plus the demo; "
            + "; ".join(timings)
        )
        return row

    def _long_reader_stops_the_migration(self, backend, env, row, migrate) -> None:
        """0005 (ADD COLUMN) while a read transaction holds the table for 30 s: it must
        stop on lock_timeout (2 s) with a clear message, not queue the readers."""
        # What `migrate` costs with nothing to do (Python and Django starting on a
        # loaded machine): the rest of a failed run is its wait for the lock.
        idle = time.monotonic()
        self.h.masthead(backend, "manage", "migrate", "l11_migrations", "0004", env=env)
        idle = time.monotonic() - idle
        psql = str(self.h.services.pg_bin / "psql")
        to = ["-h", "127.0.0.1", "-p", str(PG_PORT), "-U", "postgres", "-d", "masthead"]
        hold = ["BEGIN", "SELECT count(*) FROM stories_story", "SELECT pg_sleep(30)", "COMMIT"]
        commands = [part for sql in hold for part in ("-c", sql)]
        self.h.procs.start("l11-long-reader", [psql, *to, *commands])
        try:
            time.sleep(2)
            samples, seconds, result = migrate("0005")
            # The reader ends on its own (its 30 s), as a report would: then 0005 goes in.
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.h.procs.live["l11-long-reader"].wait(40)
        finally:
            self.h.procs.stop("l11-long-reader", wait=5)
        said = (result.stderr.strip().splitlines() or [""])[-1]
        waited = seconds - idle
        row.check(
            f"with a 30 s read transaction open, ADD COLUMN fails fast: exit "
            f"{result.returncode} after {seconds:.1f} s, {waited:.1f} s more than a migrate "
            f"with nothing to do ({idle:.1f} s)",
            result.returncode != 0 and waited <= 5,
        )
        clear = "waited 2000 ms for a table lock" in result.stderr
        row.check(f'… with a clear message ("{said[:160]}…")', clear)
        stats = loadgen.summary(samples)
        slowest = max((s[1] for s in samples), default=0)
        row.check(
            f"readers while it waited: p99 {ms(stats['p99'])}, slowest {slowest:.2f} s, "
            f"{stats['errors']} errors of {len(samples)} (queued behind the lock ≤ lock_timeout)",
            slowest <= 2.5,
        )
        again = subprocess.run(
            [str(VENV / "masthead"), "manage", "migrate", "l11_migrations", "0005"],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        row.check("applied once the reader finished (exit 0)", again.returncode == 0)

    def L14(self, backend: Backend) -> Row:
        """A server whose clock runs 90 s ahead releases no embargoed story early."""
        row = self.row("L14", backend.name)
        if backend.name != "pg":
            return None  # SQLite's processes share one machine's clock: nothing to skew
        skew, lead = 90, self.o.embargo_seconds
        # B: the skewed server, releasing by the release clock of its backend (the
        # database's on PostgreSQL). C, the control: skewed too, on its own clock.
        servers = {"skewed": "masthead-l14-skewed", "control": "masthead-l14-control"}
        bases = {
            "skewed": self.h.serve(
                backend, servers["skewed"], workers=1, env={"MASTHEAD_CLOCK_SKEW_SECONDS": "90"}
            ),
            "control": self.h.serve(
                backend,
                servers["control"],
                workers=1,
                env={"MASTHEAD_CLOCK_SKEW_SECONDS": "90", "RELEASE_CLOCK": "process"},
            ),
        }
        try:
            canary = "skew" + secrets.token_hex(5)
            t0 = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=lead)
            story = draft(backend, f"Skew {canary} report", body=f"<p>Secret {canary}.</p>")
            status, _h, payload, _s = transition(
                backend, story["id"], "schedule", {"when": t0.isoformat(), "embargo": True}
            )
            if status != 200:
                raise RuntimeError(f"schedule: HTTP {status}: {payload[:200]!r}")
            path = urlsplit(json.loads(payload).get("url") or "").path
            surfaces = {"home": "/", "desk": "/politics/", "feed": "/feed/", "story": path}
            surfaces["api"] = "/api/stories"
            needles = [f"{canary} report".encode(), f"Secret {canary}".encode()]
            early: dict[str, list] = {"skewed": [], "control": []}
            seen: dict[str, float | None] = {"skewed": None, "control": None}
            fetches = 0
            while time.time() < t0.timestamp() + 8:
                for who, base in bases.items():
                    for name, url in surfaces.items():
                        sent = time.time()
                        _st, _hd, body, _t = request(base, "GET", url)
                        fetches += 1
                        if not any(n in body for n in needles):
                            continue
                        # Early if the request was sent before T0 by the harness's clock.
                        if sent < t0.timestamp():
                            early[who].append((name, round(t0.timestamp() - sent, 1)))
                        elif seen[who] is None:
                            seen[who] = time.time() - t0.timestamp()
                time.sleep(0.25)
        finally:
            for name in servers.values():
                self.h.procs.stop(name)
        row.duration_s = lead + 8
        worst = max((s for _n, s in early["skewed"]), default=0)
        row.check(
            f"server {skew} s ahead, released by the database clock: 0 early hits "
            f"({len(early['skewed'])} in {fetches // 2} fetches; earliest {worst} s before T0)",
            not early["skewed"],
        )
        released = seen["skewed"]
        after = "never" if released is None else f"{released:.2f} s"
        self.timed(
            row,
            f"… and released after T0 ≤ 5 s ({after})",
            released is not None and released <= 5,
        )
        control = max((s for _n, s in early["control"]), default=0)
        row.check(
            "the control (same skew, RELEASE_CLOCK=process) released it early, so the check "
            f"can fail ({len(early['control'])} early hits, earliest {control} s before T0)",
            bool(early["control"]),
        )
        row.note = (
            "DST (Europe/London), +03:30 (Asia/Tehran), leap day, year change, Nowruz: "
            "time-machine tests, masthead/stories/tests/test_release_calendar.py; "
            f"embargo T0 = now + {lead} s, scheduled through A (true clock); B and C "
            f"(1 worker each) run {skew} s ahead (MASTHEAD_CLOCK_SKEW_SECONDS, bench settings); "
            f"home, desk, feed, API list and the story's URL every 250 ms on each"
        )
        return row


# --- R10, E8: raw bodies and files -----------------------------------------------------------
def _noise_png(side: int) -> bytes:
    """A PNG of random pixels (it does not compress): about 3 × side² bytes."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(out, "PNG")
    return out.getvalue()


def _visible_text(body: bytes) -> str:
    """A page's or problem's words, for a row: tags and spaces squeezed."""
    text = re.sub(r"<(script|style|head)\b.*?</\1>", " ", body.decode(errors="replace"), flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text)).strip()


def _status_of(data: bytes) -> int | None:
    found = re.match(rb"HTTP/1\.1 (\d{3})", data)
    return int(found.group(1)) if found else None


def _endless_chunked(port: int, head: str, seconds: float) -> dict:
    """Send 64 KB chunks for up to ``seconds``; when the answer came, when the server closed."""
    began = time.monotonic()
    seen = {"answer": None, "at": None, "closed": None, "sent_mb": 0.0}
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.settimeout(0.2)
        sock.sendall((head + "Content-Type: application/x-www-form-urlencoded\r\n").encode())
        sock.sendall(b"Transfer-Encoding: chunked\r\n\r\n")
        chunk = b"%x\r\n" % 65536 + b"a" * 65536 + b"\r\n"
        while time.monotonic() - began < seconds:
            try:
                sock.sendall(chunk)
                seen["sent_mb"] = round(seen["sent_mb"] + 0.0625, 2)
            except OSError:
                seen["closed"] = round(time.monotonic() - began, 2)
                break
            try:
                data = sock.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                data = b""
            if not data:
                seen["closed"] = round(time.monotonic() - began, 2)
                break
            if seen["answer"] is None:
                seen["answer"], seen["at"] = _status_of(data), round(time.monotonic() - began, 2)
    return seen


def _slow_body(port: int, head: str, length: int, seconds: float) -> dict:
    """A form body of ``length`` bytes at 1 byte/s for up to ``seconds``."""
    began = time.monotonic()
    seen = {"status": None, "at": seconds, "closed": None}
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.settimeout(1)
        sock.sendall(
            (
                head + "Content-Type: application/x-www-form-urlencoded\r\n"
                f"Content-Length: {length}\r\n\r\n"
            ).encode()
        )
        while time.monotonic() - began < seconds:
            try:
                sock.sendall(b"a")
                data = sock.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                data = b""
            seen["at"] = round(time.monotonic() - began, 2)
            if data:
                seen["status"] = _status_of(data)
            else:
                seen["closed"] = seen["at"]
            break
    return seen


PLANS = {
    # scenario -> backends it runs on
    "full": {
        "L1": ["sqlite", "pg"],
        "L2": ["sqlite", "pg"],
        "L3": ["sqlite", "pg"],
        "L5": ["pg"],
        "L6": ["pg"],
        "L8": ["sqlite", "pg"],
        "L4": ["sqlite", "pg"],
        "L10": ["sqlite"],
        "L9": ["pg"],
        "L13": ["pg"],
        "L12": ["sqlite"],
        "L7": ["pg"],
        "L11": ["pg", "sqlite"],
        "L14": ["pg"],
        "R6": ["sqlite"],
        "R10": ["sqlite"],
        "E8": ["sqlite"],
    },
    "smoke": {"L1": ["pg"], "L2": ["pg"], "L6": ["pg"], "L8": ["pg"], "L4": ["pg"]},
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="CI's subset, ≤ 3 min")
    parser.add_argument("--only", default="", help="comma-separated scenarios, e.g. L1,L6")
    parser.add_argument("--backends", default="sqlite,pg")
    parser.add_argument(
        "--write-docs", action="store_true", help="put the table in docs/reliability.md"
    )
    options = parser.parse_args()
    smoke = options.smoke
    options.seconds = 10 if smoke else 30  # L1
    options.publishes = 12 if smoke else 30  # L2 at 1/s
    options.redis_hold = 5 if smoke else 10  # L6
    options.embargo_seconds = 12 if smoke else 30  # L8
    options.kills = 3 if smoke else 6  # L4
    options.scheduled = 30  # L9
    options.servers_publishes = 10  # L13
    plan = PLANS["smoke" if smoke else "full"]
    wanted = [s for s in ORDER if s in plan and (not options.only or s in options.only.split(","))]
    backends = options.backends.split(",")
    if wanted and "L1" not in wanted and any(s.startswith("L") for s in wanted):
        wanted.insert(0, "L1")  # later limits are relative to L1's p99
    harness = Harness(options)
    suite = Suite(harness, options)
    started = time.monotonic()
    previous = signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        needed = sorted({n for s in wanted for n in plan[s] if n in backends})
        # Both demos at once: setting up is a third of the run otherwise.
        with ThreadPoolExecutor(max_workers=2) as pool:
            list(pool.map(harness.prepare, needed))
        for scenario in wanted:
            for name in plan[scenario]:
                if name not in backends:
                    continue
                backend = harness.prepare(name)
                log(f"{scenario} on {name}")
                try:
                    row = getattr(suite, scenario)(backend)
                except Exception as error:
                    traceback.print_exc()
                    row = suite.row(scenario, name)
                    row.check(f"the scenario raised {type(error).__name__}: {error}", False)
                if row is None:
                    continue
                suite.rows.append(row)
                print(row.markdown(), flush=True)
    finally:
        harness.close()
        signal.signal(signal.SIGTERM, previous)
    total = time.monotonic() - started
    table = HEADER + "\n" + "\n".join(row.markdown() for row in suite.rows)
    (harness.out / "table.md").write_text(table + "\n")
    (harness.out / "rows.json").write_text(
        json.dumps([asdict(r) | {"verdict": r.verdict} for r in suite.rows], indent=1)
    )
    print("\n" + table)
    log(f"{len(suite.rows)} rows in {total:.0f} s; output in {harness.out}")
    if options.write_docs:
        write_docs(table, suite.command, total, suite.commit)
    failed = [f"{r.scenario}/{r.backend}" for r in suite.rows if r.verdict == "FAIL"]
    if failed:
        log("FAILED: " + ", ".join(failed))
    return 1 if failed else 0


def write_docs(table: str, command: str, total: float, revision: str) -> None:
    doc = ROOT / "docs" / "reliability.md"
    text = doc.read_text()
    begin, end = "<!-- faults:begin -->", "<!-- faults:end -->"
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    block = (
        f"{begin}\nProduced by `{command} --write-docs` on {stamp} in {total / 60:.1f} min, "
        f"commit {revision}:\n\n{table}\n{end}"
    )
    doc.write_text(
        re.sub(re.escape(begin) + ".*?" + re.escape(end), lambda _m: block, text, flags=re.S)
    )


if __name__ == "__main__":
    sys.exit(main())
