"""The load generator's HTTP/1.1 on raw sockets (one connection per request) and the figures it records."""

from __future__ import annotations

import asyncio
import math
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from queuebench.stack import HOST, CpuSample, cpu_sample, cpu_split


class ProtocolError(ConnectionError):
    """No complete response: the connection was reset, closed early, or timed out."""


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    body: bytes


def build_request(
    port: int, method: str, path: str, *, token: str = "", body: bytes = b"", headers: Sequence[str] = ()
) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {HOST}:{port}", "Connection: close", *headers]
    if token:
        lines.append(f"Authorization: Bearer {token}")
    if method == "POST":
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def parse_reply(raw: bytes) -> Reply:
    head, separator, body = raw.partition(b"\r\n\r\n")
    if not separator or not head.startswith(b"HTTP/1."):
        raise ProtocolError("incomplete response head")
    marker = head.lower().find(b"\r\ncontent-length:")
    if marker >= 0:
        end = head.find(b"\r\n", marker + 2)
        length = int(head[marker + 17 : end if end >= 0 else None])
        if len(body) < length:
            raise ProtocolError("truncated response body")
    return Reply(status=int(head[9:12]), body=body)


class _Exchange(asyncio.Protocol):
    """One request on a fresh connection; the reply is everything read until the server closes."""

    def __init__(self, payload: bytes, done: asyncio.Future[bytes], waiting: set[int] | None) -> None:
        self._payload = payload
        self._done = done
        self._chunks: list[bytes] = []
        self._waiting = waiting  # local ports of requests sent and not yet answered (for the kill test)
        self._port = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.WriteTransport)
        transport.write(self._payload)
        if self._waiting is not None:
            self._port = transport.get_extra_info("sockname")[1]
            self._waiting.add(self._port)

    def data_received(self, data: bytes) -> None:
        self._chunks.append(data)
        if self._waiting is not None:
            self._waiting.discard(self._port)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._waiting is not None:
            self._waiting.discard(self._port)
        if self._done.done():
            return
        if exc is None and self._chunks:
            self._done.set_result(b"".join(self._chunks))
        else:
            self._done.set_exception(ProtocolError(str(exc or "closed without a response")))


async def fetch(port: int, payload: bytes, timeout: float = 30.0, waiting: set[int] | None = None) -> Reply:
    """Send `payload` on a new connection and read the reply. Raises OSError (ProtocolError included).
    While the request waits for its answer, its local port is in `waiting` (when given)."""
    loop = asyncio.get_running_loop()
    done: asyncio.Future[bytes] = loop.create_future()
    transport, _protocol = await loop.create_connection(lambda: _Exchange(payload, done, waiting), HOST, port)
    timer = loop.call_later(timeout, transport.abort)
    try:
        raw = await done
    finally:
        timer.cancel()
        transport.close()
    return parse_reply(raw)


@dataclass
class Recorder:
    """Every request of one kind: (end time, latency, status or 0 for a connection error)."""

    ok: frozenset[int]
    neutral: frozenset[int] = frozenset()  # neither counted nor an error (204: nobody waiting)
    rows: list[tuple[float, float, int]] = field(default_factory=list)

    def add(self, begin: float, status: int) -> None:
        end = time.perf_counter()
        self.rows.append((end, end - begin, status))


@dataclass(frozen=True, slots=True)
class Figures:
    clients: int
    seconds: float
    requests: int
    per_second: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    errors: int
    statuses: dict[str, int]
    cpu_pct: dict[str, float]


def percentile(sorted_values: Sequence[float], q: float) -> float:
    if not sorted_values:
        return math.nan
    return sorted_values[min(len(sorted_values) - 1, max(0, math.ceil(q * len(sorted_values)) - 1))]


@dataclass(frozen=True, slots=True)
class Span:
    clients: int
    begin: float
    end: float
    cpu_pct: dict[str, float]


def figures(recorder: Recorder, span: Span) -> Figures:
    rows = [row for row in recorder.rows if span.begin <= row[0] <= span.end]
    good = sorted(latency for _end, latency, status in rows if status in recorder.ok)
    seconds = span.end - span.begin
    statuses = Counter(str(status or "conn-error") for _end, _latency, status in rows)
    return Figures(
        clients=span.clients,
        seconds=round(seconds, 2),
        requests=len(good),
        per_second=round(len(good) / seconds, 1) if seconds > 0 else 0.0,
        p50_ms=round(percentile(good, 0.50) * 1000, 1),
        p99_ms=round(percentile(good, 0.99) * 1000, 1),
        max_ms=round(good[-1] * 1000, 1) if good else math.nan,
        errors=sum(status not in recorder.ok | recorder.neutral for _end, _latency, status in rows),
        statuses=dict(statuses),
        cpu_pct=span.cpu_pct,
    )


async def closed_loop(
    clients: int, warmup: float, seconds: float, step: Callable[[int], Awaitable[None]], roots: dict[str, int]
) -> Span:
    """`clients` loops each running `step(i)` back to back until the time is up; the measured span is
    after the warm-up (requests in flight at the end finish, but are not counted)."""
    start = time.perf_counter()
    measured_from, deadline = start + warmup, start + warmup + seconds
    samples: dict[str, CpuSample] = {}

    async def client(index: int) -> None:
        while time.perf_counter() < deadline:
            await step(index)

    async def sample(name: str, at: float) -> None:
        await asyncio.sleep(max(0.0, at - time.perf_counter()))
        samples[name] = cpu_sample(roots)

    await asyncio.gather(sample("from", measured_from), sample("to", deadline), *map(client, range(clients)))
    return Span(clients, measured_from, deadline, cpu_split(samples["from"], samples["to"]))


async def timed(recorder: Recorder, port: int, payload: bytes) -> Reply | None:
    begin = time.perf_counter()
    try:
        reply = await fetch(port, payload)
    except OSError:
        recorder.add(begin, 0)
        return None
    recorder.add(begin, reply.status)
    return reply
