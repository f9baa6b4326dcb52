"""Fault runs of the deployed layout (issue 12, point 9): what clients see when a backing service fails.

1. PostgreSQL restarted mid-load: gunicorn (2 sync workers, the hot path in front of Django) takes
   numbers and answers queue reads from a few client threads; the cluster is stopped (`pg_ctl stop -m
   fast`), left down for a few seconds and started again. Every answer while it is down should be a 503
   in the error shape ({"error": {"code", ...}}), none a 500 or an HTML page, and the app should recover
   without a restart. It reports the answers before, during and after, the first success after the
   start, and the failures after it (a worker's first hot-path call after a restart may fail: the hot
   path skips Django's connection health check).
2. Redis stopped mid-run (REDIS_URL set: the live signal through Redis pub/sub): gunicorn and the events
   process (uvicorn) with one SSE watcher; numbers are taken and called before, while and after Redis is
   down. Every request should succeed and the watcher should see every call (the system degrading to
   the LiveMessage table). It reports requests failed and calls the watcher missed.

Its own throwaway cluster (scripts/with_postgres.py's Cluster), redis-server from PATH (Debian's).

    .venv/bin/python bench/bench_faults.py [--down-seconds 5] [--skip-redis] [--skip-postgres]

Exit 0 when both runs behave as described, 1 otherwise (the figures say what failed).
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import importlib.util
import json
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from queuebench.stack import HOST, ROOT, Stack, app_env, free_port, migrate, run_seed


def _with_postgres() -> Any:
    spec = importlib.util.spec_from_file_location("with_postgres", ROOT / "scripts" / "with_postgres.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def call(port: int, method: str, path: str, token: str = "", body: Any = None) -> tuple[int, Any, str]:
    """One request on a new connection: status, the parsed JSON (or None) and the content type."""
    headers = {"Content-Type": "application/json"} if body is not None else {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        connection.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
        response = connection.getresponse()
        raw = response.read()
        kind = response.getheader("Content-Type", "")
        try:
            data = json.loads(raw) if "json" in kind else None
        except ValueError:
            data = None
        return response.status, data, kind
    except OSError as error:
        return 0, {"error": {"code": type(error).__name__}}, ""
    finally:
        connection.close()


def error_code(data: Any) -> str:
    if isinstance(data, dict) and isinstance(data.get("error"), dict):
        return str(data["error"].get("code", "?"))
    return "-"


class Recorder:
    """Answers by phase ("before", "down", "after"): status, error code, and whether JSON."""

    def __init__(self) -> None:
        self.phase = "before"
        self.lock = threading.Lock()
        self.answers: dict[str, Counter[str]] = {}
        self.first_ok_after: float | None = None
        self.started_at = 0.0
        self.failures_after: list[tuple[float, int, str]] = []

    def note(self, status: int, data: Any, kind: str) -> None:
        label = f"{status} {error_code(data)}" + ("" if status < 400 or "json" in kind else " (not JSON)")
        with self.lock:
            self.answers.setdefault(self.phase, Counter())[label] += 1
            if self.phase == "after":
                since = time.monotonic() - self.started_at
                if status < 400 and self.first_ok_after is None:
                    self.first_ok_after = since
                elif status >= 500 or status == 0:
                    self.failures_after.append((since, status, error_code(data)))


def postgres_run(down_seconds: float, clients: int) -> bool:
    module = _with_postgres()
    bin_dir = module.find_bin_dir()
    if bin_dir is None:
        print("PostgreSQL restart: skipped (no server binaries)")
        return True
    cluster = module.Cluster(bin_dir)
    try:
        cluster.initdb()
        cluster.start()
        cluster.create_database()
        env = app_env(cluster.database_url())
        migrate(env)
        seed = run_seed(env, "seed", "--levels", "1")
        with tempfile.TemporaryDirectory(prefix="bench-faults-") as workdir:
            stack = Stack(env, Path(workdir))
            try:
                api = stack.gunicorn(2)
                return _restart_under_load(cluster, api.port, seed, down_seconds, clients)
            finally:
                stack.stop()
    finally:
        cluster.stop_and_remove()


def _restart_under_load(cluster: Any, port: int, seed: dict[str, Any], down: float, clients: int) -> bool:
    recorder, stop = Recorder(), threading.Event()
    take = {"service": seed["issue_services"]["1"], "channel": "kiosk"}

    def client(index: int) -> None:
        while not stop.is_set():
            if index % 2:
                recorder.note(*call(port, "POST", "/api/v1/halls/bench/tickets", seed["kiosk_token"], take))
            else:
                recorder.note(*call(port, "GET", "/api/v1/halls/bench/queue"))
            time.sleep(0.02)

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    time.sleep(5)
    recorder.phase = "stopping"  # answers while pg_ctl waits for the server to go
    cluster._run([cluster.tool("pg_ctl"), "-D", str(cluster.data), "-m", "fast", "-w", "stop"])
    recorder.phase, stopped = "down", time.monotonic()
    time.sleep(down)
    cluster.start()
    recorder.phase, recorder.started_at = "after", time.monotonic()
    outage = recorder.started_at - stopped
    time.sleep(10)
    stop.set()
    for thread in threads:
        thread.join(timeout=40)
    print(f"\nPostgreSQL restarted mid-load: gunicorn 2 workers, {clients} clients, down {outage:.1f} s")
    for phase in ("before", "stopping", "down", "after"):
        answers = recorder.answers.get(phase, Counter())
        print(f"  {phase:<7} " + ", ".join(f"{label}: {n}" for label, n in sorted(answers.items())))
    first = recorder.first_ok_after
    print(
        f"  first success {first:.2f} s after the start"
        if first is not None
        else "  no success after the start"
    )
    print(f"  5xx after the start: {len(recorder.failures_after)}", end="")
    print(
        f" (first at {recorder.failures_after[0][0]:.2f} s, last at {recorder.failures_after[-1][0]:.2f} s)"
        if recorder.failures_after
        else ""
    )
    down_answers = recorder.answers.get("down", Counter())
    bad = [label for label in down_answers if not (label.startswith("503 ") and "not JSON" not in label)]
    shape = "every answer a 503 in the error shape" if not bad else "NOT only 503s: " + ", ".join(bad)
    print(f"  while down: {shape}")
    late = [f for f in recorder.failures_after if f[0] > 3.0]
    print(f"  recovered without restarting the app: {'yes' if first is not None and not late else 'NO'}")
    return not bad and first is not None and not late


def redis_run(calls_each_phase: int) -> bool:
    binary = shutil.which("redis-server")
    module = _with_postgres()
    bin_dir = module.find_bin_dir()
    if binary is None or bin_dir is None:
        print("Redis stopped mid-run: skipped (no redis-server or PostgreSQL)")
        return True
    cluster = module.Cluster(bin_dir)
    redis_port = free_port()
    redis = subprocess.Popen(
        [binary, "--port", str(redis_port), "--bind", HOST, "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    try:
        cluster.initdb()
        cluster.start()
        cluster.create_database()
        env = app_env(cluster.database_url()) | {"REDIS_URL": f"redis://{HOST}:{redis_port}/0"}
        migrate(env)
        seed = run_seed(env, "seed", "--levels", "1")
        with tempfile.TemporaryDirectory(prefix="bench-faults-") as workdir:
            stack = Stack(env, Path(workdir))
            try:
                api, events = stack.gunicorn(2), stack.uvicorn()
                return _redis_stopped(redis, api.port, events.port, seed, calls_each_phase)
            finally:
                stack.stop()
    finally:
        with contextlib.suppress(ProcessLookupError):
            redis.terminate()
        redis.wait(timeout=10)
        cluster.stop_and_remove()


def _redis_stopped(
    redis: subprocess.Popen[bytes], api: int, events: int, seed: dict[str, Any], each: int
) -> bool:
    seen: list[str] = []
    watcher = http.client.HTTPConnection(HOST, events, timeout=60)
    watcher.request("GET", "/api/v1/halls/bench/events")
    stream = watcher.getresponse()

    def watch() -> None:
        event = ""
        # AttributeError: http.client's reader after the watcher was closed at the end of the run.
        with contextlib.suppress(OSError, ValueError, AttributeError):
            while line := stream.readline():
                text = line.decode().rstrip("\n")
                if text.startswith("event: "):
                    event = text[7:]
                elif text.startswith("data: ") and event == "called":
                    seen.append(json.loads(text[6:])["number"])

    threading.Thread(target=watch, daemon=True).start()
    time.sleep(2)
    take = {"service": seed["issue_services"]["1"], "channel": "kiosk"}
    statuses: dict[str, Counter[int]] = {}
    called: dict[str, list[str]] = {}
    for phase in ("before", "redis down", "redis still down"):
        if phase == "redis down":
            redis.terminate()
            redis.wait(timeout=10)
        for n in range(each):
            status, _data, _kind = call(api, "POST", "/api/v1/halls/bench/tickets", seed["kiosk_token"], take)
            statuses.setdefault(phase, Counter())[status] += 1
            window = seed["windows"][n % len(seed["windows"])]
            path = f"/api/v1/halls/bench/windows/{window}/call-next?finish_current=true"
            status, data, _kind = call(api, "POST", path, seed["clerk_token"])
            statuses[phase][status] += 1
            if status == 200 and isinstance(data, dict):
                called.setdefault(phase, []).append(data["number"])
    time.sleep(5)
    watcher.close()
    print("\nRedis stopped mid-run: gunicorn 2 workers + the events process, one SSE watcher")
    ok = True
    for phase, counts in statuses.items():
        missed = [number for number in called.get(phase, []) if number not in seen]
        failed = sum(n for status, n in counts.items() if status >= 500 or status == 0)
        ok = ok and not missed and not failed
        print(
            f"  {phase:<17} requests {dict(counts)}; calls {len(called.get(phase, []))}, "
            f"seen by the watcher {len(called.get(phase, [])) - len(missed)}, missed {len(missed)}"
        )
    print(f"  degrades to the table without losing an event or failing a request: {'yes' if ok else 'NO'}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--down-seconds", type=float, default=5.0)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--calls", type=int, default=8, help="calls in each phase of the Redis run")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--skip-redis", action="store_true")
    options = parser.parse_args()
    print(f"bench_faults ({ROOT}); the machine's cores are shared with other work")
    ok = True
    if not options.skip_postgres:
        ok = postgres_run(options.down_seconds, options.clients) and ok
    if not options.skip_redis:
        ok = redis_run(options.calls) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
