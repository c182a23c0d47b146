"""masthead/wire/fetch.py: the SSRF guard, pinning, redirects, bounded bodies, retry timing.

Two levels (RELIABILITY.md §2.3 C1). Unit: a ``Fetcher`` with a fake resolver
and a connector that records every connection attempt; "public" addresses
are routed to real servers on 127.0.0.1, so whole redirect chains run over
real HTTP while the guard sees the addresses it would see on the internet.
Integration: the real ``fetch()`` against misbehaving servers on 127.0.0.1,
reachable only because the tests name 127.0.0.1 in WIRE_ALLOWED_PRIVATE_HOSTS
(and one test shows the default settings refuse them).
"""

from __future__ import annotations

import contextlib
import gzip
import random
import re
import shutil
import socket
import ssl
import subprocess
import threading
import time
import tracemalloc
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpcore
import pytest
from django.test import override_settings

from masthead.factories import make_outlet
from masthead.wire.fetch import (
    DestinationNotAllowed,
    Fetcher,
    FetchError,
    address_problem,
    backoff,
    fetch,
    parse_retry_after,
)

# ------------------------------------------------------------ test servers


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]


@dataclass
class Server:
    """An HTTP server on 127.0.0.1 whose every answer is written by ``handler(request, conn)``.

    One request per connection; it counts connections and keeps each request.
    """

    handler: object
    requests: list[Request] = field(default_factory=list)
    connections: int = 0

    def __post_init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def _accept(self):
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket):
        with conn:
            head = b""
            while b"\r\n\r\n" not in head and len(head) < 65536:
                data = conn.recv(4096)
                if not data:
                    return
                head += data
            lines = head.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
            method, path, _ = lines[0].split(" ", 2)
            headers = {}
            for line in lines[1:]:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            request = Request(method, path, headers)
            self.requests.append(request)
            with contextlib.suppress(OSError):  # the client hung up: often the point
                self.handler(request, conn)

    def close(self):
        self.listener.close()


def respond(conn, status=200, headers=(), body=b"", *, length=True):
    reason = {200: "OK", 302: "Found", 304: "Not Modified"}.get(status, "Status")
    lines = [f"HTTP/1.1 {status} {reason}", "Connection: close", *headers]
    if length:
        lines.append(f"Content-Length: {len(body)}")
    conn.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)


@pytest.fixture
def serve():
    servers = []

    def start(handler):
        server = Server(handler)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


def ok(body=b"<rss/>", *headers):
    return lambda request, conn: respond(conn, 200, headers, body)


# ------------------------------------------------------- a fake internet

PUBLIC = "93.184.216.34"
OTHER_PUBLIC = "93.184.216.35"


class FakeNet:
    """A resolver and a recording connector: names → addresses → loopback servers."""

    def __init__(self, dns: dict, routes: dict | None = None):
        self.dns = dns  # name → list of addresses, or a callable answering each lookup
        self.routes = routes or {}  # address → a loopback Server standing in for it
        self.lookups: list[str] = []
        self.connects: list[tuple[str, int]] = []

    def resolve(self, host: str, port: int) -> list[str]:
        self.lookups.append(host)
        answer = self.dns.get(host)
        if answer is None:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return answer() if callable(answer) else list(answer)

    def connect(self, address: str, port: int, timeout):
        self.connects.append((address, port))
        server = self.routes.get(address)
        if server is None:
            raise OSError(f"{address} is unreachable from the test network")
        return httpcore.SyncBackend().connect_tcp("127.0.0.1", server.port, timeout)

    def fetcher(self, **options) -> Fetcher:
        options.setdefault("allowed_private_hosts", [])
        options.setdefault("user_agent", "Masthead (test)")
        return Fetcher(resolver=self.resolve, connector=self.connect, **options)


DNS = {
    "news.example": [PUBLIC],
    "other.example": [OTHER_PUBLIC],
    "allowed.example": [PUBLIC],
    "internal.example": ["10.1.2.3"],
    "metadata.example": ["169.254.169.254"],
    "mixed.example": [PUBLIC, "127.0.0.1"],
    "v6private.example": ["fd00::1"],
    "mapped.example": ["::ffff:10.0.0.1"],
    "xn--llowed-2nf.example": ["10.0.0.5"],  # аllowed.example, Cyrillic а
    "localhost": ["127.0.0.1", "::1"],
}

