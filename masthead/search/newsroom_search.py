"""Searching the wire queue and the media library, for the back office's search page.

Both are the newsroom's working material, read by staff only, in far fewer
rows than the stories (the wire queue keeps weeks, the library what the
outlet uploaded), so they are matched by the database's own case-insensitive
``LIKE`` on their text fields, newest first and bounded, with the same
parsed query as stories (``query.py``: every wanted word or phrase, any of
``or``, none of the ``-exclusions``; the words normalised as the reader
typed them). Who sees what is the owning app's rule: a wire item from the
desks whose queues the person sees (``wire/queue.py``); an image that the
person finds in the media library (the caller passes the library's queryset).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from masthead.media.models import Image
from masthead.media.services import SEARCHED_FIELDS
from masthead.newsroom.roles import access_for
from masthead.search.query import Query
from masthead.wire import queue as wire_queue
from masthead.wire.models import WireItem

LIMIT = 20
WIRE_FIELDS = ("headline", "dek", "body", "byline", "dateline")


def _text_match(query: Query, fields: tuple[str, ...]) -> Q:
    def anywhere(phrase: tuple[str, ...]) -> Q:
        text, found = " ".join(phrase), Q()
        for name in fields:
            found |= Q(**{f"{name}__icontains": text})
        return found

    wanted = Q()
    for clause in query.clauses:
        either = Q()
        for phrase in clause.alternatives:
            either |= anywhere(phrase)
        wanted &= either
    for phrase in query.excluded:
        wanted &= ~anywhere(phrase)
    return wanted


def search_wire(query: Query, user) -> QuerySet[WireItem]:
    desks = [desk.pk for desk in wire_queue.visible_desks(access_for(user))]
    items = WireItem.objects.filter(desk_id__in=desks).filter(_text_match(query, WIRE_FIELDS))
    return items.select_related("desk", "source").order_by("-received_at", "-pk")[:LIMIT]


def search_images(query: Query, images: QuerySet[Image]) -> QuerySet[Image]:
    """The newest of ``images`` — those the person finds in the library, the
    library's own rule (``backoffice.media_views.library_images``) — that match."""
    found = images.filter(_text_match(query, SEARCHED_FIELDS))
    return found.order_by("-uploaded_at", "-pk")[:LIMIT]
