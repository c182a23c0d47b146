"""Test set-up shared by every app: static files as in production, media in a tmp folder."""

from __future__ import annotations

import copy
import itertools
import os

import pytest
from django.core.management import call_command


@pytest.fixture(scope="session", autouse=True)
def collected_static(tmp_path_factory):
    """Pages link hashed static names, as in production: collect them once per run."""
    from django.conf import settings

    settings.STATIC_ROOT = tmp_path_factory.mktemp("static")
    # Hashed names as in production; the gzip and Brotli copies production
    # also writes change nothing a test can see and take most of the time.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    return settings.STATIC_ROOT


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


_test_numbers = itertools.count()


@pytest.fixture(autouse=True)
def cache_of_its_own(settings):
    """Each test rolls the database back but not the cache: give each test its own keys.

    Caches keyed by content versions (sitemap summaries) would otherwise hand
    one test what another test's rows were; a key prefix, not ``clear()``,
    because tests running at once may share one Redis.
    """
    caches = copy.deepcopy(settings.CACHES)
    prefix = caches["default"].get("KEY_PREFIX", "")
    caches["default"]["KEY_PREFIX"] = f"{prefix}-test-{os.getpid()}-{next(_test_numbers)}"
    settings.CACHES = caches


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Slow hashing protects real accounts; tests only need it to be correct."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_collection_modifyitems(config, items):
    """Tests marked ``postgres`` say why they do not run on SQLite, visibly (-ra)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    reason = "needs PostgreSQL row locks; runs in the PostgreSQL pass of .ci/run (DATABASE_URL)"
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(pytest.mark.skip(reason=reason))
