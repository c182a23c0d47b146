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

So each connection is a :class:`AnsweringConnection`: psycopg runs every
exchange with the server (a query, a commit, Django's health check) through
``Connection.wait``, which takes a time-out since psycopg 3.3. Past
``answer_timeout`` seconds (``DATABASE_ANSWER_TIMEOUT``) with no answer the
connection is closed and the call raises ``OperationalError``, which the
request answers as 503 with ``Retry-After`` (``masthead/database_outage.py``)
and Django replaces with a new connection on the next request. Django's
health check of a kept connection, at a request's first query, waits 1 s:
a server silent that long fails the request then, rather than after a new
connection's ``connect_timeout`` too.

The deadline is on in the processes that serve requests (``masthead/wsgi.py``
turns it on), not in management commands and workers, whose migrations
(``CREATE INDEX CONCURRENTLY`` on a large archive), backfills and rebuilds
may rightly run a statement for minutes. Why our own code: neither Django nor
psycopg bounds a synchronous query on the client side; a server-side
``statement_timeout`` never reaches a server that does not answer.
"""

from __future__ import annotations

import types

import psycopg
from django.db.backends.postgresql import base
from psycopg.errors import _WaitTimeout  # psycopg's own, raised by wait(timeout=…)

# Whether this process serves requests (see the module docstring).
_serving_deadline: dict[str, bool] = {"on": False}
# Django's health check of a persistent connection ("SELECT 1") needs no more from a
# server that answers; one that does not fails the request after this long.
HEALTH_CHECK_SECONDS = 1.0


def answer_deadlines_on(on: bool = True) -> None:
    """Turn the deadline on (a process that serves requests) or off, for new connections."""
    _serving_deadline["on"] = on


class NoAnswer(psycopg.OperationalError):
    """The server did not answer within the deadline; the connection is closed."""


class AnsweringConnection(psycopg.Connection):
    """A psycopg connection that gives up on a server silent for ``answer_timeout`` s."""

    answer_timeout: float | None = None

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
        params.pop("answer_timeout", None)  # ours, not libpq's
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
        if isinstance(connection, AnsweringConnection) and _serving_deadline["on"]:
            # Set after connecting: connecting is bounded by libpq's connect_timeout.
            connection.answer_timeout = self.settings_dict["OPTIONS"].get("answer_timeout")
        return connection
