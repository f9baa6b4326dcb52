"""Load benchmark of the queue against the production layout of docs/deploy.md.

PostgreSQL (a throwaway cluster from scripts/with_postgres.py unless DATABASE_URL already names one),
gunicorn with sync workers for the API, one uvicorn process for the live event streams. It measures,
beside a calibration taken in the same run (GET /healthz, a `SELECT 1`, on the same gunicorn):

- tickets issued per second with p50/p99 at 1, 8 and 32 concurrent clients;
- call-next per second from 8 windows, each call finishing the window's last number
  (`finish_current=true`: one request per citizen served; `--call-mode pair` finishes with a request
  of its own instead);
- call→event latency at 2,000 SSE watchers, and 10,000 watchers held by one process for 30 s;
- a kill test: one gunicorn worker killed with SIGKILL during a 32-client issue burst, clients retry
  with their Idempotency-Key, and every acknowledged ticket must be in the database.

Then it checks the database: no duplicate numbers, no ticket called twice. It reports figures and exits
0, whether the goals are met or not; 1 when a correctness check fails; 2 when a phase broke (its error is
reported with the figures measured so far). The load generator is this process: asyncio with raw
HTTP/1.1 on sockets, one new connection per request (gunicorn's sync workers close every connection).
See bench/README.md.

    .venv/bin/python bench/bench_queue.py [--seconds 10] [--clients 1,8,32] [--skip-sse] [--json PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ctypes
import datetime as dt
import http.client
import json
import math
import os
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

T = TypeVar("T")
ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "bench" / "queue_seed.py"
WRK_SCRIPT = ROOT / "bench" / "wrk_load.lua"
HOST = "127.0.0.1"
NOFILE = 65536
GOAL_ISSUE_RATE, GOAL_ISSUE_P99_MS, GOAL_CALL_RATE = 1000.0, 100.0, 800.0
GOAL_HELD, GOAL_EVENT_P99_MS = 10_000, 500.0
STREAM_READY = b": connected"
TOO_MANY_CLIENTS = "too many clients"
CALLED_EVENT = b"event: called\n"
EVENT_WAIT_SECONDS = 15.0  # how long after the last call the benchmark waits for every watcher's frames


# --- options -------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Options:
    seconds: float
    warmup: float
    calibration_seconds: float
    clients: tuple[int, ...]
    workers: int
    call_prefill: int
    call_mode: str
    client: str
    skip_sse: bool
    watchers: int
    hold_watchers: int
    hold_seconds: float
    sse_calls: int
    sse_spacing: float
    skip_kill: bool
    kill_seconds: float
    kill_after: float
    json_path: Path | None
    log_dir: Path | None


def parse_options(argv: Sequence[str]) -> Options:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    add = parser.add_argument
    add("--seconds", type=float, default=10.0, help="measured seconds per load level (default 10)")
    add("--warmup", type=float, default=1.0, help="unmeasured seconds before each level (default 1)")
    add("--calibration-seconds", type=float, default=3.0, help="seconds of GET /healthz per level")
    add("--clients", default="1,8,32", help="concurrent clients for the issue levels (default 1,8,32)")
    add("--workers", type=int, default=4, help="gunicorn sync workers (docs/deploy.md: 4)")
    add(
        "--call-prefill",
        type=int,
        default=0,
        help="waiting tickets before call-next (default 1,000 per second of the phase)",
    )
    add(
        "--call-mode",
        choices=("next", "pair"),
        default="next",
        help="next: call-next?finish_current=true ends the last number (default); pair: call, then finish",
    )
    add(
        "--client",
        choices=("python", "wrk"),
        default="python",
        help="load generator of the throughput phases: this process (asyncio, default) or Debian's wrk "
        "(bench/wrk_load.lua); the SSE and kill phases always use this process",
    )
    add("--skip-sse", action="store_true", help="skip the event-stream measurements")
    add("--watchers", type=int, default=2000, help="SSE watchers for the call→event latency")
    add("--hold-watchers", type=int, default=10_000, help="SSE watchers held by the events process")
    add("--hold-seconds", type=float, default=30.0, help="how long the watchers are held (default 30)")
    add("--sse-calls", type=int, default=50, help="call-next requests whose events are timed")
    add("--sse-spacing", type=float, default=0.2, help="seconds between those calls")
    add("--skip-kill", action="store_true", help="skip the kill test")
    add("--kill-seconds", type=float, default=6.0, help="length of the kill test's burst")
    add("--kill-after", type=float, default=2.0, help="seconds into the burst when a worker is killed")
    add("--json", dest="json_path", type=Path, help="also write the results to this file")
    add("--log-dir", type=Path, help="keep the app processes' logs in this directory")
    args = parser.parse_args(argv)
    if args.client == "wrk" and shutil.which("wrk") is None:
        parser.error("--client wrk: wrk is not installed (apt-get install wrk)")
    clients = tuple(int(part) for part in args.clients.split(",") if part.strip())
    prefill = args.call_prefill or math.ceil(1000 * (args.seconds + args.warmup))
    return Options(
        seconds=args.seconds,
        warmup=args.warmup,
        calibration_seconds=args.calibration_seconds,
        clients=clients,
        workers=args.workers,
        call_prefill=prefill,
        call_mode=args.call_mode,
        client=args.client,
        skip_sse=args.skip_sse,
        watchers=args.watchers,
        hold_watchers=max(args.hold_watchers, args.watchers),
        hold_seconds=args.hold_seconds,
        sse_calls=args.sse_calls,
        sse_spacing=args.sse_spacing,
        skip_kill=args.skip_kill,
        kill_seconds=args.kill_seconds,
        kill_after=args.kill_after,
        json_path=args.json_path,
        log_dir=args.log_dir,
    )


def log(message: str) -> None:
    print(f"[bench_queue] {message}", file=sys.stderr, flush=True)


# --- PostgreSQL and the app processes ------------------------------------------------------------------


def is_postgres(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql://"))


def reexec_with_postgres(argv: Sequence[str]) -> int:
    """Run this script again inside a throwaway cluster; 0 with "skipped" where PostgreSQL is missing."""
    helper = ROOT / "scripts" / "with_postgres.py"
    found = subprocess.run([sys.executable, str(helper), "--check"], capture_output=True, text=True)
    if found.returncode != 0:
        print(
            "bench_queue: skipped (no PostgreSQL server binaries; install Debian's postgresql or set PG_BIN)"
        )
        return 0
    script = str(Path(__file__).resolve())
    os.execv(sys.executable, [sys.executable, str(helper), "--", sys.executable, script, *argv])
    return 1  # not reached


def with_query(url: str, **params: str) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query.update(params)
    return urlunsplit(parts._replace(query=urlencode(query)))


def app_env(database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="minxin.settings",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS=HOST,
        HTTPS="0",
        DATABASE_URL=with_query(database_url, conn_max_age="600"),
        LOG_LEVEL="WARNING",
        SMS_BACKEND="minxin.accounts.sms.LocmemSmsBackend",
    )
    return env


def raise_open_files() -> None:
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    for limit in ((NOFILE, NOFILE), (min(NOFILE, hard), hard)):
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, limit)
            return


def _child_setup() -> None:
    """In each app process: the open-file limit, and SIGTERM should this benchmark die without cleanup."""
    raise_open_files()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def run_seed(env: dict[str, str], *args: str, patience: float = 0.0) -> dict[str, Any]:
    """Run a queue_seed.py subcommand; while PostgreSQL has no connection slot left, retry for up to
    `patience` seconds (event streams may hold them all)."""
    deadline = time.monotonic() + patience
    while True:
        result = subprocess.run(
            [sys.executable, str(SEED), *args], env=env, cwd=ROOT, capture_output=True, text=True, check=False
        )
        if result.returncode == 0:
            answer: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
            return answer
        if TOO_MANY_CLIENTS not in result.stderr or time.monotonic() > deadline:
            raise RuntimeError(
                f"queue_seed.py {' '.join(args)} failed:\n{result.stdout}{result.stderr[-3000:]}"
            )
        time.sleep(1.0)


def migrate(env: dict[str, str]) -> None:
    command = [sys.executable, "manage.py", "migrate", "--noinput", "-v0"]
    result = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"migrate failed:\n{result.stdout}{result.stderr}")


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path

    def log_tail(self) -> str:
        return self.log_path.read_text(errors="replace")[-3000:]


class Stack:
    """The app processes this benchmark started; `stop()` ends exactly those, by PID."""

    def __init__(self, env: dict[str, str], workdir: Path) -> None:
        self.env = env
        self.workdir = workdir
        self.servers: list[Server] = []

    def start(self, name: str, command: list[str], port: int) -> Server:
        log_path = self.workdir / f"{name}.log"
        with log_path.open("wb") as out:
            process = subprocess.Popen(
                command,
                env=self.env,
                cwd=ROOT,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # a terminal's Ctrl-C reaches this script, which stops them in order
                preexec_fn=_child_setup,
            )
        server = Server(name=name, port=port, process=process, log_path=log_path)
        self.servers.append(server)
        wait_ready(server)
        return server

    def gunicorn(self, workers: int) -> Server:
        port = free_port()
        binary = str(Path(sys.executable).parent / "gunicorn")
        command = [binary, "minxin.wsgi", "-w", str(workers), "-b", f"{HOST}:{port}"]
        return self.start("gunicorn", [*command, "--no-control-socket", "--log-level", "warning"], port)

    def uvicorn(self) -> Server:
        port = free_port()
        binary = str(Path(sys.executable).parent / "uvicorn")
        command = [binary, "minxin.asgi:application", "--host", HOST, "--port", str(port)]
        return self.start("uvicorn", [*command, "--no-access-log", "--log-level", "warning"], port)

    def stop(self) -> None:
        # Not to be cut short: a second Ctrl-C, or with_postgres.py's SIGTERM, waits until this is done.
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN), signal.signal(signal.SIGTERM, signal.SIG_IGN)
        try:
            for server in reversed(self.servers):
                stop_process(server.process)
        finally:
            signal.signal(signal.SIGINT, previous[0])
            signal.signal(signal.SIGTERM, previous[1])


def stop_process(process: subprocess.Popen[bytes]) -> None:
    """SIGINT (a quick shutdown for gunicorn and uvicorn, even with streams open), then SIGKILL to the
    process and to the children it leaves (gunicorn's workers)."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.kill(process.pid, signal.SIGINT)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=8.0)
    if process.poll() is not None:
        return
    for pid in [*worker_pids(process.pid), process.pid]:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    process.wait(timeout=5.0)


def wait_ready(server: Server, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.name} exited at start-up:\n{server.log_tail()}")
        connection = http.client.HTTPConnection(HOST, server.port, timeout=2)
        try:
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.1)  # not listening yet
        finally:
            connection.close()
        time.sleep(0.2)
    raise RuntimeError(f"{server.name} did not answer /healthz within {timeout:.0f}s:\n{server.log_tail()}")


