"""Who must sign in with a second factor, and which step a signed-in person still owes.

The policy is ``settings.REQUIRE_2FA_FOR`` (from the ``REQUIRE_2FA_FOR``
environment variable): any of ``editors`` (desk editors and chief editors),
``administrators`` (the administrator role and superusers) and ``all`` (every
staff member); empty means nobody is required. Whoever has a confirmed device
uses it whether required or not: a writer who turned two-factor on is protected
like an editor.

Whether this session has passed the second factor is django-otp's answer
(``OTPMiddleware`` sets ``user.is_verified()``).
"""

from __future__ import annotations

from django.conf import settings
from django_otp import user_has_device

from masthead.newsroom.roles import access_for

EDITORS = "editors"
ADMINISTRATORS = "administrators"
ALL_STAFF = "all"
GROUPS = frozenset({EDITORS, ADMINISTRATORS, ALL_STAFF})

VERIFY = "verify"
SET_UP = "setup"


def is_required(user) -> bool:
    """Whether ``REQUIRE_2FA_FOR`` asks this person for a second factor."""
    groups = set(settings.REQUIRE_2FA_FOR)
    if not groups or user is None or not user.is_authenticated:
        return False
    access = access_for(user)
    if ALL_STAFF in groups and (access.is_staff_member or user.is_staff):
        return True
    if EDITORS in groups and access.edits_any_desk:
        return True
    return ADMINISTRATORS in groups and access.is_administrator


def is_verified(user) -> bool:
    check = getattr(user, "is_verified", None)
    return bool(check and check())


def pending_step(user) -> str | None:
    """``VERIFY``, ``SET_UP`` or None: what this signed-in person must still do."""
    if user is None or not user.is_authenticated or is_verified(user):
        return None
    if user_has_device(user):
        return VERIFY
    if is_required(user):
        return SET_UP
    return None
