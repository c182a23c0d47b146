"""Test set-up shared by every app: static files as in production, media in a tmp folder."""

from __future__ import annotations

import copy
import itertools
import os
from collections.abc import Iterator

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

# Hypothesis profiles (docs/operations.md, "Fuzzing"). The normal suite keeps
# Hypothesis' defaults; HYPOTHESIS_PROFILE=fuzz is the long run of the
# test_fuzz_* modules: 10,000 examples each (masthead/tests/hostile.py).
hypothesis_settings.register_profile(
    "fuzz",
    max_examples=10_000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


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
def redis_untried():
    """Each test meets Redis untried: no circuit breaker left open by another test."""
    from masthead.resilient_cache import ResilientRedisCache

    ResilientRedisCache.reset_breakers()


@pytest.fixture
def redis_url(settings) -> str:
    """A real Redis for the test: ``CACHE_URL``'s in the run configured for Redis.

    That run must fail, not skip, when its Redis does not answer. Other runs
    use ``TEST_REDIS_URL`` (by default the local Redis) if one answers, and
    skip, saying why, if none does.
    """
    import redis

    from masthead.resilient_cache import BACKEND

    configured = settings.CACHES["default"]
    required = configured["BACKEND"] == BACKEND
    url = (
        configured["LOCATION"]
        if required
        else os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    )
    client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as error:
        if required:
            pytest.fail(f"CACHE_URL names Redis at {url}, which does not answer: {error}")
        pytest.skip(
            f"needs Redis at {url} (CACHE_URL or TEST_REDIS_URL); "
            "the PostgreSQL + Redis pass of .ci/run has one"
        )
    finally:
        client.close()
    return url


@pytest.fixture
def manual_clock(monkeypatch):
    """Intervals pass only when the test says (``masthead/clock.py``); dates are untouched."""
    from masthead import clock

    manual = clock.ManualClock()
    monkeypatch.setattr(clock, "current", manual)
    return manual


@pytest.fixture
def live_requests():
    """Requests through a WSGI handler that keep the test's transaction, as Django's test
    client does (each request would otherwise close the connection): the page cache's
    tests drive ``PageCache(WSGIHandler())`` as granian does."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture(autouse=True)
def tasks_run_at_once(settings):
    """Background tasks (purges, mail) run inside the test, when queued (docs/wire-tasks.md).

    Django-tasks' ImmediateBackend: what a test asserts after a request is
    what a worker would have done. masthead/worker/tests run the real
    database and RQ backends with real workers.
    """
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": settings.TASK_QUEUES,
        }
    }


@pytest.fixture(autouse=True)
def release_clock_of_the_process(settings):
    """Stories are released by the test's clock, which time-machine moves.

    On PostgreSQL a server releases them by the database's clock
    (``masthead/stories/release_clock.py``); its own tests turn that on.
    """
    settings.RELEASE_CLOCK = "process"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Slow hashing protects real accounts; tests only need it to be correct."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_collection_modifyitems(config, items):
    """Tests marked ``postgres`` say why they do not run on SQLite, visibly (-ra)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    default = "needs PostgreSQL row locks"
    for item in items:
        marker = item.get_closest_marker("postgres")
        if marker is not None:
            reason = marker.kwargs.get("reason", default)
            where = "runs in the PostgreSQL pass of .ci/run (DATABASE_URL)"
            item.add_marker(pytest.mark.skip(reason=f"{reason}; {where}"))


@pytest.fixture
def orm_beside_playwright(monkeypatch) -> Iterator[None]:
    """Lets a test read and write through the ORM in the thread Playwright's sync API
    runs its event loop in, and closes the connections it opened there.

    Django refuses the ORM where an event loop runs unless told
    (``DJANGO_ALLOW_ASYNC_UNSAFE``); the connection such a call opens is not
    the test's own, and nothing else closes it: on PostgreSQL it kept a
    session on the test database to the end of the run, whose drop then
    failed ("is being accessed by other users").
    """
    from django.db import connections

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    yield
    connections.close_all()
