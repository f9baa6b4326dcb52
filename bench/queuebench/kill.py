"""The kill test: a gunicorn worker killed with SIGKILL mid-burst, and which workers were busy."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from queuebench.options import Options
from queuebench.runs import Target
from queuebench.stack import worker_pids
from queuebench.wire import fetch


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
