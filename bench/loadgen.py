"""An open-loop HTTP load client for the fault suite (RELIABILITY.md §3.1).

wrk is closed-loop: when the server stalls, wrk stops sending, and the
stall shows up as one slow request instead of hundreds (coordinated
omission). This client sends at a fixed arrival rate whatever the server
does: request i is due at ``start + i / rate`` and its latency is measured
from that moment, so a stall costs every request that was due during it.

Standard library only (asyncio streams, HTTP/1.1 keep-alive, a pool of
connections that grows when every connection is busy). Loopback only.
``Load`` runs one load in a thread of its own and keeps every sample as
``(due, latency, outcome)`` with the outcome an HTTP status or an error
class (``timeout``, ``reset``, ``refused``, ``error``).
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import random
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

LOOPBACK = {"127.0.0.1", "::1", "localhost"}
MAX_CONNECTIONS = 256


class EmptyAnswer(ConnectionResetError):
    """The connection closed before a byte of the answer came."""


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes


class Pool:
    """Keep-alive connections to one host:port."""

    def __init__(self, base: str, timeout: float):
        parts = urlsplit(base)
        if parts.hostname not in LOOPBACK:
            raise SystemExit(f"{base}: loopback addresses only")
        self.host, self.port, self.timeout = parts.hostname, parts.port or 80, timeout
        # The Host header a browser (and urllib, which the pollers use) sends: with the
        # port unless it is 80. Without it every page had two keys in the page cache, one
        # for the readers and one for the pollers, and was rendered twice per change.
        self.authority = parts.netloc
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        self.open = 0
        self.retried = 0  # GETs retried once after a kept-alive connection died
        self.slots = asyncio.Semaphore(MAX_CONNECTIONS)

    async def get(self, path: str, headers: dict[str, str] | None = None) -> Response:
        async with self.slots:
            reused = bool(self.idle)
            if reused:
                reader, writer = self.idle.pop()
            else:
                reader, writer = await self._connect()
            try:
                response = await asyncio.wait_for(
                    _exchange(reader, writer, self.authority, path, headers or {}), self.timeout
                )
            except (ConnectionResetError, BrokenPipeError, EmptyAnswer):
                writer.close()
                self.open -= 1
                if not reused:
                    raise
                # A kept-alive connection the server closed (or whose worker
                # died) while idle: a GET is retried once on a new connection,
                # as browsers do (RFC 9112 §9.3.1). A request that got part of
                # an answer is not retried: that one was in flight.
                self.retried += 1
                reader, writer = await self._connect()
                try:
                    response = await asyncio.wait_for(
                        _exchange(reader, writer, self.authority, path, headers or {}), self.timeout
                    )
                except BaseException:
                    writer.close()
                    self.open -= 1
                    raise
            except BaseException:
                writer.close()
                self.open -= 1
                raise
            if response.headers.get("connection", "").lower() == "close":
                writer.close()
                self.open -= 1
            else:
                self.idle.append((reader, writer))
            return response

    async def _connect(self):
        connection = await asyncio.wait_for(
            asyncio.open_connection(self.host, self.port), self.timeout
        )
        self.open += 1
        return connection

    def close(self) -> None:
        for _reader, writer in self.idle:
            writer.close()
        self.idle.clear()


async def _exchange(reader, writer, host, path, headers) -> Response:
    lines = [f"GET {path} HTTP/1.1", f"Host: {host}", "User-Agent: masthead-faults"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
    await writer.drain()
    status_line = await reader.readline()
    if not status_line:
        raise EmptyAnswer("closed before the status line")
    status = int(status_line.split()[1])
    found: dict[str, str] = {}
    while (line := await reader.readline()) not in (b"\r\n", b"\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        found[name.strip().lower()] = value.strip()
    if "content-length" in found:
        body = await reader.readexactly(int(found["content-length"]))
    elif found.get("transfer-encoding", "").lower() == "chunked":
        chunks = []
        while size := int((await reader.readline()).split(b";")[0], 16):
            chunks.append(await reader.readexactly(size))
            await reader.readline()
        await reader.readline()
        body = b"".join(chunks)
    else:
        body = await reader.read()
        found["connection"] = "close"
    return Response(status, found, body)


def outcome_of(error: BaseException) -> str:
    if isinstance(error, (TimeoutError, asyncio.TimeoutError)):
        return "timeout"
    if isinstance(error, ConnectionRefusedError):
        return "refused"
    if isinstance(error, (ConnectionResetError, asyncio.IncompleteReadError, BrokenPipeError)):
        return "reset"
    return "error"


@dataclass
class Load:
    """``rate`` requests/s for ``seconds`` s at ``base``, paths drawn from ``mix``.

    ``mix`` is a list of (weight, [paths]): a request picks a group by
    weight, then a path of the group at random.
    """

    base: str
    rate: float
    seconds: float
    mix: list[tuple[float, list[str]]]
    timeout: float = 10.0
    samples: list[tuple[float, float, int | str]] = field(default_factory=list)
    started: float = 0.0  # time.monotonic() of the first due request
    retried: int = 0  # GETs retried on a new connection (Pool.get)
    _announce: object = None  # the pipe the load process says it started on

    def start(self) -> Load:
        """Send from a process of its own (returns once it sends): the harness's
        threads (pollers, publishers) must not delay the sending or the timing."""
        context = multiprocessing.get_context("spawn")
        self._pipe, child = context.Pipe()
        self._process = context.Process(
            target=_load_process,
            args=(self.base, self.rate, self.seconds, self.mix, self.timeout, child),
            daemon=True,
        )
        self._process.start()
        if not self._pipe.poll(30):
            raise RuntimeError("the load process did not start")
        self.started = self._pipe.recv()
        return self

    def join(self) -> Load:
        if self._pipe.poll(self.seconds + self.timeout + 60):
            self.samples, self.retried = self._pipe.recv()
        self._process.join(10)
        if self._process.is_alive():
            self._process.kill()
        return self

    def run_here(self) -> Load:
        """Send from this process (tests)."""
        asyncio.run(self._run())
        return self

    async def _run(self) -> None:
        pool = Pool(self.base, self.timeout)
        groups = [paths for _weight, paths in self.mix]
        weights = [weight for weight, _paths in self.mix]
        picker = random.Random(14)
        count = int(self.rate * self.seconds)
        self.started = time.monotonic()  # CLOCK_MONOTONIC: one clock for every process
        if self._announce is not None:
            self._announce.send(self.started)
        tasks = []
        for number in range(count):
            due = self.started + number / self.rate
            delay = due - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            path = picker.choice(picker.choices(groups, weights)[0])
            tasks.append(asyncio.create_task(self._one(pool, path, due)))
        await asyncio.gather(*tasks)
        self.retried = pool.retried
        pool.close()

    async def _one(self, pool: Pool, path: str, due: float) -> None:
        try:
            response = await pool.get(path)
            outcome: int | str = response.status
        except Exception as error:
            outcome = outcome_of(error)
        self.samples.append((due - self.started, time.monotonic() - due, outcome))

    # --- results ----------------------------------------------------------------------
    def window(self, start: float = 0.0, end: float = float("inf")) -> list:
        return [sample for sample in self.samples if start <= sample[0] < end]


def _load_process(base, rate, seconds, mix, timeout, pipe) -> None:
    load = Load(base, rate, seconds, mix, timeout, _announce=pipe)
    asyncio.run(load._run())
    pipe.send((load.samples, load.retried))


def summary(samples: list) -> dict:
    """Percentiles in ms (of every request, failed or not) and errors by class."""
    latencies = sorted(sample[1] * 1000 for sample in samples)
    errors: dict[str, int] = {}
    for _due, _latency, outcome in samples:
        if outcome != 200:
            key = f"{outcome // 100}xx" if isinstance(outcome, int) else outcome
            errors[key] = errors.get(key, 0) + 1
    return {
        "requests": len(samples),
        "p50": percentile(latencies, 50),
        "p95": percentile(latencies, 95),
        "p99": percentile(latencies, 99),
        "max": latencies[-1] if latencies else None,
        "errors": errors,
    }


def percentile(ordered: list[float], pct: float) -> float | None:
    if not ordered:
        return None
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


async def burst(base: str, path: str, count: int, timeout: float = 10.0) -> list:
    """``count`` requests at once, each on its own new connection: [(latency s, outcome)]."""

    async def one():
        pool = Pool(base, timeout)
        start = time.monotonic()
        try:
            outcome: int | str = (await pool.get(path)).status
        except Exception as error:
            outcome = outcome_of(error)
        with contextlib.suppress(Exception):
            pool.close()
        return time.monotonic() - start, outcome

    return await asyncio.gather(*(one() for _ in range(count)))


async def closed_loop(base: str, paths: list[str], connections: int, seconds: float) -> float:
    """Peak requests/s of ``connections`` keep-alive clients, each sending as fast as answered."""
    done = 0
    end = time.monotonic() + seconds

    async def client(number: int):
        nonlocal done
        pool = Pool(base, 10.0)
        index = number
        while time.monotonic() < end:
            with contextlib.suppress(Exception):
                if (await pool.get(paths[index % len(paths)])).status == 200:
                    done += 1
            index += 1
        pool.close()

    start = time.monotonic()
    await asyncio.gather(*(client(n) for n in range(connections)))
    return done / (time.monotonic() - start)
