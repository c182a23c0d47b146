"""The NinjaAPI: routers, OpenAPI document, interactive docs and error handlers.

django-ninja builds the OpenAPI 3.1 document from the views' type hints; the
Swagger UI page loads nothing from another host (``docs.py``). Every
exception that reaches ninja leaves as an RFC 9457 problem (``problems.py``).
"""

from __future__ import annotations

import logging

from django.core.exceptions import (
    ObjectDoesNotExist,
    PermissionDenied,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.signals import got_request_exception
from django.db import DatabaseError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.renderers import JSONRenderer

from masthead import database_outage, request_limits
from masthead.api import desk_views, idempotency, problems, public_views
from masthead.api.docs import LocalSwagger
from masthead.api.http_semantics import rate_limited
from masthead.api.rate_limits import RateLimited
from masthead.stories.services import StaleRevision
from masthead.stories.workflow import InvalidTransition

logger = logging.getLogger("masthead.api")

DESCRIPTION = """\
Live stories of the outlet, its desks, authors and tags, for anyone; each
story also as IPTC ninjs 2.3. Staff programs holding an API token create and
edit drafts and move stories through the editorial workflow, under the same
permissions as in the back office.

Errors are RFC 9457 problem details. Public reads carry ETag, Last-Modified
and `Cache-Control`; send `If-None-Match` to be answered 304 when nothing
changed. The guide with an example for every endpoint: docs/api.md.
"""


class UnicodeJSON(JSONRenderer):
    """Text as itself, not as ``\\u`` escapes: a Persian desk name is 2 bytes a letter in
    UTF-8 and 6 escaped, and readable in the answer (the story and problem answers,
    written by our own views, already are)."""

    json_dumps_params = {"ensure_ascii": False}


class MastheadAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        """Ninja's document, with errors under the media type they are sent as."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for path in schema["paths"].values():
            for method, operation in path.items():
                if "security" in operation and method.upper() in idempotency.WRITE_METHODS:
                    _document_idempotency(operation)
                for answer in operation.get("responses", {}).values():
                    content = answer.get("content", {})
                    as_json = content.get("application/json", {})
                    if as_json.get("schema", {}).get("$ref", "").endswith("/ProblemOut"):
                        content[problems.PROBLEM_CONTENT_TYPE] = content.pop("application/json")
        return schema


IDEMPOTENCY_KEY_PARAMETER = {
    "name": idempotency.HEADER,
    "in": "header",
    "required": False,
    "description": (
        "Makes a retry safe: the same request sent again with the same key (for this "
        "token, within 24 hours) is answered with the first answer and "
        "`Idempotent-Replayed: true`, and the work is done once. 1–255 printable ASCII "
        "characters, bare or as a quoted structured-field string."
    ),
    "schema": {"type": "string", "minLength": 1, "maxLength": idempotency.MAX_KEY_LENGTH},
}
REPLAYED_HEADER = {
    "description": "`true` when this is the stored answer to an earlier request with this key.",
    "schema": {"type": "string", "enum": ["true"]},
}
PROBLEM_SCHEMA = "#/components/schemas/ProblemOut"
IDEMPOTENCY_PROBLEMS = {
    400: "The Idempotency-Key header is not valid.",
    409: "Conflict, or a request with this Idempotency-Key is still being processed.",
    422: "Invalid input, or this Idempotency-Key was used for another request.",
}


def _document_idempotency(operation: dict) -> None:
    """The Idempotency-Key header and its answers, on a staff write (``idempotency.py``)."""
    operation.setdefault("parameters", []).append(IDEMPOTENCY_KEY_PARAMETER)
    responses = operation.setdefault("responses", {})
    for status, description in IDEMPOTENCY_PROBLEMS.items():
        problem = {"content": {"application/json": {"schema": {"$ref": PROBLEM_SCHEMA}}}}
        answer = responses.setdefault(status, problem)
        answer["description"] = description
    for status, answer in responses.items():
        if 200 <= int(status) < 300:
            answer.setdefault("headers", {})[idempotency.REPLAYED_HEADER] = REPLAYED_HEADER


api = MastheadAPI(
    title="Masthead news API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    renderer=UnicodeJSON(),
    openapi_url="/openapi.json",
    docs_url="/docs",
    # validatorUrl null: Swagger UI would otherwise send our document to swagger.io.
    docs=LocalSwagger(settings={"validatorUrl": None, "defaultModelsExpandDepth": 0}),
)
api.add_router("", public_views.router)
api.add_router("/desk", desk_views.router)


@api.exception_handler(NinjaValidationError)
def _invalid_request(request: HttpRequest, error: NinjaValidationError) -> HttpResponse:
    return problems.invalid_input(request, error.errors)


@api.exception_handler(public_views.NoEditionInLanguage)
def _no_edition_in(request: HttpRequest, error: public_views.NoEditionInLanguage) -> HttpResponse:
    return problems.invalid_input(request, [{"loc": ("query", "language"), "msg": str(error)}])


@api.exception_handler(DjangoValidationError)
def _invalid_content(request: HttpRequest, error: DjangoValidationError) -> HttpResponse:
    return problems.invalid_input(request, error)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
    challenge = 'Bearer realm="masthead"'
    detail = "Send a staff API token: `Authorization: Bearer <token>`."
    if getattr(request, "api_token_rejected", False):
        challenge += ', error="invalid_token"'
        detail = "The API token is unknown, expired or revoked."
    return problems.problem_response(
        request, 401, detail=detail, headers={"WWW-Authenticate": challenge}
    )


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, error: PermissionDenied) -> HttpResponse:
    return problems.problem_response(request, 403, detail=str(error) or "You may not do this.")


@api.exception_handler(Http404)
@api.exception_handler(ObjectDoesNotExist)
def _not_found(request: HttpRequest, error: Exception) -> HttpResponse:
    return problems.problem_response(request, 404)


@api.exception_handler(StaleRevision)
def _stale(request: HttpRequest, error: StaleRevision) -> HttpResponse:
    return problems.problem_response(
        request,
        409,
        problem=problems.PROBLEM_TYPES["stale-revision"],
        detail=str(error),
        base_revision=error.base_revision_id,
        latest_revision=error.latest.pk if error.latest else None,
    )


@api.exception_handler(desk_views.PreconditionRequired)
def _precondition_required(request: HttpRequest, error: Exception) -> HttpResponse:
    return problems.problem_response(
        request, 428, problem=problems.PROBLEM_TYPES["precondition-required"], detail=str(error)
    )


@api.exception_handler(desk_views.PreconditionFailed)
def _precondition_failed(
    request: HttpRequest, error: desk_views.PreconditionFailed
) -> HttpResponse:
    return problems.problem_response(
        request,
        412,
        problem=problems.PROBLEM_TYPES["precondition-failed"],
        detail=str(error),
        latest_revision=error.latest_revision,
    )


@api.exception_handler(InvalidTransition)
def _invalid_transition(request: HttpRequest, error: InvalidTransition) -> HttpResponse:
    return problems.problem_response(
        request, 409, problem=problems.PROBLEM_TYPES["invalid-transition"], detail=str(error)
    )


@api.exception_handler(RateLimited)
def _rate_limited(request: HttpRequest, error: RateLimited) -> HttpResponse:
    return rate_limited(request, error)


@api.exception_handler(RequestDataTooBig)
@api.exception_handler(TooManyFieldsSent)
@api.exception_handler(TooManyFilesSent)
def _over_a_limit(request: HttpRequest, error: Exception) -> HttpResponse:
    return request_limits.problem(request, error)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
    return problems.problem_response(request, error.status_code, detail=str(error))


@api.exception_handler(DatabaseError)
def _database_error(request: HttpRequest, error: DatabaseError) -> HttpResponse:
    if database_outage.is_out_of_room(error):
        logger.warning("No room to store: %s", request.path, exc_info=error)
        return database_outage.outage_response(request, no_room=True)
    if database_outage.is_database_outage(error):
        logger.warning("Database unavailable: %s", request.path, exc_info=error)
        return database_outage.outage_response(request)
    return _server_error(request, error)


@api.exception_handler(Exception)
def _server_error(request: HttpRequest, error: Exception) -> HttpResponse:
    if database_outage.is_out_of_room(error):  # a file write on a full disk (R10)
        logger.warning("No room to store: %s", request.path, exc_info=error)
        return database_outage.outage_response(request, no_room=True)
    # Logged and signalled like Django's own handler would (the test client re-raises it).
    got_request_exception.send(sender=None, request=request)
    logger.error(
        "Internal Server Error: %s",
        request.path,
        exc_info=error,
        extra={"status_code": 500, "request": request},
    )
    return problems.problem_response(request, 500, detail="Something went wrong on our side.")
