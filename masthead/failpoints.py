"""Deterministic failpoints: named moments inside a write where a test (and,
later, the fault bench) stops a thread or makes it fail (RELIABILITY.md §3.1).

The code marks a moment with ``reached("stories.save.after_lock")``. That
does nothing unless the setting ``FAILPOINTS`` maps the name to a callable,
which it then calls in the thread that got there. ``FAILPOINTS`` is empty
and is not read from the environment: only test code (or a bench settings
module) can fill it, so in production a failpoint is one lookup in an empty
dict. ``Park`` is the callable tests use to hold a thread at a failpoint,
inside its transaction and holding its locks, until they let it go.

The points: ``stories.save.after_lock`` (``services.save_story``, the story
row locked, nothing checked yet) and ``stories.move.after_lock`` (every
workflow step, the same moment); ``stories.<action>.before_commit`` (a
workflow step, e.g. ``stories.publish.before_commit``, has written the
story, its version bump and audit row, nothing committed yet: where the
fault bench kills a worker, bench/faults_settings.py); ``wire.wordpress.before_record`` (a WordPress
import has written a post's story, not yet its record: ``wire/wxr/importer.py``);
``sourcing.report.after_lock`` (a reader's error report locked for a desk
decision, nothing checked yet: ``sourcing/reports.py``);
``media.upload.after_quota_lock`` (an upload holds its uploader's row, the
quota not read yet: ``media/services.py``); ``api.idempotency.before_commit``
(a staff API write with an ``Idempotency-Key`` has done its work and stored
its answer, and its transaction has not committed: ``api/idempotency.py``).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from django.conf import settings

# How long a parked thread waits to be let go before it gives up and goes on:
# a test that fails never leaves a thread (and its transaction) behind.
PARK_LIMIT_SECONDS = 30


def reached(name: str) -> None:
    """Run the failpoint ``name`` if a test or bench set one."""
    action = settings.FAILPOINTS.get(name)
    if action is not None:
        action()


@dataclass
class Park:
    """A failpoint action: says a thread ``arrived``, then waits for ``release``."""

    arrived: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)

    def __call__(self) -> None:
        self.arrived.set()
        self.release.wait(PARK_LIMIT_SECONDS)
