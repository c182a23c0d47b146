"""Two-factor sign-in: set-up with a real code, the verify step, backup codes, the guard."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from django.conf import settings
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from masthead.accounts import services
from masthead.accounts.tests.conftest import code_for, sign_in
from masthead.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

SETUP = "/account/two-factor/setup/"
VERIFY = "/account/two-factor/verify/"
BACKUP_CODES = "/account/two-factor/backup-codes/"


@pytest.fixture(autouse=True)
def no_throttle_wait(settings):
    """Wrong codes still count; only the exponential wait is off, except where tested."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


def set_up_device(user) -> TOTPDevice:
    device = services.start_authenticator(user)
    services.confirm_authenticator(user, device, code_for(device))
    device.refresh_from_db()
    return device


def pending_device(client) -> TOTPDevice:
    return TOTPDevice.objects.get(pk=client.session["accounts_setup_device"])


def shown_codes(page: str) -> list[str]:
    return re.findall(r"<li><code>([a-z2-7]{4}-[a-z2-7]{4})</code></li>", page)


@pytest.mark.parametrize("role", ["desk_editor", "chief_editor", "administrator", "superuser"])
def test_roles_that_need_two_factor_are_sent_to_set_up_after_the_password(client, people, role):
    response = sign_in(client, people[role].username, next="/desk/")

    assert response.status_code == 302
    assert response["Location"] == f"{SETUP}?next={quote('/desk/', safe='')}"


def test_a_writer_is_not_asked_by_default(client, people):
    response = sign_in(client, "writer")

    assert response["Location"] == settings.LOGIN_REDIRECT_URL


def test_set_up_shows_a_local_qr_code_and_the_secret_as_text(client, people):
    client.force_login(people["desk_editor"])

    page = client.get(SETUP).content.decode()

    device = pending_device(client)
    assert not device.confirmed
    assert '<svg viewBox="' in page and 'class="qr-code"' in page
    assert "<img" not in page.split('class="qr"')[1].split("</figure>")[0]
    secret = re.search(r'<code class="secret"[^>]*>([A-Z2-7 ]+)</code>', page).group(1)
    assert secret.replace(" ", "") in page.replace("&amp;", "&").split("secret=")[1]
    assert 'autocomplete="one-time-code"' in page


def test_reloading_set_up_keeps_the_secret_but_a_new_session_gets_a_new_one(client, people):
    editor = people["desk_editor"]
    client.force_login(editor)
    client.get(SETUP)
    first = pending_device(client)
    client.get(SETUP)
    assert pending_device(client).pk == first.pk

    other = client.__class__()
    other.force_login(editor)
    other.get(SETUP)

    assert pending_device(other).key != first.key
    assert not TOTPDevice.objects.filter(pk=first.pk).exists()


def test_a_wrong_code_does_not_confirm_the_device(client, people):
    client.force_login(people["desk_editor"])
    client.get(SETUP)
    device = pending_device(client)
    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"

    response = client.post(SETUP, {"code": wrong})

    assert response.status_code == 200
    assert "does not match the new secret" in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert client.get("/admin/").status_code == 302


def test_set_up_with_the_right_code_confirms_it_and_shows_backup_codes_once(client, people):
    client.force_login(people["desk_editor"])
    client.get(f"{SETUP}?next=/desk/")
    device = pending_device(client)

    response = client.post(SETUP, {"code": code_for(device), "next": "/desk/"})

    assert response.status_code == 302
    assert response["Location"] == f"{BACKUP_CODES}?next={quote('/desk/', safe='')}"
    device.refresh_from_db()
    assert device.confirmed
    page = client.get(response["Location"]).content.decode()
    codes = shown_codes(page)
    assert len(codes) == len(set(codes)) == 10
    assert "Two-factor sign-in is on" in page
    assert 'href="/desk/"' in page
    again = client.get(BACKUP_CODES).content.decode()
    assert shown_codes(again) == []
    assert "10</strong> unused codes" in again


