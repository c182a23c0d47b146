"""The monotonic clock of the code that keeps time itself, as one seam tests can move.

Dates come from ``django.utils.timezone.now()`` (and ``time.time()``); tests
move those with time-machine. Intervals — how long since the page cache
polled, since Redis failed, how long to wait for another process's render —
come from ``monotonic()`` here and waits from ``sleep()``, which time-machine
does not move. Tests replace the clock with a ``ManualClock`` (the
``manual_clock`` fixture), whose time passes only when told to and whose
``sleep`` returns at once, having moved it.
"""

from __future__ import annotations

import threading
import time


class SystemClock:
    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class ManualClock:
    """A clock whose time moves only by ``advance`` or ``sleep``, from any thread."""

    def __init__(self, start: float = 1_000.0):
        self._now = start
        self._lock = threading.Lock()

    def monotonic(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += seconds

    def sleep(self, seconds: float) -> None:
        self.advance(seconds)
        time.sleep(0)  # let other threads run, as a real sleep would


current: SystemClock | ManualClock = SystemClock()


def monotonic() -> float:
    return current.monotonic()


def sleep(seconds: float) -> None:
    current.sleep(seconds)
