"""The one way Masthead fetches remote bytes: wire polls, the page importer, images.

``fetch(url)`` returns a ``Fetched`` (status 200 with the body, or 304 when a
conditional GET found nothing new) or raises ``FetchError`` with a reason an
editor can read on the source's health page. ``DestinationNotAllowed`` (a
``FetchError``) is the SSRF guard saying no. ``backoff()`` says when to try a
failing source again.

Built on httpx (connection handling, HTTP/1.1 framing, TLS with certifi) and
the standard ``ipaddress`` module. httpx has no SSRF guard, so this module owns
one (RELIABILITY.md §2.3 C1), and it owns the three things httpx would
otherwise do unsafely for bytes an agency's server controls:

The destination, checked before any connection. Only http and https; no user
name or password in the address (``http://allowed.example@127.0.0.1/``); no
backslashes (parsers disagree on them); no odd IPv4 spellings (``2130706433``,
``0x7f.1``, ``017700000001``: the C library reads them as 127.0.0.1); ports 80
and 443 only (``WIRE_ALLOWED_PORTS``). The host name is resolved here, once,
and **every** address it resolves to must be public: loopback, private,
link-local, carrier-grade NAT (100.64/10), multicast, reserved, documentation,
unspecified (0.0.0.0, ::), the cloud metadata address, and IPv6 forms that
carry one of those inside (``::ffff:127.0.0.1``, NAT64 ``64:ff9b::/96``, 6to4
``2002::/16``, IPv4-compatible ``::a.b.c.d``, Teredo) are refused. The
decision is a table below, not ``ip.is_global`` alone: Python 3.11 calls
``64:ff9b::a00:1`` (NAT64 for 10.0.0.1) and ``2002:a00:1::`` global. Hosts an
operator names in ``WIRE_ALLOWED_PRIVATE_HOSTS`` (exact names, compared after
IDNA encoding, so a homograph never matches) may resolve anywhere and use any
port; that is how the tests reach servers on 127.0.0.1, and a test asserts the
default settings refuse them.

The connection, pinned. Resolving, checking and then letting httpx resolve
again would let a DNS server answer "public" to the check and "private" to the
connect (rebinding, the WordPress pingback TOCTOU). So httpx never resolves:
each hop gets its own transport whose httpcore network backend
(``_PinnedBackend``) maps the checked (host, port) to the addresses checked
and opens the TCP connection to those IP addresses only; a host it was not
given is refused. The URL keeps the host name, so the ``Host`` header, TLS SNI
and certificate verification all use the name, as for any other request. This
is httpcore's documented extension point (``network_backend``); httpx's
``HTTPTransport`` has no argument for it, so ``_PinnedTransport`` replaces its
connection pool after construction — the pinning tests fail if that stops
working. ``trust_env=False`` keeps ``HTTP_PROXY`` and ``.netrc`` out of it.

Redirects, handled here (``follow_redirects=False``): at most 3 hops, each
new URL checked and pinned like the first, a fresh client per hop so cookies
and credentials are never carried from one host to another.

The body, bounded. One wall-clock deadline (``WIRE_TOTAL_TIMEOUT``) covers
the whole fetch, redirects included, and bounds every socket read, so a server
that trickles one byte a second is cut off on time. The body is read raw and
decoded here with ``zlib``'s ``max_length``, counting decoded bytes against
the cap while streaming: httpx's own decoders inflate a whole network chunk
at once (a 64 KB gzip chunk → 64 MB; a brotli chunk → gigabytes). We ask for
``gzip, deflate`` only and refuse any other content encoding.
"""

from __future__ import annotations

import email.utils
import ipaddress
import random
import re
import socket
import ssl
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from urllib.parse import urljoin

import httpcore
import httpx
from django.conf import settings

REDIRECT_STATUSES = {301, 302, 303, 307, 308}
MAX_REDIRECTS = 3
MAX_URL_LENGTH = 4096
CHUNK = 64 * 1024
# Statuses after which retrying the same URL on a schedule will not help:
# someone has to change the source (its address, its credentials).
PERMANENT_STATUSES = {400, 401, 403, 404, 405, 406, 410, 414, 451}
BUSY_STATUSES = {429, 503}

Resolver = Callable[[str, int], list[str]]
Connector = Callable[[str, int, "float | None"], httpcore.NetworkStream]