C1_URLS = [
    ("file:///etc/passwd", "only http and https"),
    ("gopher://news.example/", "only http and https"),
    ("ftp://news.example/", "only http and https"),
    ("dict://news.example:11211/", "only http and https"),
    ("http://127.0.0.1:6379/", "127.0.0.1 is a loopback address"),
    ("http://[::1]/", "::1 is a loopback address"),
    ("http://0.0.0.0/", "0.0.0.0 is an unspecified address"),
    ("http://[::]/", ":: is an unspecified address"),
    ("http://169.254.169.254/latest/meta-data/", "the cloud metadata address"),
    ("http://10.0.0.1/", "10.0.0.1 is a private address"),
    ("http://172.16.5.4/", "a private address"),
    ("http://192.168.1.1/", "a private address"),
    ("http://100.64.0.1/", "carrier-grade NAT"),
    ("http://224.0.0.1/", "a multicast address"),
    ("http://255.255.255.255/", "a reserved address"),
    ("http://2130706433/", "unusual spelling of an IP address"),
    ("http://0x7f.1/", "unusual spelling of an IP address"),
    ("http://017700000001/", "unusual spelling of an IP address"),
    ("http://127.1/", "unusual spelling of an IP address"),
    ("http://0177.0.0.1/", "not a valid address"),  # httpx itself refuses this one
    ("http://[::ffff:127.0.0.1]/", "IPv4-mapped form of 127.0.0.1, a loopback address"),
    ("http://[64:ff9b::a00:1]/", "NAT64 form of 10.0.0.1, a private address"),
    ("http://[2002:a00:1::]/", "6to4 form of 10.0.0.1, a private address"),
    ("http://[::7f00:1]/", "IPv4-compatible"),
    ("http://[fe80::1]/", "link-local"),
    ("http://[fd00:ec2::254]/", "unique local"),
    ("http://allowed.example@127.0.0.1/", "user name or password"),
    ("http://user:pass@news.example/", "user name or password"),
    ("http://127.0.0.1\\@allowed.example/", "backslash"),
    ("http://news.example\\.internal.example/", "backslash"),
    ("http://news.example:8080/", "port 8080 is not allowed"),
    ("http://news.example:6379/", "port 6379 is not allowed"),
    ("https://news.example:22/", "port 22 is not allowed"),
    ("http://internal.example/", "internal.example resolves to 10.1.2.3, a private address"),
    ("http://metadata.example/", "the cloud metadata address"),
    ("http://mixed.example/", "mixed.example resolves to 127.0.0.1, a loopback address"),
    ("http://v6private.example/", "unique local"),
    ("http://mapped.example/", "IPv4-mapped form of 10.0.0.1"),
    ("http://localhost/", "localhost resolves to 127.0.0.1, a loopback address"),
    ("http://LOCALHOST./", "resolves to 127.0.0.1, a loopback address"),
    ("http://аllowed.example/", "resolves to 10.0.0.5, a private address"),  # homograph
    ("http://news.example /", "spaces or control characters"),
    ("http://news.example/\nHost: x", "spaces or control characters"),
    ("news.example/feed", "only http and https"),
    ("//news.example/feed", "only http and https"),
    ("javascript:alert(1)", "only http and https"),
    ("http://%31%32%37.0.0.1/", "not a valid host name"),
    ("http://127。0。0。1/", "127.0.0.1 is a loopback address"),  # ideographic full stops
    ("http://[fe80::1%25eth0]/", "link-local"),
    ("http://news.example:99999/", "99999 is not a valid port"),
    ("http:///127.0.0.1/", "no host"),
]


@pytest.mark.parametrize(("url", "reason"), C1_URLS)
def test_guard_refuses_before_any_connection(url, reason):
    net = FakeNet(DNS)
    fetcher = net.fetcher(allowed_private_hosts=["allowed.example"])
    with pytest.raises(DestinationNotAllowed) as refused:
        fetcher.fetch(url)
    assert reason in refused.value.reason
    assert refused.value.reason.startswith("destination not allowed: ")
    assert refused.value.permanent
    assert net.connects == []


