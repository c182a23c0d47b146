"""ninjs output validates against IPTC's published ninjs 2.3 JSON Schema (stored in schemas/)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry

from masthead.api import ninjs
from masthead.factories import make_desk, make_story

pytestmark = pytest.mark.django_db

SCHEMA = json.loads((Path(__file__).parent / "schemas" / "ninjs-schema_2.3.json").read_text())
# No retrieval: a reference the schema cannot resolve locally fails the test, never
# reaches the network.
VALIDATOR = Draft202012Validator(
    SCHEMA, registry=Registry(), format_checker=Draft202012Validator.FORMAT_CHECKER
)
NINJS = {"HTTP_ACCEPT": ninjs.MEDIA_TYPE}


def assert_valid(item: dict) -> None:
    errors = sorted(VALIDATOR.iter_errors(item), key=lambda error: list(error.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]


def test_the_stored_schema_is_iptcs_2_3():
    Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$id"] == "http://www.iptc.org/std/ninjs/ninjs-schema_2.3.json#"


def test_a_rich_story_validates(client, newsroom):
    response = client.get(f"/api/stories/{newsroom.story.pk}/ninjs")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/ninjs+json; charset=utf-8"
    item = response.json()
    assert_valid(item)
    assert item["associations"][0]["renditions"][0]["width"] == 40
    assert {"people", "organisations", "subjects", "genres", "located", "bodies"} <= item.keys()


def test_the_mapping(client, newsroom):
    story = newsroom.story
    item = client.get(f"/api/stories/{story.pk}/ninjs").json()

    assert item["uri"] == f"http://testserver/api/stories/{story.pk}"
    assert item["type"] == "text"
    assert item["pubstatus"] == "usable"
    assert item["standard"] == {
        "name": "ninjs",
        "version": "2.3",
        "schema": "https://www.iptc.org/std/ninjs/ninjs-schema_2.3.json",
    }
    assert item["headlines"] == [
        {"role": "main", "contenttype": "text/plain", "value": "Talks resume in Vienna"}
    ]
    assert item["descriptions"][0]["value"] == "Negotiators return to the table."
    assert item["bodies"][0]["contenttype"] == "text/html"
    assert item["bodies"][0]["wordcount"] == 7
    assert item["by"] == "Nima Sadeghi and IFP Editorial Staff"
    assert item["people"] == [
        {
            "name": "Nima Sadeghi",
            "rel": "author",
            "literal": "nima-sadeghi",
            "uri": "http://testserver/author/nima-sadeghi/",
        }
    ]
    assert item["organisations"][0]["name"] == "IFP Editorial Staff"
    assert [subject["name"] for subject in item["subjects"]] == ["Iran", "Nuclear talks"]
    assert item["located"] == "Tehran"
    assert item["genres"] == [
        {
            "name": "IFP Exclusive",
            "literal": "exclusive",
            "uri": "http://cv.iptc.org/newscodes/genre/Exclusive",
        }
    ]
    picture = item["associations"][0]
    assert picture["type"] == "picture"
    assert picture["copyrightnotice"] == "Reuters/Jane Doe"
    assert {"role": "caption", "contenttype": "text/plain", "value": "Talks in Vienna"} in picture[
        "descriptions"
    ]
    assert picture["renditions"][0]["href"].startswith("http://testserver/")
    assert item["firstcreated"].endswith("Z")


def test_a_bare_story_validates(client):
    story = make_story("Bare", desk=make_desk("Politics"), body="")

    item = client.get(f"/api/stories/{story.pk}/ninjs").json()

    assert_valid(item)
    assert "people" not in item
    assert "associations" not in item


def test_accept_header_and_path_give_the_same_document(client, newsroom):
    by_path = client.get(f"/api/stories/{newsroom.story.pk}/ninjs")
    by_accept = client.get(f"/api/stories/{newsroom.story.pk}", **NINJS)
    as_json = client.get(f"/api/stories/{newsroom.story.pk}", HTTP_ACCEPT="application/json")

    assert by_accept.content == by_path.content
    assert by_accept["Content-Type"] == by_path["Content-Type"]
    assert (
        by_accept["Link"]
        == '<https://www.iptc.org/std/ninjs/ninjs-schema_2.3.json>; rel="describedby"'
    )
    assert "headline" in as_json.json()
    assert by_accept["ETag"] != as_json["ETag"]
    assert "Accept" in by_accept["Vary"]


@pytest.mark.parametrize(
    ("accept", "is_ninjs"),
    [
        ("application/ninjs+json", True),
        ("application/ninjs+json, application/json;q=0.5", True),
        ("application/json, application/ninjs+json;q=0.5", False),
        ("*/*", False),
        ("text/html", False),
    ],
)
def test_content_negotiation(client, newsroom, accept, is_ninjs):
    response = client.get(f"/api/stories/{newsroom.story.pk}", HTTP_ACCEPT=accept)

    assert ("uri" in response.json()) is is_ninjs


def test_the_list_as_ninjs_holds_partial_items(client, newsroom):
    make_story("Second story", desk=newsroom.desk)

    body = client.get("/api/stories", **NINJS).json()

    assert len(body["items"]) == 2
    for item in body["items"]:
        assert_valid(item)
        assert item["representationtype"] == "partial"
        assert "bodies" not in item


@pytest.mark.parametrize(
    "item",
    [
        {"uri": "not a uri"},
        {"uri": "http://example.org/1", "headline": "a ninjs 1.x field"},
        {"uri": "http://example.org/1", "versioncreated": "yesterday"},
        {"uri": "http://example.org/1", "associations": [{"uri": "http://example.org/2"}]},
    ],
)
def test_the_validator_is_strict(item):
    assert list(VALIDATOR.iter_errors(item))


def test_words_in_separate_blocks_are_counted_apart(client, newsroom):
    newsroom.story.body = "<p>end</p><p>start<br>again</p><ul><li>one</li><li>two</li></ul>"
    newsroom.story.save()

    item = client.get(f"/api/stories/{newsroom.story.pk}/ninjs").json()

    assert item["bodies"][0]["wordcount"] == 5
