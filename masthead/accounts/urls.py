"""The sign-in pages, under /account/. None of them may be kept by any cache."""

from django.urls import path
from django.views.decorators.cache import never_cache

from masthead.accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("language/", views.interface_language, name="interface_language"),
    path("login/", never_cache(views.SignInView.as_view()), name="login"),
    path("logout/", never_cache(views.SignOutView.as_view()), name="logout"),
    path("two-factor/verify/", views.verify, name="verify"),
    path("two-factor/setup/", views.setup, name="setup"),
    path("two-factor/backup-codes/", views.backup_codes, name="backup_codes"),
    path("password/", never_cache(views.password_change), name="password_change"),
    path(
        "password/changed/",
        never_cache(views.password_change_done),
        name="password_change_done",
    ),
    path(
        "password/reset/",
        never_cache(views.ResetRequestView.as_view()),
        name="password_reset",
    ),
    path(
        "password/reset/sent/",
        never_cache(views.ResetDoneView.as_view()),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        never_cache(views.ResetConfirmView.as_view()),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        never_cache(views.ResetCompleteView.as_view()),
        name="password_reset_complete",
    ),
]