def test_public_host_is_fetched_over_the_pinned_address_with_its_own_name(serve):
    server = serve(ok(b"feed"))
    net = FakeNet(DNS, {PUBLIC: server})
    fetched = net.fetcher().fetch("http://news.example/feed.xml")
    assert fetched.status == 200
    assert fetched.body == b"feed"
    assert fetched.final_url == "http://news.example/feed.xml"
    assert net.connects == [(PUBLIC, 80)]
    assert server.requests[0].headers["host"] == "news.example"
    assert server.requests[0].path == "/feed.xml"


def test_the_resolver_is_asked_once_and_its_answer_is_pinned(serve):
    """DNS rebinding: public for the check, private for the connect — never asked twice."""
    answers = iter([[PUBLIC], ["127.0.0.1"], ["127.0.0.1"]])
    server = serve(ok(b"public copy"))
    net = FakeNet({"rebind.example": lambda: next(answers)}, {PUBLIC: server})
    fetched = net.fetcher().fetch("http://rebind.example/")
    assert fetched.body == b"public copy"
    assert net.lookups == ["rebind.example"]
    assert net.connects == [(PUBLIC, 80)]


def test_every_redirect_hop_is_resolved_and_checked_again(serve):
    """The same rebinding host, redirecting to itself: the second hop sees the private answer."""
    answers = iter([[PUBLIC], ["127.0.0.1"]])
    server = serve(lambda r, conn: respond(conn, 302, ["Location: /next"]))
    net = FakeNet({"rebind.example": lambda: next(answers)}, {PUBLIC: server})
    with pytest.raises(
        DestinationNotAllowed, match=re.escape("resolves to 127.0.0.1, a loopback address")
    ):
        net.fetcher().fetch("http://rebind.example/")
    assert net.lookups == ["rebind.example", "rebind.example"]
    assert net.connects == [(PUBLIC, 80)]


@pytest.mark.parametrize(
    "location",
    [
        "http://internal.example/feed",
        "http://127.0.0.1:6379/",
        "http://[::1]/",
        "http://169.254.169.254/latest/meta-data/",
        "http://0x7f.1/",
        "file:///etc/passwd",
        "gopher://127.0.0.1:25/",
        "http://allowed.example@10.0.0.1/",
    ],
)
def test_a_public_to_private_redirect_chain_is_refused(serve, location):
    first = serve(lambda r, conn: respond(conn, 302, [f"Location: {location}"]))
    net = FakeNet(DNS, {PUBLIC: first})
    with pytest.raises(DestinationNotAllowed):
        net.fetcher().fetch("http://news.example/")
    assert net.connects == [(PUBLIC, 80)]


def test_redirects_stop_after_three_hops(serve):
    hops = {"n": 0}

    def endless(request, conn):
        hops["n"] += 1
        respond(conn, 302, [f"Location: http://other.example/hop{hops['n']}"])

    server = serve(endless)
    net = FakeNet(DNS, {PUBLIC: server, OTHER_PUBLIC: server})
    with pytest.raises(FetchError, match="more than 3 redirects"):
        net.fetcher().fetch("http://news.example/")
    assert len(server.requests) == 4  # the first request and three redirects followed


def test_three_redirects_are_followed(serve):
    def chain(request, conn):
        step = int(request.path.strip("/") or 0)
        if step < 3:
            respond(conn, 301, [f"Location: /{step + 1}"])
        else:
            respond(conn, 200, [], b"arrived")

    net = FakeNet(DNS, {PUBLIC: serve(chain)})
    fetched = net.fetcher().fetch("http://news.example/")
    assert fetched.body == b"arrived"
    assert fetched.final_url == "http://news.example/3"


def test_no_cookie_or_credential_crosses_to_another_host(serve):
    second = serve(ok(b"second"))
    first = serve(
        lambda r, conn: respond(
            conn, 302, ["Set-Cookie: session=secret; Path=/", "Location: http://other.example/x"]
        )
    )
    net = FakeNet(DNS, {PUBLIC: first, OTHER_PUBLIC: second})
    assert net.fetcher().fetch("http://news.example/").body == b"second"
    headers = second.requests[0].headers
    assert "cookie" not in headers
    assert "authorization" not in headers
    assert headers["host"] == "other.example"


