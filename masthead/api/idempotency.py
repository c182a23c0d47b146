"""Idempotency keys on the staff API's writes: a client's retry never does the work twice.

A client that sends a write (``POST``, ``PUT``, ``PATCH``, ``DELETE`` under
``/api/desk/``) with an ``Idempotency-Key`` header and loses the answer (a
time-out, a dropped connection, a killed server) sends the same request
with the same key again. Masthead then does one of these, as the IETF httpapi
draft "The Idempotency-Key HTTP Header Field" says:

* the first request's work was committed: its answer is sent again
  (status, body, ``Content-Type``, ``Location`` …) with
  ``Idempotent-Replayed: true``, and nothing is done;
* the first request died before it committed (``kill -9``, a database
  outage): nothing of it was kept, so the request runs now, once;
* the first request is still running: ``409`` (``idempotency-key-in-use``)
  with ``Retry-After``;
* the key was used for another request (method, path or body differ):
  ``422`` (``idempotency-key-reused``);
* the header is not 1–255 printable ASCII characters: ``400``
  (``invalid-idempotency-key``).

A request without the header is answered as it always was.

How it stays correct. The answer is stored in an ``IdempotencyKey`` row in
**the same database transaction** as the work (one ``transaction.atomic``
around the view, the story services' own transactions nested inside it), so
a crash leaves both or neither. Keys belong to the API token that sent them:
another token's key of the same name is another key. The work runs in a
savepoint that is rolled back when the answer is an error, so a refused
request leaves nothing but, when the refusal is final (a 4xx other than 401,
408, 409, 425 and 429), its stored answer. 5xx answers are not kept: the
client should try again, and the request then runs.

"Still running" is a lock that dies with its holder. On PostgreSQL, a
transaction-scoped advisory lock on the token and key, tried without
waiting (``pg_try_advisory_xact_lock``): every app server sees it, and a
killed process's lock goes with its connection. On SQLite every writer
waits for the one before it (``BEGIN IMMEDIATE``), so the lock must be
taken before the transaction: a byte-range lock (``fcntl``) in
``DATA_DIR/idempotency.lock``, one byte per key, which the kernel drops when
the process dies, plus a set per process for its own threads (POSIX record
locks belong to the process, not the thread). SQLite runs on one machine,
so one file is enough.

Keys are kept ``API_IDEMPOTENCY_KEY_HOURS`` (24 h); after that a key is
new again. ``prune_expired_keys`` (periodic work of ``masthead worker``)
deletes old rows in small batches; a write with an expired key deletes that
row itself.

Why our own: django-ninja and Django have no idempotency keys, and the
libraries that add them cache answers outside the transaction (in Redis or
in a second transaction), which is exactly the window this closes.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import threading
from collections.abc import Callable
from datetime import timedelta
from functools import wraps

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from masthead import failpoints, request_limits
from masthead.api import problems
from masthead.api.models import ApiToken, IdempotencyKey, digest
from masthead.api.services import token_for

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# What a replay sends again besides status and body. Not the request id, the
# security headers or Cache-Control: those belong to the answer being sent now.
KEPT_HEADERS = ("Content-Type", "Location", "ETag", "Last-Modified", "Content-Language", "Link")
# Answers that say "not now" rather than "no": a retry should run, so they are not kept.
NOT_KEPT_STATUSES = frozenset({401, 408, 409, 425, 429})
IN_USE_RETRY_AFTER_SECONDS = 1
PRUNE_BATCH = 500
PRUNE_MAX_BATCHES = 100


class InvalidKey(ValueError):
    pass


def parse_key(raw: str) -> str:
    """The key a header value names: bare (``abc``) or a structured-field string (``"abc"``)."""
    value = raw.strip()
    if value.startswith('"'):
        if len(value) < 2 or not value.endswith('"'):
            raise InvalidKey("A quoted Idempotency-Key has no closing quote.")
        value = _unquote(value[1:-1])
    if not value:
        raise InvalidKey("The Idempotency-Key header is empty.")
    if len(value) > MAX_KEY_LENGTH:
        raise InvalidKey(f"An Idempotency-Key is at most {MAX_KEY_LENGTH} characters.")
    if any(not " " <= character <= "~" for character in value):
        raise InvalidKey("An Idempotency-Key is printable ASCII characters only.")
    return value


def _unquote(inner: str) -> str:
    """RFC 8941 §3.3.3: inside quotes, only ``\\"`` and ``\\\\`` are escapes."""
    out, characters = [], iter(inner)
    for character in characters:
        if character == '"':
            raise InvalidKey("A quoted Idempotency-Key has a quote that is not escaped.")
        if character == "\\":
            character = next(characters, "")
            if character not in ('"', "\\"):
                raise InvalidKey("A quoted Idempotency-Key may only escape a quote or backslash.")
        out.append(character)
    return "".join(out)


def fingerprint(request: HttpRequest, body: bytes) -> str:
    """What makes two requests the same request: method, path with query, body."""
    parts = [request.method or "", request.get_full_path(), hashlib.sha256(body).hexdigest()]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _bearer(request: HttpRequest) -> str | None:
    """The raw API token, read as the API's own authentication reads it."""
    scheme, _, raw = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        return None
    return raw.strip()


