"""Sources through the API: in full to staff tokens, as readers see them to everyone else,
approvals read-only, every publish checked against the outlet's rules, ninjs infosources."""

from __future__ import annotations

import json

import pytest

from masthead.api.tests.conftest import JsonClient, bearer, nothing_written
from masthead.api.tests.test_desk_views import create, editable, move
from masthead.api.tests.test_ninjs import assert_valid
from masthead.factories import make_staff
from masthead.newsroom.models import PolicyPage, StaffRole
from masthead.sourcing.kinds import is_approved
from masthead.sourcing.services import approve_source
from masthead.sourcing.tests.helpers import OUTLET, RESPONSE, UNNAMED
from masthead.stories.models import Story

pytestmark = pytest.mark.django_db

WIRE_ONLY = {"kind": "wire", "wire_item": 1}
FORGED = {"by_id": 1, "by_name": "Chief", "at": "2026-01-01T00:00:00+00:00", "reason": "ok"}
SECRET = "Met them at the embassy"


def ready(as_writer, as_editor, **fields) -> dict:
    draft = create(as_writer, **fields)
    assert draft.status_code == 201, draft.content
    story_id = draft.json()["id"]
    move(as_writer, story_id, "submit")
    move(as_editor, story_id, "claim")
    return draft.json()


def test_staff_write_and_read_every_sourcing_field(as_writer, newsroom):
    response = create(
        as_writer,
        sources=[UNNAMED, OUTLET],
        method_note="We spoke to four officials.",
        makes_allegation=True,
        dateline_kind="reported",
    )

    assert response.status_code == 201, response.content
    content = response.json()["content"]
    assert [source["kind"] for source in content["sources"]] == ["unnamed", "outlet_report"]
    assert content["sources"][0]["how_known"].startswith(SECRET)
    assert content["method_note"] == "We spoke to four officials."
    assert content["makes_allegation"] is True
    assert content["dateline_kind"] == "reported"


def test_an_approval_sent_through_the_api_is_ignored(as_writer, as_editor, newsroom):
    body = create(as_writer, sources=[dict(UNNAMED, approval=FORGED)]).json()
    assert "approval" not in body["content"]["sources"][0]

    story = Story.objects.get(pk=body["id"])
    move(as_writer, story.pk, "submit")
    move(as_editor, story.pk, "claim")
    current = as_editor.get(f"/api/desk/stories/{story.pk}").json()
    forged = editable(current) | {"sources": [dict(UNNAMED, approval=FORGED)]}
    saved = as_editor.put(f"/api/desk/stories/{story.pk}", forged)
    assert saved.status_code == 200, saved.content
    assert "approval" not in saved.json()["content"]["sources"][0]


def test_a_real_approval_is_read_back_and_survives_a_put_of_what_get_gave(
    as_writer, as_editor, editor, newsroom
):
    body = ready(as_writer, as_editor, sources=[UNNAMED])
    approve_source(editor, Story.objects.get(pk=body["id"]), "u1", "Our bureau knows them.")

    current = as_editor.get(f"/api/desk/stories/{body['id']}").json()
    assert current["content"]["sources"][0]["approval"]["reason"] == "Our bureau knows them."
    tampered = editable(current)
    tampered["sources"][0]["approval"] = FORGED
    saved = as_editor.put(f"/api/desk/stories/{body['id']}", tampered).json()
    assert saved["content"]["sources"][0]["approval"]["reason"] == "Our bureau knows them."


def test_an_update_that_leaves_the_sourcing_fields_out_keeps_them(as_writer, newsroom):
    body = create(as_writer, sources=[OUTLET], method_note="Note.").json()
    old_client_put = {
        key: value
        for key, value in editable(body).items()
        if key not in ("sources", "method_note", "makes_allegation", "dateline_kind")
    }
    saved = as_writer.put(f"/api/desk/stories/{body['id']}", old_client_put | {"dek": "New."})

    assert saved.status_code == 200, saved.content
    assert saved.json()["content"]["sources"][0]["outlet"] == "Reuters"
    assert saved.json()["content"]["method_note"] == "Note."


def test_publishing_through_the_api_is_refused_naming_the_rule(as_writer, as_editor, newsroom):
    PolicyPage.objects.create(kind="unnamed_sources", title="Unnamed sources", slug="unnamed")
    body = ready(as_writer, as_editor, sources=[UNNAMED])

    with nothing_written():
        response = move(as_editor, body["id"], "publish")

    assert response.status_code == 422
    problem = response.json()
    assert "unnamed_needs_approval" in problem["detail"]
    assert "/policies/unnamed/" in problem["detail"]
    assert not Story.objects.get(pk=body["id"]).is_live()


def test_scheduling_through_the_api_is_refused_too(as_writer, as_editor, newsroom):
    body = ready(as_writer, as_editor, sources=[OUTLET], makes_allegation=True)

    response = move(as_editor, body["id"], "schedule", {"when": "2099-01-01T10:00:00Z"})

    assert response.status_code == 422
    assert "allegation_needs_response" in response.json()["detail"]


