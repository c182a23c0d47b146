"""The OpenAPI document is valid, the docs load nothing from another host, and a
property-based run of every operation (schemathesis) finds no server error and
no answer that differs from its documented schema."""

from __future__ import annotations

import functools
import json
import re
import zlib
from typing import Any
from urllib.parse import urlsplit

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from openapi_spec_validator import validate
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from masthead.api.api import api
from masthead.api.docs import NINJA_VERSION
from masthead.api.tests.conftest import bearer
from masthead.stories import services
from masthead.stories.models import Story

pytestmark = pytest.mark.django_db


def test_the_openapi_document_is_valid(client):
    document = client.get("/api/openapi.json").json()

    validate(document)
    assert document["info"]["version"] == "1"
    assert "/api/stories" in document["paths"]
    assert document["components"]["securitySchemes"]["ApiTokenAuth"]["scheme"] == "bearer"


def test_errors_are_documented_as_problem_details(client):
    document = client.get("/api/openapi.json").json()

    not_found = document["paths"]["/api/stories/{story_id}"]["get"]["responses"]["404"]
    assert list(not_found["content"]) == ["application/problem+json"]


def test_every_staff_operation_requires_a_token(client):
    document = client.get("/api/openapi.json").json()

    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            needs_token = "security" in operation
            assert needs_token is path.startswith("/api/desk/"), (method, path)


def test_the_docs_page_loads_nothing_from_another_host(client):
    page = client.get("/api/docs").content.decode()

    references = re.findall(r'(?:src|href)\s*=\s*["\']([^"\']+)', page)
    assert references, page
    for reference in references:
        assert not urlsplit(reference).netloc, reference
        assert not reference.startswith("//"), reference
    assert re.search(r'"validatorUrl":\s*null', page)
    assert "cdn" not in page.lower()


def test_the_docs_assets_are_served_by_us_for_a_year(client):
    page = client.get("/api/docs").content.decode()

    references = re.findall(r'(?:src|href)="(/api/docs/assets/[^"]+)"', page)
    assert len(references) == 4
    for reference in references:
        response = client.get(reference)
        assert response.status_code == 200, reference
        assert response.content
        assert "max-age=31536000" in response["Cache-Control"]
        assert "immutable" in response["Cache-Control"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/docs/assets/0.0.1/swagger-ui.css",
        "/api/docs/assets/{version}/redoc.standalone.js",
        "/api/docs/assets/{version}/..%2F..%2F__init__.py",
    ],
)
def test_no_other_file_is_served(client, path):
    assert client.get(path.format(version=NINJA_VERSION)).status_code == 404


def test_the_openapi_document_is_where_the_docs_page_says(client):
    page = client.get("/api/docs").content.decode()
    settings = json.loads(re.search(r'id="swagger-settings"[^>]*>(.*?)</script>', page).group(1))

    assert settings["url"] == "/api/openapi.json"
    assert client.get(settings["url"]).status_code == 200


# Property-based run -----------------------------------------------------------------

# Built from the API object, not fetched: loading the tests makes no request.
schema = schemathesis.openapi.from_dict(
    json.loads(json.dumps(api.get_openapi_schema(path_prefix="/api/")))
)


@functools.cache
def _django() -> WSGIHandler:
    return WSGIHandler()


def _wsgi_app(environ, start_response):
    """Django's WSGI handler, made on the first request (after the test set-up)."""
    return _django()(environ, start_response)


schema.app = _wsgi_app


@pytest.fixture
def same_connection_for_every_request():
    """Like Django's test client: keep the test's database transaction open across requests."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _pick(options: list, key: Any) -> Any:
    return options[zlib.crc32(repr(key).encode()) % len(options)]


@pytest.fixture
def newsroom_refs(newsroom, editor, settings, same_connection_for_every_request) -> dict:
    """Stories in several states, and the slugs and ids that exist, for realistic requests."""
    settings.API_RATE_LIMIT = "off"
    stories = [newsroom.story]
    for state_actions in ([], ["submit"], ["submit", "claim"], ["submit", "claim", "approve"]):
        content = services.Content(headline="Workflow story", desk=newsroom.desk)
        story = services.create_story(editor, content)
        for action in state_actions:
            getattr(services, f"{action}_story")(editor, story)
        stories.append(story)
    return {
        "headers": bearer(editor),
        "story_ids": [story.pk for story in stories],
        "desks": ["politics", "economy"],
        "labels": [newsroom.label.slug],
        "tags": ["iran", "nuclear-talks"],
        "authors": [newsroom.reporter.pk, newsroom.staff.pk],
    }


def with_real_references(case, refs: dict) -> None:
    """Point two in three generated ids and slugs at rows that exist (the third stays random)."""
    story_id = (case.path_parameters or {}).get("story_id")
    if isinstance(story_id, int) and story_id % 3:
        case.path_parameters["story_id"] = story_id = _pick(refs["story_ids"], story_id)
    if not isinstance(case.body, dict):
        return
    body = case.body
    for field, options in (("desk", refs["desks"]), ("label", refs["labels"])):
        if isinstance(body.get(field), str) and len(body[field]) % 3:
            body[field] = _pick(options, body[field])
    for field, options in (("tags", refs["tags"]), ("authors", refs["authors"])):
        if isinstance(body.get(field), list) and len(body[field]) % 3:
            body[field] = [_pick(options, value) for value in body[field]]
    if "base_revision" in body and story_id in refs["story_ids"]:
        body["base_revision"] = Story.objects.get(pk=story_id).latest_revision_id


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_no_request_makes_the_server_fail(case, newsroom_refs):
    with_real_references(case, newsroom_refs)
    response = case.call(headers=newsroom_refs["headers"])

    case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])
