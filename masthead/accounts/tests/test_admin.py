"""Account changes a superuser makes in the Django admin have the same consequences as elsewhere.

A new e-mail address is audited old → new and the old address told; a
password set there is audited (never the password); deactivating there signs
the person out everywhere, as on the staff pages.
"""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from masthead.accounts.tests.conftest import sign_in
from masthead.factories import TEST_PASSWORD
from masthead.newsroom.models import AuditEvent

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture
def root(people, settings):
    settings.REQUIRE_2FA_FOR = []
    client = Client()
    client.force_login(people["superuser"])
    return client


def change_form(user, **changes) -> dict:
    """What the admin's change page posts back for ``user``, with ``changes`` on top."""
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on" if user.is_active else "",
        "is_staff": "on" if user.is_staff else "",
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
    }
    data.update(changes)
    return {name: value for name, value in data.items() if value}


def test_an_email_change_in_the_admin_is_audited_and_the_owner_told(
    root, people, django_capture_on_commit_callbacks
):
    writer = people["writer"]
    old_email = writer.email

    with django_capture_on_commit_callbacks(execute=True):
        response = root.post(
            f"/admin/auth/user/{writer.pk}/change/",
            change_form(writer, email="nima.new@newsroom.example"),
        )

    assert response.status_code == 302, response.content
    event = AuditEvent.objects.get(action="staff_email", target_id=writer.pk)
    assert event.actor == people["superuser"]
    assert event.note == f"{old_email} → nima.new@newsroom.example"
    assert [message.to for message in mail.outbox] == [[old_email]]


def test_deactivating_in_the_admin_signs_the_person_out_everywhere(root, people):
    writer = people["writer"]
    elsewhere = Client()
    assert sign_in(elsewhere, "writer").status_code == 302

    off = root.post(f"/admin/auth/user/{writer.pk}/change/", change_form(writer, is_active=""))
    on = root.post(f"/admin/auth/user/{writer.pk}/change/", change_form(writer, is_active="on"))

    writer.refresh_from_db()
    assert (off.status_code, on.status_code, writer.is_active) == (302, 302, True)
    assert elsewhere.get("/account/").status_code == 302  # not brought back by reactivation
    actions = AuditEvent.objects.filter(target_id=writer.pk).values_list("action", flat=True)
    assert list(actions) == ["staff_activate", "staff_deactivate"]


def test_a_password_set_in_the_admin_is_audited_and_ends_the_sessions(root, people):
    writer = people["writer"]
    elsewhere = Client()
    assert sign_in(elsewhere, "writer").status_code == 302

    response = root.post(
        f"/admin/auth/user/{writer.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )

    assert response.status_code == 302, response.content
    event = AuditEvent.objects.get(action="staff_password", target_id=writer.pk)
    assert event.actor == people["superuser"]
    assert event.note == "set in the admin"
    assert NEW_PASSWORD not in event.note + str(event.detail)
    assert elsewhere.get("/account/").status_code == 302
    assert sign_in(Client(), "writer", TEST_PASSWORD).status_code == 200
