"""The back office's story pages. Thin: parse the request, call a service or selector, render.

Every write goes through ``masthead.stories.services`` (content and
workflow) or ``masthead.backoffice.services`` (notes, images); their errors —
``PermissionDenied``, ``ValidationError``, ``InvalidTransition`` and
``StaleRevision`` — come back to the person as form errors, messages or the
conflict page, with what they typed kept.
"""

from __future__ import annotations

from dataclasses import replace

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dateformat import format as format_date
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from masthead.backoffice import selectors
from masthead.backoffice.access import editor_required, staff_member_required, story_or_404
from masthead.backoffice.diff import LABELS, compare, source_text
from masthead.backoffice.editor_styles import allows_editor_styles
from masthead.backoffice.forms import (
    AuditFilterForm,
    BoardFilterForm,
    SlugForm,
    StoryForm,
    WorkflowForm,
)
from masthead.backoffice.merge import (
    field_conflicts,
    merge,
    passage_conflicts,
    passages_for_script,
    readable_name,
    same_content,
)
from masthead.backoffice.services import save_notes_to_editor
from masthead.backoffice.sourcing_views import approvals_context
from masthead.media.models import file_removed_unless_saved
from masthead.newsroom import audit
from masthead.newsroom.models import Author, Desk
from masthead.site import reporting
from masthead.site import selectors as site_selectors
from masthead.stories import permissions, services
from masthead.stories.models import PreviewLink, Revision, Story
from masthead.stories.services import Content, StaleRevision
from masthead.stories.workflow import (
    TRANSITIONS,
    Action,
    InvalidTransition,
    Transition,
    transitions_from,
)
from masthead.wire import attribution
from masthead.wire.queue import basis_of

AUTOSAVE_NOTE = "Autosave"
EVENTS_ON_STORY_PAGE = 15
PREVIEW_LINKS = 50


def _page_number(request: HttpRequest) -> int:
    raw = request.GET.get("page", "1")
    if not raw.isdigit() or int(raw) < 1:
        raise Http404("No such page.")
    return int(raw)


def _local_time(moment) -> str:
    return format_date(timezone.localtime(moment), "H:i")


# Lists ------------------------------------------------------------------------


@staff_member_required
@require_safe
def my_stories(request: HttpRequest) -> HttpResponse:
    page = _page_number(request)
    stories, has_more = selectors.my_stories(request.user, page)
    writable = [desk for desk in Desk.objects.all() if request.access.writes_for(desk.pk)]
    context = {"stories": stories, "page": page, "has_more": has_more, "desks": writable}
    return render(request, "backoffice/my_stories.html", context)


@staff_member_required
@require_safe
def board(request: HttpRequest) -> HttpResponse:
    form = BoardFilterForm(request.GET or None)
    board_filter = selectors.BoardFilter()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        board_filter = selectors.BoardFilter(
            desk_id=data["desk"].pk if data["desk"] else None,
            author_id=data["author"].pk if data["author"] else None,
            label_id=data["label"].pk if data["label"] else None,
            changed_from=data["changed_from"],
            changed_to=data["changed_to"],
        )
    only = request.GET.get("state") or None
    if only is not None and only not in selectors.COLUMN_STATES:
        raise Http404("No such column.")
    page = _page_number(request)
    columns = selectors.board(request.access, board_filter, only=only, page=page)
    query = request.GET.copy()
    query.pop("state", None)
    query.pop("page", None)
    context = {
        "form": form,
        "columns": columns,
        "only": only,
        "page": page,
        "filter_query": query.urlencode(),
        "now": timezone.now(),
    }
    return render(request, "backoffice/board.html", context)


# The story editor -------------------------------------------------------------


def _readable_story(request: HttpRequest, story_id: int) -> Story:
    related = ("desk", "label", "latest_revision", "published_revision")
    return story_or_404(request, story_id, Story.objects.select_related(*related))


def _working_content(story: Story) -> Content:
    """What the editor opens: the latest revision, which may be newer than the public one."""
    return Content.of(story.latest_revision or story)


def _allowed_transitions(user, story: Story) -> list[Transition]:
    state = story.effective_status()
    return [t for t in transitions_from(state) if permissions.can_take(user, story, t)]