def idempotent(view: Callable) -> Callable:
    """``view`` (a staff API URL's) with Idempotency-Key handling for its writes."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        raw_key = request.headers.get(HEADER)
        if raw_key is None or request.method not in WRITE_METHODS:
            return view(request, *args, **kwargs)
        try:
            key = parse_key(raw_key)
        except InvalidKey as error:
            return problems.problem_response(
                request, 400, problem=problems.PROBLEM_TYPES["invalid-idempotency-key"],
                detail=str(error),
            )  # fmt: skip
        raw_token = _bearer(request)
        if raw_token is None:
            return view(request, *args, **kwargs)  # answered 401 by the API's authentication
        try:
            body = request.body
        except RequestDataTooBig as error:
            return request_limits.problem(request, error)
        return _once(request, view, args, kwargs, raw_token, key, fingerprint(request, body))

    return wrapper


def _once(request, view, args, kwargs, raw_token: str, key: str, print_: str) -> HttpResponse:
    # The token's digest, not its row: on SQLite the claim comes before any query,
    # which would wait for the request in flight.
    scope = f"{digest(raw_token)}:{key}".encode()
    on_postgresql = connection.vendor == "postgresql"
    if not on_postgresql and not machine_claims.try_claim(scope):
        return _in_use(request)
    try:
        token = token_for(raw_token)
        if token is None:
            return view(request, *args, **kwargs)  # answered 401 by the API's authentication
        with transaction.atomic():
            if on_postgresql and not _try_advisory_lock(scope):
                return _in_use(request)
            stored = IdempotencyKey.objects.filter(token=token, key=key).first()
            if stored is not None and stored.expires_at <= timezone.now():
                stored.delete()
                stored = None
            if stored is not None:
                return _replay(stored) if stored.fingerprint == print_ else _reused(request)
            response = _run(view, request, args, kwargs)
            if not _is_kept(response):
                transaction.set_rollback(True)
                return response
            _store(token, key, print_, response)
            failpoints.reached("api.idempotency.before_commit")
            return response
    finally:
        if not on_postgresql:
            machine_claims.release(scope)


class _Refused(Exception):
    def __init__(self, response: HttpResponse):
        self.response = response


def _run(view, request, args, kwargs) -> HttpResponse:
    """The view in a savepoint, rolled back when its answer is an error."""
    try:
        with transaction.atomic():
            response = view(request, *args, **kwargs)
            if response.status_code >= 400:
                raise _Refused(response)
            return response
    except _Refused as refused:
        return refused.response


def _is_kept(response: HttpResponse) -> bool:
    status = response.status_code
    return status < 500 and status not in NOT_KEPT_STATUSES and not response.streaming


def _store(token: ApiToken, key: str, print_: str, response: HttpResponse) -> None:
    now = timezone.now()
    IdempotencyKey.objects.create(
        token=token,
        key=key,
        fingerprint=print_,
        status=response.status_code,
        headers={name: response[name] for name in KEPT_HEADERS if response.has_header(name)},
        body=response.content,
        created_at=now,
        expires_at=now + timedelta(hours=settings.API_IDEMPOTENCY_KEY_HOURS),
    )


def _replay(stored: IdempotencyKey) -> HttpResponse:
    response = HttpResponse(bytes(stored.body), status=stored.status)
    for name, value in stored.headers.items():
        response[name] = value
    response[REPLAYED_HEADER] = "true"
    return response


def _in_use(request: HttpRequest) -> HttpResponse:
    return problems.problem_response(
        request,
        409,
        problem=problems.PROBLEM_TYPES["idempotency-key-in-use"],
        headers={"Retry-After": str(IN_USE_RETRY_AFTER_SECONDS)},
    )


def _reused(request: HttpRequest) -> HttpResponse:
    return problems.problem_response(
        request, 422, problem=problems.PROBLEM_TYPES["idempotency-key-reused"]
    )


def _lock_number(scope: bytes) -> int:
    """A signed 64-bit number for the scope (PostgreSQL's advisory lock key)."""
    return int.from_bytes(hashlib.sha256(scope).digest()[:8], "big", signed=True)


def _try_advisory_lock(scope: bytes) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [_lock_number(scope)])
        return bool(cursor.fetchone()[0])


class MachineClaims:
    """Keys in flight on this machine: one locked byte per key in one file (see above)."""

    FILE_NAME = "idempotency.lock"
    # Bytes the keys are spread over; two keys on one byte only wait for each other.
    SLOTS = 2**40

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._held: set[int] = set()
        self._fd: int | None = None
        self._fd_pid: int | None = None

    def _file(self) -> int:
        if self._fd is None or self._fd_pid != os.getpid():
            # A forked child does not inherit its parent's locks: it opens its own.
            data_dir = settings.DATA_DIR
            data_dir.mkdir(parents=True, exist_ok=True)
            self._fd = os.open(data_dir / self.FILE_NAME, os.O_RDWR | os.O_CREAT, 0o600)
            self._fd_pid = os.getpid()
        return self._fd

    def _slot(self, scope: bytes) -> int:
        return int.from_bytes(hashlib.sha256(scope).digest()[:8], "big") % self.SLOTS

    def try_claim(self, scope: bytes) -> bool:
        slot = self._slot(scope)
        with self._mutex:
            if slot in self._held:
                return False
            try:
                fcntl.lockf(self._file(), fcntl.LOCK_EX | fcntl.LOCK_NB, 1, slot)
            except (BlockingIOError, PermissionError):
                return False
            self._held.add(slot)
            return True

    def release(self, scope: bytes) -> None:
        slot = self._slot(scope)
        with self._mutex:
            if slot in self._held:
                fcntl.lockf(self._file(), fcntl.LOCK_UN, 1, slot)
                self._held.discard(slot)


machine_claims = MachineClaims()


def prune_expired_keys() -> int:
    """Delete keys past their time, in batches (periodic work of ``masthead worker``)."""
    deleted = 0
    for _ in range(PRUNE_MAX_BATCHES):
        batch = list(
            IdempotencyKey.objects.filter(expires_at__lte=timezone.now()).values_list(
                "pk", flat=True
            )[:PRUNE_BATCH]
        )
        if not batch:
            break
        deleted += IdempotencyKey.objects.filter(pk__in=batch).delete()[0]
    return deleted