def test_an_allow_listed_host_may_be_private_but_only_by_its_exact_name(serve):
    server = serve(ok(b"internal feed"))
    net = FakeNet({"wire.internal": ["10.9.9.9"], "wire.internal.evil": ["10.9.9.9"]})
    net.routes["10.9.9.9"] = server
    fetcher = net.fetcher(allowed_private_hosts=["Wire.Internal"])
    assert fetcher.fetch("http://wire.internal:8080/").body == b"internal feed"
    with pytest.raises(DestinationNotAllowed):
        fetcher.fetch("http://wire.internal.evil/")
    assert net.connects == [("10.9.9.9", 8080)]


def test_an_unknown_host_is_a_readable_error():
    with pytest.raises(FetchError, match=re.escape("could not find the server nowhere.example")):
        FakeNet(DNS).fetcher().fetch("http://nowhere.example/")


def test_an_unreachable_address_is_a_readable_error():
    net = FakeNet(DNS)
    with pytest.raises(FetchError, match=re.escape("could not connect to news.example")) as failed:
        net.fetcher().fetch("http://news.example/")
    assert not isinstance(failed.value, DestinationNotAllowed)
    assert net.connects == [(PUBLIC, 80)]


# ----------------------------------------------------------- TLS and SNI


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("the openssl command makes the test certificate; it is not installed")
    folder = tmp_path_factory.mktemp("tls")
    key, cert = folder / "key.pem", folder / "cert.pem"
    subprocess.run(
        [
            openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-keyout", str(key), "-out", str(cert), "-subj", "/CN=news.example",
            "-addext", "subjectAltName=DNS:news.example",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return key, cert


def tls_server(serve, certificate, body):
    key, cert = certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    names = []
    context.sni_callback = lambda sock, name, ctx: names.append(name)

    def handler(request, conn):
        respond(conn, 200, [], body)

    server = serve(handler)
    plain = server._serve

    def serve_tls(conn):
        try:
            wrapped = context.wrap_socket(conn, server_side=True)
        except (ssl.SSLError, OSError):
            conn.close()
            return
        plain(wrapped)

    server._serve = serve_tls
    return server, names


def test_tls_uses_the_name_for_sni_and_the_certificate_while_connecting_to_the_pinned_ip(
    serve, certificate
):
    server, names = tls_server(serve, certificate, b"secure feed")
    net = FakeNet(DNS, {PUBLIC: server, OTHER_PUBLIC: server})
    trusted = ssl.create_default_context(cafile=str(certificate[1]))
    fetched = net.fetcher(verify=trusted).fetch("https://news.example/")
    assert fetched.body == b"secure feed"
    assert names == ["news.example"]
    assert net.connects == [(PUBLIC, 443)]
    # The same server under another name fails the certificate check.
    with pytest.raises(FetchError, match=re.escape("secure connection to other.example failed")):
        net.fetcher(verify=trusted).fetch("https://other.example/")


def test_fetches_share_one_verifying_tls_context_and_a_custom_one_is_kept_apart(certificate):
    # Loading the CA bundle costs ~30 ms of CPU: once per process, not once per poll.
    first, second = Fetcher()._ssl_context(), Fetcher()._ssl_context()
    assert first is second
    assert first.verify_mode == ssl.CERT_REQUIRED and first.check_hostname
    trusted = ssl.create_default_context(cafile=str(certificate[1]))
    assert Fetcher(verify=trusted)._ssl_context() is trusted
    assert Fetcher(verify=False)._ssl_context() is not first


# -------------------------------------------------- addresses, unit level

ADDRESSES = [
    ("8.8.8.8", None),
    ("93.184.216.34", None),
    ("2606:4700:4700::1111", None),
    ("64:ff9b::808:808", None),  # NAT64 for a public address is fine
    ("127.0.0.2", "a loopback address"),
    ("10.255.255.255", "a private address"),
    ("172.31.0.1", "a private address"),
    ("192.168.0.1", "a private address"),
    ("100.127.255.255", "a shared (carrier-grade NAT) address"),
    ("169.254.0.7", "a link-local address"),
    ("169.254.169.254", "the cloud metadata address"),
    ("0.0.0.0", "an unspecified address"),  # noqa: S104 (an address to refuse)
    ("192.0.0.8", "a reserved address"),
    ("198.18.0.1", "a reserved (benchmarking) address"),
    ("239.255.255.250", "a multicast address"),
    ("::", "an unspecified address"),
    ("::1", "a loopback address"),
    ("fe80::1%eth0", "a link-local address"),
    ("fd00:ec2::254", "a private (unique local) address"),
    ("ff02::1", "a multicast address"),
    ("2001:db8::1", "a documentation address"),
    ("2001:0:4136:e378:8000:63bf:3fff:fdd2", "a Teredo tunnel address"),
    ("64:ff9b:1::a00:1", "a local NAT64 address"),
    (
        "::ffff:169.254.169.254",
        "an IPv4-mapped form of 169.254.169.254, the cloud metadata address",
    ),
    ("64:ff9b::7f00:1", "a NAT64 form of 127.0.0.1, a loopback address"),
    ("2002:7f00:1::", "a 6to4 form of 127.0.0.1, a loopback address"),
]


@pytest.mark.parametrize(("address", "problem"), ADDRESSES)
def test_address_problem(address, problem):
    assert address_problem(address) == problem


# ------------------------------------------------ integration: real fetch()

LOOPBACK = override_settings(
    WIRE_ALLOWED_PRIVATE_HOSTS=["127.0.0.1"],
    WIRE_USER_AGENT="Masthead (test)",
    WIRE_CONNECT_TIMEOUT=2,
    WIRE_READ_TIMEOUT=2,
    WIRE_TOTAL_TIMEOUT=5,
)


def test_default_settings_refuse_loopback(serve, settings):
    assert settings.WIRE_ALLOWED_PRIVATE_HOSTS == []
    server = serve(ok())
    with pytest.raises(DestinationNotAllowed, match=re.escape("127.0.0.1 is a loopback address")):
        fetch(server.url("/feed.xml"))
    time.sleep(0.05)
    assert server.connections == 0


@LOOPBACK
def test_a_plain_fetch(serve):
    server = serve(
        ok(
            b"<rss/>",
            "Content-Type: application/rss+xml; charset=utf-8",
            'ETag: "v1"',
            "Last-Modified: Tue, 03 Mar 2026 10:00:00 GMT",
        )
    )
    fetched = fetch(server.url("/feed.xml"), accept="application/rss+xml")
    assert (fetched.status, fetched.body) == (200, b"<rss/>")
    assert fetched.content_type == "application/rss+xml; charset=utf-8"
    assert fetched.etag == '"v1"'
    assert fetched.last_modified == "Tue, 03 Mar 2026 10:00:00 GMT"
    sent = server.requests[0].headers
    assert sent["accept"] == "application/rss+xml"
    assert sent["accept-encoding"] == "gzip, deflate"
    assert sent["user-agent"] == "Masthead (test)"
    assert "if-none-match" not in sent


@LOOPBACK
def test_conditional_get_returns_304_with_the_validators(serve):
    def conditional(request, conn):
        if request.headers.get("if-none-match") == '"v1"' or request.headers.get(
            "if-modified-since"
        ) == ("Tue, 03 Mar 2026 10:00:00 GMT"):
            respond(conn, 304, [], length=False)
        else:
            respond(conn, 200, ['ETag: "v1"'], b"<rss/>")

    server = serve(conditional)
    by_etag = fetch(server.url(), etag='"v1"')
    assert (by_etag.status, by_etag.body, by_etag.etag) == (304, b"", '"v1"')
    by_date = fetch(server.url(), last_modified="Tue, 03 Mar 2026 10:00:00 GMT")
    assert by_date.status == 304
    assert by_date.last_modified == "Tue, 03 Mar 2026 10:00:00 GMT"
    assert fetch(server.url(), etag='"v0"').status == 200


@LOOPBACK
def test_validators_that_are_not_valid_header_values_are_not_sent_back(serve):
    server = serve(ok())
    assert fetch(server.url(), etag='"é"', last_modified="Tue,\r\nX-Injected: 1").status == 200
    sent = server.requests[0].headers
    assert "if-none-match" not in sent
    assert "if-modified-since" not in sent
    assert "x-injected" not in sent


@LOOPBACK
def test_endless_response_headers_are_an_error(serve):
    def flood(request, conn):
        conn.sendall(b"HTTP/1.1 200 OK\r\n")
        for number in range(100_000):
            conn.sendall(b"X-Filler-%d: %s\r\n" % (number, b"y" * 100))

    with pytest.raises(FetchError, match="broke off or sent broken HTTP"):
        fetch(serve(flood).url())


@LOOPBACK
def test_429_and_503_carry_retry_after(serve):
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=300), usegmt=True)

    def busy(request, conn):
        if request.path == "/seconds":
            respond(conn, 429, ["Retry-After: 120"], b"slow down")
        else:
            respond(conn, 503, [f"Retry-After: {later}"], b"maintenance")

    server = serve(busy)
    with pytest.raises(FetchError) as by_seconds:
        fetch(server.url("/seconds"))
    assert by_seconds.value.retry_after == 120
    assert not by_seconds.value.permanent
    assert "busy (HTTP 429" in by_seconds.value.reason
    with pytest.raises(FetchError) as by_date:
        fetch(server.url("/date"))
    assert 290 <= by_date.value.retry_after <= 301