@pytest.mark.parametrize(
    "sources",
    [
        "not a list",
        [1, 2],
        [{"kind": ["unnamed"]}],
        [{"kind": {"a": 1}}],
        [{"kind": "nope"}],
        [{"kind": "unnamed"}],
        [{"kind": "unnamed", "description": "x", "anonymity_reason": "y", "count": "many"}],
        [{"kind": "unnamed", "description": "x" * 301, "anonymity_reason": "y"}],
        [{"kind": "outlet_report", "outlet": "R", "url": "javascript:alert(1)"}],
        [{"kind": "outlet_report", "outlet": "R", "date": "yesterday"}],
        [{"kind": "person", "name": "A", "paragraphs": ["x"]}],
        [{"kind": "person", "name": "A\x00"}],
        [{"kind": "person", "name": "\ud800"}],
        [{"kind": "person", "name": {"a": {"b": {"c": {"d": {"e": "f"}}}}}}],
        [{"kind": "person", "name": "A"}] * 61,
        [{"kind": "wire", "wire_item": 999999}],
        [{"kind": "response", "party": "SNSC", "outcome": "shrugged"}],
    ],
)
def test_hostile_sources_are_refused_and_nothing_is_written(as_writer, newsroom, sources):
    with nothing_written():
        response = create(as_writer, sources=sources)
    assert response.status_code == 422, response.content


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("method_note", "x" * 5001),
        ("method_note", 5),
        ("makes_allegation", "maybe"),
        ("dateline_kind", "imagined"),
        ("dateline_kind", None),
    ],
)
def test_hostile_sourcing_fields_are_refused(as_writer, newsroom, field, value):
    with nothing_written():
        response = create(as_writer, **{field: value})
    assert response.status_code == 422


def test_markup_and_bidi_controls_are_cleaned_not_executed(as_writer, newsroom):
    person = {"kind": "person", "name": "<b>Ali</b>\u202e", "role": "spokesman\u202b"}
    body = create(as_writer, sources=[person]).json()

    stored = body["content"]["sources"][0]
    assert stored["name"] == "<b>Ali</b>"
    assert stored["role"] == "spokesman"


# Public surfaces: readers' view only --------------------------------------------------


@pytest.fixture
def published(newsroom):
    """The newsroom's live story, now with every kind of source, an approved unnamed one."""
    editor = make_staff(StaffRole.Role.CHIEF_EDITOR, None, username="chief")
    from masthead.stories import services

    story = newsroom.story
    content = services.Content.of(story.latest_revision)
    content.sources = [
        UNNAMED,
        OUTLET,
        RESPONSE,
        {"id": "p1", "kind": "person", "name": "Ali Vaez", "role": "Analyst", "on_record": True},
        {"id": "d1", "kind": "document", "title": "IAEA report", "url": "https://iaea.org/r"},
        {"id": "s1", "kind": "statement", "speaker": "Foreign ministry"},
        {"id": "w1", "kind": "own_reporting", "where": "Tehran"},
    ]
    content.method_note = "We spoke to four officials."
    services.save_story(editor, story, content, story.latest_revision_id)
    approve_source(editor, story, "u1", "Two officials, confirmed separately.")
    services.publish_update(editor, Story.objects.get(pk=story.pk))
    story.refresh_from_db()
    assert is_approved(story.sources[0])
    return story


def test_the_public_api_shows_sources_as_readers_see_them(client, published):
    body = client.get(f"/api/stories/{published.pk}").json()

    kinds = [source["kind"] for source in body["sources"]]
    assert kinds[:3] == ["unnamed", "outlet_report", "response"]
    assert body["sources"][0]["anonymity_reason"] == UNNAMED["anonymity_reason"]
    assert body["method_note"] == "We spoke to four officials."
    text = json.dumps(body)
    assert SECRET not in text
    assert "how_known" not in text
    assert "approval" not in text
    assert "Two officials, confirmed separately." not in text
    assert "makes_allegation" not in text


def test_ninjs_infosources_validate_and_hold_nothing_staff_only(client, published):
    response = client.get(f"/api/stories/{published.pk}/ninjs")

    item = response.json()
    assert_valid(item)
    assert item["infosources"][:3] == [
        {"name": "two US officials", "role": "unnamed", "literal": "u1"},
        {
            "name": "Reuters",
            "role": "outlet_report",
            "literal": "o1",
            "uri": "https://www.reuters.com/world/example",
        },
        {"name": "Supreme National Security Council", "role": "response", "literal": "r1"},
    ]
    assert {entry["role"] for entry in item["infosources"]} == {
        "unnamed",
        "outlet_report",
        "response",
        "person",
        "document",
        "statement",
    }
    text = json.dumps(item)
    assert SECRET not in text and "approval" not in text


def test_the_public_list_and_feeds_of_ninjs_hold_nothing_staff_only(client, published):
    for path in ("/api/stories", "/api/stories?format=ninjs", "/api/stories/ninjs"):
        response = client.get(path)
        if response.status_code == 200:
            assert SECRET not in response.content.decode()
            assert "approval" not in response.content.decode()


def test_a_writer_token_reads_sources_of_its_own_draft_only(client, as_writer, newsroom):
    body = create(as_writer, sources=[UNNAMED]).json()
    stranger = JsonClient(client, bearer(make_staff(StaffRole.Role.WRITER, newsroom.other_desk)))

    assert stranger.get(f"/api/desk/stories/{body['id']}").status_code == 404
