"""A TCP fault proxy for the fault suite (RELIABILITY.md §3.1): app ↔ PostgreSQL, app ↔ Redis.

It listens on a loopback port and relays every connection to an upstream
(host, port), with a mode that can be switched while it runs:

- ``pass``: relay as is;
- ``latency=N``: hold each chunk N ms before passing it on (both directions);
- ``reset``: close every open connection with an RST (SO_LINGER 0), and
  reset new ones at once;
- ``blackhole``: accept, never answer and never forward (a hung network:
  worse than refused, the client waits for its own timeout); connections
  open when this mode starts stop flowing too;
- ``slow_close``: relay, but when either side closes, keep the other end
  open for 5 s before closing it (a peer that lingers on FIN).

The proxy runs its own asyncio loop in a daemon thread, so a harness in
plain threads can start it, switch it (``proxy.mode = "blackhole"``) and
stop it. Loopback only: it refuses any other listen or upstream address.
``python bench/fault_proxy.py LISTEN_PORT UPSTREAM_PORT [MODE]`` runs one
in the foreground.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import socket
import struct
import sys
import threading

LOOPBACK = {"127.0.0.1", "::1", "localhost"}
SLOW_CLOSE_SECONDS = 5.0


class FaultProxy:
    def __init__(self, listen_port: int, upstream: tuple[str, int], mode: str = "pass"):
        if upstream[0] not in LOOPBACK:
            raise ValueError(f"{upstream[0]}: the fault proxy relays to loopback only")
        self.listen_port, self.upstream = listen_port, upstream
        self._mode = "pass"
        self.mode = mode
        self.accepted = 0
        self._writers: set[asyncio.StreamWriter] = set()
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._server: asyncio.base_events.Server | None = None
        self._thread = threading.Thread(target=self._run, name="fault-proxy", daemon=True)

    # --- the mode -------------------------------------------------------------------
    @property
    def mode(self) -> str:
        return self._mode

    @mode.setter
    def mode(self, value: str) -> None:
        name, _, arg = value.partition("=")
        if name not in {"pass", "latency", "reset", "blackhole", "slow_close"}:
            raise ValueError(f"unknown fault proxy mode {value!r}")
        if name == "latency":
            self.latency = int(arg.removesuffix("ms")) / 1000
        self._mode = name
        if name == "reset" and self._ready.is_set():
            self._loop.call_soon_threadsafe(self._reset_all)

    # --- start and stop -------------------------------------------------------------
    def start(self) -> FaultProxy:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the fault proxy did not start")
        return self

    def stop(self) -> None:
        if self._ready.is_set():
            self._loop.call_soon_threadsafe(self._shutdown)
            self._thread.join(10)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(
            asyncio.start_server(self._handle, "127.0.0.1", self.listen_port, backlog=512)
        )
        self._ready.set()
        self._loop.run_forever()
        pending = asyncio.all_tasks(self._loop)
        for task in pending:
            task.cancel()  # relays still under way end with their connections
        self._loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        self._loop.close()

    def _shutdown(self) -> None:
        self._server.close()
        self._reset_all()
        self._loop.stop()

    def _reset_all(self) -> None:
        for writer in list(self._writers):
            _reset(writer)
        self._writers.clear()

    # --- one connection -------------------------------------------------------------
    async def _handle(self, reader, writer) -> None:
        self.accepted += 1
        if self._mode == "reset":
            _reset(writer)
            return
        self._writers.add(writer)
        try:
            up_reader, up_writer = await asyncio.wait_for(
                asyncio.open_connection(*self.upstream), timeout=5
            )
        except (OSError, TimeoutError):
            _reset(writer)
            self._writers.discard(writer)
            return
        self._writers.add(up_writer)
        await asyncio.gather(
            self._pipe(reader, up_writer, writer),
            self._pipe(up_reader, writer, up_writer),
            return_exceptions=True,
        )
        self._writers.discard(writer)
        self._writers.discard(up_writer)

    async def _pipe(self, reader, writer, other) -> None:
        try:
            while data := await reader.read(65536):
                while self._mode == "blackhole":
                    await asyncio.sleep(0.05)  # hold the bytes: nothing flows
                if self._mode == "latency":
                    await asyncio.sleep(self.latency)
                writer.write(data)
                await writer.drain()
        except OSError:
            pass
        if self._mode == "slow_close":
            await asyncio.sleep(SLOW_CLOSE_SECONDS)
        for end in (writer, other):
            with contextlib.suppress(OSError, RuntimeError):
                end.close()


class ProxyProcess:
    """A ``FaultProxy`` in a process of its own, its mode switched through a pipe.

    The harness measures latency in its own process: a proxy relaying every
    database and Redis packet there would compete with the load client for
    one interpreter lock and add its own delay to what is measured.
    """

    def __init__(self, listen_port: int, upstream: tuple[str, int]):
        if upstream[0] not in LOOPBACK:
            raise ValueError(f"{upstream[0]}: the fault proxy relays to loopback only")
        context = multiprocessing.get_context("spawn")
        self._control, child = context.Pipe()
        self.listen_port = listen_port
        self.process = context.Process(
            target=_serve_in_process, args=(listen_port, upstream, child), daemon=True
        )
        self._mode = "pass"

    def start(self) -> ProxyProcess:
        self.process.start()
        if not self._control.poll(15) or self._control.recv() != "ready":
            raise RuntimeError("the fault proxy process did not start")
        return self

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def mode(self) -> str:
        return self._mode

    @mode.setter
    def mode(self, value: str) -> None:
        self._control.send(value)
        answer = self._control.recv()
        if answer != "ok":
            raise ValueError(answer)
        self._mode = value

    def stop(self) -> None:
        if self.process.is_alive():
            with contextlib.suppress(OSError, EOFError):
                self._control.send(None)
            self.process.join(10)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(5)


def _serve_in_process(listen_port, upstream, control) -> None:
    proxy = FaultProxy(listen_port, upstream).start()
    control.send("ready")
    while True:
        try:
            mode = control.recv()
        except EOFError:
            break
        if mode is None:
            break
        try:
            proxy.mode = mode
            control.send("ok")
        except ValueError as error:
            control.send(str(error))
    proxy.stop()


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with RST rather than FIN: the peer sees 'connection reset'."""
    sock = writer.get_extra_info("socket")
    with contextlib.suppress(OSError, AttributeError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with contextlib.suppress(OSError, RuntimeError):
        writer.transport.abort()


if __name__ == "__main__":
    listen, upstream_port = int(sys.argv[1]), int(sys.argv[2])
    proxy = FaultProxy(
        listen, ("127.0.0.1", upstream_port), sys.argv[3] if len(sys.argv) > 3 else "pass"
    )
    proxy.start()
    print(
        f"fault proxy 127.0.0.1:{listen} -> 127.0.0.1:{upstream_port} ({proxy.mode}); Ctrl+C stops"
    )
    with contextlib.suppress(KeyboardInterrupt):
        threading.Event().wait()
    proxy.stop()
