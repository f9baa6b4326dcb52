"""Voting benchmark: ballots per second over HTTP at 32 clients on PostgreSQL (goal ≥ 1,000/s, zero
double votes) beside a calibration (GET /healthz on the same server in the same run), then the time to
compute results for 200,000 ballots × 60 candidates (goal ≤ 2 s per rule).

    .venv/bin/python bench/bench_voting.py [--seconds 15] [--clients 32] [--workers 4] [--ballots 200000]
    .venv/bin/python bench/bench_voting.py --skip-http    # only the results timing (wall and CPU)

Starts its own throwaway PostgreSQL (scripts/with_postgres.py) and gunicorn (minxin.wsgi: ballots with a
bearer token take the hot path, minxin/voting/hotpath.py), like bench_queue.py, whose helpers it uses.
Every ballot is a different person (a valid ID number and a WeChat id) entered by an integration token
on the "wechat" channel, the path most of Langfang's votes took; then every accepted person is sent
again on the paper channel, which must be refused (409 already_voted) every time.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import bench_queue as bq

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "bench" / "voting_seed.py"
WRK_SCRIPT = ROOT / "bench" / "wrk_voting.lua"
WARMUP_PEOPLE = 40_000_000  # wrk's warm-up run votes for people from here, the measured run from 0
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def log(message: str) -> None:
    print(f"[bench_voting] {message}", file=sys.stderr, flush=True)


def id_number(n: int) -> str:
    body = f"131002{1940 + n // 100_000 % 60}{1 + n // 8_000 % 12:02d}{1 + n // 300 % 28:02d}{n % 1000:03d}"
    total = sum(int(d) * w for d, w in zip(body, WEIGHTS, strict=True))
    return body + "10X98765432"[total % 11]


def seed(env: dict[str, str], *args: str) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, str(SEED), *args], env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"voting_seed.py {' '.join(args)} failed:\n{result.stdout}{result.stderr[-3000:]}")
    answer: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return answer


def reexec_with_postgres(argv: Sequence[str]) -> int:
    """Run this script again inside a throwaway cluster; 0 with "skipped" where PostgreSQL is missing."""
    helper = ROOT / "scripts" / "with_postgres.py"
    found = subprocess.run(
        [sys.executable, str(helper), "--check"], capture_output=True, text=True, check=False
    )
    if found.returncode != 0:
        print(
            "bench_voting: skipped (no PostgreSQL server binaries; install Debian's postgresql or set PG_BIN)"
        )
        return 0
    script = str(Path(__file__).resolve())
    os.execv(sys.executable, [sys.executable, str(helper), "--", sys.executable, script, *argv])
    return 1  # not reached


class People:
    """Unique people for each client: person = client × 1,000,000 + n (no two requests share one)."""

    def __init__(self, clients: int) -> None:
        self.next = [index * 1_000_000 for index in range(clients)]

    def take(self, client: int) -> int:
        person = self.next[client]
        self.next[client] += 1
        return person


def ballot(port: int, campaign: str, token: str, person: int, channel: str) -> bytes:
    voter: dict[str, str] = {"id_number": id_number(person)}
    if channel == "wechat":
        voter["external_id"] = f"o{person:010d}"
    body = {"choices": [1 + person % 60, 1 + (person * 7) % 60], "channel": channel, "voter": voter}
    choices = body["choices"]
    if choices[0] == choices[1]:  # type: ignore[index]
        body["choices"] = [choices[0]]  # type: ignore[index]
    return bq.build_request(
        port, "POST", f"/api/v1/campaigns/{campaign}/ballots", token=token, body=json.dumps(body).encode()
    )


async def load(
    port: int, seed_answer: dict[str, Any], options: argparse.Namespace, roots: dict[str, int]
) -> dict[str, Any]:
    """The calibration and the ballots from this process (asyncio), then the second attempts."""
    campaign, token = seed_answer["campaign"], seed_answer["token"]
    calibration = bq.Recorder(ok=frozenset({200}))
    health = bq.build_request(port, "GET", "/healthz")

    async def healthz(_index: int) -> None:
        await bq.timed(calibration, port, health)

    span = await bq.closed_loop(options.clients, 1.0, options.calibration_seconds, healthz, roots)
    calibrated = bq.figures(calibration, span)
    log(f"calibration: {calibrated.per_second}/s GET /healthz")

    people = People(options.clients)
    accepted: list[int] = []
    cast = bq.Recorder(ok=frozenset({201}))

    async def vote(index: int) -> None:
        person = people.take(index)
        reply = await bq.timed(cast, port, ballot(port, campaign, token, person, "wechat"))
        if reply is not None and reply.status == 201:
            accepted.append(person)

    span = await bq.closed_loop(options.clients, options.warmup, options.seconds, vote, roots)
    ballots = bq.figures(cast, span)
    log(f"ballots: {ballots.per_second}/s, p99 {ballots.p99_ms} ms, statuses {ballots.statuses}")
    return await answer_with_second_attempts(port, seed_answer, options, calibrated, ballots, accepted)


async def load_wrk(
    port: int, seed_answer: dict[str, Any], options: argparse.Namespace, roots: dict[str, int]
) -> dict[str, Any]:
    """The calibration and the ballots from Debian's wrk (bench/wrk_voting.lua: one thread per client,
    so each answer belongs to the thread's last ballot), then the second attempts from this process."""
    target = bq.Target(api=port, events=0, seed={}, roots=roots)
    calibrated = (
        await bq.run_wrk(target, options.clients, options.calibration_seconds, paths=["/healthz"])
    ).figures(ok={200})
    log(f"calibration: {calibrated.per_second}/s GET /healthz (wrk)")
    path = f"/api/v1/campaigns/{seed_answer['campaign']}/ballots"
    accepted: list[int] = []
    with tempfile.TemporaryDirectory(prefix="bench-voting-wrk-") as scratch:
        for base, seconds in ((WARMUP_PEOPLE, options.warmup), (0, options.seconds)):
            if seconds <= 0:
                continue
            listed = Path(scratch) / f"accepted-{base}"
            run = await bq.run_wrk(
                target,
                options.clients,
                seconds,
                paths=[path],
                token=seed_answer["token"],
                threads=options.clients,
                script=WRK_SCRIPT,
                extra_env={"MX_BASE": str(base), "MX_ACCEPTED": str(listed)},
            )
            accepted += [int(line) for line in listed.read_text().split()]
    ballots = run.figures(ok={201})
    log(f"ballots: {ballots.per_second}/s, p99 {ballots.p99_ms} ms, statuses {ballots.statuses} (wrk)")
    return await answer_with_second_attempts(port, seed_answer, options, calibrated, ballots, accepted)


