"""The clock that decides when a scheduled or embargoed story reaches readers.

A story goes public when the clock passes its time (``Story.objects.live``,
``Story.is_live``, the page cache's next release): no worker releases it,
every process serving readers decides for itself. So with two processes
whose clocks disagree (a second server, or a worker, whose clock runs 90 s
ahead: RELIABILITY.md L14), the one ahead would release an embargoed story
90 s early. One authority fixes that:

- ``database`` (the default on PostgreSQL): the database server's clock. A
  process reads ``clock_timestamp()`` once every ``SAMPLE_SECONDS`` and from
  then on counts on its own monotonic clock, which neither NTP steps nor a
  wrong wall clock move. The sample is taken as if the server read its clock
  at the very end of the round trip, so the estimate is never ahead of the
  database: a story may be released a round trip late, never early.
- ``process``: this process's wall clock (``timezone.now()``). The embedded
  deployment (SQLite: one machine, its processes share one clock) and the
  tests (time-machine moves it) use it.

``RELEASE_CLOCK`` (docs/configuration.md) chooses. Why our own code: Django's
``Now()`` puts the database's time in one query, but the gate's ``now`` is
also compared in Python (``is_live``, the page cache's due time) and passed
to many queries; one number per process from one authority serves all of
them.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from masthead import clock

# How long a sample of the database's clock is used; the monotonic clock between
# samples drifts by microseconds.
SAMPLE_SECONDS = 30.0


class _Sample:
    def __init__(self) -> None:
        self.database_time: datetime | None = None
        self.taken_at = 0.0  # clock.monotonic() when the answer came back
        self.lock = threading.Lock()

    def now(self) -> datetime:
        with self.lock:
            if self.database_time is None or clock.monotonic() - self.taken_at > SAMPLE_SECONDS:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT clock_timestamp()")
                    (self.database_time,) = cursor.fetchone()
                # As if read at the end of the round trip: never ahead of the server.
                self.taken_at = clock.monotonic()
            return self.database_time + timedelta(seconds=clock.monotonic() - self.taken_at)


_database = _Sample()


def uses_database() -> bool:
    return settings.RELEASE_CLOCK == "database" and connection.vendor == "postgresql"


def now() -> datetime:
    """The time by which stories are released: the database's on PostgreSQL (see above)."""
    if uses_database():
        return _database.now()
    return timezone.now()


def forget() -> None:
    """Take a new sample at the next call (tests; a process that changed database)."""
    with _database.lock:
        _database.database_time = None
