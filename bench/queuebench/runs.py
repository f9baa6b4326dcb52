"""The load phases: issuing at N clients, calling from windows, and the wrk-driven runs."""

from __future__ import annotations

import asyncio
import json
import math
import os
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from queuebench.options import Options
from queuebench.stack import HOST, WRK_SCRIPT, cpu_sample, cpu_split
from queuebench.wire import Figures, Recorder, build_request, closed_loop, figures, timed


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
    script: Path = WRK_SCRIPT,
    extra_env: dict[str, str] | None = None,
) -> WrkRun:
    """wrk with `clients` connections for `seconds` (rounded up to whole seconds), each thread on its
    path (see bench/wrk_load.lua; another `script` reads what it needs from `extra_env`), the CPU split
    sampled while it runs (a process's CPU leaves /proc with it)."""
    env = dict(os.environ, MX_METHOD="POST" if token else "GET", MX_PATHS=" ".join(paths), MX_TOKEN=token)
    env.update({"MX_BODY": body} if body is not None else {}, MX_COLLECT="1" if collect else "0")
    env.update(extra_env or {})
    threads = threads or min(clients, 2)
    seconds = max(1, math.ceil(seconds))  # wrk takes whole seconds
    command = ["wrk", "-t", str(threads), "-c", str(clients), "-d", f"{seconds}s", "--timeout", "10s"]
    command += ["-s", str(script), f"http://{HOST}:{target.api}"]
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
