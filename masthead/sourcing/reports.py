"""Readers' error reports: filing, the desks' corrections queue, outcomes, retention.

Every write is here, each in one transaction with its permission check, row
lock and audit record (docs/corrections.md):

* ``file_report``: a reader's report on a live story. Counted against two
  rate limits first (per client per hour, per client per story per hour;
  ``ERROR_REPORT_RATE_LIMIT``, ``ERROR_REPORT_STORY_RATE_LIMIT``) with the
  API's fixed-window counters (``masthead/api/rate_limits.py``), so floods are
  refused before anything is stored. A filled honeypot counts too and stores
  nothing.
* ``accept_report`` / ``decline_report``: the story's desk editors (and chief
  editors) decide. Accepting sends the editor to the story to write the
  correction; ``attach_to_correction``, called by
  ``stories.services.publish_correction`` in its transaction, links every
  accepted report of the story to the correction it publishes and marks
  them corrected. Declining needs a reason, which only the reporter sees.
* A reporter who left an e-mail is told the outcome by a background task
  (``masthead.accounts.tasks.send_email``), queued when the decision commits.
* ``expire_personal_data`` (periodic work of ``masthead worker``, and the
  ``expire_error_reports`` command) blanks the client hash and the e-mail of
  reports older than ``ERROR_REPORT_RETENTION_DAYS``.

No raw address is stored. ``client_hash`` is HMAC-SHA256 of the client's
address (an IPv6 address by its /64, which one subscriber usually holds
whole) under a key derived from ``SECRET_KEY`` by Django's ``salted_hmac``
with its own salt (key = SHA-256(salt + SECRET_KEY)): the same client gives
the same hash while the key stays, and without the key the 2³² IPv4
addresses cannot be tried. Rotating ``SECRET_KEY`` only makes old hashes
unmatched.
"""

from __future__ import annotations

import ipaddress
import logging
import statistics
import zoneinfo
from dataclasses import dataclass
from datetime import timedelta

import jdatetime
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext, gettext_lazy

from masthead import failpoints
from masthead.accounts.client_ip import client_ip_address
from masthead.api import rate_limits
from masthead.newsroom import audit, calendars
from masthead.newsroom.roles import access_for
from masthead.newsroom.text import clean_line, clean_paragraphs
from masthead.sourcing.models import ErrorReport
from masthead.stories.models import Correction, Story

logger = logging.getLogger(__name__)

CLIENT_HASH_SALT = "masthead.sourcing.reports.client_hash"
MAX_REASON_CHARS = 2000
Status = ErrorReport.Status


# Who the client is, without keeping their address ------------------------------------


def client_hash(request) -> str:
    """The keyed hash of the client's address (see the module's docstring)."""
    address = client_ip_address(request) or ""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        parsed = None
    if isinstance(parsed, ipaddress.IPv6Address):
        mapped = parsed.ipv4_mapped
        address = (
            str(mapped)
            if mapped is not None
            else str(ipaddress.IPv6Network(f"{parsed}/64", strict=False))
        )
    return salted_hmac(CLIENT_HASH_SALT, address, algorithm="sha256").hexdigest()


def _rates() -> tuple[rate_limits.Rate | None, rate_limits.Rate | None]:
    return (
        rate_limits.parse_rate("ERROR_REPORT_RATE_LIMIT", settings.ERROR_REPORT_RATE_LIMIT),
        rate_limits.parse_rate(
            "ERROR_REPORT_STORY_RATE_LIMIT", settings.ERROR_REPORT_STORY_RATE_LIMIT
        ),
    )


def count_report(client: str, story: Story) -> None:
    """Count one report of ``client`` on ``story``; ``rate_limits.RateLimited`` past a limit."""
    per_client, per_story = _rates()
    rate_limits.hit("error-report", client, per_client)
    rate_limits.hit("error-report-story", f"{client}:{story.pk}", per_story)


# Filing -------------------------------------------------------------------------------


def live_story(desk_slug: str, slug: str) -> Story | None:
    """The live story at this address (its current one), else None: the only one reportable."""
    return (
        Story.objects.live()
        .select_related("desk")
        .filter(slug=slug, desk__slug=desk_slug, withdrawn_at__isnull=True)
        .first()
    )


@transaction.atomic
def file_report(
    story: Story,
    *,
    what_is_wrong: str,
    evidence_url: str = "",
    email: str = "",
    client: str,
    honeypot: bool = False,
) -> ErrorReport | None:
    """Store a reader's report on a live story; None when the honeypot was filled.

    ``RateLimited`` past a limit (nothing stored); ``ValidationError`` if the
    story is no longer live (the view answers as for a missing story).
    """
    count_report(client, story)
    if honeypot:
        return None
    if not Story.objects.live().filter(pk=story.pk).exists():
        raise ValidationError(gettext_lazy("The story is not public."))
    report = ErrorReport.objects.create(
        story=story,
        what_is_wrong=clean_paragraphs(what_is_wrong)[: settings.ERROR_REPORT_MAX_CHARS],
        evidence_url=evidence_url,
        email=email,
        client_hash=client,
    )
    audit.record(None, "error_report_file", report, to_state=report.status)
    return report


