"""Connections opened only to the addresses the guard checked, and ended at the deadline.

httpx resolves names itself when it connects, after any check we could make
(DNS rebinding). httpcore, underneath, lets a connection pool take a
``network_backend``: ``PinnedBackend`` is one that maps (host, port) to the
checked addresses and refuses any other host. httpx's ``HTTPTransport`` has no
argument for it, so ``PinnedTransport`` swaps its pool for one on that backend
(the pinning tests fail if a future httpx stops using it). The URL keeps the
name, so the Host header, TLS SNI and the certificate check use the name.
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Callable

import httpcore
import httpx

from masthead.wire.fetch.errors import DestinationNotAllowed

Connector = Callable[[str, int, "float | None"], httpcore.NetworkStream]


class DeadlineStream(httpcore.NetworkStream):
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
        return DeadlineStream(tls, self._deadline, self._clock)

    def get_extra_info(self, info: str):
        return self._stream.get_extra_info(info)


class PinnedBackend(httpcore.NetworkBackend):
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
            return DeadlineStream(stream, self._deadline, self._clock)
        raise httpcore.ConnectError(str(failure) if failure else "no address")

    def connect_unix_socket(self, path, timeout=None, socket_options=None):
        raise DestinationNotAllowed("unix sockets are not fetched")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class PinnedTransport(httpx.HTTPTransport):
    """httpx's transport with its connection pool on the pinned backend."""

    def __init__(self, backend: PinnedBackend, ssl_context: ssl.SSLContext):
        super().__init__(verify=False, trust_env=False, retries=0)
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context,
            max_connections=1,
            http1=True,
            http2=False,
            network_backend=backend,
        )
