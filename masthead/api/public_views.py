"""Public reads: stories (JSON or ninjs), desks, authors, tags. Thin: parse, select, represent.

Every story comes through ``selectors`` and so through ``Story.objects.live()``;
a story that is not live answers exactly like one that never existed — except
one withdrawn after readers saw it, which answers as canceled (ninjs
``pubstatus: "canceled"``, nothing of its content) so that every copy of it
can be taken down: 200 at its address, and in the list for ``updated_since``.
"""

from __future__ import annotations

import json
import re
from urllib.parse import urlencode

from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Query, Router
from ninja.errors import HttpError

from masthead.api import cursors, ninjs, problems, representations, selectors
from masthead.api.http_semantics import set_last_modified
from masthead.api.schemas import (
    AuthorOut,
    AuthorQuery,
    CanceledStoryOut,
    DeskListQuery,
    DeskOut,
    ProblemOut,
    ProblemTypeOut,
    StoryListQuery,
    StoryOut,
    StoryPageOut,
    TagListQuery,
    TagOut,
    TagPageOut,
)
from masthead.newsroom.models import Edition
from masthead.search.engine import InvalidCursor, InvalidQuery, search_stories
from masthead.stories.models import Story

router = Router(tags=["Public reads"])

_SLUG = re.compile(r"^[-\w]+$")
MAX_ID = 2**63 - 1  # the largest id a database column holds
NINJS_RESPONSES = {
    "responses": {
        200: {
            "description": "OK",
            "content": {
                ninjs.MEDIA_TYPE: {
                    "schema": {
                        "type": "object",
                        "description": f"An IPTC ninjs {ninjs.VERSION} object: {ninjs.SCHEMA_URL}",
                    }
                }
            },
        }
    }
}


def _wants_ninjs(request: HttpRequest) -> bool:
    return request.get_preferred_type(["application/json", ninjs.MEDIA_TYPE]) == ninjs.MEDIA_TYPE


def _json_response(data, content_type: str = "application/json") -> HttpResponse:
    return HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False),
        content_type=f"{content_type}; charset=utf-8",
    )


def _ninjs_response(request: HttpRequest, story: Story) -> HttpResponse:
    if story.is_withdrawn:
        item = ninjs.canceled_ninjs(request, story)
    else:
        item = ninjs.story_ninjs(request, story)
    response = _json_response(item, ninjs.MEDIA_TYPE)
    response["Link"] = f'<{ninjs.SCHEMA_URL}>; rel="describedby"'
    return response


def _invalid_cursor(request: HttpRequest, error: cursors.InvalidCursor) -> HttpResponse:
    return problems.problem_response(
        request, 400, problem=problems.PROBLEM_TYPES["invalid-cursor"], detail=str(error)
    )


def _page_response(
    request: HttpRequest, items: list, list_name: str, next_page: dict[str, object] | None
) -> HttpResponse:
    """A page of a list; ``next_page`` holds the query (with ``cursor``) of the next one."""
    next_cursor = next_url = None
    if next_page is not None:
        next_cursor = next_page["cursor"]
        next_url = representations.absolute(
            request, reverse(f"api:{list_name}") + "?" + urlencode(next_page)
        )
    response = _json_response({"items": items, "next_cursor": next_cursor, "next_url": next_url})
    if next_url:
        response["Link"] = f'<{next_url}>; rel="next"'
    return response


def _only_known_parameters(request: HttpRequest, schema: type) -> None:
    """400 for a query parameter the read does not take (``ordering``, ``filter``, ...), or
    one given twice.

    Ninja would ignore an unknown one; we refuse it, so no one mistakes an ignored
    ``?ordering=author__user__password`` or ``?filter=author.email:~a`` for a
    working oracle, and the allow-list of keys is the schema's fields and no more
    (RELIABILITY.md A5). Ninja would also quietly keep one value of a repeated
    parameter (``?language=fa&language=en``): which one is no contract a client
    should lean on, so we ask for one.
    """
    unknown = sorted(set(request.GET) - set(schema.model_fields))
    if unknown:
        known = ", ".join(f"`{name}`" for name in schema.model_fields)
        raise HttpError(
            400,
            f"This address takes no parameter “{unknown[0]}”; it takes {known}.",
        )
    repeated = sorted(name for name in request.GET if len(request.GET.getlist(name)) > 1)
    if repeated:
        raise HttpError(400, f"Give the parameter “{repeated[0]}” once, not several times.")


