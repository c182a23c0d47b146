"""Changing a password: the other sessions end, this one stays, and the audit trail says who.

docs/security.md ("Sessions and CSRF") promises that changing or resetting
the password signs out every other session of that person; these tests hold
it to that, and to the audit record (never the password itself).
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core import mail
from django.test import Client

from masthead.accounts.tests.conftest import sign_in
from masthead.factories import TEST_PASSWORD
from masthead.newsroom.models import AuditEvent

pytestmark = pytest.mark.django_db

CHANGE = "/account/password/"
NEW_PASSWORD = "a brand new passphrase"


def signed_in_client(username: str) -> Client:
    client = Client()
    assert sign_in(client, username).status_code == 302
    return client


def is_signed_in(client: Client) -> bool:
    return client.get("/account/").status_code == 200


def test_changing_the_password_signs_out_every_other_session(people):
    laptop, phone = signed_in_client("writer"), signed_in_client("writer")
    colleague = signed_in_client("reader")

    response = laptop.post(
        CHANGE,
        {
            "old_password": TEST_PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )

    assert response.status_code == 302
    assert is_signed_in(laptop)  # the session that changed it stays
    assert not is_signed_in(phone)
    assert is_signed_in(colleague)
    assert sign_in(Client(), "writer", NEW_PASSWORD).status_code == 302


def test_a_password_change_is_audited_without_the_password(people):
    writer = people["writer"]
    client = signed_in_client("writer")

    client.post(
        CHANGE,
        {
            "old_password": TEST_PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )

    event = AuditEvent.objects.get(action="staff_password", target_id=writer.pk)
    assert event.actor == writer
    assert event.note == "changed by the owner"
    assert NEW_PASSWORD not in str(event.detail) + event.note
    assert TEST_PASSWORD not in str(event.detail) + event.note


def test_a_refused_password_change_changes_nothing(people):
    laptop, phone = signed_in_client("writer"), signed_in_client("writer")

    response = laptop.post(
        CHANGE,
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 200
    assert is_signed_in(phone)
    assert not AuditEvent.objects.filter(action="staff_password").exists()


def test_a_reset_signs_out_every_session_and_is_audited(client, people):
    writer = people["writer"]
    elsewhere = signed_in_client("writer")
    client.post("/account/password/reset/", {"email": writer.email})
    link = re.search(r"https?://[^/\s]+(/account/password/reset/\S+/)", mail.outbox[0].body)

    form = client.get(link.group(1), follow=True)
    client.post(
        form.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert not is_signed_in(elsewhere)
    event = AuditEvent.objects.get(action="staff_password", target_id=writer.pk)
    assert event.note == "reset by e-mail link"


class CountingHasher(MD5PasswordHasher):
    calls = 0

    def encode(self, password, salt):
        CountingHasher.calls += 1
        return super().encode(password, salt)


@pytest.mark.parametrize("password", [TEST_PASSWORD, "wrong password"])
def test_a_deactivated_account_costs_one_hash_like_any_other_refusal(
    client, people, settings, password
):
    settings.PASSWORD_HASHERS = [f"{__name__}.CountingHasher"]
    writer = people["writer"]
    writer.set_password(TEST_PASSWORD)
    writer.is_active = False
    writer.save()

    CountingHasher.calls = 0
    response = sign_in(client, "writer", password)

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert CountingHasher.calls == 1
