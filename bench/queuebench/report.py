"""The report: the figures against their goals, as lines of text."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from queuebench.stack import (
    DEMO_GOAL_CALL_RATE,
    DEMO_GOAL_ISSUE_RATE,
    DEMO_GOAL_P99_MS,
    GOAL_CALL_RATE,
    GOAL_EVENT_P99_MS,
    GOAL_HELD,
    GOAL_ISSUE_P99_MS,
    GOAL_ISSUE_RATE,
)

HEADER = (
    f"{'request':<12}{'clients':>8}{'ok/s':>7}{'p50 ms':>8}{'p99 ms':>8}{'errors':>7}{'healthz/s':>10}"
    f"{'of hz':>7}  {'busy  api   db  cli  oth':<25} goal"
)


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
    servers = (
        f"one uvicorn process ({lay.get('uvicorn_app')}, DEBUG on) for the API and the streams "
        "(the `make demo` layout)"
        if lay.get("layout") == "demo"
        else f"gunicorn {lay['gunicorn_sync_workers']} sync workers, uvicorn 1 process"
    )
    yield (
        f"Queue load: {lay['database']}, {servers}, {lay['cores']} cores; "
        f"live signals by {lay['live_signals']}"
    )
    yield f"source: {lay['source']}"
    yield f"load: {lay['client']}; machine busy before start {lay['machine_busy_before_start_pct']:.0f} %"
    demo = lay.get("layout") == "demo"
    yield (
        "CPU in % of the machine: busy = all; "
        + ("api = uvicorn; db = (SQLite runs inside api); " if demo else "api = gunicorn; db = PostgreSQL; ")
        + "cli = the load generator (wrk or this process); oth = processes not ours"
    )
    yield ""
    yield HEADER
    for row in results.calibration.values():
        yield _row("GET /healthz", row, None, "calibration")
    rate, p99 = (DEMO_GOAL_ISSUE_RATE, DEMO_GOAL_P99_MS) if demo else (GOAL_ISSUE_RATE, GOAL_ISSUE_P99_MS)
    for clients, row in results.issue.items():
        ok = row["per_second"] >= rate and row["p99_ms"] <= p99
        goal = f"≥ {rate:,.0f}/s, p99 ≤ {p99:.0f} ms: {_verdict(ok)}" if clients == "32" else ""
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
    if results.layout.get("layout") == "demo":
        row = calls["call_next"]
        ok = row["per_second"] >= DEMO_GOAL_CALL_RATE and row["p99_ms"] <= DEMO_GOAL_P99_MS
        goal = f"≥ {DEMO_GOAL_CALL_RATE:.0f}/s, p99 ≤ {DEMO_GOAL_P99_MS:.0f} ms: {_verdict(ok)}"
    else:
        goal = f"≥ 800/s: {_verdict(calls['call_next']['per_second'] >= GOAL_CALL_RATE)}"
    yield _row("call-next", calls["call_next"], calibration, goal)
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
    if "open" not in connections:
        return "-"
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
