"""`masthead manage create_api_token` and `revoke_api_token`."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from masthead.api.models import ApiToken
from masthead.api.services import token_for
from masthead.factories import editor_of, make_desk, make_user

pytestmark = pytest.mark.django_db


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_token_is_printed_once_and_works(client):
    desk = make_desk("Politics")
    editor = editor_of(desk)

    out, err = run("create_api_token", editor.username, "--name", "wire bot")

    raw = out.strip()
    assert token_for(raw).user == editor
    assert raw not in err
    assert "shown this once" in err
    response = client.get("/api/desk/stories/1", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 404  # authenticated; there is no story 1


def test_expiry_in_days():
    make_user("bot")

    run("create_api_token", "bot", "--name", "temp", "--expires-days", "7")

    assert ApiToken.objects.get(name="temp").expires_at is not None


@pytest.mark.parametrize(
    "args",
    [
        ("nobody", "--name", "x"),
        ("bot", "--name", "x", "--expires-days", "0"),
    ],
)
def test_mistakes_are_one_readable_line(args):
    make_user("bot")

    with pytest.raises(CommandError):
        run("create_api_token", *args)


def test_a_name_is_required():
    make_user("bot")

    with pytest.raises(CommandError, match="--name"):
        run("create_api_token", "bot")


def test_revoking_by_hint():
    make_user("bot")
    raw = run("create_api_token", "bot", "--name", "bot")[0].strip()

    out, _ = run("revoke_api_token", raw[:10])

    assert "Revoked" in out
    assert token_for(raw) is None


def test_revoking_an_unknown_token():
    with pytest.raises(CommandError, match="No API token"):
        run("revoke_api_token", "mh_nothing")
