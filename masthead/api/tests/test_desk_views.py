"""The staff API goes through the story services: same permissions, revisions and audit."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from masthead.api.services import issue_token, revoke_token
from masthead.api.tests.conftest import JsonClient, bearer, nothing_written
from masthead.factories import editor_of, make_staff, make_story, make_user
from masthead.newsroom.audit import events_for
from masthead.newsroom.models import StaffRole
from masthead.stories.models import Story

pytestmark = pytest.mark.django_db

NEW = {"headline": "Parliament votes on budget", "desk": "politics"}


def create(as_user: JsonClient, **fields):
    return as_user.post("/api/desk/stories", {**NEW, **fields})


def move(as_user: JsonClient, story_id: int, action: str, payload=None):
    return as_user.post(f"/api/desk/stories/{story_id}/transitions/{action}", payload)


def editable(body: dict) -> dict:
    return {"base_revision": body["latest_revision"], **body["content"]}


# Creating ------------------------------------------------------------------------


def test_a_writer_creates_a_draft_on_their_desk(as_writer, writer, newsroom):
    response = create(as_writer, dek="The vote is close.", tags=["iran"], label="ifp-exclusive")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "draft"
    assert body["content"]["tags"] == ["iran"]
    assert body["content"]["authors"] == [writer.author.pk]
    assert body["transitions"] == ["submit"]
    assert response["Location"] == f"http://testserver/api/desk/stories/{body['id']}"
    story = Story.objects.get(pk=body["id"])
    assert story.created_by == writer
    assert story.latest_revision is not None
    assert [event.action for event in events_for(story)] == ["create"]


def test_a_writer_cannot_create_on_another_desk(as_writer, newsroom):
    with nothing_written():
        response = create(as_writer, desk="economy")

    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/problem+json")


def test_an_account_without_a_role_can_do_nothing(client, newsroom):
    nobody = JsonClient(client, bearer(make_user("nobody")))

    with nothing_written():
        assert create(nobody).status_code == 403
        assert move(nobody, newsroom.story.pk, "withdraw", {"note": "x"}).status_code == 404
    assert nobody.get(f"/api/desk/stories/{newsroom.story.pk}").status_code == 404


def test_body_html_is_sanitised_on_the_way_in(as_writer, newsroom):
    body = create(as_writer, body='<p onclick="x()">Hi<script>alert(1)</script></p>').json()

    assert body["content"]["body"] == "<p>Hi</p>"


@pytest.mark.parametrize(
    ("fields", "pointer"),
    [
        ({"desk": "nowhere"}, "#/desk"),
        ({"tags": ["iran", "no-such-tag"]}, "#/tags"),
        ({"authors": [999999]}, "#/authors"),
        ({"label": "no-such-label"}, "#/label"),
        ({"headline": ""}, "#/headline"),
        ({"headline": "x" * 201}, "#/headline"),
        ({"language": "not a language"}, "#/language"),
        ({"dek": "nul\x00byte"}, "#/dek"),
    ],
)
def test_invalid_fields_are_named(as_writer, newsroom, fields, pointer):
    with nothing_written():
        response = create(as_writer, **fields)

    assert response.status_code == 422
    assert pointer in [error["pointer"] for error in response.json()["errors"]]


# No mass assignment ------------------------------------------------------------------


FORBIDDEN = [
    {"status": "published"},
    {"published_at": "2020-01-01T00:00:00Z"},
    {"updated_at": "2020-01-01T00:00:00Z"},
    {"embargoed_until": None},
    {"created_by": 1},
    {"id": 1},
    {"slug": "chosen-slug"},
    {"top_rank": 1},
    {"notes_to_editor": "x"},
    {"lead_image": 1},
    {"latest_revision": 1},
    {"published_revision": 1},
    {"withdrawn_note": "x"},
]


@pytest.mark.parametrize("extra", FORBIDDEN, ids=lambda extra: next(iter(extra)))
def test_fields_a_client_may_not_set_are_refused_on_create(as_editor, newsroom, extra):
    with nothing_written():
        response = create(as_editor, **extra)

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"detail": "This field cannot be set.", "pointer": f"#/{next(iter(extra))}"}
    ]


@pytest.mark.parametrize("extra", FORBIDDEN, ids=lambda extra: next(iter(extra)))
def test_fields_a_client_may_not_set_are_refused_on_save(as_editor, newsroom, extra):
    draft = create(as_editor).json()

    with nothing_written():
        response = as_editor.put(
            f"/api/desk/stories/{draft['id']}", {**editable(draft), "headline": "New", **extra}
        )

    assert response.status_code == 422


def test_transitions_refuse_unknown_fields_too(as_editor, newsroom):
    draft = create(as_editor).json()

    with nothing_written():
        response = move(as_editor, draft["id"], "submit", {"note": "", "status": "published"})

    assert response.status_code == 422


# Editing -------------------------------------------------------------------------


def test_a_save_keeps_a_new_revision(as_writer, newsroom):
    draft = create(as_writer).json()

    response = as_writer.put(
        f"/api/desk/stories/{draft['id']}",
        {**editable(draft), "headline": "Parliament passes budget", "note": "Vote result"},
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["content"]["headline"] == "Parliament passes budget"
    assert body["latest_revision"] != draft["latest_revision"]
    assert Story.objects.get(pk=draft["id"]).revisions.count() == 2


def test_a_save_over_a_newer_revision_is_a_409_with_the_latest(as_writer, newsroom):
    draft = create(as_writer).json()
    url = f"/api/desk/stories/{draft['id']}"
    first = as_writer.put(url, {**editable(draft), "headline": "First edit"}).json()

    with nothing_written():
        stale = as_writer.put(url, {**editable(draft), "headline": "Stale edit"})

    assert stale.status_code == 409
    problem = stale.json()
    assert problem["type"] == "/api/problems/stale-revision"
    assert problem["latest_revision"] == first["latest_revision"]
    assert problem["base_revision"] == draft["latest_revision"]
    assert as_writer.get(url).json()["content"]["headline"] == "First edit"


def test_a_save_with_the_etag_as_if_match_saves_and_answers_the_new_etag(as_writer, newsroom):
    created = create(as_writer)
    url = f"/api/desk/stories/{created.json()['id']}"
    fetched = as_writer.get(url)
    assert fetched["ETag"] == created["ETag"]

    saved = as_writer.put(
        url, {**fetched.json()["content"], "headline": "With If-Match"}, If_Match=fetched["ETag"]
    )

    assert saved.status_code == 200, saved.content
    assert saved.json()["content"]["headline"] == "With If-Match"
    assert saved["ETag"] == f'"rev-{saved.json()["latest_revision"]}"' != fetched["ETag"]
    # A list naming an old revision too still matches on the current one.
    again = as_writer.put(
        url,
        {**saved.json()["content"], "headline": "Third"},
        If_Match=f'W/"x", {fetched["ETag"]}, {saved["ETag"]}',
    )
    assert again.status_code == 200, again.content


def test_a_save_with_a_stale_if_match_is_a_412_and_keeps_the_newer_text(as_writer, newsroom):
    """RELIABILITY R2: A and B load rev N; A saves; B's save with N is refused."""
    draft = as_writer.post("/api/desk/stories", NEW)
    url = f"/api/desk/stories/{draft.json()['id']}"
    content = draft.json()["content"]
    first = as_writer.put(url, {**content, "headline": "A's edit"}, If_Match=draft["ETag"])
    assert first.status_code == 200

    with nothing_written():
        stale = as_writer.put(url, {**content, "headline": "B's edit"}, If_Match=draft["ETag"])

    assert stale.status_code == 412
    problem = stale.json()
    assert problem["type"] == "/api/problems/precondition-failed"
    assert problem["latest_revision"] == first.json()["latest_revision"]
    assert as_writer.get(url).json()["content"]["headline"] == "A's edit"


