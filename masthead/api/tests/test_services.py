from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from masthead.api.models import ApiToken, digest
from masthead.api.services import issue_token, note_use, revoke_token, token_for
from masthead.factories import make_user
from masthead.newsroom.audit import events_for

pytestmark = pytest.mark.django_db


def test_only_a_digest_of_the_token_is_stored():
    issued = issue_token(make_user("bot"), "wire bot")

    row = ApiToken.objects.values().get(pk=issued.token.pk)

    assert issued.raw.startswith("mh_")
    assert len(issued.raw) > 40
    assert issued.raw not in str(row)
    assert row["token_digest"] == digest(issued.raw)
    assert row["hint"] == issued.raw[:10]


def test_tokens_are_unique():
    user = make_user("bot")

    assert issue_token(user, "a").raw != issue_token(user, "b").raw


def test_a_token_is_found_by_its_secret_only():
    issued = issue_token(make_user("bot"), "bot")

    assert token_for(issued.raw) == issued.token
    assert token_for(issued.raw + "x") is None
    assert token_for(issued.token.token_digest) is None
    assert token_for("") is None


def test_revoked_and_expired_tokens_are_not_found():
    user = make_user("bot")
    revoked, expired = issue_token(user, "r"), issue_token(user, "e", expires_in_days=1)
    revoke_token(revoked.token)
    ApiToken.objects.filter(pk=expired.token.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )

    assert token_for(revoked.raw) is None
    assert token_for(expired.raw) is None


def test_issuing_and_revoking_are_audited():
    issued = issue_token(make_user("bot"), "bot")
    revoke_token(issued.token)

    assert [event.action for event in events_for(issued.token)] == [
        "revoke_api_token",
        "issue_api_token",
    ]


def test_last_use_is_written_at_most_once_a_minute():
    token = issue_token(make_user("bot"), "bot").token
    note_use(token)
    first = ApiToken.objects.get(pk=token.pk).last_used_at

    note_use(token)

    assert first is not None
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first
