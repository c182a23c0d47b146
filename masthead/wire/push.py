"""Push sources: an agency sends its copy to ``POST /wire/push/<slug>/``.

The body is one ninjs (``application/json``, ``application/ninjs+json``) or
NewsML-G2 (``application/xml``, ``text/xml``, ``application/vnd.iptc.g2.*``)
document, as the request's ``Content-Type`` says. The agency signs each
request with the source's secret:

    X-Masthead-Timestamp: <unix seconds>
    X-Masthead-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>

Answers (problem details, ``application/problem+json``, like the API's):

    404  no such push source, or it is paused (the same answer either way)
    413  body larger than WIRE_PUSH_MAX_KB (refused before it is read)
    401  timestamp missing or more than 300 s from our clock; signature wrong
    429  too many requests (failed signatures per client address; accepted
         requests per source: WIRE_PUSH_RATE_LIMIT)
    415  a Content-Type that is neither
    400  the document is refused (the parser's reason)
    409  this exact signed request was accepted before (a replay)
    202  stored: the counts of new, updated, unchanged … items

Signatures are compared in constant time (``hmac.compare_digest``). A
signature is accepted once: ``PushReceipt`` keeps it (unique per source)
long enough to outlast the timestamp window, and ``prune_receipts`` (periodic
work) deletes older ones. The body is small and stored in the request
(``ingest.store``), so the agency learns at once what was kept.

Signing is the standard library's ``hmac`` (the scheme is the one GitHub and
Stripe webhooks use); rate limits and problem details are the API's own
(masthead/api/rate_limits.py, problems.py).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from masthead.api import rate_limits
from masthead.api.problems import problem_response
from masthead.wire import ingest, parsers
from masthead.wire.items import ParseError
from masthead.wire.models import PushReceipt, Source

TIMESTAMP_TOLERANCE = 300  # seconds either side of our clock
RECEIPT_KEEP = timedelta(seconds=3 * TIMESTAMP_TOLERANCE)  # > the longest replay window

KINDS = {
    "application/json": Source.Kind.NINJS,
    "application/ninjs+json": Source.Kind.NINJS,
    "application/xml": Source.Kind.NEWSML,
    "text/xml": Source.Kind.NEWSML,
    "application/vnd.iptc.g2.newsitem+xml": Source.Kind.NEWSML,
    "application/vnd.iptc.g2.packageitem+xml": Source.Kind.NEWSML,
    "application/vnd.iptc.g2.newsmessage+xml": Source.Kind.NEWSML,
}


def sign(secret: str, timestamp: int | str, body: bytes) -> str:
    """The ``X-Masthead-Signature`` value for ``body`` sent at ``timestamp``."""
    message = str(timestamp).encode("ascii") + b"." + body
    return "sha256=" + hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def _rate() -> rate_limits.Rate | None:
    return rate_limits.parse_rate("WIRE_PUSH_RATE_LIMIT", settings.WIRE_PUSH_RATE_LIMIT)


class _Refusal(Exception):
    def __init__(self, status: int, detail: str, headers: dict[str, str] | None = None):
        super().__init__(detail)
        self.status, self.detail, self.headers = status, detail, headers or {}


def _source(slug: str) -> Source:
    source = Source.objects.filter(slug=slug, kind=Source.Kind.PUSH, paused=False).first()
    if source is None or not source.push_secret:
        raise _Refusal(404, "There is no push source at this address.")
    return source


def _body(request: HttpRequest) -> bytes:
    limit = settings.WIRE_PUSH_MAX_BYTES
    too_large = f"The body is larger than {limit:,} bytes, the most a push may carry."
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise _Refusal(400, "Content-Length is not a number.") from None
    if declared > limit:
        raise _Refusal(413, too_large)
    body = request.read(limit + 1)
    if len(body) > limit:
        raise _Refusal(413, too_large)
    return body


def _check_signature(request: HttpRequest, source: Source, body: bytes) -> str:
    raw_timestamp = request.META.get("HTTP_X_MASTHEAD_TIMESTAMP", "").strip()
    if not raw_timestamp.isdigit() or len(raw_timestamp) > 12:
        raise _Refusal(401, "X-Masthead-Timestamp is missing or not a time in unix seconds.")
    if abs(time.time() - int(raw_timestamp)) > TIMESTAMP_TOLERANCE:
        raise _Refusal(
            401,
            f"X-Masthead-Timestamp is more than {TIMESTAMP_TOLERANCE} s from our clock: "
            "sign each request when you send it (and check your clock).",
        )
    given = request.META.get("HTTP_X_MASTHEAD_SIGNATURE", "").strip()
    expected = sign(source.push_secret, raw_timestamp, body)
    if not hmac.compare_digest(expected.encode(), given.encode("utf-8", "replace")):
        raise _Refusal(401, "X-Masthead-Signature does not match the body and timestamp.")
    return expected


def _kind(request: HttpRequest) -> str:
    content_type = request.META.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
    if content_type not in KINDS:
        raise _Refusal(
            415,
            f"Send ninjs (application/json) or NewsML-G2 (application/xml), not "
            f"{content_type[:60] or 'no Content-Type'}.",
        )
    return KINDS[content_type]


def _client(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR") or "unknown"


def _limited(scope: str, who: str, *, count: bool) -> None:
    try:
        if count:
            rate_limits.hit(scope, who, _rate())
        else:
            rate_limits.check(scope, who, _rate())
    except rate_limits.RateLimited as limited:
        raise _Refusal(429, limited.detail, {"Retry-After": str(limited.retry_after)}) from limited


def _accept(request: HttpRequest, source: Source) -> HttpResponse:
    body = _body(request)
    _limited("wire-push-failures", _client(request), count=False)
    try:
        signature = _check_signature(request, source, body)
    except _Refusal:
        _limited("wire-push-failures", _client(request), count=True)
        raise
    _limited("wire-push", source.slug, count=True)
    try:
        if not body:
            raise ParseError("the body is empty: send one ninjs or NewsML-G2 document")
        kind = _kind(request)
        parsed = parsers.parse(body, kind, content_type=request.META.get("CONTENT_TYPE", ""))
    except ParseError as error:
        _record(source, error=f"A push was refused: {error}")
        raise _Refusal(400, f"The document is refused: {error}") from error
    try:
        with transaction.atomic():
            PushReceipt.objects.create(source=source, signature=signature[7:])
    except IntegrityError:
        raise _Refusal(409, "This signed request was accepted before: not stored again.") from None
    report = ingest.store(source, parsed)
    _record(source, report=report)
    answer = {"source": source.slug, **report.counts(), "refused_reasons": report.refused}
    return HttpResponse(
        json.dumps(answer, ensure_ascii=False), status=202, content_type="application/json"
    )


def _record(source: Source, *, error: str = "", report: ingest.IngestReport | None = None) -> None:
    """The source's health, as for a poll."""
    now = timezone.now()
    fields: dict = {"last_polled_at": now}
    if report is not None and not report.failed:
        fields.update(last_success_at=now, failures=0)
    problems = error or (
        "; ".join((report.failed + report.refused)[:3]) if report is not None else ""
    )
    if problems:
        fields.update(last_error=problems[:500], last_error_at=now)
    Source.objects.filter(pk=source.pk).update(**fields)


@csrf_exempt
@require_POST
def receive(request: HttpRequest, slug: str) -> HttpResponse:
    """``POST /wire/push/<slug>/``: see the module docstring."""
    try:
        return _accept(request, _source(slug))
    except _Refusal as refusal:
        return problem_response(
            request, refusal.status, detail=refusal.detail, headers=refusal.headers
        )


def prune_receipts(now=None) -> int:
    """Forget signatures too old to be replayed (their timestamp window has closed)."""
    now = now or timezone.now()
    deleted, _ = PushReceipt.objects.filter(received_at__lt=now - RECEIPT_KEEP).delete()
    return deleted
