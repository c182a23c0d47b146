"""The sign-in pages under /account/: password, second factor, backup codes, password reset.

Thin views over Django's auth views and ``services.py``. After the password,
a person who must (or chose to) use a second factor is signed in but not
verified: ``middleware.TwoFactorMiddleware`` keeps them out of the back
office until the verify or set-up step here is done.
"""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from axes.utils import reset as reset_axes
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse, reverse_lazy
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice

from masthead.accounts import changes, services
from masthead.accounts.authenticator import provisioning_uri, qr_code_svg, secret_for_typing
from masthead.accounts.forms import (
    ChangePasswordForm,
    CodeForm,
    InterfaceLanguageForm,
    NewPasswordForm,
    ResetRequestForm,
    SignInForm,
)
from masthead.accounts.interface_language import remember_choice
from masthead.accounts.middleware import step_url, url_with_next
from masthead.accounts.two_factor import SET_UP, VERIFY, is_required, pending_step
from masthead.newsroom.models import Outlet

SETUP_DEVICE_SESSION_KEY = "accounts_setup_device"
NEW_CODES_SESSION_KEY = "accounts_new_backup_codes"

WRONG_CODE = "That code is not right, or it was already used. Check it and try again."
WRONG_SETUP_CODE = (
    "That code does not match the new secret. Make sure the app shows this account, "
    "that your phone’s clock is right, and type the code it shows now."
)


def safe_next_url(request: HttpRequest) -> str | None:
    """The ``next`` address of the request if it points into this site, else None."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return None


def _redirect_next(request: HttpRequest) -> HttpResponse:
    return HttpResponseRedirect(safe_next_url(request) or settings.LOGIN_REDIRECT_URL)


def second_factor_passed(view):
    """For pages that change the account: a pending second factor must be given first."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        step = pending_step(request.user)
        if step is not None:
            return HttpResponseRedirect(step_url(step, request.get_full_path()))
        return view(request, *args, **kwargs)

    return wrapper


def _complete_second_factor(request: HttpRequest, device) -> None:
    # A new key for the session now that it is worth more.
    request.session.cycle_key()
    otp_login(request, device)


def _outlet_context() -> dict:
    return {"outlet_name": Outlet.current().name or "Masthead"}


class WithoutDjangosSiteName:
    """Django's sign-in and sign-out views put ``site_name`` (without the sites framework: the
    request's host) in their context, above the context processors': the header would be
    headed ``news.example`` instead of the edition's name (``site/context_processors.py``),
    and the shared header fragment, keyed by edition, handed that to readers' pages."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.pop("site", None)
        context.pop("site_name", None)
        return context


class SignInView(WithoutDjangosSiteName, auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = SignInForm

    def form_valid(self, form):
        user = form.get_user()
        auth_login(self.request, user)
        step = pending_step(user)
        if step is None:
            return HttpResponseRedirect(self.get_success_url())
        return HttpResponseRedirect(step_url(step, self.get_redirect_url() or None))


class SignOutView(WithoutDjangosSiteName, auth_views.LogoutView):
    http_method_names = ["post", "options"]

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.info(request, gettext_lazy("You have signed out."))
        return response


@never_cache
@login_required
@second_factor_passed
def overview(request: HttpRequest) -> HttpResponse:
    language_form = InterfaceLanguageForm(initial={"language": translation.get_language()})
    return _overview(request, language_form)


def _overview(request: HttpRequest, language_form: InterfaceLanguageForm, status: int = 200):
    user = request.user
    return render(
        request,
        "accounts/overview.html",
        {
            "has_authenticator": services.has_authenticator(user),
            "backup_codes_left": services.backup_codes_left(user),
            "is_required": is_required(user),
            "language_form": language_form,
        },
        status=status,
    )


@never_cache
@require_http_methods(["POST"])
@login_required
@second_factor_passed
def interface_language(request: HttpRequest) -> HttpResponse:
    """Keep the staff member's choice of interface language (accounts/interface_language.py)."""
    form = InterfaceLanguageForm(request.POST)
    if not form.is_valid():
        return _overview(request, form, status=400)
    language = form.cleaned_data["language"]
    translation.activate(language)  # the confirmation is in the language just chosen
    messages.success(request, gettext("The back office now speaks this language."))
    response = HttpResponseRedirect(reverse("accounts:overview"))
    remember_choice(response, language)
    return response


@never_cache
@sensitive_post_parameters("code")
@login_required
def verify(request: HttpRequest) -> HttpResponse:
    step = pending_step(request.user)
    if step is None:
        return _redirect_next(request)
    if step == SET_UP:
        return HttpResponseRedirect(step_url(SET_UP, safe_next_url(request)))
    form = CodeForm(
        request.POST if request.method == "POST" else None,
        help_text=gettext_lazy(
            "The 6-digit code your authenticator app shows now, or one of your backup codes."
        ),
    )
    if form.is_valid():
        try:
            device = services.verify_code(request.user, form.cleaned_data["code"])
        except services.TooManyAttempts as error:
            form.add_error("code", _too_many_attempts_message(error))
        except services.WrongCode:
            form.add_error("code", WRONG_CODE)
        else:
            _complete_second_factor(request, device)
            if isinstance(device, StaticDevice):
                _warn_about_backup_codes(request)
            return _redirect_next(request)
    return render(
        request, "accounts/verify.html", {"form": form, "next": safe_next_url(request) or ""}
    )


