"""Keyset ("seek") pagination of the public lists: "← Newer" and "Older →".

A list (a desk's, an author's, a topic's, a kind of work's, the corrections)
is newest first by ``(published_at, id)``. Its first page is the bare address;
every other page is named by the row at its edge, written into the address as
a cursor: ``?before=20261125T143005.123456Z-812`` is the page of rows just
older than that moment and id, ``?after=…`` the page just newer. Each page is
one range scan of the list's index (``story_desk_public_idx`` and
``story_public_idx``, migration ``stories/0004``) that stops after the page,
so page 4,000 costs what page 2 costs, and nothing counts the whole list:
there is no "page N of M" (a count is a scan of the list).

Why not Django's ``Paginator``: it counts the list and reaches page N with
``OFFSET``, both of which read every row before the page. No library of the
stack does keyset pagination for server-rendered pages (django-ninja's and
DRF's cursor paginators answer JSON).

The cursor only says where to start; which rows exist is still decided by the
queryset the view hands in, which starts at ``Story.objects.live()``: a
cursor of any value shows only live rows, and nothing about a scheduled or
draft story changes what a page shows. A cursor is parsed strictly and must be
written exactly as this module writes it, so one page has one address (one
page-cache entry); anything else answers 404, like an unknown page.

An author's or a topic's list is reached through a link table (bylines,
story–tag), so no index holds it in its own order; a short one (at most
``SHORT_LIST`` stories, counted in the link table's index) is paged from its
positions, read unordered, instead (see ``_short_list_page``).

Old ``?page=N`` addresses (crawlers keep them): page 1 answers 301 to the bare
address; pages 2 to ``LEGACY_PAGE_LIMIT`` answer 302 to the cursor page that
starts where page N starts today (a temporary redirect: which stories page N
shows moves with every publication); later pages, or anything that is not a
page number, 404. Reaching page N costs an ``OFFSET`` of ``(N - 1) × size``
rows, so the redirect is bounded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db.models import Q, QuerySet
from django.http import Http404, HttpResponsePermanentRedirect, HttpResponseRedirect

# What ``paginate`` reads: a view that pages declares them (site/query.py).
QUERY_PARAMETERS = ("before", "after", "page")
LEGACY_PAGE_LIMIT = 50
SHORT_LIST = 5000
# The longest cursor ``str(Cursor)`` writes: microseconds and a 19-digit id (MAX_ID).
MAX_CURSOR_LENGTH = len("20261125T143005.123456Z-") + len(str(2**63 - 1))
MAX_ID = 2**63 - 1  # a PostgreSQL bigint; larger would be a database error, not a 404
_CURSOR = re.compile(r"(\d{8}T\d{6})(?:\.(\d{6}))?Z-([1-9]\d{0,18})", re.ASCII)
NEWEST_FIRST = ("-published_at", "-pk")
OLDEST_FIRST = ("published_at", "pk")


class InvalidCursor(ValueError):
    pass


@dataclass(frozen=True)
class Cursor:
    """A position in a newest-first list: the (published_at, id) of a row."""

    published_at: datetime
    id: int

    def __str__(self) -> str:
        moment = self.published_at.astimezone(UTC)
        # Not strftime: it writes year 1 as "1", and a cursor has one spelling.
        text = f"{moment.year:04d}{moment.month:02d}{moment.day:02d}T"
        text += f"{moment.hour:02d}{moment.minute:02d}{moment.second:02d}"
        if moment.microsecond:
            text += f".{moment.microsecond:06d}"
        return f"{text}Z-{self.id}"

    @classmethod
    def of(cls, row) -> Cursor:
        return cls(row.published_at, row.pk)

    @classmethod
    def parse(cls, raw: str) -> Cursor:
        """The cursor ``raw`` writes; InvalidCursor unless written exactly as ``str()`` does."""
        match = _CURSOR.fullmatch(raw) if len(raw) <= MAX_CURSOR_LENGTH else None
        if match is None:
            raise InvalidCursor("not a cursor")
        seconds, micro, number = match.groups()
        try:
            moment = datetime.strptime(seconds, "%Y%m%dT%H%M%S").replace(tzinfo=UTC)
        except ValueError:
            raise InvalidCursor("not a time") from None
        cursor = cls(moment.replace(microsecond=int(micro or 0)), int(number))
        if cursor.id > MAX_ID or str(cursor) != raw:
            raise InvalidCursor("not written as this site writes cursors")
        return cursor

    def older(self) -> Q:
        """Rows after this one in the list (older). The first bound lets an index range start."""
        return Q(published_at__lte=self.published_at) & (
            Q(published_at__lt=self.published_at) | Q(pk__lt=self.id)
        )

    def newer(self) -> Q:
        return Q(published_at__gte=self.published_at) & (
            Q(published_at__gt=self.published_at) | Q(pk__gt=self.id)
        )


@dataclass
class Page:
    """One page of a list and the addresses of its neighbours (None: there is none)."""

    items: list
    newer_url: str | None
    older_url: str | None
    is_first: bool

    @property
    def newest_at(self) -> datetime | None:
        return self.items[0].published_at if self.items else None

    @property
    def oldest_at(self) -> datetime | None:
        return self.items[-1].published_at if self.items else None


def is_short(links: QuerySet) -> bool:
    """Whether a list reached through ``links`` (its rows in a link table) is short.

    One bounded index range of the link table, e.g. a topic's rows in the
    story–tag table.
    """
    return links.order_by()[: SHORT_LIST + 1].count() <= SHORT_LIST


def paginate(
    rows: QuerySet, request, per_page: int, *, short: bool = False
) -> Page | HttpResponseRedirect:
    """The page of ``rows`` (a newest-first list) that ``request``'s address names.

    Returns a redirect for an old ``?page=N`` address; raises Http404 for an
    address that names no page. ``short``: the list has at most
    ``SHORT_LIST`` rows (see :func:`is_short`) and is paged from its positions.
    """
    query = request.GET
    if "page" in query:
        if "before" in query or "after" in query:
            raise Http404("No such page.")
        return _legacy_page(rows, query, request.path, per_page, short)
    before, after = _one_cursor(query, "before"), _one_cursor(query, "after")
    if before and after:
        raise Http404("No such page.")
    if short:
        return _short_list_page(rows, before or after, after is not None, request.path, per_page)
    if after:
        return _newer_page(rows, after, request.path, per_page)
    page_rows = rows.order_by(*NEWEST_FIRST)
    if before:
        page_rows = page_rows.filter(before.older())
    found = list(page_rows[: per_page + 1])
    items = found[:per_page]
    if before and not items:
        raise Http404("No such page.")
    older = _link(request.path, "before", items[-1]) if len(found) > per_page else None
    newer = _newer_link(rows, items[0], request.path, per_page) if before else None
    return Page(items, newer_url=newer, older_url=older, is_first=before is None)


def _one_cursor(query, name: str) -> Cursor | None:
    if name not in query:
        return None
    values = query.getlist(name)
    try:
        if len(values) != 1:
            raise InvalidCursor("one cursor, please")
        return Cursor.parse(values[0])
    except InvalidCursor:
        raise Http404("No such page.") from None


def _newer_page(rows: QuerySet, after: Cursor, path: str, per_page: int) -> Page:
    found = list(rows.filter(after.newer()).order_by(*OLDEST_FIRST)[: per_page + 1])
    items = list(reversed(found[:per_page]))
    if not items:
        raise Http404("No such page.")
    newer = _newer_link(rows, items[0], path, per_page) if len(found) > per_page else None
    has_older = rows.filter(Cursor.of(items[-1]).older()).order_by(*NEWEST_FIRST)[:1].exists()
    older = _link(path, "before", items[-1]) if has_older else None
    return Page(items, newer_url=newer, older_url=older, is_first=False)


def _newer_link(rows: QuerySet, newest_shown, path: str, per_page: int) -> str | None:
    """Where "← Newer" goes: the first page if all newer rows fit on it, else a cursor."""
    newer = rows.filter(Cursor.of(newest_shown).newer()).order_by(*OLDEST_FIRST)
    count = len(_positions(newer)[: per_page + 1])
    if count == 0:
        return None
    return path if count <= per_page else _link(path, "after", newest_shown)


def _short_list_page(rows, cursor: Cursor | None, is_after: bool, path: str, per_page: int) -> Page:
    """A page of a short list: all its positions read once, unordered, and paged here.

    Reached through a link table (a topic's or an author's stories), a list
    has no index in its own order; asking the database for it in order makes
    the planner walk the public index until enough rows match, which for a
    rare topic is the whole index (seconds at a million stories). Unordered,
    it is an index lookup per row of the list, at most ``SHORT_LIST`` of them.
    """
    positions = sorted(_positions(rows.order_by()), reverse=True)  # newest first
    start = 0
    if cursor is not None:
        edge = (cursor.published_at, cursor.id)
        if is_after:  # the page just newer than the edge
            end = next((i for i, place in enumerate(positions) if place <= edge), len(positions))
            start = max(0, end - per_page)
            if end == 0:
                raise Http404("No such page.")
        else:
            start = next((i for i, place in enumerate(positions) if place < edge), len(positions))
    shown = positions[start : start + per_page]
    if cursor is not None and not shown:
        raise Http404("No such page.")
    found = rows.filter(pk__in=[pk for _, pk in shown]).in_bulk()
    items = [found[pk] for _, pk in shown if pk in found]  # one may go between the two reads
    older_url = newer_url = None
    if start + per_page < len(positions):
        older_url = f"{path}?before={Cursor(*shown[-1])}"
    if start:
        newer_url = path if start <= per_page else f"{path}?after={Cursor(*shown[0])}"
    return Page(items, newer_url=newer_url, older_url=older_url, is_first=cursor is None)


def _positions(rows: QuerySet) -> QuerySet:
    """Only the (published_at, id) of the rows: no joins, no prefetching."""
    return rows.prefetch_related(None).values_list("published_at", "pk")


def _link(path: str, direction: str, row) -> str:
    return f"{path}?{direction}={Cursor.of(row)}"


def _legacy_page(rows: QuerySet, query, path: str, per_page: int, short: bool):
    raw = query.getlist("page")
    if len(raw) != 1 or not raw[0].isascii() or not raw[0].isdigit() or len(raw[0]) > 4:
        raise Http404("No such page.")
    number = int(raw[0])
    if number == 1:
        return HttpResponsePermanentRedirect(path)
    if not 2 <= number <= LEGACY_PAGE_LIMIT:
        raise Http404("No such page.")
    position = (number - 1) * per_page - 1  # the last row of page N - 1
    if short:
        found = sorted(_positions(rows.order_by()), reverse=True)[position : position + 2]
    else:
        found = list(_positions(rows.order_by(*NEWEST_FIRST))[position : position + 2])
    if len(found) < 2:  # page N would be empty
        raise Http404("No such page.")
    return HttpResponseRedirect(f"{path}?before={Cursor(*found[0])}")
