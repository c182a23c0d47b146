"""The staff API: drafts and the editorial workflow, for holders of an API token.

Every write goes through ``masthead.stories.services`` — the functions the
back office calls — so permissions, revisions, the audit trail and cache
invalidation are exactly the same. Views only turn slugs and ids into rows
and answers into JSON. A story the caller may not read answers 404, as if
it did not exist.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Router, Status
from ninja.errors import HttpError

from masthead.api import representations
from masthead.api.authentication import ApiTokenAuth
from masthead.api.schemas import (
    CorrectionIn,
    DeskStoryOut,
    NoteIn,
    ProblemOut,
    RequiredNoteIn,
    ScheduleIn,
    StoryCreateIn,
    StoryUpdateIn,
)
from masthead.newsroom.models import Author, Desk
from masthead.newsroom.sanitize import MAX_BODY_CHARS, sanitize_body
from masthead.stories import body_images, permissions, services
from masthead.stories.models import Label, Story, Tag
from masthead.stories.workflow import Action, transitions_from

router = Router(tags=["Staff: stories and workflow"], auth=ApiTokenAuth())

MAX_ID = 2**63 - 1
ERRORS = {
    401: ProblemOut,
    403: ProblemOut,
    404: ProblemOut,
    409: ProblemOut,
    422: ProblemOut,
    429: ProblemOut,
}


def _story_for(user, story_id: int) -> Story:
    """The story, if ``user`` may read it; 404 otherwise, missing or not."""
    if not 1 <= story_id <= MAX_ID:
        raise Http404("No such story.")
    story = (
        Story.objects.select_related("desk", "lead_image", "latest_revision")
        .filter(pk=story_id)
        .first()
    )
    if story is None or not permissions.can_read(user, story):
        raise Http404("No such story.")
    return story


def _story_json(request: HttpRequest, story: Story) -> dict[str, Any]:
    content = services.Content.of(story.latest_revision or story)
    state = story.effective_status()
    user = request.auth
    return {
        "id": story.pk,
        "status": state,
        "desk": representations.desk_summary(request, story.desk),
        "latest_revision": story.latest_revision_id,
        "published_revision": story.published_revision_id,
        "content": {
            "headline": content.headline,
            "desk": content.desk.slug,
            "dek": content.dek,
            "body": content.body,
            "label": content.label.slug if content.label else None,
            "dateline": content.dateline,
            "tags": [tag.slug for tag in content.tags],
            "authors": [author.pk for author in content.authors],
            "language": content.language or story.language,
            "seo_title": content.seo_title,
            "seo_description": content.seo_description,
            "sources": content.sources,
            "method_note": content.method_note,
            "makes_allegation": content.makes_allegation,
            "dateline_kind": content.dateline_kind,
        },
        "lead_image": representations.image_json(request, content.lead_image),
        "published_at": story.published_at,
        "updated_at": story.updated_at,
        "embargoed_until": story.embargoed_until,
        "url": (
            representations.absolute(request, story.get_absolute_url()) if story.is_live() else None
        ),
        "transitions": [
            transition.action.value
            for transition in transitions_from(state)
            if permissions.can_take(user, story, transition)
        ],
    }


def _unique(values: list) -> list:
    return list(dict.fromkeys(values))


def _content_from(
    payload: StoryCreateIn | StoryUpdateIn, lead_image, user, kept=None
) -> services.Content:
    """Slugs and ids to rows; every one that does not exist is a field error.

    The body's figures must name images ``user`` may see (``stories/body_images.py``).

    Sourcing fields an update leaves out (null) are ``kept`` as the latest revision has them.
    """
    errors: dict[str, str] = {}
    desk = Desk.objects.filter(slug=payload.desk).first()
    if desk is None:
        errors["desk"] = f"No desk has the slug “{payload.desk}”."
    label = None
    if payload.label:
        label = Label.objects.filter(slug=payload.label).first()
        if label is None:
            errors["label"] = f"No label has the slug “{payload.label}”."
    tag_slugs = _unique(payload.tags)
    tags_by_slug = {tag.slug: tag for tag in Tag.objects.filter(slug__in=tag_slugs)}
    missing_tags = [slug for slug in tag_slugs if slug not in tags_by_slug]
    if missing_tags:
        errors["tags"] = "No tag has the slug " + ", ".join(f"“{s}”" for s in missing_tags) + "."
    author_ids = _unique(payload.authors)
    authors_by_id = Author.objects.in_bulk(author_ids)
    missing_authors = [str(pk) for pk in author_ids if pk not in authors_by_id]
    if missing_authors:
        errors["authors"] = "No author has the id " + ", ".join(missing_authors) + "."
    body = payload.body
    try:
        if body and "data-image" in body and len(body) <= MAX_BODY_CHARS:
            body = body_images.checked_body(user, sanitize_body(body))
    except ValidationError as error:
        errors["body"] = " ".join(error.messages)
    if errors:
        raise ValidationError(errors)
    return services.Content(
        headline=payload.headline,
        desk=desk,
        dek=payload.dek,
        body=body,
        label=label,
        dateline=payload.dateline,
        lead_image=lead_image,
        language=payload.language or "",
        seo_title=payload.seo_title,
        seo_description=payload.seo_description,
        tags=[tags_by_slug[slug] for slug in tag_slugs],
        authors=[authors_by_id[pk] for pk in author_ids],
        **{
            name: getattr(kept, name) if getattr(payload, name) is None else getattr(payload, name)
            for name in ("sources", "method_note", "makes_allegation", "dateline_kind")
        },
    )


def _fresh(story: Story) -> Story:
    return Story.objects.select_related("desk", "lead_image", "latest_revision").get(pk=story.pk)


@router.post(
    "/stories",
    response={201: DeskStoryOut, **ERRORS},
    url_name="desk-stories",
    summary="Create a draft",
)
def create_story(request: HttpRequest, response: HttpResponse, payload: StoryCreateIn):
    """A new draft on a desk you write for, bylined to you unless `authors` says otherwise."""
    content = _content_from(payload, lead_image=None, user=request.auth)
    story = services.create_story(request.auth, content, note=payload.note)
    response["Location"] = representations.absolute(
        request, reverse("api:desk-story", kwargs={"story_id": story.pk})
    )
    story = _fresh(story)
    _tag(response, story)
    return Status(201, _story_json(request, story))


@router.get(
    "/stories/{story_id}",
    response={200: DeskStoryOut, **ERRORS},
    url_name="desk-story",
    summary="A story as its editors see it",
)
def get_story(request: HttpRequest, response: HttpResponse, story_id: int):
    """The latest revision's content (drafts included), its state and what you may do next.

    Its `ETag` names the latest revision: send it as `If-Match` when you save.
    """
    story = _story_for(request.auth, story_id)
    _tag(response, story)
    return _story_json(request, story)


@router.put(
    "/stories/{story_id}",
    response={200: DeskStoryOut, 400: ProblemOut, 412: ProblemOut, 428: ProblemOut, **ERRORS},
    url_name="desk-story-save",
    summary="Save a new revision",
    openapi_extra={
        "parameters": [
            {
                "name": "If-Match",
                "in": "header",
                "required": False,
                "description": (
                    "The `ETag` of the story as you fetched it (its latest revision). "
                    "Required unless the body has `base_revision`."
                ),
                "schema": {"type": "string"},
            }
        ]
    },
)
def save_story(request: HttpRequest, response: HttpResponse, story_id: int, payload: StoryUpdateIn):
    """Replace the editable content of the revision named by `If-Match` (or `base_revision`).

    Without either the answer is 428; a revision that is no longer the latest is 412
    through `If-Match` and 409 through `base_revision`, and nothing is saved. A live
    story keeps showing its published revision until an editor publishes the update.
    """
    story = _story_for(request.auth, story_id)
    base, by_header = _base_revision(request, story, payload)
    current = story.latest_revision or story
    content = _content_from(payload, lead_image=current.lead_image, user=request.auth, kept=current)
    try:
        services.save_story(request.auth, story, content, base, note=payload.note)
    except services.StaleRevision as stale:
        if by_header:
            raise PreconditionFailed(stale.latest.pk if stale.latest else None) from stale
        raise
    story = _fresh(story)
    _tag(response, story)
    return _story_json(request, story)


# Saving with If-Match (RFC 9110 §13.1.1): a story's ETag names its latest revision.
REVISION_TAG = re.compile(r'"rev-([0-9]{1,18})"')
ENTITY_TAGS = re.compile(r'\s*(\*|(?:W/)?"[^"]*")\s*(?:,|$)')


class PreconditionRequired(Exception):
    """A save that names no revision (428)."""


class PreconditionFailed(Exception):
    """A save whose If-Match names no revision that is still the latest (412)."""

    def __init__(self, latest_revision: int | None):
        super().__init__("The story has a newer revision than the one your If-Match names.")
        self.latest_revision = latest_revision


def revision_etag(story: Story) -> str | None:
    """The strong entity tag of ``story``'s latest revision, if it has one."""
    return f'"rev-{story.latest_revision_id}"' if story.latest_revision_id else None


