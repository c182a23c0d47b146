"""The wire sources of the back office: their health, and managing them.

Thin views over ``masthead.wire.sources_admin``, which says who may see and
change which source and records every change in the audit trail. Every page
is behind the back office's door (``backoffice.access``: signed in, a staff
role, never cached). A source the person may not see answers 404, the same
as one that does not exist; one they may see but not manage answers 403 to
its edit page and to every action, naming why. The push secret is shown in
exactly one response, the one that generated it.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from masthead.backoffice.access import staff_member_required
from masthead.backoffice.forms import add_errors
from masthead.newsroom import audit
from masthead.wire import sources_admin
from masthead.wire.models import Source
from masthead.wire.source_forms import RuleFormSet, SourceForm

RULES_PREFIX = "rules"


def _visible(request: HttpRequest, source_id: int) -> Source:
    source = sources_admin.visible_sources(request.access).filter(pk=source_id).first()
    if source is None:
        raise Http404("No such source.")
    return source


def _managed(request: HttpRequest, source_id: int) -> Source:
    source = _visible(request, source_id)
    sources_admin.check_manage(request.user, source)
    return source


@staff_member_required
@require_safe
def source_list(request: HttpRequest) -> HttpResponse:
    access = request.access
    sources = list(sources_admin.visible_sources(access).order_by("desk__position", "name"))
    rows = [(source, sources_admin.can_manage(access, source)) for source in sources]
    context = {
        "rows": rows,
        "may_create": sources_admin.managed_desks(access).exists(),
        "polled_kinds": sources_admin.POLLED_KINDS,
    }
    return render(request, "wire/sources/list.html", context)


def _edit_page(request: HttpRequest, source: Source | None) -> HttpResponse:
    access = request.access
    data = request.POST if request.method == "POST" else None
    form = SourceForm(data, instance=source, access=access)
    rules = RuleFormSet(data, instance=source or Source(), prefix=RULES_PREFIX, access=access)
    status = 200
    if data is not None:
        status = 400
        if form.is_valid() and rules.is_valid():
            try:
                saved = sources_admin.save_source(
                    request.user,
                    form.save(commit=False),
                    rules.rules_to_keep(),
                    rules.rules_to_delete(),
                )
            except PermissionDenied as error:
                form.add_error(None, str(error))
                status = 403
            except ValidationError as error:
                add_errors(form, error)
            else:
                done = (
                    gettext("Source “%(name)s” added.")
                    if source is None
                    else gettext("Source “%(name)s” saved.")
                )
                messages.success(request, done % {"name": saved.name})
                return redirect("wire_sources:list")
        if source is not None:
            # A failed save may have left the instance half-changed in memory: show the stored row.
            source.refresh_from_db()
    context = {
        "form": form,
        "rules": rules,
        "source": source,
        "events": audit.events_for(source)[:20] if source else [],
        "push_url": _push_url(source),
        "polled_kinds": sources_admin.POLLED_KINDS,
    }
    return render(request, "wire/sources/form.html", context, status=status)


@staff_member_required
def source_new(request: HttpRequest) -> HttpResponse:
    if not sources_admin.managed_desks(request.access).exists():
        raise PermissionDenied(
            gettext_lazy("Only desk editors, the chief editor and administrators add sources.")
        )
    return _edit_page(request, None)


@staff_member_required
def source_edit(request: HttpRequest, source_id: int) -> HttpResponse:
    return _edit_page(request, _managed(request, source_id))


def _act(request: HttpRequest, source_id: int, action, done: str) -> HttpResponse:
    source = _managed(request, source_id)
    try:
        action(request.user, source)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done.format(name=source.name))
    return redirect(_back(request, source))


def _back(request: HttpRequest, source: Source) -> str:
    """Where an action returns: the page it was taken from, when that is ours."""
    if request.POST.get("next") == "edit":
        return reverse("wire_sources:edit", args=[source.pk])
    return reverse("wire_sources:list")


@staff_member_required
@require_POST
def source_pause(request: HttpRequest, source_id: int) -> HttpResponse:
    return _act(request, source_id, sources_admin.pause_source, "“{name}” is paused.")


@staff_member_required
@require_POST
def source_resume(request: HttpRequest, source_id: int) -> HttpResponse:
    return _act(
        request, source_id, sources_admin.resume_source, "“{name}” is resumed and polls next."
    )


@staff_member_required
@require_POST
def source_poll(request: HttpRequest, source_id: int) -> HttpResponse:
    return _act(
        request,
        source_id,
        sources_admin.poll_now,
        "“{name}” is due now: a worker polls it within moments.",
    )


@staff_member_required
@require_POST
def source_secret(request: HttpRequest, source_id: int) -> HttpResponse:
    """Generate or rotate the push secret, and show it this once."""
    source = _managed(request, source_id)
    try:
        secret = sources_admin.rotate_push_secret(request.user, source)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("wire_sources:edit", source.pk)
    context = {"source": source, "secret": secret, "push_url": _push_url(source)}
    return render(request, "wire/sources/secret.html", context)


@staff_member_required
@require_POST
def source_delete(request: HttpRequest, source_id: int) -> HttpResponse:
    source = _managed(request, source_id)
    try:
        deleted = sources_admin.delete_source(request.user, source)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("wire_sources:edit", source.pk)
    if deleted:
        messages.success(request, gettext("Source “%(source)s” deleted.") % {"source": source.name})
    else:
        messages.info(
            request,
            f"“{source.name}” has received items, which stories may rest on: "
            "it is archived (paused) instead of deleted.",
        )
    return redirect("wire_sources:list")


def _push_url(source: Source | None) -> str:
    """The push endpoint's address for the source, once the pipeline has mounted it."""
    if source is None or source.kind != Source.Kind.PUSH:
        return ""
    for name in ("wire-push", "wire:push"):  # the pipeline's push.receive
        try:
            return reverse(name, kwargs={"slug": source.slug})
        except NoReverseMatch:
            continue
    return ""
