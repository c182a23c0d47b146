"""`masthead manage remove_two_factor`."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from masthead.accounts import services
from masthead.accounts.tests.conftest import code_for

pytestmark = pytest.mark.django_db


def test_remove_two_factor_for_a_lost_phone(people, capsys):
    editor = people["desk_editor"]
    device = services.start_authenticator(editor)
    services.confirm_authenticator(editor, device, code_for(device))

    call_command("remove_two_factor", "editor")

    assert "Removed two-factor sign-in from 'editor'." in capsys.readouterr().out
    assert not TOTPDevice.objects.filter(user=editor).exists()


def test_remove_two_factor_for_an_unknown_name_is_one_clear_error(people):
    with pytest.raises(CommandError, match="No account with the username 'ghost'"):
        call_command("remove_two_factor", "ghost")
