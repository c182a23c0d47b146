"""Polling wire sources on their schedule, with any number of workers at once.

Every worker calls ``schedule_due_sources()`` every few seconds
(``settings.PERIODIC_WORK``). It claims the sources that are due — pulled
(RSS/Atom, ninjs, NewsML-G2 over HTTP) or drop folders, not paused,
``next_poll_at`` passed, no live lease — by giving each a lease: a fresh
random token and an expiry, written by a conditional UPDATE that only
succeeds while the lease is still free. It then queues one ``poll_source``
task per claimed source, carrying the token. The task polls only while its
token still holds the lease, and gives the lease back with the source's
health when it is done.

How it stays correct:

* One poll at a time per source. Two workers claiming at once both run the
  conditional UPDATE; the database lets one of them change the row. On
  PostgreSQL the candidates are also read ``FOR UPDATE SKIP LOCKED``, so
  workers pass over rows another is claiming instead of queueing behind it;
  on SQLite the write transaction (``BEGIN IMMEDIATE``) serialises claims.
* A worker that dies mid-poll leaves a lease that expires
  (``WIRE_LEASE_SECONDS``, longer than a fetch may take); the next worker
  claims the source again. What the dead one stored is whole items only
  (``ingest.store`` commits each item by itself), and storing is idempotent,
  so the second poll finishes the job. A task that runs after its lease was
  taken over does nothing.
* A document refused whole (``FetchError``, ``ParseError``, a folder that
  is not there) stores nothing and records the reason; the source is tried
  again after a backoff with jitter that honours ``Retry-After``
  (``fetch.backoff``). The ETag / Last-Modified of a document are kept only
  once all its items are stored, so a conditional GET never hides items a
  fault kept out.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from masthead.wire import fetch as wire_fetch
from masthead.wire import folder, ingest, parsers
from masthead.wire.items import ParseError
from masthead.wire.models import Source

POLLED_KINDS = (Source.Kind.RSS, Source.Kind.NINJS, Source.Kind.NEWSML, Source.Kind.FOLDER)
CLAIM_BATCH = 50  # sources claimed per call; the rest wait for the next call or worker

ACCEPT = {
    Source.Kind.RSS: "application/rss+xml, application/atom+xml, application/xml;q=0.9, "
    "text/xml;q=0.9, */*;q=0.1",
    Source.Kind.NINJS: "application/ninjs+json, application/json;q=0.9, */*;q=0.1",
    Source.Kind.NEWSML: "application/vnd.iptc.g2.newsitem+xml, application/xml;q=0.9, "
    "text/xml;q=0.9, */*;q=0.1",
}


def lease_length() -> timedelta:
    return timedelta(seconds=settings.WIRE_LEASE_SECONDS)


def _due(now: datetime):
    return Source.objects.filter(
        Q(lease_until__isnull=True) | Q(lease_until__lte=now),
        paused=False,
        kind__in=POLLED_KINDS,
        next_poll_at__lte=now,
    )


def schedule_due_sources(now: datetime | None = None) -> int:
    """Claim the due sources and queue a poll of each; how many were claimed."""
    now = now or timezone.now()
    claimed: list[tuple[int, str]] = []
    with transaction.atomic():
        candidates = _due(now).order_by("next_poll_at", "pk")
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True)
        for source_id in list(candidates.values_list("pk", flat=True)[:CLAIM_BATCH]):
            token = secrets.token_hex(16)
            taken = (
                _due(now)
                .filter(pk=source_id)
                .update(lease_token=token, lease_until=now + lease_length())
            )
            if taken:
                claimed.append((source_id, token))
        for source_id, token in claimed:
            transaction.on_commit(partial(poll_source.enqueue, source_id, token))
    return len(claimed)


def poll_now(source: Source) -> None:
    """Make ``source`` due now, forgetting any backoff: the next scheduler call polls it.

    A worker holding a live lease keeps it (two polls of one source never run
    at once); an expired lease is cleared.
    """
    now = timezone.now()
    Source.objects.filter(pk=source.pk).update(next_poll_at=now)
    Source.objects.filter(pk=source.pk, lease_until__lte=now).update(
        lease_until=None, lease_token=""
    )


class Refusal(Exception):
    """The whole document (or folder) was refused: nothing stored, the reason recorded."""

    def __init__(self, reason: str, retry_after: float | None = None):
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


@task()
def poll_source(source_id: int, lease_token: str) -> str:
    """Poll one source if ``lease_token`` still holds its lease; a line saying what happened."""
    now = timezone.now()
    held = Source.objects.filter(pk=source_id, lease_token=lease_token, lease_until__gt=now)
    if not held.update(lease_until=now + lease_length()):
        return "not polled: another worker holds the lease"
    source = Source.objects.select_related("desk").get(pk=source_id)
    if source.paused or source.kind not in POLLED_KINDS:  # changed since it was claimed
        Source.objects.filter(pk=source_id, lease_token=lease_token).update(
            lease_until=None, lease_token=""
        )
        return "not polled: the source was paused or is no longer polled"
    try:
        report, validators = _poll(source)
    except Refusal as refusal:
        _record_failure(source, lease_token, refusal.reason, refusal.retry_after)
        return f"refused: {refusal.reason}"
    except Exception as error:
        _record_failure(source, lease_token, f"Internal error ({type(error).__name__}): {error}")
        raise
    _record_poll(source, lease_token, report, validators)
    return report.summary()


def _poll(source: Source) -> tuple[ingest.IngestReport, dict[str, str]]:
    """Read the source's new documents and store them; the report, and the new validators."""
    if source.kind == Source.Kind.FOLDER:
        try:
            return folder.poll_folder(source), {}
        except folder.FolderError as error:
            raise Refusal(str(error)) from error
    try:
        fetched = wire_fetch.fetch(
            source.url,
            etag=source.etag,
            last_modified=source.last_modified,
            max_bytes=settings.WIRE_MAX_BYTES,
            accept=ACCEPT[source.kind],
        )
    except wire_fetch.FetchError as error:
        raise Refusal(error.reason, error.retry_after) from error
    validators = {"etag": fetched.etag[:300], "last_modified": fetched.last_modified[:100]}
    if fetched.status == 304:
        return ingest.IngestReport(), validators
    try:
        parsed = parsers.parse(fetched.body, source.kind, content_type=fetched.content_type)
    except ParseError as error:
        raise Refusal(str(error)) from error
    return ingest.store(source, parsed), validators