@pytest.mark.parametrize(
    "if_match, status",
    [
        (None, 428),  # and no base_revision: a blind overwrite
        ("*", 428),  # names no revision
        ("", 428),
        ('W/"rev-{rev}"', 412),  # If-Match compares strongly: a weak tag never matches
        ('"rev-{rev}0"', 412),
        ('"rev-99999999999999999999999"', 412),  # not a revision at all
        ("rev-{rev}", 400),  # not an entity tag
        ('"rev-{rev}", junk', 400),
        ('"rev-{rev}" "rev-{rev}"', 400),
        ('"rev-{rev}\u0000"', 412),
    ],
)
def test_a_save_that_names_no_current_revision_changes_nothing(
    as_writer, newsroom, if_match, status
):
    draft = create(as_writer).json()
    headers = (
        {} if if_match is None else {"If_Match": if_match.format(rev=draft["latest_revision"])}
    )

    with nothing_written():
        response = as_writer.put(
            f"/api/desk/stories/{draft['id']}", {**draft["content"], "headline": "X"}, **headers
        )

    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/problem+json")


def test_base_revision_and_if_match_must_agree(as_writer, newsroom):
    draft = create(as_writer).json()
    url = f"/api/desk/stories/{draft['id']}"
    body = {**editable(draft), "base_revision": draft["latest_revision"] - 1}

    with nothing_written():
        response = as_writer.put(url, body, If_Match=f'"rev-{draft["latest_revision"]}"')

    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "#/base_revision"


