"""Mass assignment and type confusion in the staff API (RELIABILITY.md §2.1 A4), beyond
the plain forbidden fields of test_desk_views.py: nested objects, dotted keys, type
confusion, numbers JSON cannot hold, and invalid Unicode. Each is refused with a 422
that names the field, or cleaned, and never applied. Mapped in docs/security.md.
"""

from __future__ import annotations

import pytest

from masthead.api.tests.conftest import nothing_written
from masthead.api.tests.test_desk_views import NEW
from masthead.stories.models import Story

pytestmark = pytest.mark.django_db

CREATE = "/api/desk/stories"


def raw_post(as_user, body: bytes):
    return as_user.client.generic(
        "POST", CREATE, body, content_type="application/json", headers=as_user.headers
    )


@pytest.mark.parametrize(
    "extra",
    [
        {"desk": {"id": 2}},
        {"desk": ["politics", "economy"]},
        {"desk.id": 2},
        {"desk__id": 2},
        {"status.value": "published"},
        {"created_by": {"is_staff": True}},
        {"is_staff": True},
        {"role": "chief_editor"},
        {"author": 1},
        {"revision": 99},
        {"embargo_until": "2099-01-01T00:00:00Z"},
        {"desk_id": 2},
        {"headline": ["1"]},
        {"headline": {"$gt": ""}},
        {"headline": 1},
        {"tags": "iran"},
        {"tags": [{"$ne": None}]},
        {"desk": {"$gt": ""}},
    ],
    ids=repr,
)
def test_nested_dotted_and_confused_fields_are_refused_and_nothing_written(
    as_editor, newsroom, extra
):
    with nothing_written():
        response = as_editor.post(CREATE, {**NEW, **extra})

    assert response.status_code == 422, response.content
    named = {error["pointer"].split("/")[1] for error in response.json()["errors"]}
    assert named & set(extra), response.json()


@pytest.mark.parametrize(
    "body",
    [
        b'{"headline": "Budget vote", "desk": "politics", "top_rank": 1e309}',
        b'{"headline": "Budget vote", "desk": "politics", "status": -0}',
        b'{"headline": "Budget vote", "desk": "politics", "id": "1abc"}',
        b'{"headline": "Budget vote", "desk": "politics", "dek": NaN}',
    ],
    ids=["1e309", "minus-zero", "1abc", "NaN"],
)
def test_numbers_json_cannot_hold_are_refused(as_editor, newsroom, body):
    with nothing_written():
        response = raw_post(as_editor, body)

    assert response.status_code in (400, 422), response.content
    assert response["Content-Type"].startswith("application/problem+json")


def test_a_lone_surrogate_is_cleaned_or_refused_never_a_500(as_editor, newsroom):
    response = raw_post(as_editor, b'{"headline": "Budget \\ud800vote", "desk": "politics"}')

    assert response.status_code in (201, 422), response.content
    if response.status_code == 201:
        story = Story.objects.get(pk=response.json()["id"])
        assert story.headline == "Budget vote"
        story.headline.encode("utf-8")  # storable and servable as UTF-8


def test_duplicate_keys_never_let_a_forbidden_value_through(as_editor, newsroom):
    """A proxy or log reading the first of two keys must not see another value than the
    one applied: whichever wins, a forbidden field is still refused."""
    body = b'{"headline": "Budget vote", "desk": "politics", "status": "draft", "status": "x"}'

    with nothing_written():
        response = raw_post(as_editor, body)

    assert response.status_code == 422
