"""People in every role of two desks (Politics, Economy), a source on Politics, and clients."""

from __future__ import annotations

import pytest
from django.test import Client

from masthead.factories import make_desk, make_staff, make_user
from masthead.wire.tests.sources.support import R, make_source


@pytest.fixture(autouse=True)
def no_second_factor(settings):
    settings.REQUIRE_2FA_FOR = []


@pytest.fixture(autouse=True)
def drop_root(settings, tmp_path):
    root = tmp_path / "drop"
    root.mkdir()
    settings.WIRE_DROP_ROOT = root
    settings.WIRE_ALLOWED_PRIVATE_HOSTS = []
    return root


@pytest.fixture
def desk(db):
    return make_desk("Politics")


@pytest.fixture
def other_desk(db):
    return make_desk("Economy")


@pytest.fixture
def people(desk, other_desk):
    return {
        "admin": make_staff(R.ADMINISTRATOR, None, username="admin"),
        "chief": make_staff(R.CHIEF_EDITOR, None, username="chief"),
        "editor": make_staff(R.DESK_EDITOR, desk, username="editor", first_name="Maryam"),
        "other_editor": make_staff(R.DESK_EDITOR, other_desk, username="other_editor"),
        "writer": make_staff(R.WRITER, desk, username="writer"),
        "other_writer": make_staff(R.WRITER, other_desk, username="other_writer"),
        "reader": make_user("reader"),
    }


@pytest.fixture
def source(desk):
    return make_source(desk, name="Reuters World", slug="reuters-world", provider="Reuters")


@pytest.fixture
def client_for(people):
    def login(name: str) -> Client:
        client = Client()
        if name != "anonymous":
            client.force_login(people[name])
        return client

    return login
