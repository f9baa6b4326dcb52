"""Benchmark of ratings: submissions per second over HTTP, and the time of the statistics queries.

PostgreSQL (a throwaway cluster from scripts/with_postgres.py unless DATABASE_URL already names one),
gunicorn with 3 sync workers. It measures, beside a calibration in the same run (GET /healthz on the same
gunicorn):

- POST /api/v1/ratings (channel qr, each client rating its own finished tickets) per second, p50/p99, at
  1 and 16 concurrent clients; then every ticket must hold at most one rating, and every 201 one;
- the same ticket rated by 16 clients at once, 20 rounds: exactly one 201 per round;
- rating_figures over HALLS halls × a month of ratings (by clerk, by hall, by city and day) and one hall's
  summary, best of three.

    .venv/bin/python bench/bench_feedback.py [--seconds 8] [--halls 20] [--per-hall 1500]

The machine is shared with other work: read each figure beside its calibration.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SEED = ROOT / "bench" / "feedback_seed.py"


def env_for(database_url: str) -> dict[str, str]:
    """The production settings, as bench_queue.py runs them (no rate limit in the way of the load)."""
    return os.environ | {
        "DJANGO_SETTINGS_MODULE": "minxin.settings",
        "DATABASE_URL": database_url + ("&" if "?" in database_url else "?") + "conn_max_age=600",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "HTTPS": "0",
        "LOG_LEVEL": "WARNING",
        "SMS_BACKEND": "minxin.accounts.sms.LocmemSmsBackend",
        "FEEDBACK_RATINGS_PER_IP_PER_HOUR": "100000000",
    }


def run(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def request(port: int, method: str, path: str, body: dict[str, Any] | None = None) -> tuple[int, float]:
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        payload = json.dumps(body) if body is not None else None
        connection.request(method, path, payload, {"Content-Type": "application/json"} if payload else {})
        response = connection.getresponse()
        response.read()
        return response.status, time.perf_counter() - started
    finally:
        connection.close()


def load(port: int, clients: int, seconds: float, make: Any) -> dict[str, Any]:
    """`clients` threads send make(client, i) requests for `seconds`; rate and latency percentiles."""
    stop = time.perf_counter() + seconds
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()

    def client(index: int) -> None:
        sent = 0
        while time.perf_counter() < stop:
            method, path, body = make(index, sent)
            if path is None:
                return
            status, took = request(port, method, path, body)
            sent += 1
            with lock:
                latencies.append(took)
                statuses[status] = statuses.get(status, 0) + 1

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(client, range(clients)))
    span = time.perf_counter() - started
    latencies.sort()
    return {
        "clients": clients,
        "rate": round(len(latencies) / span, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 1) if latencies else None,
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 1) if latencies else None,
        "statuses": statuses,
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--halls", type=int, default=20)
    parser.add_argument("--per-hall", type=int, default=1500)
    options = parser.parse_args(argv)
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith("postgres"):
        return subprocess.call(
            [PYTHON, "scripts/with_postgres.py", "--", PYTHON, "bench/bench_feedback.py", *argv], cwd=ROOT
        )
    env = env_for(database_url)
    run([PYTHON, "manage.py", "migrate", "-v0"], env)
    seeded = json.loads(run([PYTHON, str(SEED), "tickets", "30000"], env).splitlines()[-1])
    tickets: list[str] = seeded["tickets"]
    port = free_port()
    server = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "gunicorn",
            "minxin.wsgi",
            "-w",
            "3",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    results: dict[str, Any] = {}
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if request(port, "GET", "/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        results["calibration_healthz"] = load(
            port, 16, options.seconds / 2, lambda c, i: ("GET", "/healthz", None)
        )
        cursor = {"next": 0}
        lock = threading.Lock()

        def fresh(_client: int, _sent: int) -> tuple[str, str | None, dict[str, Any] | None]:
            with lock:
                index = cursor["next"]
                cursor["next"] += 1
            if index >= len(tickets):
                return "POST", None, None
            return (
                "POST",
                "/api/v1/ratings",
                {"ticket": tickets[index], "score": 5 - index % 3, "channel": "qr"},
            )

        for clients in (1, 16):
            results[f"ratings_{clients}"] = load(port, clients, options.seconds, fresh)
        races = []
        for _round in range(20):
            with lock:
                target = tickets[cursor["next"]]
                cursor["next"] += 1
            body = {"ticket": target, "score": 4, "channel": "qr"}
            barrier = threading.Barrier(16)

            def racer(_index: int, body: dict[str, Any] = body, barrier: threading.Barrier = barrier) -> int:
                barrier.wait()
                return request(port, "POST", "/api/v1/ratings", body)[0]

            with ThreadPoolExecutor(16) as pool:
                codes = list(pool.map(racer, range(16)))
            races.append((codes.count(201), codes.count(409)))
        results["same_ticket_16_at_once"] = {
            "rounds": len(races),
            "exactly_one_201": all(created == 1 and conflict == 15 for created, conflict in races),
        }
    finally:
        server.terminate()
        server.wait(timeout=30)
    check = run(
        [
            PYTHON,
            "-c",
            "import django,json;django.setup();from django.db.models import Count;"
            "from minxin.feedback.models import Rating;"
            "print(json.dumps({'ratings': Rating.objects.count(), 'tickets_rated_twice': "
            "Rating.objects.values('ticket').annotate(n=Count('id')).filter(n__gt=1).count()}))",
        ],
        env | {"DJANGO_SETTINGS_MODULE": "minxin.settings"},
    )
    results["database"] = json.loads(check.splitlines()[-1])
    created = sum(results[f"ratings_{c}"]["statuses"].get(201, 0) for c in (1, 16)) + len(races)
    results["database"]["every_201_stored"] = results["database"]["ratings"] == created
    stats = json.loads(
        run([PYTHON, str(SEED), "stats", str(options.halls), str(options.per_hall)], env).splitlines()[-1]
    )
    results["statistics"] = stats
    print(json.dumps(results, indent=2, ensure_ascii=False))
    ok = (
        results["database"]["tickets_rated_twice"] == 0
        and results["same_ticket_16_at_once"]["exactly_one_201"]
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
