"""What a request gets while the database is down, read-only or locked: 503, never 500.

The database's own answer tells an outage from a bug. PostgreSQL: no
connection (refused, timed out after ``connect_timeout``, closed under us),
a server shutting down or out of resources (SQLSTATE classes 08, 53, 57,
58), and a read-only transaction (25006: a hot standby, or
``default_transaction_read_only`` during maintenance). SQLite: a read-only or
unopenable file, a full disk, and a write lock not given up within the busy
timeout. Any other database error is a bug and stays a 500.

Such a request is answered 503 with ``Retry-After`` and ``Cache-Control:
no-store``, in the form its client reads: problem details under ``/api/``
(``/api/problems/unavailable``), JSON for the editor's fetches
(``X-Requested-With: fetch``: autosave and the lock's heartbeat, whose script
then keeps the text in the browser), and a short page for everything else.
The page needs no database: it is rendered without context processors.

Where the error is caught: ``site.views.server_error`` (Django's
``handler500``, which sees every exception a view or a middleware raised)
and the API's exception handler (ninja catches its views' exceptions before
Django does). The page cache in front of Django keeps answering from memory
while its poll for content versions fails (``site/page_cache.py``).

A full disk is answered the same way, with its own words: a file write that
fails with ENOSPC, EFBIG (past ``RLIMIT_FSIZE``), EDQUOT or EROFS (an image
upload into the media folder; ``is_out_of_room``), SQLite's "database or
disk is full" (ENOSPC) and its "disk I/O error" (what a write refused with
EFBIG becomes; a failing disk too). Nothing was stored (the media services remove a file whose
row did not commit), and the editor is told the text was not saved. R10 in
docs/security.md; ``bench/faults --only R10 --backends sqlite``.

Why our own code: Django has no notion of an outage, and its
``CONN_HEALTH_CHECKS`` only makes a request after the outage reconnect.
"""

from __future__ import annotations

import errno
import sqlite3

from django.db import DatabaseError, InterfaceError, InternalError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext_lazy

# Long enough for a restarting PostgreSQL or a finished migration, short enough
# to matter: the editor's autosave tries again on its own every 20 s.
RETRY_AFTER_SECONDS = 5
API_PREFIX = "/api/"
STAFF_PREFIXES = ("/desk/", "/account/", "/admin/")
NOT_SAVED = gettext_lazy(
    "The newsroom's database is not answering, so your text was not saved. It is kept "
    "in this browser; Masthead tries again in a moment."
)
# SQLSTATE classes: connection exception, insufficient resources, operator
# intervention (shutdown, cancelled by timeout), system error.
OUTAGE_SQLSTATE_CLASSES = frozenset({"08", "53", "57", "58"})
READ_ONLY_SQL_TRANSACTION = "25006"
SQLITE_OUTAGE_MESSAGES = (
    "readonly database",
    "database is locked",
    "database table is locked",
    "unable to open database file",
    "disk i/o error",
    "database or disk is full",
)


OUT_OF_ROOM = frozenset({errno.ENOSPC, errno.EFBIG, errno.EDQUOT, errno.EROFS})
NO_ROOM = gettext_lazy(
    "The server could not store what you sent: its disk is full or failing. Your text is "
    "kept in this browser; try again once an administrator has freed space."
)
SQLITE_DISK_MESSAGES = ("database or disk is full", "disk i/o error")


def is_out_of_room(error: BaseException | None) -> bool:
    """Whether ``error`` (or an exception it came from) is a full or read-only disk."""
    seen = 0
    while error is not None and seen < 5:
        if isinstance(error, OSError) and error.errno in OUT_OF_ROOM:
            return True
        if isinstance(error, DatabaseError) and any(
            words in str(error).lower() for words in SQLITE_DISK_MESSAGES
        ):
            return True
        error = error.__cause__ or error.__context__
        seen += 1
    return False


def is_database_outage(error: BaseException | None) -> bool:
    """Whether ``error`` (or an exception it came from) says the database is unavailable."""
    seen = 0
    while error is not None and seen < 5:
        if isinstance(error, DatabaseError) and _is_outage(error):
            return True
        error = error.__cause__ or error.__context__
        seen += 1
    return False


def _is_outage(error: DatabaseError) -> bool:
    if isinstance(error, InterfaceError):
        return True  # the connection is gone
    driver_error = error.__cause__
    if isinstance(driver_error, sqlite3.Error):
        message = str(driver_error).lower()
        return any(words in message for words in SQLITE_OUTAGE_MESSAGES)
    sqlstate = getattr(driver_error, "sqlstate", None)
    if isinstance(error, OperationalError):
        # psycopg gives no SQLSTATE when it has no connection to get one from.
        return sqlstate is None or sqlstate[:2] in OUTAGE_SQLSTATE_CLASSES
    return isinstance(error, InternalError) and sqlstate == READ_ONLY_SQL_TRANSACTION


def outage_response(request: HttpRequest, *, no_room: bool = False) -> HttpResponse:
    """503 in the form this request's client reads, with ``Retry-After``; ``no_room``: the
    disk is full (``is_out_of_room``) rather than the database away."""
    if request.path.startswith(API_PREFIX):
        from masthead.api.problems import PROBLEM_TYPES, problem_response

        cause = (
            "The server could not store this: its disk is full or failing"
            if no_room
            else "The database is not answering"
        )
        response = problem_response(
            request,
            503,
            problem=PROBLEM_TYPES["unavailable"],
            detail=f"{cause}; nothing was changed. Try again in {RETRY_AFTER_SECONDS} s.",
        )
    elif request.headers.get("X-Requested-With") == "fetch":
        message = str(NO_ROOM if no_room else NOT_SAVED)
        response = JsonResponse({"status": "unavailable", "message": message}, status=503)
    else:
        staff = request.path.startswith(STAFF_PREFIXES)
        page = loader.render_to_string("site/503.html", {"staff": staff, "no_room": no_room})
        response = HttpResponse(page, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response
