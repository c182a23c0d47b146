"""The sign-in forms: Django's auth forms with our wording, length limits and autocomplete hints.

None of them says whether an account exists: a wrong password, an unknown
name and a deactivated account get the same error, and a reset request the
same page whether or not a mail went out.
"""

from __future__ import annotations

import hashlib
import logging

from django import forms
from django.conf import settings
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
)
from django.core.cache import cache
from django.core.validators import MaxLengthValidator
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from masthead.accounts.tasks import send_email

logger = logging.getLogger(__name__)

# Long enough for any passphrase or manager-generated password; short enough
# that nobody makes the server hash a megabyte.
MAX_PASSWORD_LENGTH = 1024

# At most this many reset mails per address per hour, whoever asks: a form
# anyone can post must not become a way to flood someone's inbox.
RESET_MAILS_PER_HOUR = 3

SIGN_IN_ERROR = (
    "That username and password do not match an account that can sign in. "
    "Check both (they are case-sensitive) and try again, or reset your password."
)


def _limit_length(field: forms.CharField, limit: int = MAX_PASSWORD_LENGTH) -> None:
    field.max_length = limit
    field.validators.append(MaxLengthValidator(limit))
    field.widget.attrs["maxlength"] = str(limit)


class SignInForm(AuthenticationForm):
    error_messages = {"invalid_login": SIGN_IN_ERROR, "inactive": SIGN_IN_ERROR}

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        username = self.fields["username"]
        username.widget.attrs.update(
            {"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}
        )
        # Django sets max_length here only for the browser: enforce it, so an
        # overlong name never reaches the database or the throttle's records.
        _limit_length(username, username.max_length or 150)
        password = self.fields["password"]
        password.widget.attrs["autocomplete"] = "current-password"
        _limit_length(password)


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "none",
                "spellcheck": "false",
                "autofocus": True,
                "size": 12,
            }
        ),
    )

    def __init__(self, *args, help_text: str = "", numeric: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["code"]
        field.help_text = help_text
        field.widget.attrs["inputmode"] = "numeric" if numeric else "text"


class ResetRequestForm(PasswordResetForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs.update({"autocomplete": "email", "autofocus": True})

    def get_users(self, email):
        if not _reset_mail_allowed(email):
            return iter(())
        return super().get_users(email)

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        """Django's reset mail, queued for a worker (masthead/accounts/tasks.py)."""
        subject = "".join(render_to_string(subject_template_name, context).splitlines())
        body = render_to_string(email_template_name, context)
        html_body = (
            render_to_string(html_email_template_name, context) if html_email_template_name else ""
        )
        try:
            send_email.enqueue(subject, body, [to_email], from_email or "", html_body)
        except Exception:
            # As Django does when sending fails: the page must not tell.
            logger.exception("Could not queue the password reset mail to %s", context["user"].pk)


def _reset_mail_allowed(email: str) -> bool:
    digest = hashlib.sha256(email.casefold().encode("utf-8")).hexdigest()
    key = f"accounts:reset-mails:{digest}"
    cache.add(key, 0, timeout=3600)
    try:
        sent = cache.incr(key)
    except ValueError:  # expired between add() and incr(): this is the first again
        cache.set(key, 1, timeout=3600)
        sent = 1
    return sent <= RESET_MAILS_PER_HOUR


class NewPasswordForm(SetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _limit_length(self.fields["new_password1"])
        _limit_length(self.fields["new_password2"])
        self.fields["new_password1"].widget.attrs["autofocus"] = True


class ChangePasswordForm(PasswordChangeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("old_password", "new_password1", "new_password2"):
            _limit_length(self.fields[name])


class InterfaceLanguageForm(forms.Form):
    """The back office's language, from ``LANGUAGES`` (accounts/interface_language.py)."""

    language = forms.ChoiceField(
        label=_("Interface language"),
        # Each language is named in itself, so anyone can find their own.
        choices=settings.LANGUAGES,
        widget=forms.RadioSelect,
        help_text=_("The language of the back office and of these pages, on this browser."),
        error_messages={
            "required": _("Choose a language."),
            "invalid_choice": _(
                "“%(value)s” is not a language the back office speaks. Choose one of the list."
            ),
        },
    )
