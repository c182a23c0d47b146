"""Device changes: codes typed loosely, backup codes, removal."""

from __future__ import annotations

import pytest
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import given
from hypothesis import strategies as st

from masthead.accounts import services
from masthead.accounts.tests.conftest import code_for


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("123 456", "123456"),
        ("123-456", "123456"),
        ("\t123456\n", "123456"),
        ("۱۲۳۴۵۶", "123456"),  # Persian
        ("١٢٣٤٥٦", "123456"),  # Arabic-Indic
        ("ABCD-EFGH", "abcdefgh"),
    ],
)
def test_normalize_code(typed, stored):
    assert services.normalize_code(typed) == stored


@given(st.text(max_size=40))
def test_normalize_code_never_fails(text):
    assert isinstance(services.normalize_code(text), str)


@pytest.mark.django_db
def test_confirming_a_new_authenticator_retires_the_old_one(people):
    editor = people["desk_editor"]
    old = services.start_authenticator(editor)
    services.confirm_authenticator(editor, old, code_for(old))

    new = services.start_authenticator(editor)
    assert TOTPDevice.objects.filter(user=editor).count() == 2  # the old one still works meanwhile
    services.confirm_authenticator(editor, new, code_for(new))

    assert list(TOTPDevice.objects.filter(user=editor).values_list("pk", flat=True)) == [new.pk]


@pytest.mark.django_db
def test_a_wrong_code_is_counted_even_though_it_is_refused(people):
    editor = people["desk_editor"]
    device = services.start_authenticator(editor)

    with pytest.raises(services.WrongCode):
        services.confirm_authenticator(editor, device, f"{(int(code_for(device)) + 1) % 10**6:06d}")

    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    assert not device.confirmed


@pytest.mark.django_db
def test_remove_two_factor(people):
    editor = people["desk_editor"]
    device = services.start_authenticator(editor)
    services.confirm_authenticator(editor, device, code_for(device))

    assert services.remove_two_factor(editor) > 0
    assert not TOTPDevice.objects.filter(user=editor).exists()
    assert not StaticToken.objects.filter(device__user=editor).exists()