# The back office -----------------------------------------------------------------------


def can_handle(user, story: Story) -> bool:
    """The story's desk editors and chief editors; not writers, not administrators by role."""
    return access_for(user).edits(story.desk_id)


def reports_for(user) -> QuerySet[ErrorReport]:
    """The reports of the desks ``user`` edits (every desk for chief editors)."""
    access = access_for(user)
    reports = ErrorReport.objects.select_related("story", "story__desk", "correction")
    if not access.edits_any_desk:
        return reports.none()
    desks = access.desks_edited()
    return reports if desks is None else reports.filter(story__desk_id__in=desks)


def new_report_count(user) -> int:
    return reports_for(user).filter(status=Status.NEW).count()


def _locked(actor, report_id: int) -> ErrorReport:
    report = (
        ErrorReport.objects.select_for_update()
        .select_related("story", "story__desk")
        .filter(pk=report_id)
        .first()
    )
    if report is None or not can_handle(actor, report.story):
        # The same answer for a report that does not exist and one of another desk.
        raise PermissionDenied(gettext_lazy("You may not handle this report."))
    failpoints.reached("sourcing.report.after_lock")
    return report


@transaction.atomic
def accept_report(actor, report_id: int) -> ErrorReport:
    """The desk agrees a correction is due: the next correction of the story records it."""
    report = _locked(actor, report_id)
    if report.status != Status.NEW:
        raise ValidationError(
            gettext("This report is already %(lower)s.")
            % {"lower": report.get_status_display().lower()}
        )
    if report.story.status == Story.Status.WITHDRAWN:
        raise ValidationError(
            gettext_lazy("The story was withdrawn: decline the report with a reason.")
        )
    before = report.status
    report.status = Status.ACCEPTED
    report.decided_by = actor
    report.decided_at = timezone.now()
    report.save(update_fields=["status", "decided_by", "decided_at"])
    audit.record(actor, "error_report_accept", report, from_state=before, to_state=report.status)
    return report


@transaction.atomic
def decline_report(actor, report_id: int, reason: str) -> ErrorReport:
    """No correction: ``reason`` says why (sent to the reporter, never shown in public)."""
    report = _locked(actor, report_id)
    reason = clean_paragraphs(reason)
    if not reason:
        raise ValidationError({"reason": gettext_lazy("Say why the report is declined.")})
    if len(reason) > MAX_REASON_CHARS:
        raise ValidationError(
            {
                "reason": gettext("Keep the reason under %(max_reason_chars)s characters.")
                % {"max_reason_chars": MAX_REASON_CHARS}
            }
        )
    if report.status not in (Status.NEW, Status.ACCEPTED):
        raise ValidationError(
            gettext("This report is already %(lower)s.")
            % {"lower": report.get_status_display().lower()}
        )
    before = report.status
    report.status = Status.DECLINED
    report.decided_by = actor
    report.decided_at = timezone.now()
    report.decision_reason = reason
    fields = ["status", "decided_by", "decided_at", "decision_reason"]
    if report.email:
        report.reporter_told_at = report.decided_at
        fields.append("reporter_told_at")
    report.save(update_fields=fields)
    audit.record(
        actor,
        "error_report_decline",
        report,
        from_state=before,
        to_state=report.status,
        note=reason,
    )
    if report.email:
        _tell_reporter(report)
    return report


def attach_to_correction(actor, correction: Correction) -> list[ErrorReport]:
    """Link the story's accepted reports to ``correction``, in the caller's transaction.

    Called by ``stories.services.publish_correction`` (with the story row
    locked); each linked report becomes corrected and its reporter is told.
    """
    reports = list(
        ErrorReport.objects.select_for_update().filter(
            story_id=correction.story_id, status=Status.ACCEPTED
        )
    )
    now = timezone.now()
    for report in reports:
        report.status = Status.CORRECTED
        report.correction = correction
        fields = ["status", "correction"]
        if report.email:
            report.reporter_told_at = now
            fields.append("reporter_told_at")
        report.save(update_fields=fields)
        audit.record(
            actor,
            "error_report_corrected",
            report,
            from_state=Status.ACCEPTED,
            to_state=Status.CORRECTED,
            correction=correction.pk,
        )
        if report.email:
            _tell_reporter(report)
    return reports


# Telling the reporter ------------------------------------------------------------------


def _story_address(story: Story) -> str:
    from masthead.site.absolute_urls import absolute_url

    try:
        return absolute_url(story.get_absolute_url())
    except ValueError:  # no SITE_URL: the path is all that is known here
        return story.get_absolute_url()