def worker_pids(master: int) -> list[int]:
    try:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        return sorted(int(pid) for pid in children)
    except OSError:
        return []


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def threads(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Threads:"):
            return int(line.split()[1])
    return 0


def postmaster_pid() -> int | None:
    """The PostgreSQL server of a with_postgres.py cluster (its data directory sits under PGHOST)."""
    try:
        return int(
            (Path(os.environ.get("PGHOST", "/nonexistent")) / "data" / "postmaster.pid")
            .read_text()
            .split()[0]
        )
    except (OSError, ValueError, IndexError):
        return None


def _process_table() -> dict[int, tuple[int, int]]:
    """pid → (parent pid, CPU jiffies used so far) for every process on the machine."""
    table: dict[int, tuple[int, int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            raw = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        fields = raw[raw.rindex(")") + 2 :].split()
        table[int(entry.name)] = (int(fields[1]), int(fields[11]) + int(fields[12]))
    return table


@dataclass(frozen=True, slots=True)
class CpuSample:
    busy: int  # jiffies of the whole machine not idle
    total: int
    trees: dict[str, int]  # jiffies of each named process and its descendants


def cpu_sample(roots: dict[str, int]) -> CpuSample:
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    table = _process_table()
    children: dict[int, list[int]] = {}
    for pid, (parent, _jiffies) in table.items():
        children.setdefault(parent, []).append(pid)
    trees: dict[str, int] = {}
    for name, root in roots.items():
        used, stack = 0, [root] if root in table else []
        while stack:
            pid = stack.pop()
            used += table[pid][1]
            stack.extend(children.get(pid, ()))
        trees[name] = used
    return CpuSample(busy=sum(values[:8]) - values[3] - values[4], total=sum(values[:8]), trees=trees)


def cpu_split(before: CpuSample, after: CpuSample) -> dict[str, float]:
    """Between two samples, in % of the whole machine: busy, and who was busy: the API workers (api),
    the events process (events), PostgreSQL (db), the load generator (client), everyone else (other)."""
    total = max(after.total - before.total, 1)
    used = {name: after.trees.get(name, 0) - before.trees.get(name, 0) for name in after.trees}
    busy = after.busy - before.busy
    client = used.get("bench", 0) - used.get("api", 0) - used.get("events", 0)
    other = busy - used.get("bench", 0) - used.get("db", 0)
    shares = {"busy": busy, **{k: used.get(k, 0) for k in ("api", "events", "db")}, "client": client}
    return {name: round(100 * max(value, 0) / total, 1) for name, value in {**shares, "other": other}.items()}


def cpu_roots(api: int = 0, events: int = 0) -> dict[str, int]:
    """The process trees whose CPU the benchmark reports; `bench` holds the app processes too."""
    return {"bench": os.getpid(), "api": api, "events": events, "db": postmaster_pid() or 0}


# --- HTTP/1.1 client ------------------------------------------------------------------------------------


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


# --- closed-loop load and its statistics --------------------------------------------------------------


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


# --- phases ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Target:
    api: int  # gunicorn's port
    events: int  # uvicorn's port
    seed: dict[str, Any]
    roots: dict[str, int]  # the process trees whose CPU use is reported

    def issue(self, service: str, headers: Sequence[str] = ()) -> bytes:
        body = json.dumps({"service": service, "channel": "kiosk"}).encode()
        path = f"/api/v1/halls/{self.seed['hall']}/tickets"
        return build_request(
            self.api, "POST", path, token=self.seed["kiosk_token"], body=body, headers=headers
        )

    def call_next(self, window: str, *, finish_current: bool = False) -> bytes:
        path = f"/api/v1/halls/{self.seed['hall']}/windows/{window}/call-next"
        path += "?finish_current=true" if finish_current else ""
        return build_request(self.api, "POST", path, token=self.seed["clerk_token"])

    def finish(self, ticket_id: str) -> bytes:
        return build_request(
            self.api, "POST", f"/api/v1/tickets/{ticket_id}/finish", token=self.seed["clerk_token"]
        )


async def calibrate(target: Target, options: Options, clients: int) -> Figures:
    if options.client == "wrk":
        run = await wrk_phase(
            target, options, clients, seconds=options.calibration_seconds, paths=["/healthz"]
        )
        return run.figures(ok={200})
    recorder = Recorder(ok=frozenset({200}))
    payload = build_request(target.api, "GET", "/healthz")

    async def step(_index: int) -> None:
        await timed(recorder, target.api, payload)

    span = await closed_loop(clients, options.warmup, options.calibration_seconds, step, target.roots)
    return figures(recorder, span)


async def issue_level(target: Target, options: Options, clients: int) -> Figures:
    if options.client == "wrk":
        run = await wrk_phase(
            target,
            options,
            clients,
            seconds=options.seconds,
            paths=[f"/api/v1/halls/{target.seed['hall']}/tickets"],
            token=target.seed["kiosk_token"],
            body=json.dumps({"service": target.seed["issue_services"][str(clients)], "channel": "kiosk"}),
        )
        return run.figures(ok={201})
    recorder = Recorder(ok=frozenset({201}))
    payload = target.issue(target.seed["issue_services"][str(clients)])

    async def step(_index: int) -> None:
        await timed(recorder, target.api, payload)

    span = await closed_loop(clients, options.warmup, options.seconds, step, target.roots)
    return figures(recorder, span)


async def finish_ticket(recorder: Recorder, target: Target, ticket_id: str) -> bool:
    """Finish the window's ticket; retried on a connection error or a 5xx, so the window is free for its
    next call."""
    for attempt in range(10):
        reply = await timed(recorder, target.api, target.finish(ticket_id))
        if reply is not None and reply.status < 500:
            return reply.status == 200
        await asyncio.sleep(0.1 * (attempt + 1))
    return False


async def free_windows(target: Target, held: Iterable[str]) -> None:
    """Finish the tickets the windows hold, for the next phases (not measured)."""
    after = Recorder(ok=frozenset({200}))
    await asyncio.gather(*(finish_ticket(after, target, ticket_id) for ticket_id in held))


@dataclass
class CallRun:
    calls: Recorder = field(default_factory=lambda: Recorder(ok=frozenset({200}), neutral=frozenset({204})))
    finishes: Recorder = field(default_factory=lambda: Recorder(ok=frozenset({200})))
    numbers: list[str] = field(default_factory=list)
    empty: int = 0
    held: dict[int, str] = field(default_factory=dict)  # window index → the ticket it holds


async def call_next_phase(target: Target, options: Options) -> dict[str, Any]:
    """Each window calls in a closed loop. Mode "next": the call finishes the window's last number in
    the same request, as a clerk's "next" key does; mode "pair": a finish request after each call."""
    windows: list[str] = target.seed["windows"]
    if options.client == "wrk" and options.call_mode == "next":
        return await call_next_phase_wrk(target, options, windows)
    run = CallRun()
    pair = options.call_mode == "pair"

    async def step(index: int) -> None:
        request = target.call_next(windows[index], finish_current=not pair)
        reply = await timed(run.calls, target.api, request)
        if reply is None:
            return
        if reply.status == 204:
            run.held.pop(index, None)  # the call finished it
            run.empty += 1
            await asyncio.sleep(0.05)
        elif reply.status == 200:
            ticket = json.loads(reply.body)
            run.numbers.append(ticket["number"])
            if pair:
                await finish_ticket(run.finishes, target, ticket["id"])
            else:
                run.held[index] = ticket["id"]

    span = await closed_loop(len(windows), options.warmup, options.seconds, step, target.roots)
    await free_windows(target, run.held.values())
    return {
        "windows": len(windows),
        "mode": options.call_mode,
        "call_next": asdict(figures(run.calls, span)),
        "finish": asdict(figures(run.finishes, span)) if pair else None,
        "empty_line_replies": run.empty,
        "numbers_called": len(run.numbers),
        "numbers_called_twice_by_clients": len(run.numbers) - len(set(run.numbers)),
    }


# --- wrk -------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WrkRun:
    """One measured wrk run: its JSON summary (bench/wrk_load.lua) and the CPU split while it ran."""

    clients: int
    result: dict[str, Any]
    cpu_pct: dict[str, float]

    def figures(self, ok: set[int], neutral: frozenset[int] = frozenset()) -> Figures:
        result = self.result
        seconds = result["duration_us"] / 1e6
        statuses = {status: count for status, count in result["statuses"].items()}
        socket_errors = sum(result["errors"].values())
        if socket_errors:
            statuses["conn-error"] = socket_errors
        good = sum(count for status, count in statuses.items() if status.isdigit() and int(status) in ok)
        errors = socket_errors + sum(
            count
            for status, count in statuses.items()
            if status.isdigit() and int(status) not in ok and int(status) not in neutral
        )
        return Figures(
            clients=self.clients,
            seconds=round(seconds, 2),
            requests=good,
            per_second=round(good / seconds, 1) if seconds > 0 else 0.0,
            p50_ms=round(result["p50_us"] / 1000, 1),
            p99_ms=round(result["p99_us"] / 1000, 1),
            max_ms=round(result["max_us"] / 1000, 1),
            errors=errors,
            statuses=statuses,
            cpu_pct=self.cpu_pct,
        )


async def run_wrk(
    target: Target,
    clients: int,
    seconds: float,
    *,
    paths: Sequence[str],
    token: str = "",
    body: str | None = None,
    collect: bool = False,
    threads: int | None = None,
) -> WrkRun:
    """wrk with `clients` connections for `seconds` (rounded up to whole seconds), each thread on its
    path (see bench/wrk_load.lua), the CPU split sampled while it runs (a process's CPU leaves /proc with
    it)."""
    env = dict(os.environ, MX_METHOD="POST" if token else "GET", MX_PATHS=" ".join(paths), MX_TOKEN=token)
    env.update({"MX_BODY": body} if body is not None else {}, MX_COLLECT="1" if collect else "0")
    threads = threads or min(clients, 2)
    seconds = max(1, math.ceil(seconds))  # wrk takes whole seconds
    command = ["wrk", "-t", str(threads), "-c", str(clients), "-d", f"{seconds}s", "--timeout", "10s"]
    command += ["-s", str(WRK_SCRIPT), f"http://{HOST}:{target.api}"]
    process = await asyncio.create_subprocess_exec(
        *command, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    margin = min(0.2, seconds / 10)
    await asyncio.sleep(margin)
    before = cpu_sample(target.roots)
    await asyncio.sleep(seconds - 2 * margin)
    after = cpu_sample(target.roots)
    out, err = await process.communicate()
    lines = [line for line in out.decode().splitlines() if line.startswith("MX-RESULT ")]
    if process.returncode != 0 or not lines:
        raise RuntimeError(
            f"wrk failed ({process.returncode}):\n{out.decode()[-2000:]}{err.decode()[-2000:]}"
        )
    result: dict[str, Any] = json.loads(lines[-1].removeprefix("MX-RESULT "))
    return WrkRun(clients=clients, result=result, cpu_pct=cpu_split(before, after))


async def wrk_phase(
    target: Target, options: Options, clients: int, *, seconds: float, paths: Sequence[str], **kwargs: Any
) -> WrkRun:
    """An unmeasured warm-up run, then the measured one."""
    if options.warmup > 0:
        await run_wrk(target, clients, options.warmup, paths=paths, **kwargs)
    return await run_wrk(target, clients, seconds, paths=paths, **kwargs)


async def call_next_phase_wrk(target: Target, options: Options, windows: list[str]) -> dict[str, Any]:
    """call-next?finish_current=true from one wrk thread and connection per window."""
    paths = [
        f"/api/v1/halls/{target.seed['hall']}/windows/{window}/call-next?finish_current=true"
        for window in windows
    ]
    kwargs: dict[str, Any] = {"paths": paths, "token": target.seed["clerk_token"], "collect": True}
    numbers: list[str] = []
    if options.warmup > 0:
        warm = await run_wrk(target, len(windows), options.warmup, threads=len(windows), **kwargs)
        numbers += warm.result["numbers"]
    run = await run_wrk(target, len(windows), options.seconds, threads=len(windows), **kwargs)
    numbers += run.result["numbers"]
    # A call whose answer wrk dropped at the end is finished by the next phase's first call
    # (finish_current).
    await free_windows(target, run.result["held"])
    figures_ = run.figures(ok={200}, neutral=frozenset({204}))
    return {
        "windows": len(windows),
        "mode": "next",
        "call_next": asdict(figures_),
        "finish": None,
        "empty_line_replies": figures_.statuses.get("204", 0),
        "numbers_called": len(numbers),
        "numbers_called_twice_by_clients": len(numbers) - len(set(numbers)),
    }


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


@dataclass
class KillRun:
    acked: list[str] = field(default_factory=list)
    replayed: int = 0
    retries: int = 0
    errors: Counter[int] = field(default_factory=Counter)
    given_up: int = 0
    killed: list[int] = field(default_factory=list)
    caught: int = 0  # kills that found their worker in the middle of a request
    waiting: set[int] = field(default_factory=set)  # local ports of requests not answered yet


async def acknowledged_issue(target: Target, run: KillRun) -> None:
    """Take one number with an Idempotency-Key; a request without an answer is retried with the same key."""
    key = uuid.uuid4().hex
    payload = target.issue(target.seed["kill_service"], headers=[f"Idempotency-Key: {key}"])
    for _attempt in range(40):
        try:
            reply = await fetch(target.api, payload, waiting=run.waiting)
        except OSError:
            run.retries += 1
            await asyncio.sleep(0.05)
            continue
        if reply.status in (200, 201):
            run.acked.append(json.loads(reply.body)["id"])
            run.replayed += reply.status == 200
            return
        run.errors[reply.status] += 1
        if reply.status < 500:
            return
        await asyncio.sleep(0.05)
    run.given_up += 1


def busy_workers(master: int, port: int, clients: set[int]) -> list[int]:
    """gunicorn workers holding a connection on `port` from one of the `clients` ports that sent a
    request and has had no answer yet, not even its first bytes in the client's receive queue (a worker
    that has answered waits for the client to close, and killing it loses nothing): caught in the
    middle of a request."""
    server_side: dict[int, str] = {}  # client port → the worker's socket inode
    answered: set[int] = set()  # client ports with bytes of an answer waiting to be read
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote = int(fields[1].rsplit(":", 1)[1], 16), int(fields[2].rsplit(":", 1)[1], 16)
        if fields[3] != "01":
            continue
        if local == port and remote in clients:
            server_side[remote] = f"socket:[{fields[9]}]"
        elif remote == port and local in clients and int(fields[4].split(":")[1], 16) > 0:
            answered.add(local)
    sockets = {inode for client, inode in server_side.items() if client not in answered}
    busy = []
    for pid in worker_pids(master):
        with contextlib.suppress(OSError):
            if {os.readlink(entry.path) for entry in os.scandir(f"/proc/{pid}/fd")} & sockets:
                busy.append(pid)
    return busy


async def kill_worker(master: int, port: int, after: float, run: KillRun, most: int = 3) -> None:
    """SIGKILL, `after` seconds in, to a worker caught in the middle of a request. The workers are
    stopped (SIGSTOP) while they are looked at, so the one chosen cannot answer in the meantime, then
    continued. If no client lost its request within a second, another worker is killed, `most` in all."""
    await asyncio.sleep(after)
    for _kill in range(most):
        lost_before = run.retries
        victim = None
        for _attempt in range(200):
            victim = stop_and_kill_busy(master, port, set(run.waiting))
            if victim is not None:
                run.caught += 1
                break
            await asyncio.sleep(0.005)
        if victim is None:
            idle = worker_pids(master)
            if not idle:
                return
            victim = idle[0]
            os.kill(victim, signal.SIGKILL)
        run.killed.append(victim)
        await asyncio.sleep(1.0)
        if run.retries > lost_before:
            return


def stop_and_kill_busy(master: int, port: int, clients: set[int]) -> int | None:
    """With every worker stopped, SIGKILL the first one in the middle of a request; its pid, or None."""
    workers = worker_pids(master)
    for pid in workers:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGSTOP)
    try:
        busy = busy_workers(master, port, clients)
        if busy:
            os.kill(busy[0], signal.SIGKILL)
            return busy[0]
        return None
    finally:
        for pid in workers:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)


async def kill_phase(target: Target, options: Options, master: int) -> KillRun:
    run = KillRun()
    deadline = time.perf_counter() + options.kill_seconds

    async def client() -> None:
        while time.perf_counter() < deadline:
            await acknowledged_issue(target, run)

    killer = asyncio.create_task(kill_worker(master, target.api, options.kill_after, run))
    try:
        await asyncio.gather(*(client() for _ in range(32)))
    finally:
        killer.cancel()
    return run


# --- running it all -------------------------------------------------------------------------------------


@dataclass
class Results:
    layout: dict[str, Any]
    errors: list[str] = field(default_factory=list)
    calibration: dict[str, dict[str, Any]] = field(default_factory=dict)
    issue: dict[str, dict[str, Any]] = field(default_factory=dict)
    call_next: dict[str, Any] = field(default_factory=dict)
    sse: dict[str, Any] = field(default_factory=dict)
    kill: dict[str, Any] = field(default_factory=dict)
    checks: dict[str, Any] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    runtime_seconds: float = 0.0


async def load_phases(target: Target, options: Options, results: Results, env: dict[str, str]) -> None:
    levels = sorted(set(options.clients) | {len(target.seed["windows"])})
    for clients in levels:
        log(f"calibration: GET /healthz, {clients} clients")
        results.calibration[str(clients)] = asdict(await calibrate(target, options, clients))
    for clients in options.clients:
        log(f"issue: {clients} clients, {options.seconds:.0f}s")
        results.issue[str(clients)] = asdict(await issue_level(target, options, clients))
    log(f"call-next: prefilling {options.call_prefill} waiting tickets")
    prefill = run_seed(
        env, "prefill", "--service", target.seed["call_service"], "--count", str(options.call_prefill)
    )
    log(f"call-next: 8 windows, {options.seconds:.0f}s")
    results.call_next = {"waiting_before": prefill["waiting"], **await call_next_phase(target, options)}


def check_results(results: Results, env: dict[str, str], acked_path: Path | None) -> None:
    args = ["check", *(["--acked", str(acked_path)] if acked_path else [])]
    results.checks = run_seed(env, *args, patience=30.0)
    checks = results.checks
    for name in ("duplicate_numbers", "duplicate_seqs", "called_twice", "windows_holding_two"):
        if checks[name]:
            results.failures.append(f"{name}: {checks[name]}")
    if results.call_next.get("numbers_called_twice_by_clients"):
        results.failures.append("call-next handed out a number twice")
    if "kill" in checks and checks["kill"]["acknowledged_missing"]:
        results.failures.append(f"acknowledged tickets missing: {checks['kill']['acknowledged_missing']}")


def idle_check(seconds: float = 2.0) -> float:
    """Machine CPU busy % before anything starts: other sessions' load skews every figure that follows."""
    before = cpu_sample({})
    time.sleep(seconds)
    return cpu_split(before, cpu_sample({}))["busy"]


def run_kill(target: Target, options: Options, api: Server, workdir: Path, results: Results) -> Path:
    log(
        f"kill test: 32 clients, {options.kill_seconds:.0f}s, SIGKILL to a worker after {options.kill_after}s"
    )
    run = asyncio.run(kill_phase(target, options, api.process.pid))
    results.kill = {key: value for key, value in asdict(run).items() if key not in ("acked", "waiting")}
    results.kill.update(acknowledged=len(run.acked), workers_after=len(worker_pids(api.process.pid)))
    acked_path = workdir / "acked.json"
    acked_path.write_text(json.dumps(run.acked))
    return acked_path


def guarded(results: Results, name: str, phase: Callable[[], T]) -> T | None:
    """Run one phase; if it breaks, note why and go on, so the figures measured so far are reported."""
    try:
        return phase()
    except Exception as error:
        traceback.print_exc()
        results.errors.append(f"{name}: {type(error).__name__}: {str(error)[:300]}")
        return None


def run_all(options: Options, workdir: Path) -> Results:
    env = app_env(os.environ["DATABASE_URL"])
    busy = idle_check()
    log(f"machine CPU busy before start: {busy:.0f} %; migrating and seeding")
    migrate(env)
    seed = run_seed(env, "seed", "--levels", ",".join(str(n) for n in options.clients))
    stack = Stack(env, workdir)
    results = Results(layout={})
    try:
        api = stack.gunicorn(options.workers)
        events = stack.uvicorn()
        roots = cpu_roots(api=api.process.pid, events=events.process.pid)
        target = Target(api=api.port, events=events.port, seed=seed, roots=roots)
        results.layout = {**layout(env, options, seed), "machine_busy_before_start_pct": busy}
        asyncio.run(load_phases(target, options, results, env))
        if not options.skip_sse:
            log("SSE: opening watchers")
            sse = guarded(
                results, "SSE", lambda: asyncio.run(sse_phase(target, options, events.process.pid, env))
            )
            results.sse = sse or {}
        # The events process keeps database connections after its streams end (see README): stop it, or
        # the worker gunicorn starts after the kill could find no connection slot.
        stop_process(events.process)
        acked_path = None
        if not options.skip_kill:
            acked_path = guarded(
                results, "kill test", lambda: run_kill(target, options, api, workdir, results)
            )
        guarded(results, "checks", lambda: check_results(results, env, acked_path))
    finally:
        stack.stop()
    results.layout["server_log_error_lines"] = {s.name: count_errors(s.log_path) for s in stack.servers}
    return results


def count_errors(path: Path) -> int:
    lines = path.read_text(errors="replace").splitlines()
    return sum(" ERROR " in line or "[ERROR]" in line for line in lines)


def source_state() -> str:
    """The commit measured, and whether the application code had uncommitted changes."""
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "minxin"], cwd=ROOT, capture_output=True, text=True
    )
    if head.returncode != 0:
        return "unknown (not a git checkout)"
    return head.stdout.strip() + (" with uncommitted changes in minxin/" if dirty.stdout.strip() else "")


