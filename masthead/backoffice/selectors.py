"""The reads of the back office: my stories, the desk board, the audit log.

Every list starts at ``readable_stories(access)``, the queryset form of
``stories.permissions.can_read``: desk editors see their desks, chief editors
every desk, writers their own stories. The board must stay fast with a
hundred thousand stories, so each column is its own query that walks an
index in order and stops after a page (``LIMIT``), with no ``COUNT(*)``:
working columns walk ``story_state_changed_idx`` (state, last change), or
``story_board_idx`` when a desk is chosen; the published and scheduled
columns walk the public and live indexes in publication order, and a deep
page of them reads only positions before loading its own rows. A writer's
own stories are read as a list of ids first (``_own_story_ids``). A column
that has more says so by fetching one row beyond its page.
Ties are broken by ascending id: an SQLite index ends with the rowid in
ascending order, so ``(-time, id)`` is one forward walk of the index.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy

from masthead.newsroom.models import AuditEvent, Author
from masthead.newsroom.roles import StaffAccess
from masthead.stories import release_clock
from masthead.stories.models import Byline, EditLock, Story

S = Story.Status
BOARD_PAGE = 25


def readable_stories(access: StaffAccess) -> QuerySet[Story]:
    """Stories ``access`` may open: its desks as an editor, its own as a writer."""
    if access.is_chief_editor:
        return Story.objects.all()
    allowed = Q(desk_id__in=sorted(access.editor_desks))
    if access.has_content_role and access.user_id is not None:
        allowed |= Q(pk__in=_own_story_ids(access.user_id))
    return Story.objects.filter(allowed)


OWN_IDS_LIMIT = 2000


def _own_story_ids(user_id: int) -> list[int] | QuerySet:
    """The ids of the stories a person created or is bylined on, read first.

    As subqueries inside an OR, the planner cannot use their indexes and walks
    a whole column's index looking for a writer's few stories (seconds at a
    million). A list of ids is a primary-key lookup. Someone with more stories
    than ``OWN_IDS_LIMIT`` gets the subqueries: their stories are common
    enough for the walk to stop early.
    """
    created = Story.objects.filter(created_by_id=user_id).values_list("pk", flat=True)
    bylined = Byline.objects.filter(author__user_id=user_id).values_list("story_id", flat=True)
    ids = {*created[: OWN_IDS_LIMIT + 1], *bylined[: OWN_IDS_LIMIT + 1]}
    if len(ids) <= OWN_IDS_LIMIT:
        return sorted(ids)
    return Story.objects.filter(
        Q(created_by_id=user_id)
        | Q(pk__in=Byline.objects.filter(author__user_id=user_id).values("story_id"))
    ).values("pk")


def for_rows(stories: QuerySet[Story]) -> QuerySet[Story]:
    """What a row of a story list shows: desk, label, bylines, no body."""
    return (
        stories.select_related("desk", "label")
        .defer("body", "notes_to_editor", "seo_description")
        .prefetch_related(
            Prefetch(
                "bylines", queryset=Byline.objects.select_related("author").order_by("position")
            )
        )
    )


def attach_locks(stories: list[Story], now: datetime | None = None) -> list[Story]:
    """Set ``story.active_lock`` (or None) on each story, in one query."""
    now = now or timezone.now()
    locks = {
        lock.story_id: lock
        for lock in EditLock.objects.select_related("user").filter(
            story_id__in=[story.pk for story in stories], expires_at__gt=now
        )
    }
    for story in stories:
        story.active_lock = locks.get(story.pk)
    return stories


def my_stories(user, page: int = 1, per_page: int = 30) -> tuple[list[Story], bool]:
    """Stories the user created or is bylined on, last changed first; and whether more follow."""
    # Two lists, each walking its own index (story_creator_changed_idx; the
    # author's bylines), merged: one query with OR would walk every story.
    newest = ("-modified_at", "-pk")
    lists = [Story.objects.filter(created_by=user).order_by(*newest)]
    authors = list(Author.objects.filter(user=user).values_list("pk", flat=True))
    if authors:
        lists.append(Story.objects.filter(bylines__author__in=authors).order_by(*newest))
    start = (page - 1) * per_page
    stop = start + per_page + 1
    rows = _merged_page(lists, stop, slice(start, stop), ("-modified_at", "-pk"))
    return attach_locks(rows[:per_page]), len(rows) > per_page


# The board ------------------------------------------------------------------


@dataclass(frozen=True)
class BoardFilter:
    desk_id: int | None = None
    author_id: int | None = None
    label_id: int | None = None
    changed_from: date | None = None
    changed_to: date | None = None

    def apply(self, stories: QuerySet[Story]) -> QuerySet[Story]:
        if self.desk_id:
            stories = stories.filter(desk_id=self.desk_id)
        if self.author_id:
            stories = stories.filter(
                pk__in=Byline.objects.filter(author_id=self.author_id).values("story_id")
            )
        if self.label_id:
            stories = stories.filter(label_id=self.label_id)
        zone = timezone.get_current_timezone()
        if self.changed_from:
            start = datetime.combine(self.changed_from, time.min, tzinfo=zone)
            stories = stories.filter(modified_at__gte=start)
        if self.changed_to and self.changed_to < date.max:
            end = datetime.combine(self.changed_to + timedelta(days=1), time.min, tzinfo=zone)
            stories = stories.filter(modified_at__lt=end)
        # "Changed up to 9999-12-31" (the last date there is) bounds nothing.
        return stories


@dataclass
class Column:
    state: str
    title: str
    stories: list[Story] = field(default_factory=list)
    has_more: bool = False


COLUMNS = [
    (S.DRAFT, gettext_lazy("Draft")),
    (S.SUBMITTED, gettext_lazy("Submitted")),
    (S.IN_EDIT, gettext_lazy("In edit")),
    (S.READY, gettext_lazy("Ready")),
    (S.SCHEDULED, gettext_lazy("Scheduled")),
    (S.PUBLISHED, gettext_lazy("Published (recent)")),
    (S.WITHDRAWN, gettext_lazy("Withdrawn")),
]
COLUMN_STATES = [state for state, _ in COLUMNS]


def _column_rows(state: str, base: QuerySet[Story], now: datetime, limit: int, offset: int):
    """The stories in effective ``state``, newest first, ``limit + 1`` of them."""
    window = slice(offset, offset + limit + 1)
    not_yet = Q(published_at__gt=now) | Q(embargoed_until__gt=now)
    if state == S.SCHEDULED:
        # Soonest first: what goes out next is what the desk must check.
        rows = base.filter(not_yet, status=S.SCHEDULED).order_by("published_at", "-pk")
        return list(for_rows(rows)[window])
    if state == S.PUBLISHED:
        # Each status walks its own index range in order, reading only the
        # positions; the two merge cheaply, and only the page's rows are loaded.
        gone_out = Q(embargoed_until__isnull=True) | Q(embargoed_until__lte=now)
        newest = ("-published_at", "pk")
        stop = offset + limit + 1
        published = base.filter(status=S.PUBLISHED, published_at__lte=now).order_by(*newest)
        came_out = base.filter(gone_out, status=S.SCHEDULED, published_at__lte=now)
        return _merged_page([published, came_out.order_by(*newest)], stop, window, newest)
    # Walks story_state_changed_idx (status, -modified_at), or story_board_idx
    # for one desk, and stops after the page: modified_at is never empty.
    rows = base.filter(status=state).order_by("-modified_at", "pk")
    return list(for_rows(rows)[window])


def _merged_page(lists: list[QuerySet[Story]], stop: int, window: slice, order) -> list[Story]:
    """The ``window`` of ordered lists merged (a story in two counts once), whole rows for it alone.

    ``order`` is each list's ordering: (time field, id), each with its sign.
    """
    time_field, id_field = (name.lstrip("-") for name in order)
    positions = {
        pk: moment for rows in lists for moment, pk in rows.values_list(time_field, id_field)[:stop]
    }
    time_sign = -1 if order[0].startswith("-") else 1
    id_sign = -1 if order[1].startswith("-") else 1
    ranked = sorted(positions, key=lambda pk: (time_sign * positions[pk].timestamp(), id_sign * pk))
    ids = ranked[window]
    found = for_rows(Story.objects.filter(pk__in=ids)).in_bulk()
    return [found[pk] for pk in ids if pk in found]


def board(
    access: StaffAccess,
    board_filter: BoardFilter,
    *,
    only: str | None = None,
    page: int = 1,
    per_page: int = BOARD_PAGE,
    now: datetime | None = None,
) -> list[Column]:
    """The desk board: one column per effective state (or only one, paged), by the clock
    that releases stories: a scheduled story moves to Published when readers get it."""
    now = now or release_clock.now()
    base = board_filter.apply(readable_stories(access))
    columns = []
    for state, title in COLUMNS:
        if only is not None and state != only:
            continue
        rows = _column_rows(state, base, now, per_page, (page - 1) * per_page)
        columns.append(Column(state, title, rows[:per_page], len(rows) > per_page))
    attach_locks([story for column in columns for story in column.stories], now)
    return columns


# The audit log --------------------------------------------------------------


def audit_events(
    access: StaffAccess, *, action: str = "", actor_id: int | None = None
) -> QuerySet[AuditEvent]:
    """Events ``access`` may read: all for chief editors and administrators, else their desks'."""
    events = AuditEvent.objects.select_related("actor", "target_type")
    if not (access.is_chief_editor or access.is_administrator):
        story_type = ContentType.objects.get_for_model(Story)
        desk_stories = Story.objects.filter(desk_id__in=sorted(access.editor_desks)).values("pk")
        events = events.filter(target_type=story_type, target_id__in=desk_stories)
    if action:
        events = events.filter(action=action)
    if actor_id:
        events = events.filter(actor_id=actor_id)
    return events.order_by("-at", "-pk")


def story_content_type() -> ContentType:
    return ContentType.objects.get_for_model(Story)


def page_of(queryset: QuerySet, page: int, per_page: int) -> tuple[list, bool]:
    """One page without counting the whole table: the rows, and whether more follow."""
    start = (page - 1) * per_page
    rows = list(queryset[start : start + per_page + 1])
    return rows[:per_page], len(rows) > per_page


def staff_users():
    """Accounts that hold any staff role, for filters and the staff list."""
    return (
        get_user_model().objects.filter(staff_roles__isnull=False).distinct().order_by("username")
    )
