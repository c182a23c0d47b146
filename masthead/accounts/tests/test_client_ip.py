"""The address the sign-in throttle counts, with and without a proxy in front."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from masthead.accounts.client_ip import client_ip_address


def request(remote="192.0.2.1", forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().post("/account/login/", **extra)


def test_without_a_proxy_the_header_is_ignored(settings):
    settings.BEHIND_PROXY = False

    assert client_ip_address(request(forwarded="203.0.113.5")) == "192.0.2.1"


@pytest.mark.parametrize(
    ("forwarded", "count", "expected"),
    [
        ("203.0.113.5", 1, "203.0.113.5"),
        # The client prepended a fake address; our proxy appended the real one.
        ("10.0.0.1, 203.0.113.5", 1, "203.0.113.5"),
        # CDN then nginx: the CDN saw the client, nginx saw the CDN.
        ("203.0.113.5, 198.51.100.20", 2, "203.0.113.5"),
        ("spoofed, 203.0.113.5, 198.51.100.20", 2, "203.0.113.5"),
        ("203.0.113.5", 2, "203.0.113.5"),
        ("2001:db8::1", 1, "2001:db8::1"),
        ("not-an-address", 1, "192.0.2.1"),
        ("203.0.113.5\x00", 1, "192.0.2.1"),
        (" , ,", 1, "192.0.2.1"),
        ("", 1, "192.0.2.1"),
        ("1.1.1.1," * 2000, 1, "192.0.2.1"),
    ],
)
def test_behind_a_proxy_the_entry_our_proxies_wrote_counts(settings, forwarded, count, expected):
    settings.BEHIND_PROXY = True
    settings.PROXY_COUNT = count

    assert client_ip_address(request(forwarded=forwarded)) == expected


def test_a_malformed_remote_address_is_no_address(settings):
    settings.BEHIND_PROXY = False

    assert client_ip_address(request(remote="garbage")) is None
