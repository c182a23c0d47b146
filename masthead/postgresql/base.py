"""Django's PostgreSQL backend, with a deadline on every answer the server owes.

A PostgreSQL that stops answering (a hung server, a network that drops
packets, a SIGSTOPped process) without closing its connections holds every
request waiting on it: libpq's ``connect_timeout`` bounds only connecting,
and a persistent connection (``CONN_MAX_AGE``) waits for an answer as long as
the kernel keeps the socket open, which is minutes, or for ever when the
kernel at the other end still acknowledges the packets. The TCP options in
the connection string (keepalives, ``tcp_user_timeout``, set in
``masthead/settings.py``) cut a dead network short, but not a live socket
with a hung server behind it.

So each connection is a :class:`AnsweringConnection`, and in the processes that
serve requests each exchange of a request with the database (a statement, a
commit, connecting) has one budget, ``answer_timeout``
(``DATABASE_ANSWER_TIMEOUT``, 1.5 s), held at both ends:

- **The server stops the work.** The connection starts with
  ``statement_timeout`` set to the budget, so PostgreSQL itself cancels a
  statement that runs longer and answers with an error (SQLSTATE 57014),
  which the request answers as 503 with ``Retry-After``
  (``masthead/database_outage.py``). A slow legitimate query is not
  abandoned by the client while the server goes on working on it.
- **The client stops waiting on silence.** psycopg runs every exchange with
  the server (a query, a commit, Django's health check) through
  ``Connection.wait``, which takes a time-out since psycopg 3.3. A server
  that enforces its own ``statement_timeout`` answers within the budget, so
  no answer by the budget plus ``ANSWER_GRACE_SECONDS`` means the server or
  the network is not answering at all (a hung server, a blackholed network):
  the connection is closed and the call raises ``OperationalError``, a 503
  too, and Django replaces it with a new connection on the next request.
- **Connecting has the same budget.** libpq and psycopg round
  ``connect_timeout`` up to 2 s; a serving process gives up connecting after
  the budget (``AnsweringConnection._connect_gen``).
- Django's health check of a kept connection, at a request's first query,
  waits 1 s: a server silent that long fails the request then, rather than
  after a new connection's connect time too.

So a request that needs the database answers within about the budget plus
the grace (1.75 s by default) whatever PostgreSQL does: RELIABILITY.md L5
asks for a 503 within 2 s. The budget sits above the slowest reader query
measured (search's common-word phrase at 1,000,000 stories, 1.3 s,
docs/performance.md); docs/configuration.md says when to raise it.

The budget is on in the processes that serve requests (``masthead/wsgi.py``
turns it on), not in management commands and workers, whose migrations
(``CREATE INDEX CONCURRENTLY`` on a large archive), backfills and rebuilds
may rightly run a statement for minutes. Why our own code: neither Django nor
psycopg bounds a synchronous query on the client side; a server-side
``statement_timeout`` never reaches a server that does not answer.
"""

from __future__ import annotations

import threading
import time
import types

import psycopg
from django.db.backends.postgresql import base
from psycopg.errors import _WaitTimeout  # psycopg's own, raised by wait(timeout=…)

# Whether this process serves requests (see the module docstring).
_serving_deadline: dict[str, bool] = {"on": False}
# Django's health check of a persistent connection ("SELECT 1") needs no more from a
# server that answers; one that does not fails the request after this long.
HEALTH_CHECK_SECONDS = 1.0
# How long past its own statement_timeout a server that answers at all takes to say
# it cancelled the statement (milliseconds on loopback; a loaded machine's scheduling).
ANSWER_GRACE_SECONDS = 0.25
# The connect budget of the connection this thread is making (AnsweringConnection.connect).
_connecting = threading.local()


def answer_deadlines_on(on: bool = True) -> None:
    """Turn the deadline on (a process that serves requests) or off, for new connections."""
    _serving_deadline["on"] = on


