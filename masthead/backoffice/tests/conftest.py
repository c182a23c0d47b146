"""People in every role of two desks, and logged-in clients for them.

Two-factor sign-in is the accounts app's and is tested there; here every
client logs in with ``force_login`` and the 2FA policy is off.
"""

from __future__ import annotations

import pytest
from django.test import Client

from masthead.factories import make_desk, make_staff, make_user
from masthead.newsroom.models import StaffRole

R = StaffRole.Role


@pytest.fixture(autouse=True)
def no_second_factor(settings):
    settings.REQUIRE_2FA_FOR = []


@pytest.fixture
def desk(db):
    return make_desk("Politics")


@pytest.fixture
def other_desk(db):
    return make_desk("Economy")


@pytest.fixture
def people(desk, other_desk):
    return {
        "writer": make_staff(R.WRITER, desk, username="writer", first_name="Nima"),
        "other_writer": make_staff(R.WRITER, desk, username="other_writer"),
        "editor": make_staff(R.DESK_EDITOR, desk, username="editor", first_name="Maryam"),
        "other_editor": make_staff(R.DESK_EDITOR, other_desk, username="other_editor"),
        "chief": make_staff(R.CHIEF_EDITOR, None, username="chief"),
        "admin": make_staff(R.ADMINISTRATOR, None, username="admin"),
        "reader": make_user("reader"),
    }


@pytest.fixture
def client_for(people):
    def login(name: str) -> Client:
        client = Client()
        client.force_login(people[name])
        return client

    return login
