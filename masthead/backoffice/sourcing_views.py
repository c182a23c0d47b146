"""The back office's sourcing pages: the outlet's rules, and approving unnamed sources.

Thin views over ``masthead.sourcing.services`` (``set_rule``, ``approve_source``,
``withdraw_approval``), which check who may act, lock, audit and write the
revision. The approval controls are shown on the story editor by the
``backoffice/_source_approvals.html`` include, fed by ``approvals_context``.
"""

from __future__ import annotations

from datetime import datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from masthead.backoffice.access import staff_member_required, story_or_404
from masthead.newsroom.models import PolicyPage
from masthead.newsroom.roles import access_for
from masthead.sourcing import rules
from masthead.sourcing.kinds import is_approved
from masthead.sourcing.services import (
    REASON_MAX,
    approve_source,
    check_manages_rules,
    set_rule,
    withdraw_approval,
)
from masthead.stories.models import Story


class RuleForm(forms.Form):
    """One rule's row on the rules page (prefixed by the rule's code)."""

    is_enforced = forms.BooleanField(required=False, label=gettext_lazy("Enforced"))
    policy_page = forms.ModelChoiceField(
        queryset=PolicyPage.objects.all(),
        required=False,
        empty_label=gettext_lazy("The published page of its kind"),
        label=gettext_lazy("Stated on"),
    )


class ApprovalForm(forms.Form):
    reason = forms.CharField(
        max_length=REASON_MAX,
        label=gettext_lazy("Why we rely on this source unnamed"),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


def _rule_forms(data=None) -> list[tuple[rules.Setting, RuleForm]]:
    return [
        (
            setting,
            RuleForm(
                data,
                prefix=setting.rule.code,
                initial={
                    "is_enforced": setting.is_enforced,
                    "policy_page": setting.policy_page,
                },
            ),
        )
        for setting in rules.settings()
    ]


@staff_member_required
def rules_page(request: HttpRequest) -> HttpResponse:
    """The outlet's sourcing rules: on or off, and the policy page stating each."""
    check_manages_rules(request.user)
    rows = _rule_forms(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if all(form.is_valid() for _, form in rows):
            try:
                for setting, form in rows:
                    set_rule(
                        request.user,
                        setting.rule.code,
                        is_enforced=form.cleaned_data["is_enforced"],
                        policy_page=form.cleaned_data["policy_page"],
                    )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, gettext_lazy("The sourcing rules are saved."))
                return redirect("backoffice:sourcing_rules")
        status = 400
    else:
        status = 200
    return render(request, "backoffice/sourcing_rules.html", {"rows": rows}, status=status)


def _moment(value) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def approvals_context(user, story: Story) -> dict:
    """What ``_source_approvals.html`` shows: the latest revision's unnamed sources."""
    latest = story.latest_revision
    sources = latest.sources if latest is not None else story.sources
    unnamed = [
        {
            "number": number,
            "source": source,
            "approved": is_approved(source),
            "approved_at": _moment((source.get("approval") or {}).get("at")),
        }
        for number, source in enumerate(sources or [], start=1)
        if source.get("kind") == "unnamed"
    ]
    return {
        "unnamed_sources": unnamed,
        "may_approve": access_for(user).edits(story.desk_id) and not story.is_withdrawn,
        "approval_form": ApprovalForm(),
    }


def _story(request: HttpRequest, story_id: int) -> Story:
    return story_or_404(request, story_id, Story.objects.select_related("latest_revision"))


@staff_member_required
@require_POST
def approve(request: HttpRequest, story_id: int, source_id: str) -> HttpResponse:
    story = _story(request, story_id)
    form = ApprovalForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Not approved: " + " ".join(form.errors.get("reason", [])))
        return redirect("backoffice:story", story_id=story.pk)
    try:
        approve_source(request.user, story, source_id, form.cleaned_data["reason"])
    except ValidationError as error:
        messages.error(request, "Not approved: " + " ".join(error.messages))
    else:
        messages.success(
            request, gettext_lazy("The source is approved (a new revision records it).")
        )
    return redirect("backoffice:story", story_id=story.pk)


@staff_member_required
@require_POST
def withdraw(request: HttpRequest, story_id: int, source_id: str) -> HttpResponse:
    story = _story(request, story_id)
    try:
        withdraw_approval(request.user, story, source_id, request.POST.get("reason", ""))
    except ValidationError as error:
        messages.error(request, "The approval stands: " + " ".join(error.messages))
    else:
        messages.success(
            request, gettext_lazy("The approval is withdrawn (a new revision records it).")
        )
    return redirect("backoffice:story", story_id=story.pk)
