"""Order of the demo's tests: those that load the demo themselves come first."""

from __future__ import annotations

from contextlib import contextmanager


def pytest_collection_modifyitems(items):
    """In each module, tests not using the module's shared ``loaded_once`` demo run first.

    ``test_loader.py`` loads the demo once in a transaction kept open until
    the module ends; a test that loads into an empty database must run
    before it opens. A stable sort: the order is otherwise the file's.
    """
    first = {}
    for index, item in enumerate(items):
        first.setdefault(item.nodeid.split("::")[0], index)
    items.sort(
        key=lambda item: (
            first[item.nodeid.split("::")[0]],
            "loaded_once" in getattr(item, "fixturenames", ()),
        )
    )


@contextmanager
def demo_in_a_rolled_back_transaction(django_db_blocker, media, **load):
    """The demo loaded (``load_demo(**load)``) in a transaction rolled back on leaving.

    For a module's ``loaded_once``: each test then runs in a savepoint of it.
    The settings are what the root conftest's per-test fixtures set, which a
    module's set-up runs before.
    """
    from django.conf import settings
    from django.db import transaction
    from django.test import override_settings

    from masthead.demo.loader import load_demo

    as_in_each_test = override_settings(
        MEDIA_ROOT=media,
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        TASKS={
            "default": {
                "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
                "QUEUES": settings.TASK_QUEUES,
            }
        },
    )
    with django_db_blocker.unblock(), as_in_each_test, transaction.atomic():
        yield load_demo(**load)
        transaction.set_rollback(True)