def _story_form(request, story: Story | None, data=None, files=None, initial=None) -> StoryForm:
    count = sum(1 for key in (initial or {}) if key.startswith("byline_"))
    if story is not None:
        count = max(count, story.bylines.count())
    return StoryForm(
        data,
        files,
        initial=initial,
        user=request.user,
        access=request.access,
        current_desk=story.desk if story else None,
        byline_count=count,
    )


def _fresh_form(request, story: Story) -> StoryForm:
    story.refresh_from_db()
    latest = story.latest_revision
    initial = StoryForm.initial_for(
        _working_content(story),
        base_revision_id=latest.pk if latest else None,
        notes=story.notes_to_editor,
    )
    return _story_form(request, story, initial=initial)


def _editor_context(request, story: Story, form: StoryForm | None, workflow: WorkflowForm) -> dict:
    user = request.user
    can_edit = permissions.can_edit(user, story)
    lock = services.active_lock(story)
    latest = story.latest_revision
    transitions = _allowed_transitions(user, story)
    content = _working_content(story)
    return {
        "story": story,
        "state": story.effective_status(),
        "form": form if can_edit else None,
        "can_edit": can_edit,
        "content": content,
        # Read-only copy for those who may not edit: every field, staff-only ones marked.
        "source_lines": [source_text(source) for source in content.sources or []],
        "workflow": workflow,
        "transitions": transitions,
        "steps": {transition.action.value for transition in transitions},
        "lock": lock if lock is not None and lock.user_id != user.pk else None,
        "latest": latest,
        "has_unpublished_changes": (
            story.status in Story.PUBLIC_STATUSES
            and latest is not None
            and latest.pk != story.published_revision_id
        ),
        "can_change_slug": request.access.edits(story.desk_id),
        "slug_form": SlugForm(initial={"slug": story.slug}),
        "events": list(audit.events_for(story)[:EVENTS_ON_STORY_PAGE]),
        "corrections": list(story.corrections.all()),
        "preview_links": _preview_links(request, story),
        "autosave_seconds": 20,
        # The wire items it is based on, and any the agency killed or corrected since.
        "wire_basis": basis_of(story),
        "now": timezone.now(),
        # Unnamed sources and their approvals (backoffice/_source_approvals.html).
        **approvals_context(user, story),
    }


def _render_editor(request, story, form, workflow, status=200) -> HttpResponse:
    context = _editor_context(request, story, form, workflow)
    return render(request, "backoffice/editor.html", context, status=status)


@staff_member_required
@allows_editor_styles
def story_new(request: HttpRequest) -> HttpResponse:
    desks = [desk for desk in Desk.objects.all() if request.access.writes_for(desk.pk)]
    if not desks:
        raise PermissionDenied(gettext_lazy("You do not write for any desk."))
    if request.method == "POST":
        return _create(request)
    chosen = next((d for d in desks if str(d.pk) == request.GET.get("desk")), desks[0])
    own = Author.objects.filter(user=request.user).first()
    form = _story_form(request, None, initial={"desk": chosen, "byline_1": own})
    return render(request, "backoffice/editor.html", _new_context(form))


def _new_context(form: StoryForm) -> dict:
    submit = TRANSITIONS[Action.SUBMIT]
    return {
        "form": form,
        "story": None,
        "can_edit": True,
        "workflow": WorkflowForm(),
        "transitions": [submit],
        "steps": {submit.action.value},
    }


