"""Keeps `masthead serve` serving when granian gives up: granian runs as a child, restarted.

granian respawns a worker that dies (``--respawn-failed-workers``), but a
worker that dies again within 5.5 s of its respawn makes the whole server
exit ("Worker crash loop detected"): a hard-coded guard with no option to
turn it off (granian 2.x, ``server/common.py``). Two kill -9s of a worker
in quick succession (the fault suite's L4, an OOM killer, a native crash in
a parser) would then stop the site until an operator or a service manager
starts it again. A service manager (systemd ``Restart=always``, a container
restart policy) is the first line; this is the one that is there on the
small machine, with ``masthead serve`` alone.

The supervisor starts granian, waits for it, and when it exits without
having been asked to (any exit while no stop signal came), logs one line
and starts it again after a back-off (``RESTART_DELAYS``: quick the first
time, slower while it keeps failing; a run of ``STABLE_SECONDS`` resets it).
A granian that cannot even start (a port in use, a broken setting) fails
``GIVE_UP_AFTER`` times within ``STARTUP_SECONDS`` each and the supervisor
exits with its code rather than loop. SIGTERM and SIGINT are passed to
granian, which stops gracefully, and the supervisor then exits 0; SIGHUP is
passed on (granian reloads its workers). Why our own code: granian has no
option for it, and supervisord or a service manager is not always there.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time

RESTART_DELAYS = (0.5, 1.0, 2.0, 4.0, 8.0, 15.0)
STABLE_SECONDS = 30.0
STARTUP_SECONDS = 2.0
GIVE_UP_AFTER = 5
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def _say(line: str) -> None:
    print(f"masthead serve: {line}", file=sys.stderr, flush=True)


def _describe(code: int) -> str:
    if code < 0:
        try:
            return f"signal {signal.Signals(-code).name}"
        except ValueError:
            return f"signal {-code}"
    return f"code {code}"


class Supervisor:
    def __init__(self, argv: list[str]):
        self.argv = argv
        self.child: subprocess.Popen | None = None
        self.stopping = False

    def _on_signal(self, signum, _frame) -> None:
        if signum in STOP_SIGNALS:
            self.stopping = True
        child = self.child
        if child is not None and child.poll() is None:
            child.send_signal(signum)

    def run(self) -> int:
        for signum in (*STOP_SIGNALS, signal.SIGHUP):
            signal.signal(signum, self._on_signal)
        failures_at_start = 0
        restarts = 0
        while not self.stopping:
            started = time.monotonic()
            self.child = subprocess.Popen(self.argv)  # noqa: S603 - our own server command
            code = self.child.wait()
            ran = time.monotonic() - started
            if self.stopping or code == 0:
                return 0
            failures_at_start = failures_at_start + 1 if ran < STARTUP_SECONDS else 0
            if failures_at_start >= GIVE_UP_AFTER:
                _say(
                    f"granian failed at start {failures_at_start} times "
                    f"({_describe(code)}); giving up"
                )
                return code if code > 0 else 1
            if ran >= STABLE_SECONDS:
                restarts = 0
            delay = RESTART_DELAYS[min(restarts, len(RESTART_DELAYS) - 1)]
            restarts += 1
            _say(
                f"granian exited with {_describe(code)} after {ran:.1f} s; "
                f"starting it again in {delay:g} s"
            )
            self._sleep(delay)
        return 0

    def _sleep(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while not self.stopping and time.monotonic() < end:
            time.sleep(min(0.1, end - time.monotonic()))


def supervise(argv: list[str]) -> int:
    """Run ``argv`` (granian) until a stop signal, restarting it when it exits on its own."""
    return Supervisor(argv).run()