def layout(env: dict[str, str], options: Options, seed: dict[str, Any]) -> dict[str, Any]:
    return {
        "source": source_state(),
        "postgresql": seed["postgresql"],
        "gunicorn_sync_workers": options.workers,
        "uvicorn_processes": 1,
        "live_signals": "redis pub/sub" if env.get("REDIS_URL") else "LISTEN/NOTIFY (LiveMessage rows)",
        "client": (
            "wrk (bench/wrk_load.lua), one connection per request; SSE and kill phases: asyncio in the "
            "benchmark process"
            if options.client == "wrk"
            else "asyncio, raw HTTP/1.1, one connection per request, in the benchmark process"
        ),
        "cores": os.cpu_count(),
    }


# --- report ---------------------------------------------------------------------------------------------

HEADER = (
    f"{'request':<12}{'clients':>8}{'ok/s':>7}{'p50 ms':>8}{'p99 ms':>8}{'errors':>7}{'healthz/s':>10}"
    f"{'of hz':>7}  {'busy  api   db  cli  oth':<25} goal"
)


def _verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


def _row(name: str, row: dict[str, Any], calibration: dict[str, Any] | None, goal: str = "") -> str:
    base = calibration["per_second"] if calibration else None
    share = f"{100 * row['per_second'] / base:6.1f}%" if base else f"{'-':>7}"
    cpu = row["cpu_pct"]
    shares = "".join(f"{cpu[key]:>5.0f}" for key in ("busy", "api", "db", "client", "other"))
    return (
        f"{name:<12}{row['clients']:>8}{row['per_second']:>7.0f}{row['p50_ms']:>8.1f}{row['p99_ms']:>8.1f}"
        f"{row['errors']:>7}{base or math.nan:>10.0f}{share}{shares}    {goal}"
    ).replace("nan", "  -")


