"""People on two desks, a wire source per desk, and a small factory for items.

Items are made as rows, the way the ingest pipeline stores them (its own
tests cover how they get there); the queue only reads them.
"""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from masthead.factories import make_desk, make_staff, make_user
from masthead.newsroom.models import StaffRole
from masthead.wire.models import Source, WireItem, WireItemVersion

R = StaffRole.Role
_numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def no_second_factor(settings):
    settings.REQUIRE_2FA_FOR = []


@pytest.fixture
def desk(db):
    return make_desk("Media Wire")


@pytest.fixture
def other_desk(db):
    return make_desk("Economy")


@pytest.fixture
def people(desk, other_desk):
    return {
        "writer": make_staff(R.WRITER, desk, username="writer", first_name="Nima"),
        "editor": make_staff(R.DESK_EDITOR, desk, username="editor", first_name="Hamid"),
        "other_writer": make_staff(R.WRITER, other_desk, username="other_writer"),
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


@pytest.fixture
def source(desk):
    return Source.objects.create(
        name="Reuters World", slug="reuters-world", kind=Source.Kind.RSS, provider="Reuters",
        url="https://feeds.example.com/world.xml", desk=desk,
    )  # fmt: skip


@pytest.fixture
def other_source(other_desk):
    return Source.objects.create(
        name="AFP Economy", slug="afp-economy", kind=Source.Kind.NINJS, provider="AFP",
        url="https://feeds.example.com/eco.json", desk=other_desk,
    )  # fmt: skip


def make_item(source: Source, headline: str | None = None, *, desk=None, age=None, **fields):
    """A stored item with its one version, received ``age`` ago (now by default)."""
    received = timezone.now() - (age or timedelta(0))
    number = next(_numbers)
    item = WireItem.objects.create(
        source=source,
        desk=desk or source.desk,
        provider=fields.pop("provider", source.provider),
        provider_id=fields.pop("provider_id", f"urn:test:{number}"),
        headline=headline or f"Wire item {number}",
        dek=fields.pop("dek", "What happened, in one line."),
        body=fields.pop("body", "<p>First paragraph.</p><p>Second paragraph.</p>"),
        fingerprint=fields.pop("fingerprint", f"fp{number}"),
        received_at=received,
        updated_at=received,
        **fields,
    )
    WireItemVersion.objects.create(
        item=item, version=item.version, headline=item.headline, dek=item.dek, body=item.body,
        byline=item.byline, status=item.status, received_at=received,
    )  # fmt: skip
    return item