class Saver(threading.Thread):
    """One save from a thread of its own (so on a database connection of its own)."""

    def __init__(self, send, start_together: threading.Barrier):
        super().__init__(daemon=True)
        self.send = send
        self.start_together = start_together
        self.response = None

    def run(self) -> None:
        try:
            self.start_together.wait(timeout=30)
            self.response = self.send()
        finally:
            connection.close()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_saves_of_one_revision_at_once_make_exactly_one_revision(writer):
    """RELIABILITY R2: 50 threads saving the same base → exactly 1 success, revisions = successes.

    On PostgreSQL: the suite's SQLite database is in memory with a shared
    cache, where a second writer fails at once ("database table is locked")
    instead of waiting as the embedded deployment's WAL file does.
    """
    savers = 50
    as_writer = JsonClient(Client(), bearer(writer))
    draft = create(as_writer)
    assert draft.status_code == 201, draft.content
    url = f"/api/desk/stories/{draft.json()['id']}"
    content = draft.json()["content"]
    start_together = threading.Barrier(savers)
    threads = [
        Saver(
            lambda number=number: JsonClient(Client(), bearer(writer)).put(
                url, {**content, "headline": f"Edit {number}"}, If_Match=draft["ETag"]
            ),
            start_together,
        )
        for number in range(savers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    statuses = sorted(thread.response.status_code for thread in threads)
    assert statuses == [200] + [412] * (savers - 1), statuses
    story = Story.objects.get(pk=draft.json()["id"])
    assert story.revisions.count() == 2  # the draft's first and the one save
    winner = next(thread.response for thread in threads if thread.response.status_code == 200)
    assert story.latest_revision.headline == winner.json()["content"]["headline"]


def test_put_replaces_every_field_so_every_field_is_required(as_writer, newsroom):
    draft = create(as_writer).json()
    partial = {"base_revision": draft["latest_revision"], "headline": "Only this"}

    with nothing_written():
        response = as_writer.put(f"/api/desk/stories/{draft['id']}", partial)

    assert response.status_code == 422


def test_editing_a_live_story_changes_nothing_public_until_published(client, as_editor, newsroom):
    story = newsroom.story
    staff_view = as_editor.get(f"/api/desk/stories/{story.pk}").json()

    as_editor.put(
        f"/api/desk/stories/{story.pk}", {**editable(staff_view), "headline": "Unpublished edit"}
    )

    assert client.get(f"/api/stories/{story.pk}").json()["headline"] == "Talks resume in Vienna"
    staff_view = as_editor.get(f"/api/desk/stories/{story.pk}").json()
    assert staff_view["content"]["headline"] == "Unpublished edit"
    assert "publish_update" in staff_view["transitions"]
    move(as_editor, story.pk, "publish_update", {"note": "New headline."})
    assert client.get(f"/api/stories/{story.pk}").json()["headline"] == "Unpublished edit"


def test_a_writer_cannot_edit_a_submitted_story(as_writer, newsroom):
    draft = create(as_writer).json()
    move(as_writer, draft["id"], "submit")
    submitted = as_writer.get(f"/api/desk/stories/{draft['id']}").json()

    with nothing_written():
        response = as_writer.put(
            f"/api/desk/stories/{draft['id']}", {**editable(submitted), "headline": "Changed"}
        )

    assert response.status_code == 403


# Reading -------------------------------------------------------------------------


def test_a_story_the_caller_may_not_read_is_404(client, newsroom):
    economy_writer = JsonClient(
        client, bearer(make_staff(StaffRole.Role.WRITER, newsroom.other_desk))
    )
    draft = make_story("Someone else's draft", desk=newsroom.desk, status=Story.Status.DRAFT)

    response = economy_writer.get(f"/api/desk/stories/{draft.pk}")

    assert response.status_code == 404
    assert response.content.decode().count("Someone else") == 0
    with nothing_written():
        assert move(economy_writer, draft.pk, "submit").status_code == 404


# The workflow --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "action", "status"),
    [
        ("writer", "submit", 200),
        ("writer", "claim", 403),
        ("writer", "return", 403),
        ("editor", "claim", 200),
        ("editor", "return", 200),
    ],
)
def test_who_may_move_a_submitted_or_draft_story(
    as_writer, as_editor, newsroom, role, action, status
):
    draft = create(as_writer).json()
    if action != "submit":
        move(as_writer, draft["id"], "submit")
    actor = as_writer if role == "writer" else as_editor

    if status == 200:
        response = move(actor, draft["id"], action, {"note": "Needs a second source."})
    else:
        with nothing_written():
            response = move(actor, draft["id"], action, {"note": "Needs a second source."})

    assert response.status_code == status, response.content


@pytest.mark.parametrize(("role", "status"), [("writer", 403), ("editor", 200)])
def test_only_an_editor_publishes(as_writer, as_editor, newsroom, role, status):
    draft = create(as_writer).json()
    move(as_writer, draft["id"], "submit")
    move(as_editor, draft["id"], "claim")
    move(as_editor, draft["id"], "approve")

    if status == 200:
        response = move(as_editor, draft["id"], "publish")
    else:
        with nothing_written():
            response = move(as_writer, draft["id"], "publish")

    assert response.status_code == status
    assert Story.objects.get(pk=draft["id"]).is_live() is (status == 200)


def test_an_editor_of_another_desk_cannot_publish_here(client, as_writer, newsroom):
    other_editor = JsonClient(client, bearer(editor_of(newsroom.other_desk)))
    draft = create(as_writer).json()
    move(as_writer, draft["id"], "submit")

    with nothing_written():
        assert move(other_editor, draft["id"], "claim").status_code == 404


def test_the_whole_way_to_publication(client, as_writer, as_editor, newsroom):
    draft = create(as_writer).json()
    story_id = draft["id"]

    for actor, action in [
        (as_writer, "submit"),
        (as_editor, "claim"),
        (as_editor, "approve"),
        (as_editor, "publish"),
    ]:
        response = move(actor, story_id, action)
        assert response.status_code == 200, (action, response.content)

    assert response.json()["status"] == "published"
    assert response.json()["url"].startswith("http://testserver/politics/")
    public = client.get(f"/api/stories/{story_id}")
    assert public.status_code == 200
    assert public.json()["headline"] == NEW["headline"]
    story = Story.objects.get(pk=story_id)
    assert [e.action for e in events_for(story)][:4] == ["publish", "approve", "claim", "submit"]


def test_scheduling_under_embargo_keeps_the_story_hidden(client, as_editor, newsroom):
    draft = create(as_editor).json()
    move(as_editor, draft["id"], "submit")
    move(as_editor, draft["id"], "claim")
    when = (timezone.now() + timedelta(hours=2)).isoformat()

    response = move(as_editor, draft["id"], "schedule", {"when": when, "embargo": True})

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "scheduled"
    assert response.json()["embargoed_until"] is not None
    assert client.get(f"/api/stories/{draft['id']}").status_code == 404


def test_scheduling_in_the_past_is_refused(as_editor, newsroom):
    draft = create(as_editor).json()
    move(as_editor, draft["id"], "submit")
    move(as_editor, draft["id"], "claim")

    with nothing_written():
        response = move(as_editor, draft["id"], "schedule", {"when": "2001-01-01T00:00:00Z"})

    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "#/when"


def test_return_and_withdraw_need_a_note(as_editor, newsroom):
    with nothing_written():
        assert move(as_editor, newsroom.story.pk, "withdraw").status_code == 422
        assert move(as_editor, newsroom.story.pk, "withdraw", {"note": ""}).status_code == 422

    response = move(as_editor, newsroom.story.pk, "withdraw", {"note": "Forged document."})

    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"


def test_a_withdrawn_story_is_republished_with_a_note(client, as_editor, newsroom):
    story_id = newsroom.story.pk
    move(as_editor, story_id, "withdraw", {"note": "Forged document."})
    assert move(as_editor, story_id, "reinstate", {"note": ""}).status_code == 422

    response = move(as_editor, story_id, "reinstate", {"note": "The document was genuine."})

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "published"
    public = client.get(f"/api/stories/{story_id}").json()
    assert public["corrections"][-1]["kind"] == "reinstatement"
    assert public["corrections"][-1]["note"] == "The document was genuine."


def test_a_writer_pulls_back_their_submission_until_it_is_claimed(as_writer, as_editor, newsroom):
    draft = create(as_writer).json()
    move(as_writer, draft["id"], "submit")
    assert "pull_back" in as_writer.get(f"/api/desk/stories/{draft['id']}").json()["transitions"]
    assert move(as_editor, draft["id"], "pull_back").status_code == 403

    pulled = move(as_writer, draft["id"], "pull_back")

    assert pulled.status_code == 200 and pulled.json()["status"] == "draft"
    move(as_writer, draft["id"], "submit")
    move(as_editor, draft["id"], "claim")
    assert move(as_writer, draft["id"], "pull_back").status_code == 409


def test_a_correction_is_published_with_its_note(client, as_editor, newsroom):
    response = move(
        as_editor,
        newsroom.story.pk,
        "publish_correction",
        {"note": "The talks are in Vienna, not Geneva.", "kind": "clarification"},
    )

    assert response.status_code == 200, response.content
    corrections = client.get(f"/api/stories/{newsroom.story.pk}").json()["corrections"]
    assert corrections[-1] == {
        "kind": "clarification",
        "note": "The talks are in Vienna, not Geneva.",
        "published_at": corrections[-1]["published_at"],
    }


def test_an_action_from_the_wrong_state_is_a_409(as_editor, newsroom):
    with nothing_written():
        response = move(as_editor, newsroom.story.pk, "claim")

    assert response.status_code == 409
    assert response.json()["type"] == "/api/problems/invalid-transition"


def test_an_unknown_action_is_404(as_editor, newsroom):
    with nothing_written():
        assert move(as_editor, newsroom.story.pk, "delete").status_code == 404


# Tokens --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer", "Bearer mh_not-a-real-token", "Basic dXNlcjpwYXNz", "Token abc"],
)
def test_no_valid_token_is_a_401_challenge(client, newsroom, authorization):
    headers = {"Authorization": authorization} if authorization else {}

    with nothing_written():
        response = JsonClient(client, headers).post("/api/desk/stories", NEW)

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith('Bearer realm="masthead"')
    assert response.json()["status"] == 401


def test_revoked_expired_and_deactivated_tokens_stop_working(client, editor, newsroom):
    url = f"/api/desk/stories/{newsroom.story.pk}"
    revoked = issue_token(editor, "revoked")
    revoke_token(revoked.token)
    expired = issue_token(editor, "expired", expires_in_days=1)
    expired.token.expires_at = timezone.now() - timedelta(seconds=1)
    expired.token.save()

    for issued in (revoked, expired):
        response = client.get(url, headers={"Authorization": f"Bearer {issued.raw}"})
        assert response.status_code == 401
        assert 'error="invalid_token"' in response["WWW-Authenticate"]

    working = issue_token(editor, "working").raw
    editor.is_active = False
    editor.save()
    assert client.get(url, headers={"Authorization": f"Bearer {working}"}).status_code == 401


def test_a_session_cookie_is_not_a_token(client, editor, newsroom):
    client.force_login(editor)

    assert client.get(f"/api/desk/stories/{newsroom.story.pk}").status_code == 401