def report_lines(results: Results) -> Iterator[str]:
    lay = results.layout
    yield (
        f"Queue load: PostgreSQL {lay['postgresql']}, gunicorn {lay['gunicorn_sync_workers']} sync workers, "
        f"uvicorn 1 process, {lay['cores']} cores; live signals by {lay['live_signals']}"
    )
    yield f"source: {lay['source']}"
    yield f"load: {lay['client']}; machine busy before start {lay['machine_busy_before_start_pct']:.0f} %"
    yield (
        "CPU in % of the machine: busy = all; api = gunicorn; db = PostgreSQL; "
        "cli = the load generator (wrk or this process); oth = processes not ours"
    )
    yield ""
    yield HEADER
    for row in results.calibration.values():
        yield _row("GET /healthz", row, None, "calibration")
    for clients, row in results.issue.items():
        ok = row["per_second"] >= GOAL_ISSUE_RATE and row["p99_ms"] <= GOAL_ISSUE_P99_MS
        goal = f"≥ 1,000/s, p99 ≤ 100 ms: {_verdict(ok)}" if clients == "32" else ""
        yield _row("issue", row, results.calibration.get(clients), goal)
    yield from call_lines(results)
    yield from sse_lines(results.sse)
    yield from kill_lines(results.kill, results.checks.get("kill"))
    yield from check_lines(results)


