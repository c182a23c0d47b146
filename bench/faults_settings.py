"""Bench settings for the fault suite (bench/faults.py): Masthead's settings plus failpoints.

RELIABILITY.md §3.1: failpoints are read only in bench and test settings.
``masthead.settings`` never reads them from the environment; this module,
which only ``bench/faults`` puts on a server's ``DJANGO_SETTINGS_MODULE``,
fills ``FAILPOINTS`` from ``MASTHEAD_FAILPOINTS``::

    MASTHEAD_FAILPOINTS="stories.publish.before_commit=sleep:3,media.upload.after_quota_lock=raise"

``sleep:N`` first writes the process id to ``MASTHEAD_FAILPOINT_DIR/NAME.pid``
(so the harness knows which worker to kill -9 while it sleeps inside the
transaction), then sleeps N seconds; ``raise`` raises ``FailpointError``.

``MASTHEAD_CLOCK_SKEW_SECONDS=90`` runs the server's wall clock that far ahead
(``time.time()``, ``datetime.now()``; time-machine, ticking), as a machine
whose clock is wrong would: L14 checks that such a server releases no
embargoed story early (``masthead/stories/release_clock.py``). The monotonic
clock (``masthead/clock.py``) is not moved, as NTP would not move it.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from masthead.settings import *  # noqa: F403 - these are Masthead's settings, plus failpoints


class FailpointError(RuntimeError):
    pass


def _action(name: str, spec: str):
    kind, _, arg = spec.partition(":")
    if kind == "sleep":
        seconds = float(arg or 1)
        folder = Path(os.environ.get("MASTHEAD_FAILPOINT_DIR", "."))

        def sleep() -> None:
            written = folder / f"{name}.pid.{os.getpid()}"
            written.write_text(str(os.getpid()))
            written.replace(folder / f"{name}.pid")  # whole or not there: the harness reads it
            time.sleep(seconds)

        return sleep
    if kind == "raise":

        def fail() -> None:
            raise FailpointError(f"failpoint {name}")

        return fail
    raise ValueError(f"MASTHEAD_FAILPOINTS: {name}={spec}: use sleep:N or raise")


FAILPOINTS = {}
for _entry in filter(None, os.environ.get("MASTHEAD_FAILPOINTS", "").split(",")):
    _name, _, _spec = _entry.strip().partition("=")
    FAILPOINTS[_name] = _action(_name, _spec)


_skew = float(os.environ.get("MASTHEAD_CLOCK_SKEW_SECONDS") or 0)
if _skew:
    import time_machine

    time_machine.travel(time.time() + _skew, tick=True).start()

if os.environ.get("MASTHEAD_L11_APP"):
    # L11's representative migrations on the stories table (bench/l11_migrations).
    INSTALLED_APPS = [*INSTALLED_APPS, "l11_migrations"]  # noqa: F405

# One line per page-cache render (masthead/site/page_cache.py), so L2 and L3 count the
# renders of each page per content version from the servers' logs.
LOGGING = {
    **LOGGING,  # noqa: F405 - Masthead's own
    "loggers": {"masthead.site.page_cache.renders": {"level": "DEBUG"}},
}
