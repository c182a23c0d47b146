"""`masthead serve` outlives granian's crash-loop guard (RELIABILITY.md L4, serve_supervisor.py).

A real server on SQLite in a fresh data folder: its worker is killed with
SIGKILL, and killed again as soon as granian has respawned it, which makes
granian exit ("Worker crash loop detected"). The supervisor logs it and
starts granian again; the site answers 200 once more, and SIGTERM still stops
everything with exit status 0.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found += [int(child) for child in task.read_text().split()]
        except OSError:
            continue
    return found


def workers_of(serve: int) -> list[int]:
    """granian's workers under `masthead serve`: its grandchildren (granian runs as its
    child), or its children if `masthead serve` became granian itself."""
    below = children(serve)
    return [pid for child in below for pid in children(child)] or below


def answers(url: str) -> bool:
    try:
        return urllib.request.urlopen(url, timeout=3).status == 200  # noqa: S310 - loopback
    except (OSError, urllib.error.URLError):
        return False


def stop_group(process: subprocess.Popen, seconds: float = 15) -> None:
    """SIGTERM to a process started with ``start_new_session`` and everything under it;
    SIGKILL if it is still there after ``seconds``. Nothing of it is left either way."""
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(seconds)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(30)


def wait_for(condition, seconds: float):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        found = condition()
        if found:
            return found
        time.sleep(0.2)
    return None


def test_two_quick_worker_deaths_do_not_stop_the_server(server_env, tmp_path):
    port = free_port()
    log = tmp_path / "serve.log"
    argv = [sys.executable, "-m", "masthead", "serve", "--port", str(port)]
    argv += ["--workers", "1", "--threads", "2"]
    with open(log, "wb") as output:
        serve = subprocess.Popen(
            argv, env=server_env, cwd=tmp_path, stdout=output, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}/healthz"
    try:
        assert wait_for(lambda: answers(url), 180), log.read_text()
        granian = children(serve.pid)
        first = wait_for(lambda: workers_of(serve.pid), 10)
        os.kill(first[0], signal.SIGKILL)
        respawned = wait_for(lambda: [p for p in workers_of(serve.pid) if p not in first], 15)
        assert respawned, log.read_text()
        # Within granian's 5.5 s of the respawn: granian itself gives up and exits.
        os.kill(respawned[0], signal.SIGKILL)
        assert wait_for(lambda: "Worker crash loop detected" in log.read_text(), 30)

        time.sleep(1)
        assert wait_for(lambda: answers(url), 60), log.read_text()
        assert serve.poll() is None, log.read_text()
        assert "starting it again" in log.read_text()
        again = children(serve.pid)
        assert again and again != granian  # a new granian, under the same `masthead serve`

        serve.send_signal(signal.SIGTERM)
        assert serve.wait(30) == 0
        assert not any(Path(f"/proc/{pid}").exists() for pid in again)
    finally:
        if serve.poll() is None:
            os.killpg(serve.pid, signal.SIGKILL)
            serve.wait(10)


def test_a_worker_that_does_not_stop_is_killed_after_the_stop_timeout(server_env, tmp_path):
    """granian waits for ever on a worker that ignores SIGTERM unless told otherwise (one
    stuck in its runtime's shutdown held `masthead serve` in CI); a stopped worker stands
    in for it here, and `--stop-timeout` bounds the wait."""
    port = free_port()
    log = tmp_path / "serve.log"
    argv = [sys.executable, "-m", "masthead", "serve", "--port", str(port)]
    argv += ["--workers", "1", "--threads", "2", "--stop-timeout", "2"]
    with open(log, "wb") as output:
        serve = subprocess.Popen(
            argv, env=server_env, cwd=tmp_path, stdout=output, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    try:
        assert wait_for(lambda: answers(f"http://127.0.0.1:{port}/healthz"), 180), log.read_text()
        workers = wait_for(lambda: workers_of(serve.pid), 10)
        granian = children(serve.pid)
        os.kill(workers[0], signal.SIGSTOP)  # deaf to SIGTERM until killed

        began = time.monotonic()
        serve.send_signal(signal.SIGTERM)
        assert serve.wait(30) == 0, log.read_text()
        assert time.monotonic() - began < 20  # 2 s, then a kill; unbounded before
        assert not any(Path(f"/proc/{pid}").exists() for pid in [*granian, *workers])
    finally:
        if serve.poll() is None:
            os.killpg(serve.pid, signal.SIGKILL)
            serve.wait(10)