def test_set_up_accepts_the_code_with_spaces_or_in_persian_digits(client, people):
    client.force_login(people["chief_editor"])
    client.get(SETUP)
    device = pending_device(client)
    code = code_for(device)
    persian = "".join("۰۱۲۳۴۵۶۷۸۹"[int(d)] for d in code)

    client.post(SETUP, {"code": f" {persian[:3]} {persian[3:]} "})

    device.refresh_from_db()
    assert device.confirmed


@pytest.mark.parametrize(
    "code",
    ["", "\x00\x00\x00\x00\x00\x00", "1" * 33, "12345", "1234567", "abcdef", "１２３４５６"],
    ids=["empty", "nul", "too-long", "short", "long", "letters", "fullwidth"],
)
def test_set_up_refuses_malformed_codes_clearly(client, people, code):
    client.force_login(people["desk_editor"])
    client.get(SETUP)

    response = client.post(SETUP, {"code": code})

    assert response.status_code == 200
    assert 'class="errorlist"' in response.content.decode()
    assert not TOTPDevice.objects.filter(confirmed=True).exists()


def test_someone_with_a_device_must_verify_before_setting_up_another(client, people):
    editor = people["desk_editor"]
    set_up_device(editor)
    client.force_login(editor)

    response = client.get(SETUP)

    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY)
    assert TOTPDevice.objects.filter(user=editor).count() == 1


def test_the_verify_step_after_the_password(client, people):
    editor = people["desk_editor"]
    device = set_up_device(editor)

    response = sign_in(client, "editor", next="/admin/")
    assert response["Location"] == f"{VERIFY}?next={quote('/admin/', safe='')}"
    assert client.get("/admin/").status_code == 302

    wrong = client.post(VERIFY, {"code": "000000", "next": "/admin/"})
    assert wrong.status_code == 200
    assert "That code is not right" in wrong.content.decode()

    right = client.post(VERIFY, {"code": code_for(device, steps_ahead=1), "next": "/admin/"})
    assert right.status_code == 302
    assert right["Location"] == "/admin/"


def test_verifying_gives_a_new_session_key(client, people):
    editor = people["desk_editor"]
    device = set_up_device(editor)
    sign_in(client, "editor")
    before = client.cookies[settings.SESSION_COOKIE_NAME].value

    client.post(VERIFY, {"code": code_for(device, steps_ahead=1)})

    assert client.cookies[settings.SESSION_COOKIE_NAME].value != before


def test_a_code_works_only_once(client, people):
    editor = people["desk_editor"]
    device = set_up_device(editor)
    code = code_for(device, steps_ahead=1)
    sign_in(client, "editor")
    assert client.post(VERIFY, {"code": code}).status_code == 302
    client.post("/account/logout/")

    sign_in(client, "editor")
    replay = client.post(VERIFY, {"code": code})

    assert replay.status_code == 200
    assert "already used" in replay.content.decode()


def test_a_backup_code_works_once(client, people):
    editor = people["desk_editor"]
    set_up_device(editor)
    codes = services.replace_backup_codes(editor)
    typed = f"{codes[0][:4].upper()}-{codes[0][4:].upper()}"

    sign_in(client, "editor")
    used = client.post(VERIFY, {"code": typed, "next": "/account/"})
    assert used["Location"] == "/account/"
    assert StaticToken.objects.filter(device__user=editor).count() == 9
    client.post("/account/logout/")

    sign_in(client, "editor")
    again = client.post(VERIFY, {"code": typed})
    assert again.status_code == 200
    assert "That code is not right" in again.content.decode()


def test_signing_in_with_a_backup_code_warns_how_many_are_left(client, people):
    editor = people["desk_editor"]
    set_up_device(editor)
    codes = services.replace_backup_codes(editor)
    sign_in(client, "editor", next="/account/")

    page = client.post(VERIFY, {"code": codes[3], "next": "/account/"}, follow=True)

    assert "You signed in with a backup code; 9 left." in page.content.decode()


