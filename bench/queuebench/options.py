"""The command line of bench/bench_queue.py."""

from __future__ import annotations

import argparse
import math
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


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
    layout: str = "production"
    demo_app: str = "minxin.embedded:application"


def parse_options(argv: Sequence[str], description: str | None = None) -> Options:
    parser = argparse.ArgumentParser(
        description=description or __doc__, formatter_class=argparse.RawTextHelpFormatter
    )
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
    add(
        "--layout",
        choices=("production", "demo"),
        default="production",
        help="production: PostgreSQL, gunicorn and an events process (docs/deploy.md); demo: what "
        "`make demo` serves, SQLite through one uvicorn process (no kill test there: one process)",
    )
    add(
        "--demo-app",
        default="minxin.embedded:application",
        help="the ASGI application of the demo layout (default: the one `make demo` serves; "
        "minxin.asgi:application measures the layout before issue 11)",
    )
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
        layout=args.layout,
        demo_app=args.demo_app,
    )
