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

The destination (``addresses.py``), checked before any connection. Only
http and https; no user name or password in the address
(``http://allowed.example@127.0.0.1/``); no backslashes (parsers disagree on
them); no odd IPv4 spellings (``2130706433``, ``0x7f.1``, ``017700000001``:
the C library reads them as 127.0.0.1); ports 80 and 443 only
(``WIRE_ALLOWED_PORTS``). The host name is resolved here, once, and **every**
address it resolves to must be public: loopback, private, link-local,
carrier-grade NAT (100.64/10), multicast, reserved, documentation,
unspecified (0.0.0.0, ::), the cloud metadata address, and IPv6 forms that
carry one of those inside (``::ffff:127.0.0.1``, NAT64 ``64:ff9b::/96``,
6to4 ``2002::/16``, IPv4-compatible ``::a.b.c.d``, Teredo) are refused. Hosts
an operator names in ``WIRE_ALLOWED_PRIVATE_HOSTS`` (exact names, compared
after IDNA encoding, so a homograph never matches) may resolve anywhere and
use any port; that is how the tests reach servers on 127.0.0.1, and a test
asserts the default settings refuse them.

The connection, pinned (``pinning.py``). Resolving, checking and then letting
httpx resolve again would let a DNS server answer "public" to the check and
"private" to the connect (rebinding, the WordPress pingback TOCTOU). So httpx
never resolves: each hop's transport sits on an httpcore network backend that
opens TCP connections only to the addresses checked for that (host, port).
The URL keeps the host name, so the ``Host`` header, TLS SNI and certificate
verification all use the name, as for any other request. ``trust_env=False``
keeps ``HTTP_PROXY`` and ``.netrc`` out of it.

Redirects, handled here (``follow_redirects=False``): at most 3 hops, each
new URL checked and pinned like the first, a fresh client per hop so cookies
and credentials are never carried from one host to another.

The body, bounded (``bodies.py``). One wall-clock deadline
(``WIRE_TOTAL_TIMEOUT``) covers the whole fetch, redirects included, and
bounds every socket read, so a server that trickles one byte a second is cut
off on time. The body is read raw and decoded with ``zlib``'s
``max_length``, counting decoded bytes against the cap while streaming. We ask
for ``gzip, deflate`` only and refuse any other content encoding.

When to retry (``retry.py``): ``parse_retry_after`` and ``backoff``.
"""

from __future__ import annotations

import functools
import re
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from urllib.parse import urljoin

import httpcore
import httpx
from django.conf import settings

from masthead.wire.fetch.addresses import (
    HOST_NAME,
    address_problem,
    is_ip_literal,
    is_odd_ipv4,
    normal_address,
    normal_host,
    resolve,
)
from masthead.wire.fetch.bodies import decoder, size_text
from masthead.wire.fetch.errors import DestinationNotAllowed, FetchError
from masthead.wire.fetch.pinning import Connector, PinnedBackend, PinnedTransport
from masthead.wire.fetch.retry import backoff, parse_retry_after

__all__ = [
    "DestinationNotAllowed",
    "FetchError",
    "Fetched",
    "Fetcher",
    "address_problem",
    "backoff",
    "fetch",
    "parse_retry_after",
    "user_agent",
]

REDIRECT_STATUSES = {301, 302, 303, 307, 308}
MAX_REDIRECTS = 3
MAX_URL_LENGTH = 4096
CHUNK = 64 * 1024
# Statuses after which retrying the same URL on a schedule will not help:
# someone has to change the source (its address, its credentials).
PERMANENT_STATUSES = {400, 401, 403, 404, 405, 406, 410, 414, 451}
BUSY_STATUSES = {429, 503}

Resolver = Callable[[str, int], list[str]]


@dataclass(frozen=True)
class Fetched:
    status: int  # 200, or 304 when a conditional GET found the copy unchanged
    body: bytes  # decoded (Content-Encoding removed); b"" for 304
    content_type: str
    etag: str
    last_modified: str
    final_url: str  # after redirects


# ------------------------------------------------------------- destinations


@dataclass(frozen=True)
class Destination:
    url: httpx.URL
    host: str  # as httpcore sees it: IDNA-encoded, no brackets
    port: int
    addresses: tuple[str, ...]  # checked; the only ones connected to


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
        self.allowed_private_hosts = {normal_host(host) for host in hosts}
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
            self._ssl = (
                _verifying_context()
                if self.verify is True
                else httpx.create_ssl_context(verify=self.verify)
            )
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
        if not is_ip_literal(host) and not HOST_NAME.match(host):
            raise DestinationNotAllowed(f"{host} is not a valid host name")
        port = parsed.port or (443 if parsed.scheme == "https" else 80)
        if not 0 < port < 65536:
            raise DestinationNotAllowed(f"{port} is not a valid port")
        is_allowed_host = normal_host(host) in self.allowed_private_hosts
        if is_odd_ipv4(host.rstrip(".")):
            raise DestinationNotAllowed(f"{host} is an unusual spelling of an IP address")
        addresses = self._addresses(host, port)
        if not is_allowed_host:
            for address in addresses:
                problem = address_problem(address)
                if problem is None:
                    continue
                if is_ip_literal(host):
                    raise DestinationNotAllowed(f"{host} is {problem}")
                raise DestinationNotAllowed(f"{host} resolves to {address}, {problem}")
        if port not in self.allowed_ports and not is_allowed_host:
            ports = " and ".join(str(p) for p in sorted(self.allowed_ports))
            raise DestinationNotAllowed(f"port {port} is not allowed (only {ports})")
        return Destination(parsed, host, port, tuple(addresses))

    def _addresses(self, host: str, port: int) -> list[str]:
        if is_ip_literal(host):
            return [normal_address(host)]
        try:
            addresses = self.resolver(host.rstrip("."), port)
        except (OSError, UnicodeError) as error:
            raise FetchError(f"could not find the server {host} ({_os_reason(error)})") from None
        if not addresses:
            raise FetchError(f"could not find the server {host} (no addresses)")
        return [normal_address(address) for address in addresses]

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
        backend = PinnedBackend(pins, self.connector, deadline, self.clock)
        transport = PinnedTransport(backend, self._ssl_context())
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
            announced = size_text(int(declared))
            raise FetchError(
                f"the response exceeded {size_text(limit)} (the server announced {announced})"
            )
        decoding = decoder(response.headers.get("content-encoding", ""), limit)
        parts: list[bytes] = []
        received = 0
        for raw in response.iter_raw(CHUNK):
            received += len(raw)
            if received > limit:
                raise FetchError(f"the response exceeded {size_text(limit)}")
            parts.append(decoding.feed(raw))
        parts.append(decoding.finish())
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


@functools.cache
def _verifying_context() -> ssl.SSLContext:
    """The default TLS context (certifi's CAs), made once per process and shared.

    Loading the CA bundle costs ~30 ms of CPU, which every poll paid when each
    fetch made its own (bench/ingest.py). An SSLContext is safe to share
    between threads and connections; this one is never changed after it is made.
    """
    return httpx.create_ssl_context(verify=True)


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


def _is_header_safe(value: str) -> bool:
    return bool(value) and len(value) <= 1024 and all(0x20 <= ord(c) < 0x7F for c in value)


def _os_reason(error: BaseException) -> str:
    if isinstance(error, socket.gaierror):
        return error.strerror or str(error)
    return str(error) or type(error).__name__
