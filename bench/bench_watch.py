"""Benchmark of the lookout posts (watch): 1,000 posts reporting 96 times a day.

PostgreSQL (a throwaway cluster from scripts/with_postgres.py unless DATABASE_URL already names one),
gunicorn with 4 sync workers. It measures, beside a calibration taken in the same run (GET /healthz on
the same gunicorn, same clients):

- check-ins per second over HTTP (POST /api/v1/posts/{id}/check-ins with a bearer token) with p50/p99,
  at 8 and 32 concurrent clients (threads of this process, one connection per request);
- the worker's sweep: time, posts claimed and rows written with nothing due, with 5 % of the posts
  overdue, and with every post past its grace; and the query plan of the due-posts query (it must use
  the alert_at index, so the cost follows the due posts, not the table).

The goal in numbers: 1,000 posts × 96 reports a day is 1.1 check-ins a second on average and, if every
tower reports in the same minute of a slot, about 17 a second; a sweep must finish well inside the
worker's 15-second period. Reports figures and exits 0; 1 if a phase failed. The machine is shared.

    .venv/bin/python bench/bench_watch.py [--posts 1000] [--seconds 10] [--clients 8,32]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "bench" / "watch_seed.py"
HOST = "127.0.0.1"


def log(message: str) -> None:
    print(f"[bench_watch] {message}", file=sys.stderr, flush=True)


def reexec_with_postgres(argv: Sequence[str]) -> int:
    helper = ROOT / "scripts" / "with_postgres.py"
    found = subprocess.run(
        [sys.executable, str(helper), "--check"], capture_output=True, text=True, check=False
    )
    if found.returncode != 0:
        print("bench_watch: skipped (no PostgreSQL server binaries)")
        return 0
    os.execv(
        sys.executable,
        [sys.executable, str(helper), "--", sys.executable, str(Path(__file__).resolve()), *argv],
    )
    return 1


def app_env(database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="minxin.settings",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS=HOST,
        HTTPS="0",
        DATABASE_URL=database_url + ("&" if "?" in database_url else "?") + "conn_max_age=600",
        LOG_LEVEL="WARNING",
        WATCH_NOTICE_BACKEND="minxin.watch.notices.LocmemNoticeBackend",
    )
    return env


def run_helper(env: dict[str, str], *args: str) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, str(SEED), *args], env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"watch_seed.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    answer: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return answer


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection((HOST, port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


def load(
    port: int,
    clients: int,
    seconds: float,
    request: Callable[[], tuple[str, str, bytes | None, dict[str, str]]],
) -> dict[str, Any]:
    """`clients` threads, each sending requests one after another for `seconds`."""
    latencies: list[float] = []
    errors: list[int] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client() -> None:
        mine: list[float] = []
        bad: list[int] = []
        while time.monotonic() < stop:
            method, path, body, headers = request()
            started = time.perf_counter()
            connection = http.client.HTTPConnection(HOST, port, timeout=30)
            try:
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                if response.status >= 300:
                    bad.append(response.status)
            except OSError:
                bad.append(0)
            finally:
                connection.close()
            mine.append(time.perf_counter() - started)
        with lock:
            latencies.extend(mine)
            errors.extend(bad)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    latencies.sort()
    count = len(latencies)
    return {
        "clients": clients,
        "requests": count,
        "per_second": round(count / seconds, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 1) if count else None,
        "p99_ms": round(latencies[int(count * 0.99) - 1] * 1000, 1) if count else None,
        "errors": len(errors),
        "error_statuses": sorted(set(errors))[:5],
    }


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", default="8,32")
    parser.add_argument("--workers", type=int, default=4)
    options = parser.parse_args(argv)
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")):
        return reexec_with_postgres(argv)
    env = app_env(database_url)
    log("migrating")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], env=env, cwd=ROOT, check=True
    )
    log(f"seeding {options.posts} posts")
    seeded = run_helper(env, "seed", str(options.posts))
    posts, token = seeded["posts"], seeded["token"]
    port = free_port()
    workdir = Path(tempfile.mkdtemp(prefix="bench-watch-"))
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    with (workdir / "gunicorn.log").open("wb") as out:
        server = subprocess.Popen(
            [gunicorn, "minxin.wsgi", "-w", str(options.workers), "-b", f"{HOST}:{port}",
             "--log-level", "warning"],
            env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    figures: dict[str, Any] = {"posts": options.posts, "workers": options.workers, "cpus": os.cpu_count()}
    try:
        wait_for(port)
        auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

        def healthz() -> tuple[str, str, bytes | None, dict[str, str]]:
            return "GET", "/healthz", None, {}

        def check_in() -> tuple[str, str, bytes | None, dict[str, str]]:
            post = random.choice(posts)
            body = json.dumps({"status": "normal", "visibility_m": 20000, "channel": "api"}).encode()
            return "POST", f"/api/v1/posts/{post}/check-ins", body, auth

        load(port, 4, 2.0, check_in)  # warm-up: workers load code and caches
        figures["calibration"], figures["check_ins"] = [], []
        for clients in [int(c) for c in options.clients.split(",")]:
            log(f"calibration and check-ins at {clients} clients")
            figures["calibration"].append(load(port, clients, min(3.0, options.seconds), healthz))
            figures["check_ins"].append(load(port, clients, options.seconds, check_in))
    finally:
        os.killpg(server.pid, signal.SIGINT)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        shutil.rmtree(workdir, ignore_errors=True)
    log("sweeps")
    figures["sweep"] = run_helper(env, "sweep")
    report(figures)
    return 0


def report(figures: dict[str, Any]) -> None:
    print(f"\nwatch benchmark: {figures['posts']} posts, gunicorn {figures['workers']} sync workers, "
          f"{figures['cpus']} CPUs (shared machine), PostgreSQL")  # fmt: skip
    print(
        "\ncheck-ins over HTTP (POST /api/v1/posts/{id}/check-ins), beside GET /healthz on the same server:"
    )
    for calibration, check_ins in zip(figures["calibration"], figures["check_ins"], strict=True):
        c = check_ins
        print(
            f"  {c['clients']:>3} clients: {c['per_second']:>7.1f}/s  p50 {c['p50_ms']} ms  "
            f"p99 {c['p99_ms']} ms  errors {c['errors']}   (healthz {calibration['per_second']:.0f}/s)"
        )
    need = figures["posts"] * 96 / 86400
    print(
        f"  needed: {need:.1f}/s on average, "
        f"{figures['posts'] / 60:.0f}/s if every post reports in the same minute"
    )
    print("\nsweep (the worker's job; its period is 15 s):")
    for sweep in figures["sweep"]["sweeps"]:
        print(
            f"  {sweep['label']:<55} {sweep['seconds'] * 1000:>8.1f} ms  due {sweep['due']:>5}  "
            f"claimed {sweep['posts_claimed']:>5}  rows inserted {sweep['rows_inserted']:>5}  "
            f"queries {sweep['queries']}"
        )
    print(f"\n  due-posts query plan: {figures['sweep']['explain']}")
    print("\n" + json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
