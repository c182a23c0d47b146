"""Every change to a person's second factor: set up, confirm, verify, backup codes, removal.

Devices are django-otp's: one ``TOTPDevice`` (an authenticator app) and one
``StaticDevice`` holding single-use backup codes. django-otp throttles wrong
codes per device with an exponential delay (1, 2, 4 … seconds); a code tried
while the delay runs is refused without being checked.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime

from django.db import transaction
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

AUTHENTICATOR_NAME = "Authenticator app"
BACKUP_CODES_NAME = "Backup codes"
BACKUP_CODE_COUNT = 10

_AUTHENTICATOR_CODE = re.compile(r"[0-9]{6}")
_BACKUP_CODE = re.compile(r"[a-z2-7]{8}")
_SEPARATORS = re.compile(r"[\s\-]+")


class WrongCode(Exception):
    """The code was not accepted (wrong, already used, or of no known shape)."""


class TooManyAttempts(Exception):
    """Too many wrong codes in a row: wait until ``locked_until``."""

    def __init__(self, locked_until: datetime | None):
        super().__init__("too many wrong codes")
        self.locked_until = locked_until


def normalize_code(raw: str) -> str:
    """The code as stored: no spaces or dashes, ASCII digits, lower case.

    Phones may type Persian or Arabic-Indic digits; they mean the same code.
    """
    compact = _SEPARATORS.sub("", raw)
    return "".join(
        str(unicodedata.decimal(char)) if char.isdecimal() else char for char in compact
    ).lower()


def start_authenticator(user) -> TOTPDevice:
    """A new, unconfirmed authenticator with a fresh secret.

    Earlier unconfirmed ones are dropped, so a secret shown to one session (and
    perhaps seen by someone else) is never the one another session confirms.
    """
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        return TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)


def unconfirmed_authenticator(user, device_id) -> TOTPDevice | None:
    if not isinstance(device_id, int):
        return None
    return TOTPDevice.objects.filter(pk=device_id, user=user, confirmed=False).first()


def confirm_authenticator(user, device: TOTPDevice, code: str) -> tuple[TOTPDevice, list[str]]:
    """Confirm ``device`` with a code from the app; it replaces any earlier authenticator.

    Returns the confirmed device and a new set of backup codes (the old ones
    stop working). Raises ``WrongCode`` or ``TooManyAttempts``.
    """
    code = normalize_code(code)
    if not _AUTHENTICATOR_CODE.fullmatch(code):
        raise WrongCode
    if not _verify(TOTPDevice, device.pk, user, code, confirmed=False):
        raise WrongCode
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user)
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        codes = replace_backup_codes(user)
    return device, codes


def verify_code(user, code: str) -> Device:
    """The confirmed device that accepts ``code``: a 6-digit app code or a backup code.

    A backup code is used up by this call. Raises ``WrongCode`` or ``TooManyAttempts``.
    """
    code = normalize_code(code)
    if _AUTHENTICATOR_CODE.fullmatch(code):
        model = TOTPDevice
    elif _BACKUP_CODE.fullmatch(code):
        model = StaticDevice
    else:
        raise WrongCode
    for device_id in model.objects.filter(user=user, confirmed=True).values_list("pk", flat=True):
        device = _verify(model, device_id, user, code, confirmed=True)
        if device is not None:
            return device
    raise WrongCode


def replace_backup_codes(user) -> list[str]:
    """New single-use backup codes; the earlier ones stop working. Shown to the person once."""
    codes = []
    with transaction.atomic():
        device, _ = StaticDevice.objects.get_or_create(
            user=user, name=BACKUP_CODES_NAME, defaults={"confirmed": True}
        )
        device.token_set.all().delete()
        while len(codes) < BACKUP_CODE_COUNT:
            token = StaticToken.random_token()
            if token not in codes:
                codes.append(token)
        StaticToken.objects.bulk_create(StaticToken(device=device, token=t) for t in codes)
        device.confirmed = True
        device.throttle_reset(commit=False)
        device.save()
    return codes


def backup_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def has_authenticator(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def remove_two_factor(user) -> int:
    """Remove every device of ``user`` (a lost phone): they set up again at the next sign-in."""
    with transaction.atomic():
        removed, _ = TOTPDevice.objects.filter(user=user).delete()
        static, _ = StaticDevice.objects.filter(user=user).delete()
    return removed + static


def _verify(model, device_id: int, user, code: str, *, confirmed: bool) -> Device | None:
    # The row lock makes concurrent tries with one code count once, and the
    # throttle counter that verify_token() commits on a wrong code must be
    # saved: raising inside this block would roll it back.
    with transaction.atomic():
        device = (
            model.objects.select_for_update()
            .filter(pk=device_id, user=user, confirmed=confirmed)
            .first()
        )
        if device is None:
            return None
        allowed, details = device.verify_is_allowed()
        accepted = allowed and device.verify_token(code)
    if not allowed:
        raise TooManyAttempts((details or {}).get("locked_until"))
    return device if accepted else None
