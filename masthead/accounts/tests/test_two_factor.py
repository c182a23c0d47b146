"""Who must use a second factor: role × REQUIRE_2FA_FOR."""

from __future__ import annotations

import pytest

from masthead.accounts import services
from masthead.accounts.tests.conftest import code_for
from masthead.accounts.two_factor import SET_UP, VERIFY, is_required, pending_step

pytestmark = pytest.mark.django_db

ROLES = ["writer", "desk_editor", "chief_editor", "administrator", "superuser", "no_role"]

# REQUIRE_2FA_FOR → the roles it covers.
MATRIX = {
    "editors,administrators": {"desk_editor", "chief_editor", "administrator", "superuser"},
    "none": set(),
    "editors": {"desk_editor", "chief_editor"},
    "administrators": {"administrator", "superuser"},
    "all": {"writer", "desk_editor", "chief_editor", "administrator", "superuser"},
}


@pytest.mark.parametrize("policy", list(MATRIX))
def test_requirement_by_role(people, settings, policy):
    settings.REQUIRE_2FA_FOR = [] if policy == "none" else policy.split(",")

    required = {role for role in ROLES if is_required(people[role])}

    assert required == MATRIX[policy]


def test_the_default_is_editors_and_administrators():
    from django.conf import settings

    assert sorted(settings.REQUIRE_2FA_FOR) == ["administrators", "editors"]


def test_pending_step(people):
    editor, writer = people["desk_editor"], people["writer"]
    assert pending_step(editor) == SET_UP
    assert pending_step(writer) is None

    device = services.start_authenticator(writer)
    assert pending_step(writer) is None  # an unconfirmed device asks for nothing
    services.confirm_authenticator(writer, device, code_for(device))
    assert pending_step(writer) == VERIFY

    writer.is_verified = lambda: True
    assert pending_step(writer) is None
