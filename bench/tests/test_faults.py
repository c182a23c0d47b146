"""The fault suite's parts (bench/fault_proxy.py, bench/loadgen.py) and its CI smoke (bench/faults).

The proxy and the load client are checked against real loopback servers, in
bytes and counts rather than in time (a slow machine changes nothing, except
the latency mode, whose bound is a lower one).

``test_smoke`` runs ``bench/faults --smoke`` (RELIABILITY.md §3.1: L2 short,
L4 with 3 kills, L6, L8 with one canary; ≤ 3 min) and fails if any of its
criteria fails. CI runs the suite twice, on SQLite and then on PostgreSQL +
Redis; the smoke starts its own PostgreSQL and Redis whatever the pass, so it
would measure the very same thing twice. It runs once, in the pass with
``DATABASE_URL`` set (the one whose servers it mirrors), and says so when it
does not run: a deliberate condition, not a hidden skip.
Run: .venv/bin/pytest -q bench/tests/test_faults.py
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BENCH))
import loadgen  # noqa: E402
from fault_proxy import FaultProxy, ProxyProcess  # noqa: E402


@pytest.fixture
def echo():
    """A loopback TCP server that sends back what it gets."""
    listener = socket.create_server(("127.0.0.1", 0))

    def serve():
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=pump, args=(connection,), daemon=True).start()

    def pump(connection):
        with connection:
            try:
                while data := connection.recv(65536):
                    connection.sendall(data)
            except OSError:
                pass

    threading.Thread(target=serve, daemon=True).start()
    yield listener.getsockname()[1]
    listener.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def proxy(echo):
    proxy = FaultProxy(free_port(), ("127.0.0.1", echo)).start()
    yield proxy
    proxy.stop()


def round_trip(port: int, timeout: float = 2.0) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as client:
        client.sendall(b"ping")
        return client.recv(4)


def test_the_proxy_relays_in_pass_mode_and_adds_latency(proxy):
    assert round_trip(proxy.listen_port) == b"ping"
    proxy.mode = "latency=150ms"
    start = time.monotonic()
    assert round_trip(proxy.listen_port) == b"ping"
    assert time.monotonic() - start >= 0.3  # held 150 ms each way
    assert proxy.accepted == 2


def test_a_blackhole_accepts_and_never_answers_then_flows_again(proxy):
    with socket.create_connection(("127.0.0.1", proxy.listen_port), timeout=5) as open_before:
        open_before.sendall(b"one!")
        assert open_before.recv(4) == b"one!"
        proxy.mode = "blackhole"
        with pytest.raises(TimeoutError):
            round_trip(proxy.listen_port, timeout=0.5)  # a new connection: accepted, no answer
        open_before.settimeout(0.5)
        open_before.sendall(b"two!")
        with pytest.raises(TimeoutError):
            open_before.recv(4)  # an open one stops flowing too
        proxy.mode = "pass"
        open_before.settimeout(5)
        assert open_before.recv(4) == b"two!"  # held, not lost
    assert round_trip(proxy.listen_port) == b"ping"


def test_reset_mode_resets_open_and_new_connections(proxy):
    with socket.create_connection(("127.0.0.1", proxy.listen_port), timeout=5) as client:
        client.sendall(b"ping")
        assert client.recv(4) == b"ping"
        proxy.mode = "reset"
        with pytest.raises(ConnectionResetError):
            for _ in range(50):  # until the reset has reached this end
                client.sendall(b"ping")
                if not client.recv(4):
                    raise AssertionError("closed with FIN, not reset")
                time.sleep(0.05)
    with pytest.raises((ConnectionResetError, ConnectionAbortedError)):
        round_trip(proxy.listen_port)


def test_the_proxy_in_a_process_of_its_own_switches_mode_through_its_pipe(echo):
    proxy = ProxyProcess(free_port(), ("127.0.0.1", echo)).start()
    try:
        assert proxy.pid != os.getpid()
        assert round_trip(proxy.listen_port) == b"ping"
        proxy.mode = "blackhole"
        with pytest.raises(TimeoutError):
            round_trip(proxy.listen_port, timeout=0.5)
        with pytest.raises(ValueError, match="unknown"):
            proxy.mode = "chaos"
        assert proxy.mode == "blackhole"
        proxy.mode = "pass"
        assert round_trip(proxy.listen_port) == b"ping"
    finally:
        proxy.stop()
    assert not proxy.process.is_alive()


def test_the_proxy_refuses_anything_but_loopback():
    with pytest.raises(ValueError, match="loopback"):
        FaultProxy(free_port(), ("10.0.0.1", 5432))
    with pytest.raises(ValueError, match="unknown"):
        FaultProxy(free_port(), ("127.0.0.1", 5432), mode="chaos")


class Stall(BaseHTTPRequestHandler):
    """Answers 200 at once, except that request number 5 stalls the server for 1 s."""

    protocol_version = "HTTP/1.1"
    count = 0
    lock = threading.Lock()

    def do_GET(self):
        with self.lock:
            Stall.count += 1
            if Stall.count == 5:
                time.sleep(1.0)  # holds the lock: every request behind it waits
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


def test_the_open_loop_client_counts_a_stall_against_every_request_due_during_it():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Stall)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        load = loadgen.Load(base, rate=50, seconds=2, mix=[(1, ["/"])]).start().join()
    finally:
        server.shutdown()
    stats = loadgen.summary(load.samples)
    assert stats["requests"] == 100 and stats["errors"] == {}
    # A closed-loop client would show one slow request; open loop, every request
    # due during the 1 s stall waited: about 50 of them took ≥ 0.5 s.
    assert sum(1 for _due, latency, _o in load.samples if latency >= 0.5) >= 20


class Hosts(BaseHTTPRequestHandler):
    """Answers 200 and keeps the Host header of every request."""

    protocol_version = "HTTP/1.1"
    seen: list[str] = []

    def do_GET(self):
        Hosts.seen.append(self.headers["Host"])
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


def test_the_open_loop_client_names_the_port_in_host_as_browsers_and_urllib_do():
    """The page cache keys by Host: readers and pollers must ask for the same page."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hosts)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        loadgen.Load(base, rate=20, seconds=0.5, mix=[(1, ["/"])]).start().join()
        urllib.request.urlopen(base + "/", timeout=5).read()
    finally:
        server.shutdown()
    assert set(Hosts.seen) == {f"127.0.0.1:{server.server_address[1]}"}


