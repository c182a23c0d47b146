"""`masthead demo` runs a worker beside the server, and leaves no process behind."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from masthead.worker.tests.conftest import STRIPPED


def session_processes(session: int) -> dict[int, str]:
    """Every live process of a session: pid → command line."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if fields[0] != "Z" and int(fields[3]) == session:
            found[int(entry.name)] = command
    return found


def wait_until(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.2)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.fixture(scope="module")
def demo_env(tmp_path_factory):
    root = tmp_path_factory.mktemp("demo")
    env = {key: value for key, value in os.environ.items() if key not in STRIPPED}
    env.update(MASTHEAD_DATA_DIR=str(root / "data"), MASTHEAD_TEST_BEAT_FILE=str(root / "t"))
    return root, env


def start_demo(demo_env) -> tuple[subprocess.Popen, int]:
    root, env = demo_env
    port = free_port()
    demo = subprocess.Popen(
        [sys.executable, "-m", "masthead", "demo", "--port", str(port)],
        stdout=(root / f"demo-{port}.log").open("w"),
        stderr=subprocess.STDOUT,
        env=env,
        cwd=root,
        start_new_session=True,  # its own session, as a terminal gives it
    )
    wait_until(lambda: answers(port) or demo.poll() is not None, 600, "the demo site")
    assert demo.poll() is None, (root / f"demo-{port}.log").read_text()
    return demo, port


def workers_of(session: int) -> list[int]:
    return [pid for pid, cmd in session_processes(session).items() if " worker " in f"{cmd} "]


def test_the_demo_worker_runs_tasks_and_ends_on_ctrl_c(demo_env):
    root, env = demo_env
    demo, _ = start_demo(demo_env)
    try:
        assert len(workers_of(demo.pid)) == 1
        queued = subprocess.run(
            [sys.executable, "-m", "masthead", "manage", "shell", "-c",
             "from masthead.worker.tests.tasks_for_tests import append_line\n"
             f"append_line.enqueue({str(root / 't')!r}, 'done by the demo worker')"],
            env=env, cwd=root, capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        assert queued.returncode == 0, queued.stderr
        wait_until(lambda: (root / "t").exists(), 30, "the task to run")
        assert (root / "t").read_text() == "done by the demo worker\n"

        [worker] = workers_of(demo.pid)

        os.killpg(demo.pid, signal.SIGINT)  # what Ctrl+C in the terminal does

        wait_until(lambda: worker not in session_processes(demo.pid), 15, "the worker to end")
    finally:
        if session_processes(demo.pid):
            os.killpg(demo.pid, signal.SIGKILL)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_the_demo_worker_ends_with_the_server_however_it_ends(demo_env, sig):
    demo, _ = start_demo(demo_env)
    try:
        [worker] = workers_of(demo.pid)

        os.kill(demo.pid, sig)  # the server alone, as `kill PID` or the OOM killer would

        demo.wait(timeout=30)
        wait_until(lambda: worker not in session_processes(demo.pid), 15, "the worker to end")
    finally:
        if session_processes(demo.pid):
            os.killpg(demo.pid, signal.SIGKILL)