@LOOPBACK
@pytest.mark.parametrize(
    ("status", "permanent"), [(404, True), (410, True), (401, True), (500, False), (502, False)]
)
def test_error_statuses(serve, status, permanent):
    server = serve(lambda r, conn: respond(conn, status, [], b"no"))
    with pytest.raises(FetchError, match=f"HTTP {status}") as failed:
        fetch(server.url())
    assert failed.value.permanent is permanent


def streaming(total: int, *, content_length: int | None = None, chunk: int = 65536):
    """A handler that sends ``total`` bytes, announcing ``content_length`` (or nothing)."""

    def handler(request, conn):
        headers = [] if content_length is None else [f"Content-Length: {content_length}"]
        respond(conn, 200, headers, b"", length=False)
        sent = 0
        block = b"x" * chunk
        while sent < total:
            conn.sendall(block)
            sent += len(block)

    return handler


@LOOPBACK
@override_settings(WIRE_MAX_BYTES=1024 * 1024)
def test_a_body_over_the_cap_without_content_length_is_cut_off_while_streaming(serve):
    server = serve(streaming(200 * 1024 * 1024))
    started = time.monotonic()
    with pytest.raises(FetchError, match="the response exceeded 1 MB"):
        fetch(server.url())
    assert time.monotonic() - started < 3  # 200 MB were never read