class NoAnswer(psycopg.OperationalError):
    """The server did not answer within the deadline; the connection is closed."""


class AnsweringConnection(psycopg.Connection):
    """A psycopg connection that gives up on a server silent for ``answer_timeout`` s."""

    answer_timeout: float | None = None

    @classmethod
    def connect(cls, conninfo: str = "", *, connect_deadline: float | None = None, **kwargs):
        """psycopg's ``connect``; with ``connect_deadline`` connecting gives up after that
        many seconds, below the 2 s that libpq and psycopg make of any ``connect_timeout``."""
        _connecting.deadline = connect_deadline
        try:
            return super().connect(conninfo, **kwargs)
        finally:
            _connecting.deadline = None

    @classmethod
    def _connect_gen(cls, conninfo: str = ""):
        steps = super()._connect_gen(conninfo)
        limit = getattr(_connecting, "deadline", None)
        if not limit:
            return (yield from steps)
        # psycopg's wait_conn resumes the generator at least every 0.1 s, ready or not.
        ends = time.monotonic() + limit
        wanted = next(steps)
        while True:
            ready = yield wanted
            if time.monotonic() >= ends:
                steps.close()
                raise _WaitTimeout(f"not connected within {limit:g} s")
            try:
                wanted = steps.send(ready)
            except StopIteration as done:
                return done.value

    def wait(self, gen, *args, **kwargs):
        limit = self.answer_timeout
        if not limit or args[1:] or kwargs.get("timeout") is not None:
            return super().wait(gen, *args, **kwargs)  # psycopg's own time-outs stand
        try:
            return super().wait(gen, *args, **kwargs, timeout=limit)
        except _WaitTimeout:
            # The exchange is cut in the middle: the connection cannot be used again.
            self.close()
            raise NoAnswer(
                f"PostgreSQL did not answer within {limit:g} s (DATABASE_ANSWER_TIMEOUT)"
            ) from None


class _Driver(types.ModuleType):
    """psycopg, whose ``connect`` makes :class:`AnsweringConnection` objects."""

    connect = staticmethod(AnsweringConnection.connect)

    def __getattr__(self, name: str):
        return getattr(psycopg, name)


class DatabaseWrapper(base.DatabaseWrapper):
    Database = _Driver("psycopg")

    def get_connection_params(self):
        params = super().get_connection_params()
        budget = params.pop("answer_timeout", None)  # ours, not libpq's
        if budget and _serving_deadline["on"]:
            # PostgreSQL stops a statement past the budget itself, and says so.
            limit = f"-c statement_timeout={round(budget * 1000)}"
            params["options"] = f"{params.get('options', '')} {limit}".strip()
            params["connect_deadline"] = budget
        return params

    def is_usable(self):
        connection = self.connection
        limit = getattr(connection, "answer_timeout", None)
        if not limit:
            return super().is_usable()
        connection.answer_timeout = min(limit, HEALTH_CHECK_SECONDS)
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
        except NoAnswer:
            self.went_silent = True
            return False
        except psycopg.Error:
            return False
        finally:
            connection.answer_timeout = limit
        return True

    def close_if_health_check_failed(self):
        """Django's health check at a request's first query; a server that did not answer
        it fails the request at once (a new connection would wait on it too)."""
        self.went_silent = False
        super().close_if_health_check_failed()
        if self.went_silent:
            self.went_silent = False
            with self.wrap_database_errors:
                raise NoAnswer(
                    f"PostgreSQL did not answer a health check within {HEALTH_CHECK_SECONDS:g} s"
                )

    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        budget = self.settings_dict["OPTIONS"].get("answer_timeout")
        if isinstance(connection, AnsweringConnection) and budget and _serving_deadline["on"]:
            # Set after connecting (bounded by connect_deadline). The server answers a
            # statement past the budget with its own error; silence past it and the grace
            # is a server or network that does not answer.
            connection.answer_timeout = budget + ANSWER_GRACE_SECONDS
        return connection