def _tag(response: HttpResponse, story: Story) -> None:
    etag = revision_etag(story)
    if etag:
        response["ETag"] = etag


def _base_revision(request: HttpRequest, story: Story, payload) -> tuple[int | None, bool]:
    """The revision a save starts from, and whether ``If-Match`` named it.

    ``If-Match`` compares strongly: weak tags and tags of no revision never
    match. ``base_revision`` in the body, when also sent, must agree with it.
    """
    in_body = "base_revision" in payload.model_fields_set
    header = request.headers.get("If-Match")
    if header is None:
        if not in_body:
            raise PreconditionRequired(
                "Send If-Match with the ETag of the story as you fetched it "
                "(or base_revision in the body): a save replaces the whole story."
            )
        return payload.base_revision, False
    tags = []
    position = 0
    while position < len(header):
        found = ENTITY_TAGS.match(header, position)
        if found is None or found.end() == position:
            raise HttpError(400, "If-Match is not a list of entity tags.")
        tags.append(found.group(1))
        position = found.end()
    if not tags or "*" in tags:
        raise PreconditionRequired(
            "If-Match: * names no revision; send the ETag of the story as you fetched it."
        )
    named = [int(match.group(1)) for tag in tags if (match := REVISION_TAG.fullmatch(tag))]
    if in_body and payload.base_revision not in named:
        raise ValidationError(
            {"base_revision": "base_revision and If-Match name different revisions."}
        )
    if story.latest_revision_id not in named:
        raise PreconditionFailed(story.latest_revision_id)
    return story.latest_revision_id, True