@dataclass(frozen=True)
class Fetched:
    status: int  # 200, or 304 when a conditional GET found the copy unchanged
    body: bytes  # decoded (Content-Encoding removed); b"" for 304
    content_type: str
    etag: str
    last_modified: str
    final_url: str  # after redirects


class FetchError(Exception):
    """A fetch that failed, with a reason for the source's health page.

    ``retry_after`` is the server's ``Retry-After`` in seconds (429/503).
    ``permanent`` says retrying the same URL is unlikely to help without
    someone changing the source (refused destination, 404, 401, 410 …).
    """

    def __init__(self, reason: str, *, retry_after: float | None = None, permanent: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after
        self.permanent = permanent

    def __str__(self) -> str:
        return self.reason


class DestinationNotAllowed(FetchError):
    """The SSRF guard refused the address (before any connection to it)."""

    def __init__(self, reason: str, **kwargs):
        kwargs.setdefault("permanent", True)
        super().__init__(f"destination not allowed: {reason}", **kwargs)


# ---------------------------------------------------------------- addresses

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


_HOST_NAME = re.compile(r"^[a-z0-9_-]+(\.[a-z0-9_-]+)*\.?$", re.IGNORECASE)  # after IDNA
_NUMERIC_LABEL = re.compile(r"^(0x[0-9a-f]*|[0-9]+)$", re.IGNORECASE)


def _is_odd_ipv4(host: str) -> bool:
    """Hosts the C library would read as an IPv4 address but that are not a plain dotted quad."""
    labels = host.split(".")
    if not all(_NUMERIC_LABEL.match(label) for label in labels if label):
        return False
    try:
        ipaddress.IPv4Address(host)
    except ValueError:
        return True
    return False


# ------------------------------------------------------------- destinations


@dataclass(frozen=True)
class Destination:
    url: httpx.URL
    host: str  # as httpcore sees it: IDNA-encoded, no brackets
    port: int
    addresses: tuple[str, ...]  # checked; the only ones connected to


def resolve(host: str, port: int) -> list[str]:
    """The host's addresses from the system resolver, in its order, without repeats."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


def _setting(name: str, default):
    return getattr(settings, name, default)


class Fetcher:
    """The fetch machinery with its seams: the resolver and the connector.

    ``fetch()`` builds one with the settings of the moment; tests build one
    with a fake resolver and a connector that records each connection.
    """

    def __init__(
        self,
        *,
        resolver: Resolver = resolve,
        connector: Connector | None = None,
        allowed_private_hosts: list[str] | None = None,
        allowed_ports: list[int] | None = None,
        user_agent: str | None = None,
        connect_timeout: float | None = None,
        read_timeout: float | None = None,
        total_timeout: float | None = None,
        max_redirects: int = MAX_REDIRECTS,
        verify: object = True,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.resolver = resolver
        self.connector = connector or httpcore.SyncBackend().connect_tcp
        hosts = (
            _setting("WIRE_ALLOWED_PRIVATE_HOSTS", [])
            if allowed_private_hosts is None
            else allowed_private_hosts
        )
        self.allowed_private_hosts = {_normal_host(host) for host in hosts}
        ports = (
            _setting("WIRE_ALLOWED_PORTS", [80, 443]) if allowed_ports is None else allowed_ports
        )
        self.allowed_ports = {int(port) for port in ports}
        self.user_agent = user_agent
        self.connect_timeout = float(connect_timeout or _setting("WIRE_CONNECT_TIMEOUT", 10))
        self.read_timeout = float(read_timeout or _setting("WIRE_READ_TIMEOUT", 20))
        self.total_timeout = float(total_timeout or _setting("WIRE_TOTAL_TIMEOUT", 60))
        self.max_redirects = max_redirects
        self.verify = verify
        self.clock = clock
        self._ssl: ssl.SSLContext | None = None

    def _ssl_context(self) -> ssl.SSLContext:
        if self._ssl is None:
            self._ssl = httpx.create_ssl_context(verify=self.verify)  # certifi by default
        return self._ssl

    # -- the guard

    def destination(self, url: str | httpx.URL) -> Destination:
        """Check ``url`` and resolve its host; raise DestinationNotAllowed if refused."""
        text = str(url)
        if len(text) > MAX_URL_LENGTH:
            raise DestinationNotAllowed(f"the address is longer than {MAX_URL_LENGTH} characters")
        if "\\" in text:
            raise DestinationNotAllowed("the address contains a backslash")
        if any(ord(char) <= 0x20 or ord(char) == 0x7F for char in text):
            raise DestinationNotAllowed("the address contains spaces or control characters")
        scheme = text.split(":", 1)[0].lower() if ":" in text else ""
        if scheme not in ("http", "https"):
            shown = scheme or "none"
            raise DestinationNotAllowed(
                f"only http and https addresses can be fetched (this one is {shown})"
            )
        try:
            parsed = httpx.URL(text)
        except (httpx.InvalidURL, UnicodeError, ValueError) as error:
            raise DestinationNotAllowed(f"not a valid address ({error})") from None
        authority = re.split(r"[/?#]", text.split("//", 1)[-1], maxsplit=1)[0]
        if parsed.userinfo or "@" in authority:
            raise DestinationNotAllowed("addresses with a user name or password are not allowed")
        host = parsed.raw_host.decode("ascii")
        if not host:
            raise DestinationNotAllowed("the address has no host")
        if not _is_ip_literal(host) and not _HOST_NAME.match(host):
            raise DestinationNotAllowed(f"{host} is not a valid host name")
        port = parsed.port or (443 if parsed.scheme == "https" else 80)
        if not 0 < port < 65536:
            raise DestinationNotAllowed(f"{port} is not a valid port")
        is_allowed_host = _normal_host(host) in self.allowed_private_hosts
        if _is_odd_ipv4(host.rstrip(".")):
            raise DestinationNotAllowed(f"{host} is an unusual spelling of an IP address")
        addresses = self._addresses(host, port)
        if not is_allowed_host:
            for address in addresses:
                problem = address_problem(address)
                if problem is None:
                    continue
                if _is_ip_literal(host):
                    raise DestinationNotAllowed(f"{host} is {problem}")
                raise DestinationNotAllowed(f"{host} resolves to {address}, {problem}")
        if port not in self.allowed_ports and not is_allowed_host:
            ports = " and ".join(str(p) for p in sorted(self.allowed_ports))
            raise DestinationNotAllowed(f"port {port} is not allowed (only {ports})")
        return Destination(parsed, host, port, tuple(addresses))

    def _addresses(self, host: str, port: int) -> list[str]:
        try:
            return [str(ipaddress.ip_address(host))]
        except ValueError:
            pass
        try:
            addresses = self.resolver(host.rstrip("."), port)
        except (OSError, UnicodeError) as error:
            raise FetchError(f"could not find the server {host} ({_os_reason(error)})") from None
        if not addresses:
            raise FetchError(f"could not find the server {host} (no addresses)")
        return [_normal_address(address) for address in addresses]

    # -- the fetch

    def fetch(
        self,
        url: str,
        *,
        etag: str = "",
        last_modified: str = "",
        max_bytes: int | None = None,
        accept: str = "",
    ) -> Fetched:
        limit = int(max_bytes or _setting("WIRE_MAX_BYTES", 20 * 1024 * 1024))
        deadline = self.clock() + self.total_timeout
        headers = {
            "User-Agent": self.user_agent or user_agent(),
            "Accept": accept or "*/*",
            "Accept-Encoding": "gzip, deflate",
        }
        # Validators come from the server; send back only what is a valid header value.
        if _is_header_safe(etag):
            headers["If-None-Match"] = etag
        if _is_header_safe(last_modified):
            headers["If-Modified-Since"] = last_modified
        current: str | httpx.URL = url
        for hop in range(self.max_redirects + 1):
            destination = self.destination(current)
            outcome = self._one_hop(destination, headers, limit, deadline)
            if isinstance(outcome, Fetched) and outcome.status == 304:
                # Unchanged: keep the validators the caller holds when the 304 omits them.
                return replace(
                    outcome,
                    etag=outcome.etag or etag,
                    last_modified=outcome.last_modified or last_modified,
                )
            if isinstance(outcome, Fetched):
                return outcome
            if hop == self.max_redirects:
                raise FetchError(f"more than {self.max_redirects} redirects (last to {outcome})")
            current = outcome
        raise AssertionError("unreachable")  # pragma: no cover

    def _one_hop(self, destination: Destination, headers: dict, limit: int, deadline: float):
        """One request: a Fetched, or the next URL (str) when redirected."""
        remaining = deadline - self.clock()
        if remaining <= 0:
            raise FetchError(self._deadline_reason())
        timeout = httpx.Timeout(
            connect=min(self.connect_timeout, remaining),
            read=min(self.read_timeout, remaining),
            write=min(self.read_timeout, remaining),
            pool=min(self.connect_timeout, remaining),
        )
        pins = {(destination.host, destination.port): destination.addresses}
        backend = _PinnedBackend(pins, self.connector, deadline, self.clock)
        transport = _PinnedTransport(backend, self._ssl_context())
        client = httpx.Client(
            transport=transport,
            timeout=timeout,
            follow_redirects=False,
            trust_env=False,
        )
        try:
            with client, client.stream("GET", destination.url, headers=headers) as response:
                return self._handle(destination, response, limit)
        except httpx.HTTPError as error:
            raise self._transport_error(destination, error, deadline) from None

    def _handle(self, destination: Destination, response: httpx.Response, limit: int):
        status = response.status_code
        if status in REDIRECT_STATUSES:
            location = response.headers.get("location", "").strip()
            if not location:
                raise FetchError(f"the server redirected (HTTP {status}) without saying where")
            return urljoin(str(destination.url), location)
        if status == 304:
            return self._fetched(destination, response, 304, b"")
        if status in (200, 203):
            return self._fetched(destination, response, 200, self._read_body(response, limit))
        if status in BUSY_STATUSES:
            retry_after = parse_retry_after(response.headers.get("retry-after", ""))
            later = f", asked to retry in {retry_after:g} s" if retry_after is not None else ""
            raise FetchError(
                f"the server is busy (HTTP {status} {response.reason_phrase}{later})",
                retry_after=retry_after,
            )
        raise FetchError(
            f"the server answered HTTP {status} {response.reason_phrase}".rstrip(),
            permanent=status in PERMANENT_STATUSES,
        )

    def _fetched(self, destination, response, status: int, body: bytes) -> Fetched:
        return Fetched(
            status=status,
            body=body,
            content_type=response.headers.get("content-type", ""),
            etag=response.headers.get("etag", ""),
            last_modified=response.headers.get("last-modified", ""),
            final_url=str(destination.url),
        )

    def _read_body(self, response: httpx.Response, limit: int) -> bytes:
        declared = response.headers.get("content-length", "").strip()
        if declared.isdigit() and int(declared) > limit:
            announced = _size(int(declared))
            raise FetchError(
                f"the response exceeded {_size(limit)} (the server announced {announced})"
            )
        decoder = _decoder(response.headers.get("content-encoding", ""), limit)
        parts: list[bytes] = []
        received = 0
        for raw in response.iter_raw(CHUNK):
            received += len(raw)
            if received > limit:
                raise FetchError(f"the response exceeded {_size(limit)}")
            parts.append(decoder.feed(raw))
        parts.append(decoder.finish())
        return b"".join(parts)

    def _deadline_reason(self) -> str:
        return f"the server took more than {self.total_timeout:g} s"

    def _transport_error(self, destination, error: httpx.HTTPError, deadline: float) -> FetchError:
        host = destination.host
        if isinstance(error, httpx.TimeoutException) and self.clock() >= deadline - 0.05:
            return FetchError(self._deadline_reason())
        if isinstance(error, httpx.ConnectTimeout):
            return FetchError(f"could not connect to {host} within {self.connect_timeout:g} s")
        if isinstance(error, httpx.TimeoutException):
            return FetchError(f"the server sent nothing for {self.read_timeout:g} s")
        if isinstance(error, httpx.ConnectError):
            reason = str(error) or type(error).__name__
            if "CERTIFICATE" in reason.upper() or "SSL" in reason.upper():
                return FetchError(f"the secure connection to {host} failed ({reason})")
            return FetchError(f"could not connect to {host} ({reason})")
        if isinstance(error, httpx.RemoteProtocolError):
            return FetchError(f"the server broke off or sent broken HTTP ({error})")
        return FetchError(f"the connection to {host} failed ({error or type(error).__name__})")


def fetch(
    url: str,
    *,
    etag: str = "",
    last_modified: str = "",
    max_bytes: int | None = None,
    accept: str = "",
) -> Fetched:
    """GET ``url`` safely (see the module docstring); conditional when etag/last_modified given."""
    return Fetcher().fetch(
        url, etag=etag, last_modified=last_modified, max_bytes=max_bytes, accept=accept
    )


def user_agent() -> str:
    """WIRE_USER_AGENT, or "Masthead (Outlet Name; +SITE_URL)" naming the outlet."""
    configured = _setting("WIRE_USER_AGENT", "")
    if configured:
        return configured
    from django.db import DatabaseError

    from masthead.newsroom.models import Outlet

    try:
        outlet = Outlet.current()
        name = outlet.short_name if not _ascii(outlet.name) else outlet.name
        name = _ascii(name or outlet.name)
    except (DatabaseError, RuntimeError):  # no database (yet): still name the site
        name = ""
    site = _setting("SITE_URL", "")
    details = "; ".join(part for part in (name, f"+{site}" if site else "") if part)
    return f"Masthead ({details})" if details else "Masthead"


def _ascii(text: str) -> str:
    """Header-safe: printable ASCII without the comment's parentheses."""
    kept = "".join(char for char in text if 0x20 <= ord(char) < 0x7F and char not in "()\\")
    return " ".join(kept.split())


# ----------------------------------------------------------------- retrying


def parse_retry_after(value: str, *, now: datetime | None = None) -> float | None:
    """Seconds from a Retry-After header (delay-seconds or an HTTP-date), else None."""
    value = value.strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    seconds = (when - (now or datetime.now(UTC))).total_seconds()
    return max(0.0, seconds)


def backoff(
    failures: int,
    interval: int,
    retry_after: float | None = None,
    *,
    cap: float | None = None,
    rng: random.Random | None = None,
) -> float:
    """Seconds until the next attempt after ``failures`` failures in a row.

    Never sooner than the source's own ``interval``; each failure doubles the
    extra wait, with full jitter (a uniform draw between none and all of it)
    so many sources failing together do not come back together, up to
    ``cap`` (WIRE_MAX_BACKOFF, 6 hours by default). A server's Retry-After is
    honoured as the minimum, itself capped so a bogus date cannot silence a
    source for a year.
    """
    interval = max(1.0, float(interval))
    cap = float(cap if cap is not None else _setting("WIRE_MAX_BACKOFF", 6 * 3600))
    cap = max(cap, interval)
    failures = max(0, int(failures))
    extra = min(cap - interval, interval * (2 ** min(failures, 32) - 1))
    delay = interval + (rng or random).uniform(0, extra)
    if retry_after is not None and retry_after > 0:
        delay = max(delay, min(float(retry_after), cap))
    return min(delay, cap)


# ---------------------------------------------------------------- decoding


class _Identity:
    def feed(self, data: bytes) -> bytes:
        return data

    def finish(self) -> bytes:
        return b""


class _Inflate:
    """zlib inflate that never produces more than ``limit`` bytes in all."""

    def __init__(self, encoding: str, limit: int):
        self.encoding = encoding
        self.limit = limit
        self.produced = 0
        self.is_first = True
        # gzip: header required; deflate: zlib-wrapped per the RFC, raw from some servers.
        self.inflater = zlib.decompressobj(
            16 + zlib.MAX_WBITS if encoding == "gzip" else zlib.MAX_WBITS
        )

    def feed(self, data: bytes) -> bytes:
        is_first, self.is_first = self.is_first, not data and self.is_first
        try:
            return self._bounded(data)
        except zlib.error as error:
            if not (is_first and self.encoding == "deflate" and self.produced == 0):
                raise FetchError(f"the {self.encoding} data is corrupt ({error})") from None
        self.inflater = zlib.decompressobj(-zlib.MAX_WBITS)  # raw deflate
        return self.feed(data)

    def _bounded(self, data: bytes) -> bytes:
        out: list[bytes] = []
        pending = data
        while not self.inflater.eof:  # bytes after the end of the stream are ignored
            room = self.limit - self.produced
            chunk = self.inflater.decompress(pending, room + 1)
            self.produced += len(chunk)
            if self.produced > self.limit:
                raise FetchError(
                    f"the response exceeded {_size(self.limit)} once decompressed ({self.encoding})"
                )
            out.append(chunk)
            pending = self.inflater.unconsumed_tail
            if not pending and len(chunk) <= room:
                break  # all input taken and the output was not cut short
        return b"".join(out)

    def finish(self) -> bytes:
        tail = self.feed(b"")
        if not self.inflater.eof:
            raise FetchError(f"the response was cut off (incomplete {self.encoding} data)")
        return tail


def _decoder(content_encoding: str, limit: int):
    codings = [c.strip().lower() for c in content_encoding.split(",") if c.strip()]
    codings = [c for c in codings if c != "identity"]
    if not codings:
        return _Identity()
    if len(codings) == 1 and codings[0] in ("gzip", "x-gzip"):
        return _Inflate("gzip", limit)
    if len(codings) == 1 and codings[0] == "deflate":
        return _Inflate("deflate", limit)
    raise FetchError(f"the server sent an unsupported content encoding ({content_encoding})")


# ---------------------------------------------------------------- pinning


class _DeadlineStream(httpcore.NetworkStream):
    """A network stream whose every read and write also ends at the fetch's deadline."""

    def __init__(self, stream: httpcore.NetworkStream, deadline: float, clock):
        self._stream = stream
        self._deadline = deadline
        self._clock = clock

    def _bound(self, timeout: float | None, error: type[Exception]) -> float:
        remaining = self._deadline - self._clock()
        if remaining <= 0:
            raise error("the fetch deadline passed")
        return remaining if timeout is None else min(timeout, remaining)

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, self._bound(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, self._bound(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(self, ssl_context, server_hostname=None, timeout=None):
        bounded = self._bound(timeout, httpcore.ConnectTimeout)
        tls = self._stream.start_tls(ssl_context, server_hostname, bounded)
        return _DeadlineStream(tls, self._deadline, self._clock)

    def get_extra_info(self, info: str):
        return self._stream.get_extra_info(info)


class _PinnedBackend(httpcore.NetworkBackend):
    """Connects (host, port) only to the addresses the guard checked for it."""

    def __init__(self, pins: dict, connector: Connector, deadline: float, clock):
        self._pins = pins
        self._connector = connector
        self._deadline = deadline
        self._clock = clock

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        addresses = self._pins.get((host, port))
        if not addresses:
            raise DestinationNotAllowed(f"{host}:{port} was not checked")
        failure: Exception | None = None
        for address in addresses:
            remaining = self._deadline - self._clock()
            if remaining <= 0:
                raise httpcore.ConnectTimeout("the fetch deadline passed")
            bounded = remaining if timeout is None else min(timeout, remaining)
            try:
                stream = self._connector(address, port, bounded)
            except httpcore.ConnectTimeout:
                raise
            except (httpcore.ConnectError, OSError) as error:
                failure = error
                continue
            return _DeadlineStream(stream, self._deadline, self._clock)
        raise httpcore.ConnectError(str(failure) if failure else "no address")

    def connect_unix_socket(self, path, timeout=None, socket_options=None):
        raise DestinationNotAllowed("unix sockets are not fetched")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class _PinnedTransport(httpx.HTTPTransport):
    """httpx's transport with its connection pool on the pinned backend."""

    def __init__(self, backend: _PinnedBackend, ssl_context: ssl.SSLContext):
        super().__init__(verify=False, trust_env=False, retries=0)
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context,
            max_connections=1,
            http1=True,
            http2=False,
            network_backend=backend,
        )


# ------------------------------------------------------------------- misc


def _normal_host(host: str) -> str:
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


def _is_header_safe(value: str) -> bool:
    return bool(value) and len(value) <= 1024 and all(0x20 <= ord(c) < 0x7F for c in value)


def _is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _normal_address(address: str) -> str:
    return str(ipaddress.ip_address(address.split("%", 1)[0]))


def _os_reason(error: BaseException) -> str:
    if isinstance(error, socket.gaierror):
        return error.strerror or str(error)
    return str(error) or type(error).__name__


def _size(count: int) -> str:
    if count >= 1024 * 1024:
        return f"{count / (1024 * 1024):.3g} MB"
    if count >= 1024:
        return f"{count / 1024:.3g} KB"
    return f"{count} bytes"
