"""Fixtures the site's page cache tests share."""

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections


@pytest.fixture
def live_requests():
    """Requests through a WSGI handler that keep the test's transaction, as Django's test
    client does (each request would otherwise close the connection)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
