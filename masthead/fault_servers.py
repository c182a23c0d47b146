"""Servers that misbehave on purpose, for the tests and bench/ (RELIABILITY.md L6).

``HungServer`` is a hung Redis as a client meets one: the port accepts
connections (the kernel completes the handshake) and nothing ever answers.
It counts the connections it accepted. A Redis client drops a connection on
which a command timed out, so each connection is one cache call that waited
for a timeout. ``recover(address)`` makes it a Redis that came back: later
connections are relayed to a real server.
"""

from __future__ import annotations

import contextlib
import socket
import threading


class HungServer:
    """A loopback listener that accepts and never answers, until ``close()``."""

    def __init__(self):
        self._listener = socket.create_server(("127.0.0.1", 0), backlog=128)
        self.port = self._listener.getsockname()[1]
        self._open: list[socket.socket] = []
        self._peers: list[tuple[str, int]] = []
        self._markers: set[tuple[str, int]] = set()
        self._accepted = threading.Condition()
        self._upstream: tuple[str, int] | None = None
        threading.Thread(target=self._accept, name="hung-server", daemon=True).start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def _accept(self) -> None:
        while True:
            try:
                connection, peer = self._listener.accept()
            except OSError:
                return  # closed
            with self._accepted:
                self._open.append(connection)
                self._peers.append(peer)
                self._accepted.notify_all()
                upstream = self._upstream
            if upstream is not None and peer not in self._markers:
                self._relay(connection, upstream)

    def recover(self, upstream: tuple[str, int]) -> None:
        """From now on, relay new connections to ``upstream`` (host, port)."""
        with self._accepted:
            self._upstream = upstream

    def _relay(self, client: socket.socket, upstream: tuple[str, int]) -> None:
        server = socket.create_connection(upstream)
        with self._accepted:
            self._open.append(server)
        for source, target in ((client, server), (server, client)):
            threading.Thread(target=_pipe, args=(source, target), daemon=True).start()

    def connections(self) -> int:
        """How many connections clients have opened so far.

        The kernel completes a connection before this server's thread accepts
        it. A connection of our own, once accepted, says that every earlier
        one was (the queue is first in, first out): then they are counted.
        """
        with socket.create_connection(("127.0.0.1", self.port)) as marker:
            mine = marker.getsockname()[:2]
            with self._accepted:
                self._markers.add(mine)
                if not self._accepted.wait_for(lambda: mine in self._peers, timeout=10):
                    raise RuntimeError("the hung server stopped accepting connections")
                return sum(1 for peer in self._peers if peer not in self._markers)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in accept()
        self._listener.close()
        with self._accepted:
            for connection in self._open:
                connection.close()
            self._open.clear()

    def __enter__(self) -> HungServer:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def _pipe(source: socket.socket, target: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            target.sendall(data)
    except OSError:
        pass
    finally:
        for end in (source, target):
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)
