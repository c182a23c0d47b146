"""The wire desk's people, desks and sources (wire/tests/conftest.py), for the wire link."""

from masthead.wire.tests.conftest import (  # noqa: F401
    desk,
    no_second_factor,
    other_desk,
    other_source,
    people,
    source,
)
