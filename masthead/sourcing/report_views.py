"""Readers' "Report an error" pages and the desks' corrections queue.

Public side: ``/<desk>/<slug>/report-error/`` (the form; POST files it) and
``…/report-error/thanks/``. Only a live story has them; any other address
answers exactly like a missing page (``Http404`` → the site's 404). The
article links here with a plain address, so the cached article carries
nothing per request; these pages carry the CSRF token and are
``private, no-store`` and ``noindex``.

Back office side: ``/desk/corrections/`` (the queue), one report's page,
accept and decline (``masthead/sourcing/reports.py`` does every write).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from masthead.api.rate_limits import RateLimited
from masthead.backoffice.access import staff_member_required
from masthead.request_limits import size_in_words
from masthead.site.http import mark_private
from masthead.sourcing import reports
from masthead.sourcing.models import ErrorReport
from masthead.sourcing.report_forms import DeclineForm, ReportForm

Status = ErrorReport.Status


def _private(response: HttpResponse) -> HttpResponse:
    """Kept by no cache, listed by no search engine (the form holds a CSRF token)."""
    mark_private(response)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _story_or_404(desk_slug: str, slug: str):
    story = reports.live_story(desk_slug, slug)
    if story is None:
        # Draft, scheduled, embargoed, withdrawn, old address or none at all: one answer.
        raise Http404("No such story.")
    return story


@require_http_methods(["GET", "HEAD", "POST"])
def report_error(request, desk_slug: str, slug: str):
    """The form, and filing a report (Post/Redirect/Get to the thank-you page).

    CSRF: kept on (Django's middleware, the token in this never-cached page).
    The form is public and anonymous, so a forged post cannot act as anyone;
    what the token stops is other sites making their visitors' browsers file
    reports, which would spread a flood over many addresses and past the
    per-client limits. The cost is that a reader who blocks all cookies is
    refused (403, the CSRF failure page); the article itself stays cookie-free.
    """
    story = _story_or_404(desk_slug, slug)
    if request.method == "POST":
        limit = settings.ERROR_REPORT_MAX_BODY_BYTES
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = limit + 1
        if length > limit:
            return _refused(
                request,
                story,
                413,
                gettext(
                    "What you sent is larger than %(size)s, the most this form takes. "
                    "Nothing was saved."
                )
                % {"size": size_in_words(limit)},
            )
        form = ReportForm(request.POST)
        honeypot = form.honeypot_filled
        if honeypot or form.is_valid():
            data = {} if honeypot else form.cleaned_data
            try:
                reports.file_report(
                    story,
                    what_is_wrong=data.get("what_is_wrong", ""),
                    evidence_url=data.get("evidence_url", ""),
                    email=data.get("email", ""),
                    client=reports.client_hash(request),
                    honeypot=honeypot,
                )
            except RateLimited as limited:
                minutes = max(1, -(-limited.retry_after // 60))
                response = _refused(
                    request,
                    story,
                    429,
                    "You have sent us several reports in a short time. Nothing was saved: "
                    f"please try again in {minutes} minute{'s' if minutes != 1 else ''}.",
                )
                response["Retry-After"] = str(limited.retry_after)
                return response
            except ValidationError as error:
                raise Http404("No such story.") from error
            thanks = reverse("site:report_error_thanks", args=[story.desk.slug, story.slug])
            see_other = HttpResponseRedirect(thanks)
            see_other.status_code = 303  # See Other: reloading the thank-you page posts nothing
            return _private(see_other)
        status = 400
    else:
        form, status = ReportForm(), 200
    context = {
        "story": story,
        "form": form,
        "retention_days": settings.ERROR_REPORT_RETENTION_DAYS,
    }
    return _private(render(request, "sourcing/report_form.html", context, status=status))


def _refused(request, story, status: int, message: str) -> HttpResponse:
    context = {"story": story, "message": message, "status": status}
    return _private(render(request, "sourcing/report_refused.html", context, status=status))


@require_safe
def report_error_thanks(request, desk_slug: str, slug: str):
    story = _story_or_404(desk_slug, slug)
    return _private(render(request, "sourcing/report_thanks.html", {"story": story}))


# The back office ------------------------------------------------------------------------


def _editor(request) -> None:
    if not request.access.edits_any_desk:
        raise PermissionDenied(gettext_lazy("Readers' reports are handled by the desks' editors."))


STATUS_FILTERS = {
    "new": [Status.NEW],
    "accepted": [Status.ACCEPTED],
    "done": [Status.CORRECTED, Status.DECLINED],
    "all": None,
}


@staff_member_required
@require_safe
def queue(request):
    _editor(request)
    shown = request.GET.get("status", "new")
    if shown not in STATUS_FILTERS:
        shown = "new"
    found = reports.reports_for(request.user)
    if STATUS_FILTERS[shown] is not None:
        found = found.filter(status__in=STATUS_FILTERS[shown])
    page = Paginator(found, 50).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "reports": page.object_list,
        "shown": shown,
        "filters": list(STATUS_FILTERS),
    }
    return render(request, "sourcing/queue.html", context)


def _report(request, report_id: int) -> ErrorReport:
    _editor(request)
    report = reports.reports_for(request.user).filter(pk=report_id).first()
    if report is None:
        raise Http404("No such report on your desks.")
    return report


@staff_member_required
@require_safe
def report_page(request, report_id: int):
    report = _report(request, report_id)
    return render(request, "sourcing/report.html", _report_context(report, DeclineForm()))


def _report_context(report: ErrorReport, decline_form: DeclineForm) -> dict:
    same_client = 0
    if report.client_hash:
        same_client = (
            ErrorReport.objects.filter(client_hash=report.client_hash).exclude(pk=report.pk).count()
        )
    return {"report": report, "decline_form": decline_form, "same_client": same_client}


@staff_member_required
@require_POST
def accept(request, report_id: int):
    report = _report(request, report_id)
    try:
        reports.accept_report(request.user, report.pk)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("corrections:report", report_id=report.pk)
    messages.success(
        request,
        "Report accepted. Correct the story and publish a correction: the correction "
        "will record this report, and the reader will be told.",
    )
    return redirect("backoffice:story", story_id=report.story_id)


@staff_member_required
@require_POST
def decline(request, report_id: int):
    report = _report(request, report_id)
    form = DeclineForm(request.POST)
    if form.is_valid():
        try:
            reports.decline_report(request.user, report.pk, form.cleaned_data["reason"])
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, error.messages)
        else:
            messages.success(request, gettext_lazy("Report declined."))
            return redirect("corrections:queue")
    return render(request, "sourcing/report.html", _report_context(report, form), status=400)