def test_wrong_codes_slow_down_the_next_tries(client, people, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 60
    editor = people["desk_editor"]
    device = set_up_device(editor)
    sign_in(client, "editor")

    client.post(VERIFY, {"code": "000000"})
    throttled = client.post(VERIFY, {"code": code_for(device, steps_ahead=1)})

    assert throttled.status_code == 200
    assert "Too many wrong codes in a row" in throttled.content.decode()
    device.refresh_from_db()
    assert device.throttling_failure_count == 1  # the refused try was not even checked


def test_the_admin_is_closed_until_verified(client, people):
    root = people["superuser"]
    client.force_login(root)

    blocked = client.get("/admin/")
    assert blocked.status_code == 302
    assert blocked["Location"] == f"{SETUP}?next={quote('/admin/', safe='')}"

    client.get(SETUP)
    device = pending_device(client)
    client.post(SETUP, {"code": code_for(device)})

    assert client.get("/admin/").status_code == 200


def test_the_admin_login_page_sends_to_ours(client, people):
    response = client.get("/admin/login/?next=/admin/stories/")

    assert response.status_code == 302
    assert response["Location"] == f"{settings.LOGIN_URL}?next={quote('/admin/stories/', safe='')}"


@pytest.mark.parametrize(
    "path", ["/desk/", "/desk/stories/1/edit/", "/admin/", "/admin/auth/user/"]
)
def test_back_office_paths_are_guarded(client, people, path):
    client.force_login(people["chief_editor"])

    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"].startswith(SETUP)


def test_account_pages_that_change_things_need_the_second_factor(client, people):
    editor = people["desk_editor"]
    set_up_device(editor)
    sign_in(client, "editor")

    for path in ["/account/", "/account/password/", BACKUP_CODES]:
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith(VERIFY)
    assert client.post(BACKUP_CODES).status_code == 302
    assert StaticToken.objects.filter(device__user=editor).count() == 10


def test_new_backup_codes_replace_the_old_ones(client, people):
    editor = people["desk_editor"]
    device = set_up_device(editor)
    old = services.replace_backup_codes(editor)
    sign_in(client, "editor")
    client.post(VERIFY, {"code": code_for(device, steps_ahead=1)})

    page = client.post(BACKUP_CODES, follow=True).content.decode()

    new = [code.replace("-", "") for code in shown_codes(page)]
    assert len(new) == 10 and not set(new) & set(old)
    assert StaticDevice.objects.get(user=editor).token_set.count() == 10


def test_a_writer_may_turn_two_factor_on_and_is_then_asked_for_it(client, people):
    writer = people["writer"]
    client.force_login(writer)
    client.get(SETUP)
    client.post(SETUP, {"code": code_for(pending_device(client))})
    client.post("/account/logout/")

    response = sign_in(client, "writer")

    assert response["Location"] == VERIFY


def test_nobody_is_asked_when_the_requirement_is_off(client, people, settings):
    settings.REQUIRE_2FA_FOR = []

    response = sign_in(client, "admin")

    assert response["Location"] == settings.LOGIN_REDIRECT_URL
    assert sign_in(client, "root")["Location"] == settings.LOGIN_REDIRECT_URL
    assert client.get("/admin/").status_code == 200


def test_the_overview_shows_the_state_of_the_account(client, people):
    editor = people["desk_editor"]
    device = set_up_device(editor)
    sign_in(client, "editor")
    client.post(VERIFY, {"code": code_for(device, steps_ahead=1)})

    page = client.get("/account/").content.decode()

    assert "Signed in as <strong>editor</strong>" in page
    assert "10 backup codes left" in page


def test_verify_and_set_up_need_the_password_first(client, people):
    for path in [VERIFY, SETUP]:
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith(settings.LOGIN_URL)


def test_change_password_after_verifying(client, people):
    editor = people["desk_editor"]
    device = set_up_device(editor)
    sign_in(client, "editor")
    client.post(VERIFY, {"code": code_for(device, steps_ahead=1)})

    response = client.post(
        "/account/password/",
        {
            "old_password": TEST_PASSWORD,
            "new_password1": "a new and long passphrase",
            "new_password2": "a new and long passphrase",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == "/account/password/changed/"
    # Still signed in, and still past the second factor.
    assert client.get("/account/").status_code == 200