async def answer_with_second_attempts(
    port: int,
    seed_answer: dict[str, Any],
    options: argparse.Namespace,
    calibrated: bq.Figures,
    ballots: bq.Figures,
    accepted: list[int],
) -> dict[str, Any]:
    """Every accepted person sent again on the paper channel (each must be refused: 409)."""
    campaign, token = seed_answer["campaign"], seed_answer["token"]
    again = bq.Recorder(ok=frozenset({409}))
    queue = list(accepted)

    async def repeat(_index: int) -> None:
        while queue:
            await bq.timed(again, port, ballot(port, campaign, token, queue.pop(), "paper"))

    await asyncio.gather(*(repeat(i) for i in range(options.clients)))
    statuses: dict[str, int] = {}
    for _end, _latency, status in again.rows:
        statuses[str(status)] = statuses.get(str(status), 0) + 1
    return {
        "client": options.client,
        "calibration": dataclasses.asdict(calibrated),
        "ballots": dataclasses.asdict(ballots),
        "accepted_total": len(accepted),
        "second_attempts": statuses,
    }


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--calibration-seconds", type=float, default=5.0)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--ballots", type=int, default=200_000)
    parser.add_argument("--step", type=float, default=1.0, help="Equal Shares add1 step per voter (yuan)")
    parser.add_argument("--skip-http", action="store_true")
    parser.add_argument(
        "--client",
        choices=("python", "wrk"),
        default="python",
        help="load generator: this process (asyncio, default) or Debian's wrk (bench/wrk_voting.lua), "
        "which leaves more of a small machine's CPU to the server",
    )
    options = parser.parse_args(argv)
    if options.client == "wrk" and shutil.which("wrk") is None:
        parser.error("--client wrk: wrk is not installed (apt-get install wrk)")
    database_url = os.environ.get("DATABASE_URL", "")
    if not bq.is_postgres(database_url):
        return reexec_with_postgres(argv)
    bq.raise_open_files()
    env = bq.app_env(database_url)
    log("migrating")
    bq.migrate(env)
    answer = seed(env, "setup")
    report: dict[str, Any] = {"machine": f"{os.cpu_count()} CPUs, shared with other work"}
    with tempfile.TemporaryDirectory(prefix="bench-voting-") as scratch:
        if not options.skip_http:
            stack = bq.Stack(env, Path(scratch))
            try:
                api = stack.gunicorn(options.workers)
                roots = bq.cpu_roots(api=api.process.pid)
                generator = load_wrk if options.client == "wrk" else load
                report["http"] = asyncio.run(generator(api.port, answer, options, roots))
            finally:
                stack.stop()
            report["database"] = seed(env, "verify", answer["campaign"])
    log(f"loading {options.ballots} ballots for the results timing")
    report["results"] = seed(env, "results", str(options.ballots), str(options.step))
    print(json.dumps(report, ensure_ascii=False, indent=2, default=str))
    http, db = report.get("http"), report.get("database")
    if http and db:
        # wrk stops mid-request: a ballot it sent may be stored with its answer unread (one per client
        # and run at most); this process reads every answer.
        unread = db["ballots"] - http["accepted_total"]
        most_unread = 2 * options.clients if options.client == "wrk" else 0
        ok = db["ballots"] == db["distinct_id_numbers"] and 0 <= unread <= most_unread
        refused = http["second_attempts"].get("409", 0) == http["accepted_total"]
        per_second = http["ballots"]["per_second"]
        healthz = http["calibration"]["per_second"]
        print(
            f"ballots/s at {options.clients} clients ({options.client}): {per_second} "
            f"(goal >= 1,000; healthz {healthz}/s)"
        )
        verdict = "none" if ok and refused else "CHECK FAILED"
        stored = f"in database {db['ballots']}" + (
            f", {unread} with the answer unread at wrk's stop" if unread else ""
        )
        print(f"double votes: {verdict} (accepted {http['accepted_total']}, {stored})")
        print(f"second attempts on another channel: {http['second_attempts']} (all must be 409)")
    cpu = report["results"].get("cpu_seconds", {})
    for rule, seconds in report["results"]["seconds"].items():
        print(f"results {rule}: {seconds:.3f} s (CPU {cpu.get(rule, 0.0):.3f} s)")
    found = report["results"]
    print(
        f"Equal Shares add1: {found['add1_rounds']} raises of {found['add1_step']} per voter, "
        f"{found['add1_runs_of_the_method']} runs of the method"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