def _create(request: HttpRequest) -> HttpResponse:
    form = _story_form(request, None, request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "backoffice/editor.html", _new_context(form), status=400)
    content = form.content(lead_image=form.image_to_save(), language="")
    try:
        # A new image is stored with the story's first revision, after the checks;
        # new tags are made in the same transaction, so a refusal leaves neither.
        with file_removed_unless_saved(form.new_image), transaction.atomic():
            content = _with_new_tags(request, form, None, content)
            story = services.create_story(request.user, content, note="Created")
            save_notes_to_editor(request.user, story, form.cleaned_data["notes_to_editor"])
    except ValidationError as error:
        _add_errors(form, error)
        return render(request, "backoffice/editor.html", _new_context(form), status=400)
    messages.success(request, gettext_lazy("Story created."))
    action = request.POST.get("action", "save")
    if action != "save":
        workflow = WorkflowForm(request.POST)
        outcome = _take_step(request, story, action, workflow)
        if outcome is not None:
            return outcome
    return redirect("backoffice:story", story_id=story.pk)


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, messages_ in error.message_dict.items():
            form.add_error(name if name in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


@staff_member_required
@allows_editor_styles
def story_edit(request: HttpRequest, story_id: int) -> HttpResponse:
    story = _readable_story(request, story_id)
    if request.method == "POST":
        return _save_and_step(request, story)
    if permissions.can_edit(request.user, story):
        services.acquire_lock(request.user, story)
    form = _fresh_form(request, story) if permissions.can_edit(request.user, story) else None
    return _render_editor(request, story, form, WorkflowForm())


def _save_and_step(request: HttpRequest, story: Story) -> HttpResponse:
    form = _story_form(request, story, request.POST, request.FILES)
    workflow = WorkflowForm(request.POST)
    action = request.POST.get("action", "save")
    if not form.is_valid():
        messages.error(request, gettext_lazy("Nothing was saved: correct the fields marked below."))
        return _render_editor(request, story, form, workflow, status=400)
    language = _working_content(story).language
    content = form.content(lead_image=form.image_to_save(), language=language)
    base_revision_id = form.cleaned_data["base_revision"]
    try:
        saved = _save(request, story, content, base_revision_id, form, note="", new_tags=True)
    except StaleRevision as stale:
        # Nothing was stored: the merge starts from the image the page had.
        kept = replace(content, lead_image=form.cleaned_data["lead_image"])
        return _conflict(request, story, form, kept, base_revision_id, stale, action)
    except PermissionDenied as error:
        messages.error(request, str(error))
        return _render_editor(request, story, form, workflow, status=403)
    except ValidationError as error:
        _add_errors(form, error)
        return _render_editor(request, story, form, workflow, status=400)
    if action == "save":
        messages.success(request, "Saved." if saved else "No changes to save.")
        return redirect("backoffice:story", story_id=story.pk)
    outcome = _take_step(request, story, action, workflow)
    return outcome or redirect("backoffice:story", story_id=story.pk)


def _with_new_tags(request, form: StoryForm, story: Story | None, content: Content) -> Content:
    """``content`` with the tags typed in "New tags", made if the outlet has none of that name.

    Call inside the transaction that saves the story: a refused save makes no tag.
    """
    names = form.cleaned_data["new_tags"]
    if not names:
        return content
    desk = form.cleaned_data["desk"] if story is None else story.desk
    made = services.tags_for_story(request.user, names, desk=desk, story=story)
    chosen = {tag.pk for tag in content.tags}
    return replace(content, tags=[*content.tags, *(tag for tag in made if tag.pk not in chosen)])


def _save(
    request, story: Story, content: Content, base_revision_id, form, note: str, new_tags=False
) -> bool:
    """Keep a new revision if anything changed; True if something was saved.

    With ``new_tags`` the tags typed as new are made first (autosave makes none).
    """
    notes = form.cleaned_data["notes_to_editor"]
    latest = story.latest_revision
    # A new image is stored with the revision, after the permission and stale checks.
    with file_removed_unless_saved(form.new_image), transaction.atomic():
        if new_tags:
            content = _with_new_tags(request, form, story, content)
        changed = (
            latest is None
            or form.new_image is not None
            or not same_content(content, Content.of(latest))
        )
        if changed:
            services.save_story(request.user, story, content, base_revision_id, note=note)
        notes_changed = save_notes_to_editor(request.user, story, notes)
    return changed or notes_changed


def _take_step(request, story: Story, action: str, workflow: WorkflowForm) -> HttpResponse | None:
    """Run one workflow step; None when it went through (the caller redirects)."""
    try:
        step = Action(action)
    except ValueError:
        raise Http404("No such workflow step.") from None
    status = 400
    if workflow.is_valid():
        try:
            _run(step, request.user, story, workflow.cleaned_data)
        except PermissionDenied as error:
            workflow.add_error(None, str(error))
            status = 403
        except InvalidTransition as error:
            workflow.add_error(None, str(error))
            status = 409
        except ValidationError as error:
            _add_errors(workflow, error)
        else:
            story.refresh_from_db()
            if not permissions.can_edit(request.user, story):
                services.release_lock(request.user, story)
            label = Story.Status(story.effective_status()).label.lower()
            messages.success(
                request, gettext("Done: the story is now %(state)s.") % {"state": label}
            )
            return None
    messages.error(
        request, gettext_lazy("The workflow step was not taken: see the workflow panel.")
    )
    form = _fresh_form(request, story) if permissions.can_edit(request.user, story) else None
    return _render_editor(request, story, form, workflow, status=status)


def _run(step: Action, actor, story: Story, data: dict) -> None:
    note = data.get("note") or ""
    if TRANSITIONS[step].asks_confirmation and not data.get("confirm"):
        raise ValidationError(
            {
                "confirm": gettext("Tick the box to confirm: “%(step)s” is hard to undo.")
                % {"step": TRANSITIONS[step].label}
            }
        )
    if step == Action.SCHEDULE:
        if data.get("when") is None:
            raise ValidationError({"when": gettext_lazy("Choose when the story goes out.")})
        services.schedule_story(actor, story, data["when"], embargo=data["embargo"], note=note)
    elif step == Action.PUBLISH_CORRECTION:
        kind = data.get("kind") or "correction"
        services.publish_correction(actor, story, note, kind)
    else:
        services.STEPS_WITH_A_NOTE[step](actor, story, note)


@staff_member_required
@require_POST
def step(request: HttpRequest, story_id: int) -> HttpResponse:
    """A workflow step alone, from the page of a story the person may not edit."""
    story = _readable_story(request, story_id)
    outcome = _take_step(request, story, request.POST.get("action", ""), WorkflowForm(request.POST))
    return outcome or redirect("backoffice:story", story_id=story.pk)


def _conflict(request, story, form, mine: Content, base_revision_id, stale: StaleRevision, action):
    """What each side changed, the passages both changed side by side, and the merge to save."""
    latest = stale.latest
    latest_content = Content.of(latest)
    base = Revision.objects.filter(pk=base_revision_id, story=story).first()
    result = merge(Content.of(base) if base else None, mine, latest_content)
    initial = StoryForm.initial_for(
        result.merged, base_revision_id=latest.pk, notes=form.cleaned_data["notes_to_editor"]
    )
    if result.merged.lead_image == form.cleaned_data["lead_image"]:
        initial |= form.typed_image_words()
    if form.cleaned_data["lead_image_upload"]:
        messages.warning(
            request, gettext_lazy("The image you uploaded was not saved: choose the file again.")
        )
    # Tags typed as new were not made (the save was refused): keep the words.
    initial["new_tags"] = form.data.get("new_tags", "")
    merged_form = _story_form(request, story, initial=initial)
    conflicts = {readable_name(name) for name in result.conflicts}
    diffs = [entry for entry in compare(latest_content, result.merged) if entry.changed]
    for entry in diffs:
        entry.outcome = (
            "conflict"
            if entry.name in conflicts
            else "combined"
            if entry.name in result.combined
            else "mine"
        )
    context = {
        "story": story,
        "latest": latest,
        "diffs": diffs,
        "result": result,
        "taken": [LABELS[readable_name(name)] for name in result.theirs],
        "field_conflicts": field_conflicts(result, mine, latest_content),
        "passage_conflicts": passage_conflicts(result.body),
        "passages": passages_for_script(result.body),
        "form": merged_form,
        "message": str(stale),
        "skipped_step": action if action != "save" else "",
        "can_edit": True,
    }
    return render(request, "backoffice/conflict.html", context, status=409)


# Autosave and the soft lock -----------------------------------------------------


def _lock_state(request, story: Story) -> dict:
    lock = services.active_lock(story)
    if lock is None or lock.user_id == request.user.pk:
        return {"holder": None}
    name = lock.user.get_full_name() or lock.user.username
    return {"holder": name, "since": _local_time(lock.since)}


@staff_member_required
@require_POST
def autosave(request: HttpRequest, story_id: int) -> HttpResponse:
    story = _readable_story(request, story_id)
    if not permissions.can_edit(request.user, story):
        return JsonResponse(
            {"status": "refused", "message": "You may not edit this story."}, status=403
        )
    services.acquire_lock(request.user, story)
    form = _story_form(request, story, request.POST)
    if not form.is_valid():
        errors = {name: [str(e) for e in errs] for name, errs in form.errors.items()}
        return JsonResponse(
            {"status": "invalid", "errors": errors, **_lock_state(request, story)}, status=400
        )
    language = _working_content(story).language
    content = form.content(lead_image=form.image_to_save(), language=language)
    try:
        saved = _save(
            request, story, content, form.cleaned_data["base_revision"], form, AUTOSAVE_NOTE
        )
    except StaleRevision as stale:
        body = {"status": "conflict", "message": str(stale), **_lock_state(request, story)}
        return JsonResponse(body, status=409)
    except (PermissionDenied, ValidationError) as error:
        message = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        return JsonResponse({"status": "refused", "message": message}, status=400)
    story.refresh_from_db()
    return JsonResponse(
        {
            "status": "saved" if saved else "unchanged",
            "revision": story.latest_revision_id,
            "saved_at": _local_time(timezone.now()),
            **_lock_state(request, story),
        }
    )


@staff_member_required
@require_POST
def lock(request: HttpRequest, story_id: int) -> HttpResponse:
    """Heartbeat of an open editor: renew my lock, tell me who else is editing."""
    story = _readable_story(request, story_id)
    if permissions.can_edit(request.user, story):
        services.acquire_lock(request.user, story)
    return JsonResponse(_lock_state(request, story))


@staff_member_required
@require_POST
def unlock(request: HttpRequest, story_id: int) -> HttpResponse:
    story = _readable_story(request, story_id)
    services.release_lock(request.user, story)
    return HttpResponse(status=204)


@staff_member_required
@require_POST
def change_slug(request: HttpRequest, story_id: int) -> HttpResponse:
    story = _readable_story(request, story_id)
    form = SlugForm(request.POST)
    if form.is_valid():
        try:
            services.change_story_slug(request.user, story, form.cleaned_data["slug"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            story.refresh_from_db()
            messages.success(
                request, gettext("The story's address is now …/%(slug)s/.") % {"slug": story.slug}
            )
    else:
        messages.error(request, gettext_lazy("Give a slug of at most 120 characters."))
    return redirect("backoffice:story", story_id=story.pk)


# History, preview and sharing ----------------------------------------------------


def _revision_of(story: Story, revision_id) -> Revision:
    if not str(revision_id).isdigit():
        raise Http404("No such revision.")
    return get_object_or_404(
        Revision.objects.select_related("created_by", "desk", "label", "lead_image"),
        pk=revision_id,
        story=story,
    )


@staff_member_required
@require_safe
def history(request: HttpRequest, story_id: int) -> HttpResponse:
    story = _readable_story(request, story_id)
    revisions = list(story.revisions.select_related("created_by").order_by("-number"))
    context = {
        "story": story,
        "revisions": revisions,
        "can_edit": permissions.can_edit(request.user, story),
        "events": list(audit.events_for(story)),
    }
    if len(revisions) >= 2 or request.GET.get("from"):
        newer = _revision_of(story, request.GET.get("to") or revisions[0].pk)
        older_default = revisions[1].pk if len(revisions) > 1 else revisions[0].pk
        older = _revision_of(story, request.GET.get("from") or older_default)
        context |= {
            "older": older,
            "newer": newer,
            "diffs": compare(Content.of(older), Content.of(newer)),
        }
    return render(request, "backoffice/history.html", context)


@staff_member_required
@require_POST
def restore(request: HttpRequest, story_id: int, revision_id: int) -> HttpResponse:
    story = _readable_story(request, story_id)
    revision = _revision_of(story, revision_id)
    base = request.POST.get("base_revision", "")
    try:
        restored = services.restore_revision(
            request.user, story, revision, int(base) if base.isdigit() else None
        )
    except StaleRevision as stale:
        messages.error(request, gettext("Not restored: %(reason)s") % {"reason": stale})
        return redirect("backoffice:history", story_id=story.pk)
    except ValidationError as error:
        messages.error(
            request, gettext("Not restored: %(reason)s") % {"reason": " ".join(error.messages)}
        )
        return redirect("backoffice:history", story_id=story.pk)
    messages.success(
        request,
        gettext("Revision %(old)s is the latest again (as revision %(new)s).")
        % {"old": revision.number, "new": restored.number},
    )
    return redirect("backoffice:story", story_id=story.pk)


@staff_member_required
@require_safe
def preview(request: HttpRequest, story_id: int, revision_id: int) -> HttpResponse:
    """A revision exactly as readers will see it, for staff who may read the story."""
    story = _readable_story(request, story_id)
    revision = _revision_of(story, revision_id)
    draft = site_selectors.story_from_revision(revision)
    context = {
        "story": draft.story,
        "bylines": draft.bylines,
        "tags": draft.tags,
        "corrections": list(story.corrections.all()),
        "recent_posts": site_selectors.recent_posts(draft.story.desk.edition_id, exclude=story),
        # The page as its edition's readers will see it (language, direction, dates).
        "edition": draft.story.desk.edition,
        "preview": revision,
        "based_on": reporting.merged_credits(attribution.credits_for(story), draft.story.sources),
    }
    reporting.add_to_context(request, context)  # the "How we reported this" box, as readers see it
    # Readers see it in its edition: that edition's header, footer and links (not those of
    # the edition in the staff member's language, which the account pages wear), in its words.
    request.edition = context["edition"]
    with translation.override(request.edition.language):
        response = render(request, "site/story.html", context)
    response["Content-Language"] = request.edition.language
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@staff_member_required
@require_POST
def share(request: HttpRequest, story_id: int) -> HttpResponse:
    """A preview link to the latest saved revision for someone without a login."""
    story = _readable_story(request, story_id)
    try:
        link, token = services.share_preview(request.user, story)
    except ValidationError as error:
        messages.error(
            request, gettext("No preview link: %(reason)s") % {"reason": " ".join(error.messages)}
        )
        return redirect("backoffice:story", story_id=story.pk)
    context = {
        "story": story,
        "revision": link.revision,
        "link": request.build_absolute_uri(reverse("site:preview", args=[token])),
        "expires_at": link.expires_at,
    }
    return render(request, "backoffice/share.html", context)


@staff_member_required
@require_POST
def revoke_preview(request: HttpRequest, story_id: int, link_id: int) -> HttpResponse:
    story = _readable_story(request, story_id)
    link = get_object_or_404(PreviewLink, pk=link_id, story=story)
    services.revoke_preview(request.user, link)
    messages.success(
        request,
        gettext("The preview link to revision %(number)s is closed.")
        % {"number": link.revision.number},
    )
    return redirect(reverse("backoffice:story", args=[story.pk]) + "#share-title")


def _preview_links(request: HttpRequest, story: Story) -> list[PreviewLink]:
    """The story's preview links, newest first, each marked whether this person may revoke it."""
    edits = request.access.edits(story.desk_id)
    links = list(
        story.preview_links.select_related("revision", "created_by", "closed_by")[:PREVIEW_LINKS]
    )
    now = timezone.now()
    for link in links:
        link.is_open_now = link.is_open(now)
        link.may_revoke = link.is_open_now and (edits or link.created_by_id == request.user.pk)
    return links


# The audit log ----------------------------------------------------------------


@editor_required
@require_safe
def audit_log(request: HttpRequest) -> HttpResponse:
    actors = selectors.staff_users()
    form = AuditFilterForm(request.GET or None, actors=actors)
    action, actor_id = "", None
    if form.is_bound and form.is_valid():
        action = form.cleaned_data["action"]
        actor_id = form.cleaned_data["actor"].pk if form.cleaned_data["actor"] else None
    page = _page_number(request)
    events, has_more = selectors.page_of(
        selectors.audit_events(request.access, action=action, actor_id=actor_id), page, 50
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "events": events,
        "page": page,
        "has_more": has_more,
        "filter_query": query.urlencode(),
        "story_type_id": selectors.story_content_type().pk,
    }
    return render(request, "backoffice/audit.html", context)