def call_lines(results: Results) -> Iterator[str]:
    calls = results.call_next
    if not calls:
        return
    calibration = results.calibration.get(str(calls["windows"]))
    ok = calls["call_next"]["per_second"] >= GOAL_CALL_RATE
    yield _row("call-next", calls["call_next"], calibration, f"≥ 800/s: {_verdict(ok)}")
    if calls.get("finish"):
        yield _row("  + finish", calls["finish"], calibration)
    how = (
        "each call finishes the window's last number"
        if calls.get("mode", "next") == "next"
        else "each call followed by a finish request"
    )
    yield (
        f"  ({how}; one client per window; {calls['waiting_before']} tickets waiting at the start, "
        f"{calls['numbers_called']} called, {calls['empty_line_replies']} empty-line replies)"
    )


def sse_lines(sse: dict[str, Any]) -> Iterator[str]:
    if not sse:
        return
    latency, hold = sse["latency"], sse["hold"]
    event, cpu = hold["event"], latency["cpu_pct"]
    ok = (
        latency["p99_ms"] <= GOAL_EVENT_P99_MS
        and latency["watchers"] >= 2000
        and latency["deliveries"] == latency["deliveries_expected"]
    )
    yield ""
    yield (
        f"SSE call→event: {latency['watchers']}/{latency['requested']} watchers open "
        f"(failed: {latency['open_failed'] or 0})   p99 ≤ 500 ms at 2,000: {_verdict(ok)}"
    )
    yield (
        f"  p50 {latency['p50_ms']:.0f} ms, p99 {latency['p99_ms']:.0f} ms, max {latency['max_ms']:.0f} ms "
        f"over {latency['events']} calls; {latency['watchers_with_every_event']} watchers got every event "
        f"({latency['deliveries']}/{latency['deliveries_expected']} frames, waited "
        f"{latency['waited_after_last_call_s']:.1f} s after the last call)"
    )
    yield (
        f"  split at the frame's server time: request sent → call p50 "
        f"{latency['request_to_call_p50_ms']:.0f} ms; "
        f"call → frame read p50 {latency['call_to_receipt_p50_ms']:.0f} ms, "
        f"p99 {latency['call_to_receipt_p99_ms']:.0f} ms; the call-next request itself: "
        f"p50 {latency['call_request_p50_ms']:.0f} ms, p99 {latency['call_request_p99_ms']:.0f} ms; "
        f"CPU busy {cpu['busy']:.0f} % (events {cpu['events']:.0f}, cli {cpu['client']:.0f}, "
        f"other {cpu['other']:.0f})"
    )
    yield (
        f"  the load generator's own event loop ran late by p50 {latency['client_loop_lag_p50_ms']:.1f} ms, "
        f"p99 {latency['client_loop_lag_p99_ms']:.1f} ms, max {latency['client_loop_lag_max_ms']:.1f} ms "
        "(included in every arrival time)"
    )
    held = event["watchers_with_every_event"]
    yield (
        f"SSE held: {hold['alive_after_hold']}/{hold['requested']} open after {hold['held_seconds']:.0f} s "
        f"(failed: {hold['open_failed'] or 0}); {held} got the next event (p99 {event['p99_ms']:.0f} ms)   "
        f"10,000: {_verdict(held >= GOAL_HELD)}"
    )
    yield (
        f"  uvicorn while held: RSS {hold['rss_mb']:.0f} MB (idle {sse['rss_mb_idle']:.0f}), "
        f"threads {hold['threads']} (idle {sse['threads_idle']}); PostgreSQL connections "
        f"{_db(hold['db_connections'])}; 3 s after the watchers left: threads "
        f"{sse['after_close']['threads']}, connections {_db(sse['after_close']['db_connections'])}"
    )