def _released(source: Source, now: datetime) -> dict:
    return {"last_polled_at": now, "lease_until": None, "lease_token": ""}


def _record_failure(
    source: Source, lease_token: str, reason: str, retry_after: float | None = None
) -> None:
    now = timezone.now()
    failures = source.failures + 1
    delay = wire_fetch.backoff(failures, source.interval_seconds, retry_after)
    Source.objects.filter(pk=source.pk, lease_token=lease_token).update(
        **_released(source, now),
        last_error=reason[:500],
        last_error_at=now,
        failures=failures,
        next_poll_at=now + timedelta(seconds=delay),
    )


def _record_poll(
    source: Source, lease_token: str, report: ingest.IngestReport, validators: dict[str, str]
) -> None:
    if report.failed:
        first = report.failed[0]
        _record_failure(
            source,
            lease_token,
            f"{len(report.failed)} item(s) could not be stored and will be tried again "
            f"({report.summary()}): {first}",
        )
        return
    now = timezone.now()
    fields = {
        **_released(source, now),
        **validators,
        "last_success_at": now,
        "failures": 0,
        "next_poll_at": now + timedelta(seconds=source.interval_seconds),
    }
    if report.refused:
        fields["last_error"] = (
            f"{len(report.refused)} item(s) refused ({report.summary()}): "
            + "; ".join(report.refused[:3])
        )[:500]
        fields["last_error_at"] = now
    Source.objects.filter(pk=source.pk, lease_token=lease_token).update(**fields)