def _transition_view(action: Action, schema: type, call: Callable) -> Callable:
    body_is_optional = not any(field.is_required() for field in schema.model_fields.values())

    def view(request, story_id, payload=None):
        story = _story_for(request.auth, story_id)
        call(request.auth, story, payload if payload is not None else schema())
        return _story_json(request, _fresh(story))

    # Real objects, not strings: each action's view has its own input schema;
    # actions whose fields all have defaults may be posted with no body at all.
    view.__annotations__ = {
        "request": HttpRequest,
        "story_id": int,
        "payload": (schema | None) if body_is_optional else schema,
    }
    if not body_is_optional:
        view.__defaults__ = None
    view.__name__ = f"transition_{action.value}"
    view.__doc__ = f"Input: {schema.__name__}. Answers the story as it is afterwards."
    return view


def _with_a_note(action: Action) -> Callable:
    """The call of a step that takes nothing but a note (``services.STEPS_WITH_A_NOTE``)."""
    step = services.STEPS_WITH_A_NOTE[action]
    return lambda user, story, payload: step(user, story, payload.note)


TRANSITIONS: dict[Action, tuple[type, Callable, str]] = {
    Action.SUBMIT: (
        NoteIn,
        _with_a_note(Action.SUBMIT),
        "Submit a draft to the desk",
    ),
    Action.CLAIM: (
        NoteIn,
        _with_a_note(Action.CLAIM),
        "Take a submitted story for editing",
    ),
    Action.APPROVE: (
        NoteIn,
        _with_a_note(Action.APPROVE),
        "Approve an edited story",
    ),
    Action.RETURN: (
        RequiredNoteIn,
        _with_a_note(Action.RETURN),
        "Return a story to its writer, saying why",
    ),
    Action.SCHEDULE: (
        ScheduleIn,
        lambda user, story, p: services.schedule_story(
            user, story, p.when, embargo=p.embargo, note=p.note
        ),
        "Schedule publication (optionally under embargo)",
    ),
    Action.UNSCHEDULE: (
        NoteIn,
        _with_a_note(Action.UNSCHEDULE),
        "Take a story off the schedule",
    ),
    Action.PUBLISH: (
        NoteIn,
        _with_a_note(Action.PUBLISH),
        "Publish the latest revision now",
    ),
    Action.PUBLISH_UPDATE: (
        NoteIn,
        _with_a_note(Action.PUBLISH_UPDATE),
        "Publish the latest revision of a live story as an update",
    ),
    Action.PUBLISH_CORRECTION: (
        CorrectionIn,
        lambda user, story, p: services.publish_correction(user, story, p.note, p.kind),
        "Publish the latest revision with a public correction",
    ),
    Action.WITHDRAW: (
        RequiredNoteIn,
        _with_a_note(Action.WITHDRAW),
        "Withdraw a story from every public surface",
    ),
    Action.PULL_BACK: (
        NoteIn,
        _with_a_note(Action.PULL_BACK),
        "Take back a submitted story as a draft (its writer, until an editor claims it)",
    ),
    Action.REINSTATE: (
        RequiredNoteIn,
        _with_a_note(Action.REINSTATE),
        "Republish a withdrawn story, with a note of reinstatement",
    ),
}

for _action, (_schema, _call, _summary) in TRANSITIONS.items():
    router.post(
        f"/stories/{{story_id}}/transitions/{_action.value}",
        response={200: DeskStoryOut, **ERRORS},
        url_name=f"desk-transition-{_action.value}",
        summary=_summary,
    )(_transition_view(_action, _schema, _call))
