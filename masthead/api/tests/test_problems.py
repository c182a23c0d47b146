"""Every error is an RFC 9457 problem: type, title, status, detail, instance."""

from __future__ import annotations

import pytest

from masthead.api.tests.conftest import JsonClient

pytestmark = pytest.mark.django_db

MEMBERS = {"type", "title", "status", "detail", "instance"}


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json; charset=utf-8"
    problem = response.json()
    assert problem.keys() >= MEMBERS
    assert problem["status"] == status
    assert problem["instance"] == response.wsgi_request.path
    return problem


def test_404_for_a_path_the_api_does_not_have(client):
    problem = assert_problem(client.get("/api/no/such/thing"), 404)

    assert problem["type"] == "about:blank"
    assert problem["title"] == "Not Found"


def test_404_for_a_trailing_slash_too(client):
    assert_problem(client.get("/api/stories/"), 404)


def test_405_names_the_methods_allowed(client):
    response = client.delete("/api/stories")

    assert_problem(response, 405)
    assert response["Allow"] == "GET, HEAD"


def test_401_for_the_staff_api_without_a_token(client, newsroom):
    assert_problem(client.get(f"/api/desk/stories/{newsroom.story.pk}"), 401)


def test_403_says_why(as_writer, newsroom):
    problem = assert_problem(
        as_writer.post("/api/desk/stories", {"headline": "x", "desk": "economy"}), 403
    )

    assert "Economy" in problem["detail"]


def test_422_lists_each_field(as_writer, newsroom):
    response = as_writer.post("/api/desk/stories", {"desk": "politics", "status": "published"})

    problem = assert_problem(response, 422)
    assert problem["type"] == "/api/problems/invalid-input"
    assert sorted(problem["errors"], key=lambda e: e["pointer"]) == [
        {"detail": "Field required", "pointer": "#/headline"},
        {"detail": "This field cannot be set.", "pointer": "#/status"},
    ]


def test_422_for_query_parameters_names_them(client, newsroom):
    problem = assert_problem(client.get("/api/stories?updated_since=yesterday"), 422)

    assert problem["errors"][0]["parameter"] == "updated_since"


@pytest.mark.parametrize("body", [b"{not json", b"[]", b'"a string"', b"null"])
def test_a_body_that_is_not_a_json_object(client, as_writer, newsroom, body):
    response = client.generic(
        "POST",
        "/api/desk/stories",
        body,
        content_type="application/json",
        headers=as_writer.headers,
    )

    assert response.status_code in (400, 422)
    assert_problem(response, response.status_code)


def test_409_for_an_invalid_transition(as_editor, newsroom):
    problem = assert_problem(
        as_editor.post(f"/api/desk/stories/{newsroom.story.pk}/transitions/submit"), 409
    )

    assert problem["type"] == "/api/problems/invalid-transition"
    assert "published" in problem["detail"]


def test_500_is_a_problem_and_is_logged(client, newsroom, monkeypatch, caplog):
    from masthead.api import selectors

    def broken(*args, **kwargs):
        raise RuntimeError("database on fire")

    monkeypatch.setattr(selectors, "desks", broken)
    client.raise_request_exception = False

    response = client.get("/api/desks")

    problem = assert_problem(response, 500)
    assert "fire" not in problem["detail"]
    assert "database on fire" in caplog.text


def test_problem_types_are_documented_at_their_uri(client, as_editor, newsroom):
    problem = as_editor.post(f"/api/desk/stories/{newsroom.story.pk}/transitions/submit").json()

    described = client.get(problem["type"])

    assert described.status_code == 200
    assert described.json()["status"] == 409


def test_the_site_keeps_its_html_404(client):
    response = client.get("/no-such-desk/no-such-story/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_unsafe_methods_need_no_csrf_token(newsroom):
    from django.test import Client

    strict = JsonClient(Client(enforce_csrf_checks=True))

    assert strict.post("/api/desk/stories", {"headline": "x"}).status_code == 401
    assert strict.post("/api/nowhere").status_code == 404


@pytest.mark.parametrize("path", ["/api/", "/api/openapi.json", "/api/docs"])
def test_the_api_pages_are_read_only(client, path):
    response = client.post(path)

    assert_problem(response, 405)
    assert response["Allow"] == "GET, HEAD"
