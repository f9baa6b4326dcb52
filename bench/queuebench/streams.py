"""Event-stream watchers: called events received, call-to-event latencies, loop lag, database connections."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import math
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from queuebench.options import Options
from queuebench.runs import Target, finish_ticket
from queuebench.stack import (
    CALLED_EVENT,
    EVENT_WAIT_SECONDS,
    HOST,
    STREAM_READY,
    TOO_MANY_CLIENTS,
    cpu_sample,
    cpu_split,
    log,
    rss_mb,
    run_seed,
    threads,
)
from queuebench.wire import ProtocolError, Recorder, fetch, percentile


class Watcher(asyncio.Protocol):
    """One SSE client that keeps every chunk it reads with the time it arrived, and counts the `called`
    frames (a bytes count: reading 2,000 sockets must cost the client as little as possible)."""

    def __init__(self, request: bytes, ready: asyncio.Future[None]) -> None:
        self.request = request
        self.ready = ready
        self.head = b""
        self.chunks: list[tuple[float, bytes]] = []
        self.called = 0
        self.closed = False
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        transport.write(self.request)

    def data_received(self, data: bytes) -> None:
        self.chunks.append((time.perf_counter(), data))
        self.called += data.count(CALLED_EVENT)
        if not self.ready.done():
            self.head += data
            if len(self.head) >= 12 and not self.head.startswith(b"HTTP/1.1 200"):
                self.ready.set_exception(ProtocolError(f"HTTP {self.head[9:12].decode(errors='replace')}"))
            elif STREAM_READY in self.head:
                self.ready.set_result(None)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if not self.ready.done():
            self.ready.set_exception(ProtocolError("stream closed before it opened"))

    def forget(self) -> None:
        """Drop what was read so far (the next phase counts from here)."""
        self.chunks.clear()
        self.called = 0

    def close(self) -> None:
        if self.transport is not None:
            self.transport.abort()


async def open_watchers(target: Target, count: int, batch: int = 500) -> tuple[list[Watcher], Counter[str]]:
    """Open `count` streams, `batch` at a time, each until the server's ": connected" comment; once a
    whole batch fails, the rest are not tried (they would fail the same way, slowly)."""
    loop = asyncio.get_running_loop()
    request = (
        f"GET /api/v1/halls/{target.seed['hall']}/events HTTP/1.1\r\nHost: {HOST}:{target.events}\r\n"
        "Accept: text/event-stream\r\n\r\n"
    ).encode()
    opened: list[Watcher] = []
    failed: Counter[str] = Counter()

    async def one() -> Watcher:
        ready: asyncio.Future[None] = loop.create_future()
        transport, watcher = await loop.create_connection(
            lambda: Watcher(request, ready), HOST, target.events
        )
        try:
            await asyncio.wait_for(ready, 60)
        except BaseException:
            transport.abort()
            raise
        return watcher

    for first in range(0, count, batch):
        size = min(batch, count - first)
        outcomes = await asyncio.gather(*(one() for _ in range(size)), return_exceptions=True)
        for outcome in outcomes:
            if isinstance(outcome, Watcher):
                opened.append(outcome)
            else:
                failed[str(outcome) or type(outcome).__name__] += 1
        if size >= 100 and not any(isinstance(outcome, Watcher) for outcome in outcomes):
            if count - first - size:
                failed["not tried (a whole batch had failed)"] += count - first - size
            break
    return opened, failed


@dataclass(frozen=True, slots=True)
class Receipt:
    arrived: float  # perf_counter() when the chunk holding the frame was read
    called_at: str  # the frame's "at": the server's clock when the call was made (before its commit)


def _json_string(data: bytes, key: bytes, start: int, end: int) -> str:
    """The string value of `key` in the JSON object data[start:end], found without parsing it."""
    marker = data.find(b'"' + key + b'": "', start, end)
    if marker < 0:
        return ""
    begin = marker + len(key) + 5
    return data[begin : data.find(b'"', begin, end)].decode()


def called_receipts(watcher: Watcher) -> dict[str, Receipt]:
    """number → when the watcher read the `called` frame for it (the first one), found by a bytes search
    in its raw chunks."""
    data = b"".join(chunk for _at, chunk in watcher.chunks)
    ends: list[int] = []
    total = 0
    for _at, chunk in watcher.chunks:
        total += len(chunk)
        ends.append(total)
    receipts: dict[str, Receipt] = {}
    index = 0
    start = data.find(CALLED_EVENT)
    while start >= 0:
        end = data.find(b"\n\n", start)
        if end < 0:
            break  # a frame cut off by the end of what was read
        while ends[index] < end:
            index += 1
        number = _json_string(data, b"number", start, end)
        if number not in receipts:
            receipts[number] = Receipt(watcher.chunks[index][0], _json_string(data, b"at", start, end))
        start = data.find(CALLED_EVENT, end)
    return receipts


async def await_events(watchers: Sequence[Watcher], count: int, timeout: float) -> float:
    """Wait until every open watcher has read `count` called frames, or `timeout` seconds; returns the
    seconds waited. Waiting a fixed time instead cut off the slowest deliveries (see README)."""
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if all(watcher.called >= count or watcher.closed for watcher in watchers):
            break
        await asyncio.sleep(0.1)
    return round(time.perf_counter() - start, 2)


@dataclass
class Calls:
    sent: dict[str, float] = field(default_factory=dict)  # number called → when its request was sent
    answered_ms: list[float] = field(default_factory=list)  # how long each call-next request took


async def timed_calls(target: Target, count: int, spacing: float, first: int = 0) -> Calls:
    """`count` call-next requests `spacing` seconds apart, round the windows. Each called ticket is
    finished at once (a window holds one at a time); failed calls are not retried."""
    windows: list[str] = target.seed["windows"]
    calls = Calls()
    finishes = Recorder(ok=frozenset({200}))
    start = time.perf_counter()
    for index in range(count):
        await asyncio.sleep(max(0.0, start + index * spacing - time.perf_counter()))
        begin = time.perf_counter()
        try:
            # finish_current: a window may still hold a number whose answer the previous phase's load
            # generator dropped when its time was up
            window = windows[(first + index) % len(windows)]
            reply = await fetch(target.api, target.call_next(window, finish_current=True))
        except OSError:
            continue
        if reply.status == 200:
            ticket = json.loads(reply.body)
            calls.sent[ticket["number"]] = begin
            calls.answered_ms.append((time.perf_counter() - begin) * 1000)
            await finish_ticket(finishes, target, ticket["id"])
    return calls


def event_latencies(watchers: Sequence[Watcher], sent: dict[str, float]) -> dict[str, Any]:
    """Per delivery: arrival of the `called` frame minus the send time of its call-next request; split
    at the frame's "at" (the server's clock at the call) into request→call and call→arrival."""
    wall_offset = time.time() - time.perf_counter()
    latencies: list[float] = []
    to_call: list[float] = []
    after_call: list[float] = []
    complete = 0
    for watcher in watchers:
        receipts = called_receipts(watcher)
        got = [(receipts[number], begin) for number, begin in sent.items() if number in receipts]
        latencies.extend(receipt.arrived - begin for receipt, begin in got)
        for receipt, begin in got:
            called = dt.datetime.fromisoformat(receipt.called_at).timestamp() - wall_offset
            to_call.append(called - begin)
            after_call.append(receipt.arrived - called)
        complete += bool(sent) and len(got) == len(sent)
    latencies.sort()
    to_call.sort()
    after_call.sort()
    return {
        "watchers": len(watchers),
        "events": len(sent),
        "watchers_with_every_event": complete,
        "deliveries": len(latencies),
        "deliveries_expected": len(watchers) * len(sent),
        "p50_ms": round(percentile(latencies, 0.5) * 1000, 1),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
        "max_ms": round(latencies[-1] * 1000, 1) if latencies else math.nan,
        "request_to_call_p50_ms": round(percentile(to_call, 0.5) * 1000, 1),
        "call_to_receipt_p50_ms": round(percentile(after_call, 0.5) * 1000, 1),
        "call_to_receipt_p99_ms": round(percentile(after_call, 0.99) * 1000, 1),
    }


@dataclass
class LoopLag:
    """How late this process's event loop runs a 5 ms timer: the delay the load generator itself adds
    to a frame's arrival time (it reads every watcher's socket on the same loop)."""

    late: list[float] = field(default_factory=list)

    async def watch(self) -> None:
        while True:
            due = time.perf_counter() + 0.005
            await asyncio.sleep(0.005)
            self.late.append(time.perf_counter() - due)

    def figures(self) -> dict[str, float]:
        late = sorted(self.late)
        return {
            "client_loop_lag_p50_ms": round(percentile(late, 0.5) * 1000, 1),
            "client_loop_lag_p99_ms": round(percentile(late, 0.99) * 1000, 1),
            "client_loop_lag_max_ms": round(late[-1] * 1000, 1) if late else math.nan,
        }


async def latency_phase(target: Target, options: Options) -> tuple[list[Watcher], dict[str, Any]]:
    # The first stream starts the process's listener (core.live.Hub); open it alone, as a hall's board
    # would be, so that the listener has its database connection before the crowd arrives.
    watchers, failures = await open_watchers(target, 1)
    await asyncio.sleep(1.0)
    more, more_failures = await open_watchers(target, options.watchers - 1)
    watchers += more
    failures += more_failures
    log(f"{len(watchers)} watchers open; {options.sse_calls} calls {options.sse_spacing}s apart")
    before = cpu_sample(target.roots)
    lag = LoopLag()
    monitor = asyncio.ensure_future(lag.watch())
    calls = await timed_calls(target, options.sse_calls, options.sse_spacing)
    waited = await await_events(watchers, len(calls.sent), EVENT_WAIT_SECONDS)
    monitor.cancel()
    answered = sorted(calls.answered_ms)
    return watchers, {
        "requested": options.watchers,
        "open_failed": dict(failures),
        **event_latencies(watchers, calls.sent),
        "waited_after_last_call_s": waited,
        **lag.figures(),
        "call_request_p50_ms": round(percentile(answered, 0.5), 1),
        "call_request_p99_ms": round(percentile(answered, 0.99), 1),
        "cpu_pct": cpu_split(before, cpu_sample(target.roots)),
    }


def db_connections(env: dict[str, str]) -> dict[str, Any]:
    try:
        return run_seed(env, "connections")
    except RuntimeError as error:
        if TOO_MANY_CLIENTS in str(error):
            return {"error": "no connection slot left (FATAL: sorry, too many clients already)"}
        raise


async def hold_phase(
    target: Target, options: Options, watchers: list[Watcher], uvicorn_pid: int, env: dict[str, str]
) -> dict[str, Any]:
    more, failures = await open_watchers(target, options.hold_watchers - len(watchers))
    watchers.extend(more)
    log(
        f"{len(watchers)} watchers open ({sum(failures.values())} failed); "
        f"holding {options.hold_seconds:.0f}s"
    )
    await asyncio.sleep(options.hold_seconds)
    alive = [watcher for watcher in watchers if not watcher.closed]
    result: dict[str, Any] = {
        "requested": options.hold_watchers,
        "opened": len(watchers),
        "open_failed": dict(failures),
        "held_seconds": options.hold_seconds,
        "alive_after_hold": len(alive),
        "rss_mb": round(rss_mb(uvicorn_pid), 1),
        "threads": threads(uvicorn_pid),
        "db_connections": await asyncio.to_thread(db_connections, env),
    }
    for watcher in alive:
        watcher.forget()
    calls = Calls()
    for attempt in range(5):  # a window left busy by an earlier failure answers 409: try the next one
        calls = await timed_calls(target, 1, 0.0, first=attempt)
        if calls.sent:
            break
    result["waited_after_call_s"] = await await_events(alive, len(calls.sent), EVENT_WAIT_SECONDS)
    result["event"] = event_latencies(alive, calls.sent)
    return result


async def sse_phase(
    target: Target, options: Options, uvicorn_pid: int, env: dict[str, str]
) -> dict[str, Any]:
    idle = {"rss_mb_idle": round(rss_mb(uvicorn_pid), 1), "threads_idle": threads(uvicorn_pid)}
    # A short line, as halls have: with thousands waiting each call-next is slow (see README), and its
    # time would count in the call→event latency.
    count = str(options.sse_calls + 20)
    await asyncio.to_thread(
        run_seed, env, "prefill", "--service", target.seed["call_service"], "--count", count, "--replace"
    )
    watchers, latency = await latency_phase(target, options)
    for watcher in watchers:
        watcher.forget()
    try:
        hold = await hold_phase(target, options, watchers, uvicorn_pid, env)
    finally:
        for watcher in watchers:
            watcher.close()
    await asyncio.sleep(3.0)
    closed = {"threads": threads(uvicorn_pid), "db_connections": await asyncio.to_thread(db_connections, env)}
    return {**idle, "latency": latency, "hold": hold, "after_close": closed}