@LOOPBACK
def test_an_announced_size_over_the_cap_is_refused_before_reading(serve):
    server = serve(streaming(10 * 1024 * 1024, content_length=10 * 1024 * 1024))
    with pytest.raises(FetchError, match=r"exceeded 1 MB \(the server announced 10 MB\)"):
        fetch(server.url(), max_bytes=1024 * 1024)


@LOOPBACK
def test_a_content_length_that_understates_the_body_reads_only_what_it_announced(serve):
    server = serve(streaming(5 * 1024 * 1024, content_length=10))
    assert fetch(server.url(), max_bytes=1024 * 1024).body == b"x" * 10


def gzip_bomb(decompressed: int) -> bytes:
    """gzip of ``decompressed`` zero bytes, compressed at the highest ratio deflate has."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(1024 * 1024)
    parts = [compressor.compress(block) for _ in range(decompressed // len(block))]
    parts.append(compressor.flush())
    return b"".join(parts)


def huge_gzip_bomb(gigabytes: int) -> bytes:
    """A gzip stream of ``gigabytes`` GB of zeros, about 1 MB a GB, built in milliseconds.

    After a full flush deflate forgets its history, so one flushed megabyte of
    zeros can be repeated as often as we like. The trailer (CRC and length) is
    left off: fetch must refuse long before it.
    """
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    megabyte = compressor.compress(bytes(1024 * 1024)) + compressor.flush(zlib.Z_FULL_FLUSH)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
    return header + megabyte * (gigabytes * 1024)


@pytest.fixture(scope="module")
def bomb():
    return huge_gzip_bomb(10)  # about 10 MB on the wire → 10 GB


@LOOPBACK
def test_a_gzip_bomb_is_refused_in_bounded_memory(serve, bomb):
    sample = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(bomb[:100_000], 200_000_000)
    assert len(sample) > 90 * 1024 * 1024 and not sample.strip(b"\0")  # a real bomb
    del sample
    server = serve(ok(bomb, "Content-Encoding: gzip"))
    tracemalloc.start()
    started = time.monotonic()
    try:
        with pytest.raises(FetchError, match="exceeded 20 MB once decompressed"):
            fetch(server.url())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 60 * 1024 * 1024
    assert time.monotonic() - started < 5


@LOOPBACK
def test_a_small_gzip_bomb_is_refused_against_a_small_cap(serve):
    small = gzip_bomb(10 * 1024 * 1024)  # ~10 KB → 10 MB
    assert len(small) < 20 * 1024
    server = serve(ok(small, "Content-Encoding: gzip"))
    with pytest.raises(FetchError, match="exceeded 1 MB once decompressed"):
        fetch(server.url(), max_bytes=1024 * 1024)


@LOOPBACK
@pytest.mark.parametrize(
    ("encoding", "encode"),
    [
        ("gzip", gzip.compress),
        ("x-gzip", gzip.compress),
        ("deflate", zlib.compress),  # zlib-wrapped, as the RFC says
        ("deflate", lambda data: zlib.compress(data, wbits=-zlib.MAX_WBITS)),  # raw, as some send
        ("identity", lambda data: data),
    ],
)
def test_compressed_bodies_are_decoded(serve, encoding, encode):
    body = "<rss>خبر</rss>".encode() * 1000
    server = serve(ok(encode(body), f"Content-Encoding: {encoding}"))
    assert fetch(server.url()).body == body


@LOOPBACK
@pytest.mark.parametrize("encoding", ["br", "zstd", "gzip, gzip", "compress"])
def test_other_content_encodings_are_refused(serve, encoding):
    server = serve(ok(b"\x00" * 100, f"Content-Encoding: {encoding}"))
    with pytest.raises(FetchError, match="unsupported content encoding"):
        fetch(server.url())


@LOOPBACK
def test_truncated_and_corrupt_gzip_are_errors_not_silent_truncation(serve):
    whole = gzip.compress(b"<rss>" + b"item " * 10000 + b"</rss>")
    cut = serve(ok(whole[: len(whole) // 2], "Content-Encoding: gzip"))
    with pytest.raises(FetchError, match="cut off"):
        fetch(cut.url())
    corrupt = serve(ok(b"this is not gzip at all", "Content-Encoding: gzip"))
    with pytest.raises(FetchError, match="gzip data is corrupt"):
        fetch(corrupt.url())


@LOOPBACK
def test_a_trickling_server_is_cut_off_at_the_deadline(serve):
    def trickle(request, conn):
        respond(conn, 200, [], b"", length=False)
        for _ in range(100):
            conn.sendall(b"x")
            time.sleep(0.25)  # under the 2 s read timeout, forever

    server = serve(trickle)
    started = time.monotonic()
    with pytest.raises(FetchError, match="the server took more than 5 s"):
        fetch(server.url())
    assert 4.5 <= time.monotonic() - started < 6.5


@LOOPBACK
def test_a_silent_server_hits_the_read_timeout(serve):
    server = serve(lambda request, conn: time.sleep(4))
    started = time.monotonic()
    with pytest.raises(FetchError, match="the server sent nothing for 2 s"):
        fetch(server.url())
    assert time.monotonic() - started < 3.5


@LOOPBACK
def test_a_body_cut_short_is_an_error(serve):
    server = serve(
        lambda r, conn: conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc")
    )
    with pytest.raises(FetchError, match="broke off"):
        fetch(server.url())


@LOOPBACK
def test_a_closed_port_is_a_readable_error():
    closed = socket.create_server(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    with pytest.raises(FetchError, match=re.escape("could not connect to 127.0.0.1")):
        fetch(f"http://127.0.0.1:{port}/")


@LOOPBACK
def test_endless_redirects_on_loopback(serve):
    server = serve(lambda r, conn: respond(conn, 302, [f"Location: {r.path}x"]))
    with pytest.raises(FetchError, match="more than 3 redirects"):
        fetch(server.url("/r"))
    assert [r.path for r in server.requests] == ["/r", "/rx", "/rxx", "/rxxx"]


@LOOPBACK
@pytest.mark.parametrize(
    ("location", "reason"),
    [
        ("http://localhost:{port}/", "localhost resolves to"),  # not the allowed name
        ("http://10.0.0.1/", "10.0.0.1 is a private address"),
        ("http://[::1]:{port}/", "::1 is a loopback address"),
        ("http://169.254.169.254/latest/meta-data/", "the cloud metadata address"),
    ],
)
def test_a_redirect_from_an_allowed_host_to_a_private_one_is_refused(serve, location, reason):
    target = serve(ok(b"private"))
    server = serve(
        lambda r, conn: respond(conn, 302, [f"Location: {location.format(port=target.port)}"])
    )
    with pytest.raises(DestinationNotAllowed, match=reason):
        fetch(server.url())
    assert target.connections == 0


@pytest.mark.django_db
@override_settings(
    WIRE_ALLOWED_PRIVATE_HOSTS=["127.0.0.1"], WIRE_USER_AGENT="", SITE_URL="https://tt.example"
)
def test_the_user_agent_names_the_outlet(serve):
    make_outlet(name="Tehran Times")
    server = serve(ok())
    fetch(server.url())
    assert (
        server.requests[0].headers["user-agent"] == "Masthead (Tehran Times; +https://tt.example)"
    )


@pytest.mark.django_db
@override_settings(
    WIRE_ALLOWED_PRIVATE_HOSTS=["127.0.0.1"], WIRE_USER_AGENT="", SITE_URL="https://ir.example"
)
def test_a_user_agent_for_an_outlet_named_in_persian_stays_ascii(serve):
    make_outlet(name="خبرگزاری", short_name="")
    server = serve(ok())
    fetch(server.url())
    assert server.requests[0].headers["user-agent"] == "Masthead (+https://ir.example)"


# --------------------------------------------------------------- retrying


def test_parse_retry_after():
    now = datetime(2026, 3, 3, 10, 0, tzinfo=UTC)
    assert parse_retry_after("120") == 120
    assert parse_retry_after(" 0 ") == 0
    assert parse_retry_after("Tue, 03 Mar 2026 10:05:00 GMT", now=now) == 300
    assert parse_retry_after("Tue, 03 Mar 2026 09:00:00 GMT", now=now) == 0  # past: now
    for junk in ("", "soon", "-5", "1e9", "Tue, 99 Foo 2026"):
        assert parse_retry_after(junk, now=now) is None


def test_backoff_without_failures_is_the_interval():
    assert backoff(0, 300, None) == 300


def test_backoff_grows_with_full_jitter_and_is_capped():
    rng = random.Random(7)
    draws = [backoff(3, 60, None, cap=3600, rng=rng) for _ in range(2000)]
    assert min(draws) >= 60
    assert max(draws) <= 60 + 60 * 7
    assert len({round(d) for d in draws}) > 100  # jittered, not one value
    mean = sum(draws) / len(draws)
    assert 60 + 60 * 7 * 0.4 < mean < 60 + 60 * 7 * 0.6  # uniform over the extra wait
    assert all(backoff(40, 60, None, cap=3600, rng=rng) <= 3600 for _ in range(100))
    assert backoff(40, 60, None, cap=3600, rng=random.Random(1)) > 60


def test_backoff_honours_retry_after_up_to_the_cap():
    rng = random.Random(1)
    assert backoff(1, 60, 900, cap=3600, rng=rng) >= 900
    assert backoff(1, 60, 10**9, cap=3600, rng=rng) == 3600
    assert backoff(0, 60, 5, cap=3600, rng=rng) == 60  # never sooner than the interval


@override_settings(WIRE_MAX_BACKOFF=120)
def test_backoff_cap_comes_from_settings():
    assert backoff(10, 60, None) <= 120
