"""The sign-in settings read from the environment (masthead/settings.py)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from masthead import settings as masthead_settings


@pytest.mark.parametrize(
    ("raw", "groups"),
    [
        (None, ["editors", "administrators"]),
        ("", ["editors", "administrators"]),
        ("none", []),
        (" None ", []),
        ("all", ["all"]),
        ("Editors, administrators", ["editors", "administrators"]),
    ],
)
def test_require_2fa_for(monkeypatch, raw, groups):
    if raw is None:
        monkeypatch.delenv("REQUIRE_2FA_FOR", raising=False)
    else:
        monkeypatch.setenv("REQUIRE_2FA_FOR", raw)

    assert masthead_settings.two_factor_groups_from_env() == groups


@pytest.mark.parametrize("raw", ["writers", "none,editors", "yes"])
def test_require_2fa_for_refuses_what_it_does_not_know(monkeypatch, raw):
    monkeypatch.setenv("REQUIRE_2FA_FOR", raw)

    with pytest.raises(ImproperlyConfigured, match="REQUIRE_2FA_FOR="):
        masthead_settings.two_factor_groups_from_env()


@pytest.mark.parametrize("raw", ["0", "-3"])
def test_limits_must_be_positive(monkeypatch, raw):
    monkeypatch.setenv("LOGIN_FAILURE_LIMIT", raw)

    with pytest.raises(ImproperlyConfigured, match="must be 1 or more"):
        masthead_settings.env_positive_int("LOGIN_FAILURE_LIMIT", 5)