def _slug_or_404(slug: str) -> str:
    if not _SLUG.match(slug) or len(slug) > 120:
        raise Http404("No such item.")
    return slug


@router.get(
    "/stories",
    response={200: StoryPageOut, 400: ProblemOut, 422: ProblemOut},
    url_name="stories",
    summary="Live stories, newest first",
)
def list_stories(request: HttpRequest, query: Query[StoryListQuery]):
    """Filter by desk, author, tag, label, language and `updated_since`; page with `cursor`.

    With `updated_since`, stories withdrawn since then are in the list too, as canceled
    items (`pubstatus: "canceled"`, no content): take down your copies of them.

    Send `Accept: application/ninjs+json` to get each item as a partial ninjs 2.3 object
    (no body); the page itself stays `application/json`, as ninjs has no list type.
    """
    _only_known_parameters(request, StoryListQuery)
    if query.q is not None:
        return _search_stories(request, query)
    filters = selectors.StoryFilters(
        desk=query.desk,
        author=query.author,
        tag=query.tag,
        label=query.label,
        language=query.language,
        updated_since=query.updated_since,
    )
    after = None
    if query.cursor:
        try:
            after = cursors.decode(query.cursor, filters.as_dict())
        except cursors.InvalidCursor as error:
            return _invalid_cursor(request, error)
    stories, has_more = selectors.story_page(filters, after, query.limit)
    if filters.updated_since:
        canceled, more_canceled = selectors.canceled_page(filters, after, query.limit)
        both = sorted([*stories, *canceled], key=_list_position, reverse=True)
        has_more = has_more or more_canceled or len(both) > query.limit
        stories = both[: query.limit]
    next_page = None
    if has_more:
        last = stories[-1]
        next_page = {k: v for k, v in filters.as_dict().items() if v}
        next_page.update(
            cursor=cursors.encode(last.published_at, last.pk, filters.as_dict()),
            limit=query.limit,
        )
    moments = [_story_moment(story) for story in stories]
    moments.append(selectors.last_public_change(selectors.list_scopes(), releases=True))
    wants_ninjs = _wants_ninjs(request)
    items = [_list_item(request, story, wants_ninjs) for story in stories]
    response = _page_response(request, items, "stories", next_page)
    set_last_modified(response, *moments)
    return response


def _search_stories(request: HttpRequest, query: StoryListQuery) -> HttpResponse:
    """``q=``: the same list, most relevant first (``masthead/search/engine.py``)."""
    refused = [name for name in ("tag", "language", "updated_since") if getattr(query, name)]
    if refused:
        return _invalid_query(request, f"Search (q) cannot be combined with {', '.join(refused)}.")
    try:
        filters = selectors.search_filters(query.desk, query.author, query.label)
        page = search_stories(query.q, **filters, cursor=query.cursor, limit=query.limit)
    except selectors.NoSuchFilter:
        page = None
    except InvalidCursor as error:
        return _invalid_cursor(request, error)
    except InvalidQuery as error:
        return _invalid_query(request, str(error))
    stories = selectors.live_in_order([hit.story.pk for hit in page.items] if page else [])
    next_page = None
    if page is not None and page.next_cursor:
        kept = {"q": query.q, "desk": query.desk, "author": query.author, "label": query.label}
        next_page = {name: value for name, value in kept.items() if value}
        next_page.update(cursor=page.next_cursor, limit=query.limit)
    wants_ninjs = _wants_ninjs(request)
    items = [_list_item(request, story, wants_ninjs) for story in stories]
    response = _page_response(request, items, "stories", next_page)
    moments = [_story_moment(story) for story in stories]
    moments.append(selectors.last_public_change(selectors.list_scopes(), releases=True))
    set_last_modified(response, *moments)
    return response