def test_the_open_loop_client_counts_refusals_as_errors():
    base = f"http://127.0.0.1:{free_port()}"
    load = loadgen.Load(base, rate=20, seconds=0.5, mix=[(1, ["/"])], timeout=2).start().join()
    assert loadgen.summary(load.samples)["errors"] == {"refused": 10}
    assert [outcome for _s, outcome in asyncio.run(loadgen.burst(base, "/", 3))] == ["refused"] * 3


def tools_missing() -> list[str]:
    missing = [tool for tool in ("redis-server", "redis-cli") if not shutil.which(tool)]
    if not list(Path("/usr/lib/postgresql").glob("*/bin/initdb")):
        missing.append("PostgreSQL server binaries (/usr/lib/postgresql/*/bin)")
    return missing


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL"),
    reason="the fault smoke runs once, in CI's PostgreSQL + Redis pass (it starts its own servers; "
    "bench/tests/test_faults.py says why)",
)
def test_smoke():
    assert not tools_missing(), f"bench/faults needs {tools_missing()} (bench/setup installs them)"
    result = subprocess.run(
        [str(BENCH / "faults"), "--smoke"],
        capture_output=True,
        text=True,
        timeout=400,
        env={**os.environ, "FAULTS_TIMEOUT": "360"},
        check=False,
    )
    rows = [line for line in result.stdout.splitlines() if line.startswith("| L")]
    assert result.returncode == 0, (
        "bench/faults --smoke failed:\n" + "\n".join(rows) + "\n" + result.stderr[-3000:]
    )
    found = {row.split("|")[1].strip() for row in rows}
    assert {"L2", "L4", "L6", "L8"} <= found, rows
    latest = max((BENCH / "results").glob("faults-*/rows.json"), key=lambda p: p.stat().st_mtime)
    verdicts = {row["scenario"]: row["verdict"] for row in json.loads(latest.read_text())}
    assert "FAIL" not in verdicts.values(), verdicts
