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

`--layout demo` measures instead what `make demo` serves: SQLite, one uvicorn process running
minxin/embedded.py (the event streams on its loop, every other request through the WSGI application
and its hot path on one thread) with DEBUG on, beside the same calibration; no kill test there.
`--demo-app minxin.asgi:application` serves that layout as it was before issue 11 (Django's ASGI handler).

Then it checks the database: no duplicate numbers, no ticket called twice. It reports figures and exits
0, whether the goals are met or not; 1 when a correctness check fails; 2 when a phase broke (its error is
reported with the figures measured so far). The load generator is this process: asyncio with raw
HTTP/1.1 on sockets, one new connection per request (gunicorn's sync workers close every connection).
See bench/README.md.

    .venv/bin/python bench/bench_queue.py [--seconds 10] [--clients 1,8,32] [--skip-sse] [--json PATH]
    .venv/bin/python bench/bench_queue.py --layout demo --seconds 5 --skip-sse
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path
from types import FrameType
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from queuebench.kill import (  # noqa: F401
    KillRun,
    acknowledged_issue,
    busy_workers,
    kill_phase,
    kill_worker,
    stop_and_kill_busy,
)
from queuebench.options import Options, parse_options
from queuebench.report import (  # noqa: F401
    HEADER,
    Results,
    _db,
    _row,
    _verdict,
    call_lines,
    check_lines,
    finite,
    kill_lines,
    report_lines,
    sse_lines,
)
from queuebench.runs import (  # noqa: F401
    CallRun,
    Target,
    WrkRun,
    calibrate,
    call_next_phase,
    call_next_phase_wrk,
    finish_ticket,
    free_windows,
    issue_level,
    run_wrk,
    wrk_phase,
)
from queuebench.stack import (  # noqa: F401
    CALLED_EVENT,
    EVENT_WAIT_SECONDS,
    GOAL_CALL_RATE,
    GOAL_EVENT_P99_MS,
    GOAL_HELD,
    GOAL_ISSUE_P99_MS,
    GOAL_ISSUE_RATE,
    HOST,
    NOFILE,
    ROOT,
    SEED,
    STREAM_READY,
    TOO_MANY_CLIENTS,
    WRK_SCRIPT,
    CpuSample,
    Server,
    Stack,
    T,
    _child_setup,
    _process_table,
    app_env,
    cpu_roots,
    cpu_sample,
    cpu_split,
    demo_env,
    free_port,
    is_postgres,
    log,
    migrate,
    postmaster_pid,
    raise_open_files,
    rss_mb,
    run_seed,
    stop_process,
    threads,
    wait_ready,
    with_query,
    worker_pids,
)
from queuebench.streams import (  # noqa: F401
    Calls,
    LoopLag,
    Receipt,
    Watcher,
    _json_string,
    await_events,
    called_receipts,
    db_connections,
    event_latencies,
    hold_phase,
    latency_phase,
    open_watchers,
    sse_phase,
    timed_calls,
)
from queuebench.wire import (  # noqa: F401
    Figures,
    ProtocolError,
    Recorder,
    Reply,
    Span,
    _Exchange,
    build_request,
    closed_loop,
    fetch,
    figures,
    parse_reply,
    percentile,
    timed,
)


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
    env = demo_env(env) if options.layout == "demo" else env
    busy = idle_check()
    log(f"machine CPU busy before start: {busy:.0f} %; migrating and seeding")
    migrate(env)
    seed = run_seed(env, "seed", "--levels", ",".join(str(n) for n in options.clients))
    stack = Stack(env, workdir)
    results = Results(layout={})
    try:
        # The demo layout answers the API and the streams from the one uvicorn process `make demo` runs.
        events = stack.uvicorn(options.demo_app) if options.layout == "demo" else stack.uvicorn()
        api = events if options.layout == "demo" else stack.gunicorn(options.workers)
        roots = cpu_roots(api=api.process.pid, events=0 if api is events else events.process.pid)
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
        if not options.skip_kill and options.layout != "demo":
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
        "layout": options.layout,
        "database": seed["database"],
        "gunicorn_sync_workers": 0 if options.layout == "demo" else options.workers,
        "uvicorn_processes": 1,
        "uvicorn_app": options.demo_app if options.layout == "demo" else "minxin.asgi:application",
        "live_signals": "redis pub/sub"
        if env.get("REDIS_URL")
        else "LiveMessage rows" + (" + LISTEN/NOTIFY" if is_postgres(env["DATABASE_URL"]) else ""),
        "client": (
            "wrk (bench/wrk_load.lua), one connection per request; SSE and kill phases: asyncio in the "
            "benchmark process"
            if options.client == "wrk"
            else "asyncio, raw HTTP/1.1, one connection per request, in the benchmark process"
        ),
        "cores": os.cpu_count(),
    }


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: Sequence[str]) -> int:
    options = parse_options(argv, __doc__)
    if options.layout == "demo":
        demo_db = tempfile.mkdtemp(prefix="bench-queue-sqlite-")
        os.environ["DATABASE_URL"] = f"sqlite:///{demo_db}/bench.sqlite3"
    elif not is_postgres(os.environ.get("DATABASE_URL", "")):
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
