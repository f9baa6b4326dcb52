"""The queue benchmark's processes: seed, migrations, gunicorn and uvicorn, their PIDs, memory and CPU."""

from __future__ import annotations

import contextlib
import ctypes
import http.client
import json
import os
import resource
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

T = TypeVar("T")


ROOT = Path(__file__).resolve().parents[2]


SEED = ROOT / "bench" / "queue_seed.py"


WRK_SCRIPT = ROOT / "bench" / "wrk_load.lua"


HOST = "127.0.0.1"


NOFILE = 65536


GOAL_ISSUE_RATE, GOAL_ISSUE_P99_MS, GOAL_CALL_RATE = 1000.0, 100.0, 800.0


GOAL_HELD, GOAL_EVENT_P99_MS = 10_000, 500.0
# The `make demo` layout (SQLite, one uvicorn process): issue 11's goals at 32 clients.
DEMO_GOAL_ISSUE_RATE, DEMO_GOAL_CALL_RATE, DEMO_GOAL_P99_MS = 300.0, 200.0, 150.0


STREAM_READY = b": connected"


TOO_MANY_CLIENTS = "too many clients"


CALLED_EVENT = b"event: called\n"


EVENT_WAIT_SECONDS = 15.0  # how long after the last call the benchmark waits for every watcher's frames


def log(message: str) -> None:
    print(f"[bench_queue] {message}", file=sys.stderr, flush=True)


def is_postgres(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql://"))


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
        # Persistent connections as docs/deploy.md runs PostgreSQL; SQLite's URL as `make demo` has it.
        DATABASE_URL=(
            with_query(database_url, conn_max_age="600") if is_postgres(database_url) else database_url
        ),
        LOG_LEVEL="WARNING",
        SMS_BACKEND="minxin.accounts.sms.LocmemSmsBackend",
    )
    return env


def demo_env(env: dict[str, str]) -> dict[str, str]:
    """The app processes' environment as `make demo` has it: DEBUG on (the Makefile exports DEBUG=1)."""
    return {**env, "DEBUG": "1"}


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

    def uvicorn(self, app: str = "minxin.asgi:application") -> Server:
        port = free_port()
        binary = str(Path(sys.executable).parent / "uvicorn")
        command = [binary, app, "--host", HOST, "--port", str(port)]
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
