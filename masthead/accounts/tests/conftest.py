"""Staff accounts in each role, codes from their authenticator, and signing in through the page."""

from __future__ import annotations

import time
import uuid

import pytest
from django.test import Client
from django_otp.oath import TOTP

from masthead.factories import TEST_PASSWORD, make_desk, make_staff, make_user
from masthead.newsroom.models import StaffRole

LOGIN = "/account/login/"


def unique_email(username: str) -> str:
    # Unique per run: the reset-mail limit lives in the cache, which a
    # PostgreSQL + Redis run shares across runs.
    return f"{username}.{uuid.uuid4().hex[:10]}@newsroom.example"


@pytest.fixture
def desk(db):
    return make_desk("Politics")


@pytest.fixture
def people(db, desk):
    """One account per role, plus a superuser and someone with no staff role at all."""

    def staff(role, username, desk=None):
        return make_staff(role, desk, username=username, email=unique_email(username))

    return {
        "writer": staff(StaffRole.Role.WRITER, "writer", desk),
        "desk_editor": staff(StaffRole.Role.DESK_EDITOR, "editor", desk),
        "chief_editor": staff(StaffRole.Role.CHIEF_EDITOR, "chief"),
        "administrator": staff(StaffRole.Role.ADMINISTRATOR, "admin"),
        "superuser": make_user(
            "root", is_superuser=True, is_staff=True, email=unique_email("root")
        ),
        "no_role": make_user("reader", email=unique_email("reader")),
    }


def code_for(device, steps_ahead: int = 0) -> str:
    """The code the person's app shows now (or ``steps_ahead`` periods later)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def sign_in(client: Client, username: str, password: str = TEST_PASSWORD, **extra):
    return client.post(LOGIN, {"username": username, "password": password, **extra})


@pytest.fixture
def csrf_client():
    return Client(enforce_csrf_checks=True)