def _invalid_query(request: HttpRequest, detail: str) -> HttpResponse:
    return problems.problem_response(
        request, 400, problem=problems.PROBLEM_TYPES["invalid-query"], detail=detail
    )


def _list_position(story: Story) -> tuple:
    return story.published_at, story.pk


def _list_item(request: HttpRequest, story: Story, wants_ninjs: bool) -> dict:
    if story.is_withdrawn:
        if wants_ninjs:
            return ninjs.canceled_ninjs(request, story)
        return representations.canceled_story_json(request, story)
    if wants_ninjs:
        return ninjs.story_ninjs(request, story, full=False)
    return representations.story_summary(request, story)


def _story_or_404(story_id: int) -> Story:
    """The live story, or the canceled one readers saw before it was withdrawn; else 404."""
    if not 1 <= story_id <= MAX_ID:
        raise Http404("No such story.")
    try:
        return selectors.live_story(story_id)
    except Story.DoesNotExist:
        pass
    try:
        return selectors.canceled_story(story_id)
    except Story.DoesNotExist:
        raise Http404("No such story.") from None


def _story_moment(story: Story):
    if story.is_withdrawn:
        return story.withdrawn_at
    # An embargo that ended after the publication time is when readers first saw it.
    moments = (story.updated_at, story.published_at, story.embargoed_until)
    return max(moment for moment in moments if moment is not None)


@router.get(
    "/stories/{story_id}",
    response={200: StoryOut | CanceledStoryOut, 404: ProblemOut},
    url_name="story",
    summary="One live story (JSON, or ninjs by Accept)",
    openapi_extra=NINJS_RESPONSES,
)
def get_story(request: HttpRequest, story_id: int):
    """Send `Accept: application/ninjs+json` for IPTC ninjs, or use `/stories/{id}/ninjs`.

    A story withdrawn after publication answers 200 with `pubstatus: "canceled"` and
    nothing of its content: take down your copy.
    """
    story = _story_or_404(story_id)
    changed = selectors.last_public_change([selectors.story_scope(story)])
    if _wants_ninjs(request):
        response = _ninjs_response(request, story)
    elif story.is_withdrawn:
        response = _json_response(representations.canceled_story_json(request, story))
    else:
        response = _json_response(representations.story_json(request, story))
    set_last_modified(response, _story_moment(story), changed)
    return response


@router.get(
    "/stories/{story_id}/ninjs",
    response={404: ProblemOut},
    url_name="story-ninjs",
    summary="One live story as IPTC ninjs 2.3",
    openapi_extra=NINJS_RESPONSES,
)
def get_story_ninjs(request: HttpRequest, story_id: int):
    story = _story_or_404(story_id)
    response = _ninjs_response(request, story)
    changed = selectors.last_public_change([selectors.story_scope(story)])
    set_last_modified(response, _story_moment(story), changed)
    return response


def _public_records(response: HttpResponse) -> None:
    set_last_modified(response, selectors.last_public_change([]))


@router.get(
    "/desks",
    response={200: list[DeskOut], 400: ProblemOut, 422: ProblemOut},
    url_name="desks",
    summary="The outlet's desks, in menu order",
)
def list_desks(request: HttpRequest, response: HttpResponse, query: Query[DeskListQuery]):
    """Every edition's desks, each with its `edition` and `language`; `language` lists one
    edition's (`?language=fa`)."""
    _only_known_parameters(request, DeskListQuery)
    _public_records(response)
    return [representations.desk_json(request, desk) for desk in selectors.desks(query.language)]


@router.get(
    "/desks/{slug}", response={200: DeskOut, 404: ProblemOut}, url_name="desk", summary="One desk"
)
def get_desk(request: HttpRequest, response: HttpResponse, slug: str):
    """A desk slug is unique across editions (`Desk.slug`), so it names one desk of one
    edition; its `edition` and `language` say which."""
    desk = selectors.desks().filter(slug=_slug_or_404(slug)).first()
    if desk is None:
        raise Http404("No such desk.")
    _public_records(response)
    return representations.desk_json(request, desk)


