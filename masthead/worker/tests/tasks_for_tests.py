"""Tasks and periodic functions the worker tests run: each leaves a trace in a file."""

from __future__ import annotations

import os
import time
from pathlib import Path

from django_tasks import task


def _append(path: str, line: str) -> None:
    with Path(path).open("a") as handle:
        handle.write(f"{line}\n")


@task()
def append_line(path: str, line: str) -> str:
    _append(path, line)
    return line


@task()
def sleep_then_append(path: str, seconds: float, line: str) -> str:
    _append(path, f"started {line}")
    time.sleep(seconds)
    _append(path, line)
    return line


@task()
def fail(message: str) -> None:
    raise ValueError(message)


@task()
def tick() -> None:
    _append(os.environ["MASTHEAD_TEST_BEAT_FILE"], "tick")


def beat_mark() -> None:
    """Periodic work: one line per call in the file MASTHEAD_TEST_BEAT_FILE names."""
    _append(os.environ["MASTHEAD_TEST_BEAT_FILE"], f"beat {time.monotonic():.3f}")


def beat_boom() -> None:
    _append(os.environ["MASTHEAD_TEST_BEAT_FILE"], "boom")
    raise RuntimeError("periodic work that always fails")


not_callable = 42


@task()
def hang_first_time(path: str, line: str) -> str:
    """Hangs on its first run (for a worker to be killed in); finishes on the next."""
    done_before = Path(path).exists() and f"started {line}" in Path(path).read_text()
    if done_before:
        _append(path, line)
        return line
    _append(path, f"started {line}")
    time.sleep(600)
    return "never"
