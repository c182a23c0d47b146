"""Errors as RFC 9457 problem details (``application/problem+json``).

Every error the API gives — ours, ninja's, Django's — leaves through
``problem_response``: ``type``, ``title``, ``status``, ``detail``,
``instance`` and, for invalid input, ``errors`` (one entry per field, with a
JSON pointer into the request body or the name of the query parameter).

Errors that mean no more than their status use ``type: "about:blank"`` and
the status phrase as title, as RFC 9457 §4.2.1 says. Errors of our own have
a type under ``/api/problems/``, a URI reference that is the same on every
host and answers with a description of the problem when fetched.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse

PROBLEM_CONTENT_TYPE = "application/problem+json"


@dataclass(frozen=True)
class ProblemType:
    name: str
    title: str
    status: int
    description: str

    @property
    def uri(self) -> str:
        return f"/api/problems/{self.name}"


PROBLEM_TYPES = {
    problem.name: problem
    for problem in (
        ProblemType(
            "invalid-input",
            "Your request is not valid.",
            422,
            "A field or parameter is missing, of the wrong type, too long, refers to "
            "something that does not exist, or is not one a client may set. `errors` "
            "lists each, with a JSON `pointer` into the request body or the query "
            "`parameter` it concerns. Nothing was changed.",
        ),
        ProblemType(
            "stale-revision",
            "Someone saved a newer version of this story.",
            409,
            "The `base_revision` you sent is not the story's latest revision. Fetch the "
            "story again (`latest_revision` says which revision is now current), merge "
            "your changes into it and save with that revision as `base_revision`. "
            "Nothing was changed.",
        ),
        ProblemType(
            "precondition-required",
            "Say which revision your edit started from.",
            428,
            "A save replaces the whole story, so it must name the revision it was made "
            "from: send `If-Match` with the `ETag` that GET gave you (or, for clients that "
            "cannot set headers, `base_revision` in the body). `If-Match: *` names no "
            "revision and is not enough. Nothing was changed.",
        ),
        ProblemType(
            "precondition-failed",
            "Someone saved a newer version of this story.",
            412,
            "The `If-Match` you sent does not name the story's latest revision. Fetch the "
            "story again (`latest_revision` says which revision is now current; its `ETag` "
            "is the one to send), merge your changes into it and save again. Nothing was "
            "changed.",
        ),
        ProblemType(
            "invalid-transition",
            "The story is not in a state this action starts from.",
            409,
            "Workflow actions apply to stories in certain states only (for example, "
            "only a submitted story can be claimed). Fetch the story: its `status` is "
            "its state now and `transitions` lists what you may do next.",
        ),
        ProblemType(
            "unavailable",
            "The service is briefly unavailable.",
            503,
            "Masthead cannot reach its database (it is restarting, read-only for "
            "maintenance, or overloaded), so it can neither read nor save: nothing was "
            "changed. Send the same request again after the seconds in `Retry-After`.",
        ),
        ProblemType(
            "invalid-idempotency-key",
            "The Idempotency-Key header is not valid.",
            400,
            "An `Idempotency-Key` is 1 to 255 printable ASCII characters (letters, digits, "
            "punctuation and spaces), sent bare or as a quoted structured-field string. "
            "Nothing was changed.",
        ),
        ProblemType(
            "idempotency-key-in-use",
            "A request with this Idempotency-Key is still being processed.",
            409,
            "The first request sent with this `Idempotency-Key` has not finished. Send the "
            "same request again after the seconds in `Retry-After`: you will get its answer "
            "(with `Idempotent-Replayed: true`), and the work is done once.",
        ),
        ProblemType(
            "idempotency-key-reused",
            "This Idempotency-Key was used for another request.",
            422,
            "An `Idempotency-Key` stands for one request: the same method, path and body. "
            "This key was sent before with a different one. Use a new key for a new request. "
            "Nothing was changed.",
        ),
        ProblemType(
            "invalid-cursor",
            "The cursor is not one this list gave out.",
            400,
            "A `cursor` must be passed back exactly as a list's `next_cursor` gave it, "
            "with the same filters. Start again from the first page.",
        ),
        ProblemType(
            "invalid-query",
            "The search cannot run.",
            400,
            "`q` is empty, longer than 200 characters, has more than 12 words, has no "
            "letters or digits, only leaves words out, or is combined with a filter search "
            "does not take (`tag`, `language`, `updated_since`). `detail` says which.",
        ),
    )
}


def _errors_from_django(error: DjangoValidationError) -> list[dict[str, str]]:
    if not hasattr(error, "error_dict"):
        return [{"detail": message, "pointer": "#"} for message in error.messages]
    errors = []
    for field, messages in error.message_dict.items():
        pointer = "#" if field == NON_FIELD_ERRORS else f"#/{field}"
        errors.extend({"detail": message, "pointer": pointer} for message in messages)
    return errors


def _errors_from_ninja(errors: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Ninja's pydantic errors (``loc`` = source, parameter name, field path …)."""
    result = []
    for error in errors:
        location = [str(part) for part in error.get("loc", ())]
        detail = str(error.get("msg", "Invalid value."))
        if error.get("type") == "extra_forbidden":
            detail = "This field cannot be set."
        source, rest = (location[0], location[1:]) if location else ("body", [])
        if source == "body":
            # The first part names the view's body parameter, not a field of the body.
            path = rest[1:]
            result.append({"detail": detail, "pointer": "#/" + "/".join(path) if path else "#"})
        else:
            result.append({"detail": detail, source_key(source): ".".join(rest)})
    return result


def source_key(source: str) -> str:
    return {"query": "parameter", "path": "parameter", "header": "header"}.get(source, source)


def problem_response(
    request: HttpRequest,
    status: int,
    *,
    problem: ProblemType | None = None,
    detail: str = "",
    headers: dict[str, str] | None = None,
    **extensions: Any,
) -> HttpResponse:
    body: dict[str, Any] = {
        "type": problem.uri if problem else "about:blank",
        "title": problem.title if problem else HTTPStatus(status).phrase,
        "status": status,
        "detail": detail or (problem.title if problem else HTTPStatus(status).description),
        "instance": request.path,
        **extensions,
    }
    response = HttpResponse(
        json.dumps(body, cls=DjangoJSONEncoder, ensure_ascii=False),
        status=status,
        content_type=f"{PROBLEM_CONTENT_TYPE}; charset=utf-8",
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def invalid_input(
    request: HttpRequest, error: DjangoValidationError | list[dict[str, Any]]
) -> HttpResponse:
    errors = (
        _errors_from_django(error)
        if isinstance(error, DjangoValidationError)
        else _errors_from_ninja(error)
    )
    first = errors[0]["detail"] if errors else ""
    detail = first if len(errors) == 1 else f"{len(errors)} fields are not valid."
    return problem_response(
        request, 422, problem=PROBLEM_TYPES["invalid-input"], detail=detail, errors=errors
    )


def is_problem(response: HttpResponse) -> bool:
    return response.get("Content-Type", "").startswith(PROBLEM_CONTENT_TYPE)