class NoEditionInLanguage(Exception):
    """``?language=`` names a language none of the outlet's editions is written in: a 422
    naming the parameter (``api.py``)."""


def _edition_in(language: str | None) -> Edition | None:
    """The edition whose words and pages ``?language=`` asks for; None without it.

    A language no edition is in has no author pages to link, so it is refused rather than
    answered with the profile's words under the name of another language.
    """
    if language is None:
        return None
    edition = selectors.edition_in(language)
    if edition is None:
        languages = ", ".join(sorted({other.language for other in selectors.editions()}))
        raise NoEditionInLanguage(
            f"No edition is written in “{language}”; the editions are in {languages}."
        )
    return edition


@router.get(
    "/authors",
    response={200: list[AuthorOut], 400: ProblemOut, 422: ProblemOut},
    url_name="authors",
    summary="Authors with a public page",
)
def list_authors(request: HttpRequest, response: HttpResponse, query: Query[AuthorQuery]):
    """Active authors, by their profile's name (the same order in every language); with
    `language`, in that edition's words and linked to their pages there."""
    _only_known_parameters(request, AuthorQuery)
    edition = _edition_in(query.language)
    _public_records(response)
    authors = selectors.authors()
    return [representations.author_json(request, author, edition) for author in authors]


@router.get(
    "/authors/{slug}",
    response={200: AuthorOut, 400: ProblemOut, 404: ProblemOut, 422: ProblemOut},
    url_name="author",
    summary="One author",
)
def get_author(request: HttpRequest, response: HttpResponse, slug: str, query: Query[AuthorQuery]):
    """With `language`, in that edition's words and linked to their page there."""
    _only_known_parameters(request, AuthorQuery)
    edition = _edition_in(query.language)
    author = selectors.authors().filter(slug=_slug_or_404(slug)).first()
    if author is None:
        raise Http404("No such author.")
    _public_records(response)
    return representations.author_json(request, author, edition)


@router.get(
    "/tags",
    response={200: TagPageOut, 400: ProblemOut, 422: ProblemOut},
    url_name="tags",
    summary="Tags of live stories, by name",
)
def list_tags(request: HttpRequest, query: Query[TagListQuery]):
    """Tags that at least one live story carries, by name; page with `cursor`."""
    _only_known_parameters(request, TagListQuery)
    after = None
    if query.cursor:
        try:
            after = cursors.decode_name(query.cursor, "tags")
        except cursors.InvalidCursor as error:
            return _invalid_cursor(request, error)
    tags, has_more = selectors.tag_page(after, query.limit)
    next_page = None
    if has_more:
        last = tags[-1]
        cursor = cursors.encode_name(last.name, last.pk, "tags")
        next_page = {"cursor": cursor, "limit": query.limit}
    items = [representations.tag_json(request, tag) for tag in tags]
    response = _page_response(request, items, "tags", next_page)
    set_last_modified(
        response, selectors.last_public_change(selectors.list_scopes(), releases=True)
    )
    return response


@router.get(
    "/tags/{slug}", response={200: TagOut, 404: ProblemOut}, url_name="tag", summary="One tag"
)
def get_tag(request: HttpRequest, response: HttpResponse, slug: str):
    tag = selectors.public_tags().filter(slug=_slug_or_404(slug)).first()
    if tag is None:
        raise Http404("No such tag.")
    set_last_modified(
        response, selectors.last_public_change(selectors.list_scopes(), releases=True)
    )
    return representations.tag_json(request, tag)


@router.get(
    "/problems/{name}",
    response={200: ProblemTypeOut, 404: ProblemOut},
    url_name="problem",
    summary="What a problem type means",
)
def get_problem_type(request: HttpRequest, name: str):
    problem = problems.PROBLEM_TYPES.get(name)
    if problem is None:
        raise Http404("No such problem type.")
    return {
        "type": problem.uri,
        "title": problem.title,
        "status": problem.status,
        "description": problem.description,
    }