def _tell_reporter(report: ErrorReport) -> None:
    """Queue the outcome mail for when the decision commits (a failure is the task's)."""
    from masthead.accounts.tasks import send_email
    from masthead.newsroom.models import Outlet

    outlet = Outlet.objects.first()
    context = {
        "report": report,
        "story": report.story,
        "outlet_name": outlet.name if outlet else "",
        "story_url": _story_address(report.story),
        "correction": report.correction,
        "retention_days": settings.ERROR_REPORT_RETENTION_DAYS,
    }
    subject = clean_line(render_to_string("sourcing/mail/report_outcome_subject.txt", context))[
        :200
    ]
    body = render_to_string("sourcing/mail/report_outcome.txt", context)
    recipient = report.email

    def queue() -> None:
        try:
            send_email.enqueue(subject, body, [recipient])
        except Exception:
            logger.exception("Could not queue the outcome mail of error report %s", report.pk)

    transaction.on_commit(queue)


# Retention -----------------------------------------------------------------------------


def expire_personal_data(now=None) -> int:
    """Blank the client hash and e-mail of reports past ``ERROR_REPORT_RETENTION_DAYS``."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.ERROR_REPORT_RETENTION_DAYS)
    with transaction.atomic():
        blanked = (
            ErrorReport.objects.filter(received_at__lt=cutoff)
            .exclude(client_hash="", email="")
            .update(client_hash="", email="")
        )
        if blanked:
            audit.record(None, "error_report_expire", None, blanked=blanked)
    return blanked


# Public counts -------------------------------------------------------------------------


@dataclass(frozen=True)
class Month:
    month: object  # the first of the month: a date, or a jdatetime.date in a Jalali edition
    corrections: int
    from_reports: int
    median_hours: float | None


def corrections_from_reports(story: Story) -> int:
    """How many of the story's corrections followed readers' reports."""
    return (
        Correction.objects.filter(story=story, error_reports__isnull=False)
        .values("pk")
        .distinct()
        .count()
    )


def monthly_report_stats(
    corrections: QuerySet[Correction], months: int = 12, edition=None
) -> list[Month]:
    """Per month (newest first): corrections, how many followed reports, median hours to correct.

    ``corrections`` is the public list (``site.selectors.public_corrections``);
    the time to correct is from the first report a correction records to its
    publication. The months are those of ``edition``'s calendar: a Jalali
    edition's are Solar Hijri months (آذر ۱۴۰۵), in its time zone.
    """
    if edition is not None and edition.is_jalali:
        return _jalali_months(corrections, months, edition.zone_name)
    per_month = (
        corrections.order_by()
        .annotate(month=TruncMonth("published_at"))
        .values("month")
        .annotate(
            total=Count("pk", distinct=True),
            reported=Count("pk", distinct=True, filter=Q(error_reports__isnull=False)),
        )
        .order_by("-month")[:months]
    )
    rows = list(per_month)
    if not rows:
        return []
    oldest = rows[-1]["month"]
    waits: dict[object, list[float]] = {}
    linked = (
        ErrorReport.objects.filter(correction__in=corrections, correction__published_at__gte=oldest)
        .values_list("correction_id", "correction__published_at", "received_at")
        .order_by("received_at")
    )
    first_report: dict[int, tuple] = {}
    for correction_id, published_at, received_at in linked:
        first_report.setdefault(correction_id, (published_at, received_at))
    for published_at, received_at in first_report.values():
        month = timezone.localtime(published_at).replace(
            day=1, hour=0, minute=0, second=0, microsecond=0
        )
        key = month.date()
        waits.setdefault(key, []).append((published_at - received_at).total_seconds() / 3600)
    result = []
    for row in rows:
        month = row["month"]
        key = month.date() if hasattr(month, "date") else month
        hours = waits.get(key)
        result.append(
            Month(key, row["total"], row["reported"], statistics.median(hours) if hours else None)
        )
    return result


def _jalali_months(corrections: QuerySet[Correction], months: int, zone_name: str) -> list[Month]:
    """``monthly_report_stats`` in Solar Hijri months, counted here: no database truncates
    dates to a Jalali month. Only the last ~13 months' corrections are read."""
    zone = zoneinfo.ZoneInfo(zone_name)
    recent = corrections.filter(
        published_at__gte=timezone.now() - timedelta(days=31 * (months + 1))
    )
    published = dict(recent.order_by().values_list("pk", "published_at").distinct())
    first_report: dict[int, object] = {}
    for correction_id, received_at in (
        ErrorReport.objects.filter(correction_id__in=published)
        .values_list("correction_id", "received_at")
        .order_by("received_at")
    ):
        first_report.setdefault(correction_id, received_at)
    per_month: dict[tuple[int, int], list[int]] = {}
    for pk, published_at in published.items():
        day = calendars.jalali(published_at.astimezone(zone))
        per_month.setdefault((day.year, day.month), []).append(pk)
    result = []
    for year, month in sorted(per_month, reverse=True)[:months]:
        pks = per_month[(year, month)]
        hours = [
            (published[pk] - first_report[pk]).total_seconds() / 3600
            for pk in pks
            if pk in first_report
        ]
        result.append(
            Month(
                jdatetime.date(year, month, 1),
                len(pks),
                sum(1 for pk in pks if pk in first_report),
                statistics.median(hours) if hours else None,
            )
        )
    return result
