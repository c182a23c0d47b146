"""Password reset by email: the link works once, and the page never tells who has an account."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.core import mail

from masthead.accounts import services
from masthead.accounts.forms import RESET_MAILS_PER_HOUR
from masthead.accounts.tests.conftest import code_for, sign_in

pytestmark = pytest.mark.django_db

RESET = "/account/password/reset/"
SENT = "/account/password/reset/sent/"
NEW_PASSWORD = "a brand new passphrase"


def reset_link() -> str:
    assert len(mail.outbox) == 1
    return re.search(r"https?://[^/\s]+(/account/password/reset/\S+/)", mail.outbox[0].body).group(
        1
    )


def test_reset_end_to_end(client, people):
    writer = people["writer"]

    response = client.post(RESET, {"email": writer.email})

    assert response.status_code == 302
    assert response["Location"] == SENT
    message = mail.outbox[0]
    assert message.to == [writer.email]
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    assert "writer" in message.body
    link = reset_link()

    form = client.get(link, follow=True)
    set_password_url = form.redirect_chain[-1][0]
    page = form.content.decode()
    assert "Choose a new password" in page
    assert 'autocomplete="new-password"' in page
    done = client.post(
        set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert done["Location"] == "/account/password/reset/complete/"

    assert sign_in(client, "writer", NEW_PASSWORD)["Location"] == settings.LOGIN_REDIRECT_URL
    client.post("/account/logout/")
    used = client.get(link, follow=True)
    assert "This link does not work" in used.content.decode()


def test_unknown_email_gets_the_same_answer_and_no_mail(client, people):
    known = client.post(RESET, {"email": people["writer"].email})
    mail.outbox.clear()

    unknown = client.post(RESET, {"email": "nobody@newsroom.example"})

    assert (unknown.status_code, unknown["Location"]) == (known.status_code, known["Location"])
    assert mail.outbox == []


def test_no_mail_for_a_deactivated_account(client, people):
    writer = people["writer"]
    writer.is_active = False
    writer.save()

    response = client.post(RESET, {"email": writer.email})

    assert response["Location"] == SENT
    assert mail.outbox == []


def test_email_matches_whatever_the_case(client, people):
    client.post(RESET, {"email": people["writer"].email.upper()})

    assert mail.outbox[0].to == [people["writer"].email]


def test_reset_mails_to_one_address_are_limited(client, people):
    for _ in range(RESET_MAILS_PER_HOUR + 2):
        response = client.post(RESET, {"email": people["writer"].email})
        assert response["Location"] == SENT

    assert len(mail.outbox) == RESET_MAILS_PER_HOUR


def test_a_mangled_link_is_refused_clearly(client, people):
    client.post(RESET, {"email": people["writer"].email})
    link = reset_link()

    uid, token = link.rstrip("/").split("/")[-2:]
    for bad in [f"{uid}/{token[:-2]}zz", f"x{uid}/{token}", "%00/abc", f"{uid}/{'t' * 5000}"]:
        response = client.get(f"{RESET}{bad}/", follow=True)
        assert response.status_code == 200, bad
        assert "This link does not work" in response.content.decode()


def test_the_link_uses_site_url_when_it_is_set(client, people, settings):
    settings.SITE_URL = "https://news.example"

    client.post(RESET, {"email": people["writer"].email}, HTTP_HOST="localhost")

    assert "https://news.example/account/password/reset/" in mail.outbox[0].body


def test_weak_or_mismatched_new_passwords_are_refused_with_reasons(client, people):
    client.post(RESET, {"email": people["writer"].email})
    form_url = client.get(reset_link(), follow=True).redirect_chain[-1][0]

    weak = client.post(form_url, {"new_password1": "password", "new_password2": "password"})
    mismatched = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": "other"})
    huge = client.post(form_url, {"new_password1": "p" * 5000, "new_password2": "p" * 5000})

    assert "This password is too common." in weak.content.decode()
    assert "didn’t match" in mismatched.content.decode()
    assert "at most 1024 characters" in huge.content.decode()
    # The link still works after refused tries.
    assert "Choose a new password" in client.get(form_url).content.decode()


@pytest.mark.parametrize(
    "email",
    ["", "not-an-email", "a\x00b@example.com", "x" * 300 + "@example.com", "<script>@x.y"],
    ids=["empty", "not-email", "nul", "long", "markup"],
)
def test_hostile_email_input_gets_a_clear_error(client, people, email):
    response = client.post(RESET, {"email": email})

    assert response.status_code == 200
    assert 'class="errorlist"' in response.content.decode()
    assert mail.outbox == []


def test_a_reset_keeps_two_factor_and_lifts_the_lockout(client, people):
    editor = people["desk_editor"]
    device = services.start_authenticator(editor)
    services.confirm_authenticator(editor, device, code_for(device))
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        sign_in(client, "editor", "wrong")
    assert sign_in(client, "editor", "wrong").status_code == 429

    client.post(RESET, {"email": editor.email})
    form_url = client.get(reset_link(), follow=True).redirect_chain[-1][0]
    client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    response = sign_in(client, "editor", NEW_PASSWORD)
    assert response.status_code == 302
    assert response["Location"].startswith("/account/two-factor/verify/")
