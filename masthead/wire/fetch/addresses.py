"""Which addresses a fetch may reach: the SSRF guard's rules (RELIABILITY.md §2.3 C1).

Built on the standard ``ipaddress`` module, with the ranges spelt out in two
tables rather than trusting ``ip.is_global`` alone: Python 3.11 calls
``64:ff9b::a00:1`` (NAT64 for 10.0.0.1), ``2002:a00:1::`` (6to4 for 10.0.0.1)
and ``::7f00:1`` global. IPv6 forms that carry an IPv4 address are judged by
the address they carry.
"""

from __future__ import annotations

import ipaddress
import re
import socket

_V4_REFUSED = [
    ("169.254.169.254/32", "the cloud metadata address"),
    ("0.0.0.0/8", "an unspecified address"),
    ("10.0.0.0/8", "a private address"),
    ("100.64.0.0/10", "a shared (carrier-grade NAT) address"),
    ("127.0.0.0/8", "a loopback address"),
    ("169.254.0.0/16", "a link-local address"),
    ("172.16.0.0/12", "a private address"),
    ("192.0.0.0/24", "a reserved address"),
    ("192.0.2.0/24", "a documentation address"),
    ("192.88.99.0/24", "a reserved address"),
    ("192.168.0.0/16", "a private address"),
    ("198.18.0.0/15", "a reserved (benchmarking) address"),
    ("198.51.100.0/24", "a documentation address"),
    ("203.0.113.0/24", "a documentation address"),
    ("224.0.0.0/4", "a multicast address"),
    ("240.0.0.0/4", "a reserved address"),
]
_V6_REFUSED = [
    ("::/128", "an unspecified address"),
    ("::1/128", "a loopback address"),
    ("::/96", "an IPv4-compatible address"),
    ("64:ff9b:1::/48", "a local NAT64 address"),
    ("100::/64", "a discard address"),
    ("2001::/32", "a Teredo tunnel address"),
    ("2001:db8::/32", "a documentation address"),
    ("3fff::/20", "a documentation address"),
    ("5f00::/16", "a reserved address"),
    ("fc00::/7", "a private (unique local) address"),
    ("fe80::/10", "a link-local address"),
    ("fec0::/10", "a site-local address"),
    ("ff00::/8", "a multicast address"),
]
_V4_TABLE = [(ipaddress.ip_network(net), why) for net, why in _V4_REFUSED]
_V6_TABLE = [(ipaddress.ip_network(net), why) for net, why in _V6_REFUSED]
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_SIX_TO_FOUR = ipaddress.ip_network("2002::/16")


def address_problem(address: str) -> str | None:
    """Why ``address`` (an IP address) must not be reached, or None if it is public.

    >>> address_problem("10.0.0.1")
    'a private address'
    >>> address_problem("::ffff:127.0.0.1")
    'an IPv4-mapped form of 127.0.0.1, a loopback address'
    """
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        embedded, form = _embedded_ipv4(ip)
        if embedded is not None:
            inner = address_problem(str(embedded))
            return f"{form} of {embedded}, {inner}" if inner else None
        table = _V6_TABLE
    else:
        table = _V4_TABLE
    for network, why in table:
        if ip in network:
            return why
    if not ip.is_global:
        return "a non-public address"
    return None


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> tuple[ipaddress.IPv4Address | None, str]:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped, "an IPv4-mapped form"
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF), "a NAT64 form"
    if ip in _SIX_TO_FOUR:
        return ip.sixtofour, "a 6to4 form"
    return None, ""


HOST_NAME = re.compile(r"^[a-z0-9_-]+(\.[a-z0-9_-]+)*\.?$", re.IGNORECASE)  # after IDNA
_NUMERIC_LABEL = re.compile(r"^(0x[0-9a-f]*|[0-9]+)$", re.IGNORECASE)


def is_odd_ipv4(host: str) -> bool:
    """Hosts the C library would read as an IPv4 address but that are not a plain dotted quad."""
    labels = host.split(".")
    if not all(_NUMERIC_LABEL.match(label) for label in labels if label):
        return False
    try:
        ipaddress.IPv4Address(host)
    except ValueError:
        return True
    return False


def resolve(host: str, port: int) -> list[str]:
    """The host's addresses from the system resolver, in its order, without repeats."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


def normal_host(host: str) -> str:
    host = host.strip().lower().rstrip(".")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


def is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def normal_address(address: str) -> str:
    return str(ipaddress.ip_address(address.split("%", 1)[0]))
