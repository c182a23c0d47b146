"""Search for editors, ``/desk/search/``: stories they may read in any state, the wire
queue and the media library, in three groups (docs/search.md). Thin: parse, ask
``masthead.search``, render."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from masthead.backoffice.access import staff_member_required
from masthead.backoffice.media_views import library_images
from masthead.search.engine import InvalidQuery, search_stories
from masthead.search.newsroom_search import search_images, search_wire
from masthead.search.query import MAX_QUERY_CHARS, parse

STORIES_PER_PAGE = 25


@staff_member_required
@require_safe
def search(request: HttpRequest) -> HttpResponse:
    text = request.GET.get("q", "")[: MAX_QUERY_CHARS * 2]
    context = {"q": text, "max_chars": MAX_QUERY_CHARS, "message": "", "stories": None}
    status = 200
    if "q" in request.GET:
        try:
            query = parse(text)
            page = search_stories(
                query,
                staff_user=request.user,
                cursor=request.GET.get("after") or None,
                limit=STORIES_PER_PAGE,
            )
        except InvalidQuery as error:
            context["message"], status = str(error), 400
        else:
            context.update(
                stories=page,
                next_after=page.next_cursor or "",
                wire_items=search_wire(query, request.user),
                images=search_images(query, library_images(request.access)),
            )
    return render(request, "backoffice/search.html", context, status=status)
