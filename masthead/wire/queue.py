"""Reading the wire queue: which desks' queues a staff member sees, each
queue's items newest first with their filters, and what changed since a poll.

A desk's writers and editors see its queue; chief editors and administrators
see every desk's. An item queued for a desk someone does not work on is, for
them, an item that does not exist (the views answer 404). Duplicates (the
same copy from two sources, ``WireItem.duplicate_of``) are folded under the
first copy when both are in the same queue.

Plain ORM over the ``wire_queue`` index (desk, newest first); search is
``icontains`` on headline and text, enough for a queue of days, not an
archive (the search app owns full text).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from masthead.backoffice.diff import body_text
from masthead.newsroom.models import Desk
from masthead.newsroom.roles import StaffAccess
from masthead.wire.items import Status
from masthead.wire.models import Seen, StoryBasis, WireItem

PAGE_SIZE = 50
# Flash (1) and urgent (2) on IPTC's scale: shown at once, and highlighted.
URGENT_UP_TO = 2
# A poll re-reads this far back: an item stamped before a poll may commit after it.
POLL_OVERLAP = timedelta(seconds=60)


def may_see_desk(access: StaffAccess, desk_id: int) -> bool:
    return access.is_chief_editor or access.is_administrator or access.writes_for(desk_id)


def visible_desks(access: StaffAccess) -> list[Desk]:
    """The desks whose queues ``access`` sees, in menu order."""
    desks = Desk.objects.all()
    if not (access.is_chief_editor or access.is_administrator):
        desks = desks.filter(pk__in=access.writer_desks | access.editor_desks)
    return list(desks)


def agency_of(item: WireItem) -> str:
    """Who the item is from, as readers are told: the item's provider, else its source's."""
    return item.provider or item.source.provider or item.source.name


def is_urgent(item: WireItem) -> bool:
    return item.urgency is not None and item.urgency <= URGENT_UP_TO


def is_held(item: WireItem, now: datetime | None = None) -> bool:
    return item.embargoed_until is not None and item.embargoed_until > (now or timezone.now())


def kill_reason(item: WireItem) -> str:
    """Why the agency killed the item: the text of its kill notice, as short as it says it."""
    notice = (
        item.versions.filter(status=Status.CANCELED).only("dek", "body", "headline").first()
        if item.pk
        else None
    )
    for text in (
        notice.dek if notice else "",
        body_text(notice.body) if notice else "",
        item.dek,
        body_text(item.body),
    ):
        text = " ".join((text or "").split())
        if text:
            return text if len(text) <= 300 else text[:299] + "…"
    return "No reason given."


@dataclass(frozen=True)
class QueueFilter:
    text: str = ""
    source_id: int | None = None
    max_urgency: int | None = None
    day: date | None = None
    unseen: bool = False

    def apply(self, items: QuerySet, user) -> QuerySet:
        if self.text:
            items = items.filter(
                Q(headline__icontains=self.text)
                | Q(dek__icontains=self.text)
                | Q(body__icontains=self.text)
            )
        if self.source_id:
            items = items.filter(source_id=self.source_id)
        if self.max_urgency:
            items = items.filter(urgency__isnull=False, urgency__lte=self.max_urgency)
        if self.day:
            zone = timezone.get_current_timezone()
            start = datetime.combine(self.day, time.min, tzinfo=zone)
            end = datetime.combine(self.day + timedelta(days=1), time.min, tzinfo=zone)
            items = items.filter(received_at__gte=start, received_at__lt=end)
        if self.unseen:
            items = items.exclude(seen__user=user)
        return items


def _rows(desk: Desk, user) -> QuerySet:
    """The queue's items as a list shows them: source, seen by this user, folded duplicates."""
    copies = WireItem.objects.filter(desk=desk).select_related("source").order_by("received_at")
    return (
        WireItem.objects.filter(desk=desk)
        .select_related("source")
        .defer("body")
        .annotate(is_seen=Exists(Seen.objects.filter(item=OuterRef("pk"), user=user)))
        .annotate(has_stories=Exists(StoryBasis.objects.filter(item=OuterRef("pk"))))
        .prefetch_related(Prefetch("duplicates", queryset=copies.defer("body")))
    )


def _primaries(items: QuerySet) -> QuerySet:
    # A copy of an item in the same queue is folded under it; one of an item
    # queued elsewhere stands on its own.
    return items.filter(Q(duplicate_of__isnull=True) | ~Q(duplicate_of__desk_id=F("desk_id")))


def queue_page(
    desk: Desk, queue_filter: QueueFilter, user, page: int
) -> tuple[list[WireItem], bool]:
    """One page of ``desk``'s queue, newest first, and whether more follow."""
    items = _primaries(queue_filter.apply(_rows(desk, user), user)).order_by("-received_at", "-pk")
    start = (page - 1) * PAGE_SIZE
    rows = list(items[start : start + PAGE_SIZE + 1])
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE


def changed_since(desk: Desk, queue_filter: QueueFilter, user, since: datetime) -> list[WireItem]:
    """The queue's rows that are new or changed since ``since`` (a copy brings its first)."""
    changed = WireItem.objects.filter(desk=desk).filter(
        Q(received_at__gte=since) | Q(updated_at__gte=since)
    )
    wanted = set()
    for pk, original, original_desk in changed.values_list(
        "pk", "duplicate_of_id", "duplicate_of__desk_id"
    ):
        wanted.add(original if original is not None and original_desk == desk.pk else pk)
    if not wanted:
        return []
    rows = _primaries(queue_filter.apply(_rows(desk, user), user)).filter(pk__in=wanted)
    return list(rows.order_by("-received_at", "-pk"))


def item_for(access: StaffAccess, item_id: int) -> WireItem:
    """The item, if ``access`` works on the desk it is queued for; else Http404."""
    item = (
        WireItem.objects.select_related("source", "desk", "duplicate_of", "duplicate_of__source")
        .filter(pk=item_id)
        .first()
    )
    if item is None or not may_see_desk(access, item.desk_id):
        raise Http404("No such wire item.")
    return item


def basis_of(story) -> list[StoryBasis]:
    """The wire items ``story`` is based on, first added first, flagged ones included."""
    return list(
        StoryBasis.objects.filter(story=story)
        .select_related("item", "item__source", "added_by")
        .defer("item__body")
        .order_by("added_at", "pk")
    )
