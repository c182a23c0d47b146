"""The wire queue in the back office (``/desk/wire/``): each desk's items, one
item with its versions, and writing a story from items. Thin: parse the
request, call ``wire.queue`` (reads) or ``wire.editorial`` (writes), render.

The door is the back office's (``backoffice.access``: logged in, a staff
role, never cached); which desk's items someone sees is ``queue.may_see_desk``.
The queue page polls ``poll/`` for what is new (``static/wire/queue.js``);
without script it is an ordinary page that shows the same on reload.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from masthead.backoffice.access import staff_member_required
from masthead.backoffice.diff import (
    FieldDiff,
    body_paragraphs,
    body_text,
    paragraph_diff,
    word_diff,
)
from masthead.newsroom.models import Desk
from masthead.stories.models import Story
from masthead.stories.workflow import WORKING_STATES
from masthead.wire import editorial
from masthead.wire import queue as wire_queue
from masthead.wire.items import Status
from masthead.wire.models import Seen, StoryBasis, WireItem, WireItemVersion
from masthead.wire.queue_forms import QueueFilterForm

FILTER_PARAMETERS = ("q", "source", "urgency", "day", "unseen")
POLL_SECONDS = 15
STORIES_TO_ADD_TO = 30


def _page_number(request: HttpRequest) -> int:
    raw = request.GET.get("page", "1")
    if not raw.isdigit() or int(raw) < 1:
        raise Http404("No such page.")
    return int(raw)


def _chosen_desk(request: HttpRequest) -> tuple[Desk | None, list[Desk]]:
    """The desk whose queue is asked for (``?desk=slug``), else the first one this person sees."""
    desks = wire_queue.visible_desks(request.access)
    wanted = request.GET.get("desk")
    if wanted:
        found = next((desk for desk in desks if desk.slug == wanted), None)
        if found is None:
            raise Http404("No such desk queue.")
        return found, desks
    return (desks[0] if desks else None), desks


def _writable_desks(request: HttpRequest) -> list[Desk]:
    return [desk for desk in Desk.objects.all() if request.access.writes_for(desk.pk)]


def _filter_query(request: HttpRequest, desk: Desk) -> dict[str, str]:
    query = {"desk": desk.slug}
    query.update({name: request.GET[name] for name in FILTER_PARAMETERS if request.GET.get(name)})
    return query


@staff_member_required
@require_safe
def queue(request: HttpRequest) -> HttpResponse:
    desk, desks = _chosen_desk(request)
    form = QueueFilterForm(request.GET or None)
    queue_filter = form.queue_filter()
    page = _page_number(request)
    items, has_more = ([], False)
    if desk is not None:
        items, has_more = wire_queue.queue_page(desk, queue_filter, request.user, page)
    query = _filter_query(request, desk) if desk else {}
    context = {
        "desk": desk,
        "desks": desks,
        "form": form,
        "items": items,
        "page": page,
        "has_more": has_more,
        "filter_query": urlencode(query),
        "writable_desks": _writable_desks(request),
        "poll_url": reverse("wire:poll") + "?" + urlencode(query) if desk and page == 1 else "",
        "poll_seconds": POLL_SECONDS,
        "since": timezone.now().isoformat(),
        "now": timezone.now(),
    }
    return render(request, "wire/queue.html", context)


@staff_member_required
@require_safe
def poll(request: HttpRequest) -> HttpResponse:
    """The queue's rows new or changed since ``?since=`` (ISO 8601), as HTML to insert."""
    desk, _ = _chosen_desk(request)
    since = parse_datetime(request.GET.get("since", ""))
    if desk is None or since is None or timezone.is_naive(since):
        return JsonResponse({"error": "Give since=<an ISO 8601 time with its zone>."}, status=400)
    started = timezone.now()
    queue_filter = QueueFilterForm(request.GET).queue_filter()
    rows = wire_queue.changed_since(desk, queue_filter, request.user, since)
    context = {"writable_desks": _writable_desks(request), "now": started}
    return JsonResponse(
        {
            # Re-read a little before now next time: an item stamped earlier may commit later.
            "since": (started - wire_queue.POLL_OVERLAP).isoformat(),
            "rows": [
                {
                    "id": row.pk,
                    "version": row.updated_at.isoformat(),
                    "urgent": wire_queue.is_urgent(row),
                    "headline": row.headline,
                    "html": render_to_string(
                        "wire/queue_row.html", {"item": row, **context}, request
                    ),
                }
                for row in rows
            ],
        }
    )


