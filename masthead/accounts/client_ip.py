"""The address a sign-in attempt comes from, as django-axes counts it.

Axes would use django-ipware when it is installed and ``REMOTE_ADDR``
otherwise; neither knows our ``BEHIND_PROXY`` switch, so this small function
(``AXES_CLIENT_IP_CALLABLE``) decides: ``X-Forwarded-For`` is read only behind
a proxy, and then only the entry that our own proxies wrote (``PROXY_COUNT``
from the right), since anything to its left is whatever the client sent.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest

_MAX_HEADER_LENGTH = 4096


def _valid_address(candidate: str) -> str | None:
    try:
        return str(ipaddress.ip_address(candidate.strip()))
    except ValueError:
        return None


def client_ip_address(request: HttpRequest) -> str | None:
    remote = _valid_address(request.META.get("REMOTE_ADDR", "") or "")
    if not getattr(settings, "BEHIND_PROXY", False):
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if not forwarded or len(forwarded) > _MAX_HEADER_LENGTH:
        return remote
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    if not hops:
        return remote
    count = max(1, getattr(settings, "PROXY_COUNT", 1))
    # Fewer entries than proxies means nobody prepended any: the first is the client.
    chosen = hops[-count] if len(hops) >= count else hops[0]
    return _valid_address(chosen) or remote