@never_cache
@sensitive_post_parameters("code")
@login_required
def setup(request: HttpRequest) -> HttpResponse:
    user = request.user
    if pending_step(user) == VERIFY:
        # An existing device must vouch for a new one, or a stolen password would do.
        return HttpResponseRedirect(step_url(VERIFY, safe_next_url(request)))
    device = services.unconfirmed_authenticator(user, request.session.get(SETUP_DEVICE_SESSION_KEY))
    if device is None:
        device = services.start_authenticator(user)
        request.session[SETUP_DEVICE_SESSION_KEY] = device.pk
    form = CodeForm(
        request.POST if request.method == "POST" else None,
        help_text=gettext_lazy("The 6-digit code the app shows for this account."),
        numeric=True,
    )
    if form.is_valid():
        try:
            device, codes = services.confirm_authenticator(user, device, form.cleaned_data["code"])
        except services.TooManyAttempts as error:
            form.add_error("code", _too_many_attempts_message(error))
        except services.WrongCode:
            form.add_error("code", WRONG_SETUP_CODE)
        else:
            del request.session[SETUP_DEVICE_SESSION_KEY]
            _complete_second_factor(request, device)
            request.session[NEW_CODES_SESSION_KEY] = codes
            messages.success(request, gettext_lazy("Two-factor sign-in is on for your account."))
            return HttpResponseRedirect(_with_next(reverse("accounts:backup_codes"), request))
    uri = provisioning_uri(device)
    return render(
        request,
        "accounts/setup.html",
        {
            "form": form,
            "qr_code": qr_code_svg(uri),
            "otpauth_uri": uri,
            "secret": secret_for_typing(device),
            "is_required": is_required(user),
            "is_replacing": services.has_authenticator(user),
            "next": safe_next_url(request) or "",
        },
    )


@never_cache
@login_required
@second_factor_passed
@require_http_methods(["GET", "POST"])
def backup_codes(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not services.has_authenticator(user):
        return HttpResponseRedirect(reverse("accounts:setup"))
    if request.method == "POST":
        request.session[NEW_CODES_SESSION_KEY] = services.replace_backup_codes(user)
        return HttpResponseRedirect(_with_next(reverse("accounts:backup_codes"), request))
    # Shown once: the codes leave the session as they are shown.
    codes = request.session.pop(NEW_CODES_SESSION_KEY, None)
    return render(
        request,
        "accounts/backup_codes.html",
        {
            "codes": [f"{code[:4]}-{code[4:]}" for code in codes or []],
            "codes_left": services.backup_codes_left(user),
            "next": safe_next_url(request) or "",
        },
    )


def _with_next(url: str, request: HttpRequest) -> str:
    return url_with_next(url, safe_next_url(request))


def _too_many_attempts_message(error: services.TooManyAttempts) -> str:
    if error.locked_until is None:
        return "Too many wrong codes in a row. Wait a little, then try again."
    seconds = max(1, int((error.locked_until - timezone.now()).total_seconds()) + 1)
    if seconds < 120:
        wait = "1 second" if seconds == 1 else f"{seconds} seconds"
    elif seconds < 7200:
        wait = f"{seconds // 60} minutes"
    else:
        wait = f"{seconds // 3600} hours"
    return (
        f"Too many wrong codes in a row: for your safety, wait {wait} before the next try. "
        "If you have lost your phone, use a backup code or ask an administrator."
    )


def _warn_about_backup_codes(request: HttpRequest) -> None:
    left = services.backup_codes_left(request.user)
    messages.warning(
        request,
        f"You signed in with a backup code; {left} left. "
        "Make new ones from your account page if you are running low.",
    )


def locked_out(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """django-axes' lockout response: the same for every name, existing or not."""
    minutes = settings.LOGIN_COOLOFF_MINUTES
    response = render(
        request,
        "accounts/locked_out.html",
        {"cooloff_minutes": minutes},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
    response["Retry-After"] = str(minutes * 60)
    return response


class ResetRequestView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset_form.html"
    form_class = ResetRequestForm
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        site = urlsplit(settings.SITE_URL) if settings.SITE_URL else None
        form.save(
            domain_override=site.netloc if site else None,
            use_https=(site.scheme == "https") if site else self.request.is_secure(),
            token_generator=self.token_generator,
            from_email=self.from_email,
            email_template_name=self.email_template_name,
            subject_template_name=self.subject_template_name,
            request=self.request,
            html_email_template_name=self.html_email_template_name,
            extra_email_context={
                **_outlet_context(),
                "valid_hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
            },
        )
        return HttpResponseRedirect(self.get_success_url())


class ResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class ResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    form_class = NewPasswordForm
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
            changes.record_password_change(form.user, form.user, "reset by e-mail link")
        _forget_failed_sign_ins(form.user)
        return response


class ResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


def _forget_failed_sign_ins(user) -> None:
    # Whoever could read the reset mail owns the account: let them in at once
    # instead of after the lockout.
    reset_axes(username=user.get_username())


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's view keeps this session signed in; the others fail their next request."""

    template_name = "accounts/password_change_form.html"
    form_class = ChangePasswordForm
    success_url = reverse_lazy("accounts:password_change_done")

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
            changes.record_password_change(self.request.user, form.user, "changed by the owner")
        return response


password_change = second_factor_passed(PasswordChangeView.as_view())
password_change_done = second_factor_passed(
    auth_views.PasswordChangeDoneView.as_view(template_name="accounts/password_change_done.html")
)