def _db(connections: dict[str, Any]) -> str:
    if "error" in connections:
        return str(connections["error"])
    return f"{connections['open']}/{connections['max_connections']}"


def kill_lines(kill: dict[str, Any], stored: dict[str, Any] | None) -> Iterator[str]:
    if not kill or stored is None:
        return
    yield ""
    yield (
        f"kill test: SIGKILL to worker(s) {kill['killed']} in a 32-client burst ({kill.get('caught', 0)} "
        f"caught in the middle of a request); {kill['retries']} requests "
        f"lost their connection and were retried with their Idempotency-Key ({kill['replayed']} answered "
        f"as a replay: committed before the kill); {kill['acknowledged']} acknowledged, {kill['given_up']} "
        f"given up, other errors {dict(kill['errors']) or 0}; {kill['workers_after']} workers after"
    )
    yield (
        f"  database: {stored['acknowledged'] - stored['acknowledged_missing']}/{stored['acknowledged']} "
        f"acknowledged tickets present ({stored['acknowledged_missing']} lost); "
        f"{stored['stored_unacknowledged']} stored but never acknowledged"
    )


def check_lines(results: Results) -> Iterator[str]:
    checks = results.checks
    yield ""
    if checks:
        yield (
            f"checks: {checks['tickets']} tickets; duplicate numbers {checks['duplicate_numbers']}, "
            f"duplicate sequence numbers {checks['duplicate_seqs']}, called twice {checks['called_twice']} "
            f"(of {checks['called_events']} calls), windows holding two {checks['windows_holding_two']}; "
            f"error lines in server logs {results.layout.get('server_log_error_lines')}"
        )
    else:
        yield "checks: not run"
    for error in results.errors:
        yield f"benchmark error in {error}"
    verdict = (
        "FAILED: " + "; ".join(results.failures) if results.failures else "all correctness checks passed"
    )
    yield f"result: {verdict}; runtime {results.runtime_seconds:.0f} s"


def finite(value: Any) -> Any:
    """`value` with NaN (a percentile of nothing) as None, so the JSON file is standard JSON."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {key: finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [finite(item) for item in value]
    return value


# --- entry point ----------------------------------------------------------------------------------------


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: Sequence[str]) -> int:
    options = parse_options(argv)
    if not is_postgres(os.environ.get("DATABASE_URL", "")):
        return reexec_with_postgres(argv)
    raise_open_files()
    signal.signal(signal.SIGTERM, _interrupt)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="bench-queue-") as scratch:
        workdir = options.log_dir or Path(scratch)
        workdir.mkdir(parents=True, exist_ok=True)
        results = run_all(options, workdir)
    results.runtime_seconds = round(time.monotonic() - started, 1)
    print("\n".join(report_lines(results)), flush=True)
    if options.json_path is not None:
        text = json.dumps(finite(asdict(results)), ensure_ascii=False, indent=2, default=str)
        options.json_path.write_text(text + "\n")
    if results.failures:
        return 1
    return 2 if results.errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
