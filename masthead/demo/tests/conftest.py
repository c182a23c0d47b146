"""Order of the demo's tests: those that load the demo themselves come first."""

from __future__ import annotations


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
