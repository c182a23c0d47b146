"""Readers' error reports in templates: the queue's count, the public counts."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext, ngettext

from masthead.sourcing import reports

register = template.Library()


@register.simple_tag(takes_context=True)
def new_report_count(context) -> int:
    """New reports on the desks the signed-in editor edits (one indexed count)."""
    request = context.get("request")
    access = getattr(request, "access", None)
    if access is None or not access.edits_any_desk:
        return 0
    return reports.new_report_count(request.user)


@register.simple_tag
def corrections_from_reports(story) -> int:
    """How many of ``story``'s corrections followed readers' reports (public, cached with it)."""
    return reports.corrections_from_reports(story)


@register.inclusion_tag("sourcing/_accepted_reports.html", takes_context=True)
def accepted_reports(context, story):
    """In the story editor, for its desk's editors: the reports the next correction records."""
    found = []
    access = getattr(context.get("request"), "access", None)
    if story is not None and story.pk and access is not None and access.edits(story.desk_id):
        found = list(story.error_reports.filter(status=reports.Status.ACCEPTED))
    return {"accepted": found, "story": story}


@register.filter
def hours_in_words(hours: float | None) -> str:
    """``0.4`` → "24 minutes", ``5.5`` → "5.5 hours", ``60`` → "2.5 days"."""
    if hours is None:
        return ""
    if hours < 1:
        minutes = max(1, round(hours * 60))
        return ngettext("%(count)s minute", "%(count)s minutes", minutes) % {"count": minutes}
    if hours < 48:
        value = round(hours, 1)
        text = f"{value:g}"
        return ngettext("%(count)s hour", "%(count)s hours", 1 if value == 1 else 2) % {
            "count": text
        }
    days = round(hours / 24, 1)
    return gettext("%(count)s days") % {"count": f"{days:g}"}