def _version_diffs(older: WireItemVersion, newer: WireItemVersion) -> list[FieldDiff]:
    """What changed from ``older`` to ``newer``, as the back office's diff shows it."""
    diffs = []
    for name, label in (("headline", "Headline"), ("dek", "Dek"), ("byline", "Byline")):
        entry = FieldDiff(name, label, getattr(older, name), getattr(newer, name))
        if entry.changed:
            entry.segments = word_diff(entry.old, entry.new)
        diffs.append(entry)
    body = FieldDiff("body", "Body", body_text(older.body), body_text(newer.body))
    if body.changed:
        body.paragraphs = paragraph_diff(body_paragraphs(older.body), body_paragraphs(newer.body))
    diffs.append(body)
    return diffs


def _pick_version(versions: list[WireItemVersion], raw: str | None, default):
    if not raw:
        return default
    found = next((v for v in versions if str(v.pk) == raw), None)
    if found is None:
        raise Http404("No such version.")
    return found


def _stories_to_add_to(request: HttpRequest, item: WireItem) -> list[Story]:
    """Stories in the works this person may edit, that are not yet based on ``item``."""
    access = request.access
    if not access.has_content_role:
        return []
    stories = Story.objects.filter(status__in=WORKING_STATES).exclude(wire_basis__item=item)
    if not access.is_chief_editor:
        stories = stories.filter(
            Q(desk_id__in=access.editor_desks)
            | Q(created_by=request.user, desk_id__in=access.writer_desks)
        )
    return list(stories.select_related("desk").order_by("-modified_at")[:STORIES_TO_ADD_TO])


@staff_member_required
@require_safe
def item(request: HttpRequest, item_id: int) -> HttpResponse:
    found = wire_queue.item_for(request.access, item_id)
    editorial.mark_seen(request.user, found)
    versions = list(found.versions.all())
    context = {
        "item": found,
        "agency": wire_queue.agency_of(found),
        "versions": versions,
        "seen": list(Seen.objects.filter(item=found).select_related("user").order_by("at")),
        "bases": list(
            StoryBasis.objects.filter(item=found)
            .select_related("story", "story__desk", "added_by")
            .order_by("added_at")
        ),
        "copies": list(found.duplicates.select_related("source", "desk").order_by("received_at")),
        "kill_reason": wire_queue.kill_reason(found) if found.status == Status.CANCELED else "",
        "is_held": wire_queue.is_held(found),
        "writable_desks": _writable_desks(request),
        "stories_to_add_to": _stories_to_add_to(request, found),
    }
    if len(versions) >= 2:
        newer = _pick_version(versions, request.GET.get("to"), versions[0])
        older = _pick_version(versions, request.GET.get("from"), versions[1])
        context |= {"older": older, "newer": newer, "diffs": _version_diffs(older, newer)}
    return render(request, "wire/item.html", context)


def _back(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("wire:queue")


def _items_asked_for(request: HttpRequest) -> list[WireItem]:
    """The items named by ``item=`` in the order given; 404 if one is not this person's to see."""
    ids = []
    for raw in request.POST.getlist("item"):
        if not raw.isdigit():
            raise Http404("No such wire item.")
        ids.append(int(raw))
    if len(ids) > editorial.MAX_ITEMS_PER_STORY:
        raise ValidationError(
            f"A story is written from at most {editorial.MAX_ITEMS_PER_STORY} items."
        )
    return [wire_queue.item_for(request.access, pk) for pk in dict.fromkeys(ids)]


@staff_member_required
@require_POST
def write_story(request: HttpRequest) -> HttpResponse:
    """A draft from the chosen items on the chosen desk; then the story editor."""
    desk_id = request.POST.get("desk", "")
    desk = get_object_or_404(Desk, pk=desk_id) if desk_id.isdigit() else None
    try:
        items = _items_asked_for(request)
        if desk is None:
            raise ValidationError(gettext_lazy("Choose the desk the story is for."))
        story = editorial.write_story_from(request.user, items, desk)
    except (ValidationError, PermissionDenied) as error:
        text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        messages.error(request, gettext("No story was written: %(text)s") % {"text": text})
        return redirect(_back(request))
    messages.success(
        request,
        gettext_lazy("A draft was written from the wire: it is yours to edit, like any draft."),
    )
    return redirect("backoffice:story", story_id=story.pk)


@staff_member_required
@require_POST
def add_to_story(request: HttpRequest, item_id: int) -> HttpResponse:
    found = wire_queue.item_for(request.access, item_id)
    story_id = request.POST.get("story", "")
    story = get_object_or_404(Story, pk=story_id) if story_id.isdigit() else None
    try:
        if story is None:
            raise ValidationError(gettext_lazy("Choose the story to add the item to."))
        editorial.add_to_story(request.user, story, [found])
    except (ValidationError, PermissionDenied) as error:
        text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        messages.error(request, gettext("Not added: %(text)s") % {"text": text})
        return redirect("wire:item", item_id=found.pk)
    messages.success(
        request, gettext_lazy("The story now records this wire item among its sources.")
    )
    return redirect("backoffice:story", story_id=story.pk)
