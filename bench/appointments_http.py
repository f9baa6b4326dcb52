"""The HTTP part of bench/bench_appointments.py: booking throughput over HTTP on PostgreSQL (gunicorn, 4 sync
workers), beside a calibration, and a hot slot booked by 200 requests for 20 seats."""

from __future__ import annotations

import argparse
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


SEED = """
import datetime as dt, json, sys
import django
django.setup()
from minxin.accounts.models import Role, User
from minxin.accounts.services import api_token_create
from minxin.orgs.services import (
    hall_create, hall_set_opening_hours, membership_grant, region_create, unit_create)
from minxin.queueing.models import Queue, Service
from minxin.appointments.models import SlotPlan, Slot
from minxin.appointments.services import bookable_days, slots_for_day
region = region_create(code="139900", name="基准市", level="city")
unit = unit_create(name="基准单位", kind="organ", flag_category="service", region=region)
hall = hall_create(code="bench-appt", name="基准大厅", unit=unit)
hall_set_opening_hours(hall=hall, periods=[(d, dt.time(0, 0), dt.time(23, 59)) for d in range(7)])
clerk = User.objects.create_user(username="bench-clerk", password="x")
membership_grant(user=clerk, role=Role.WINDOW_CLERK, hall=hall)
token = api_token_create(user=clerk, name="bench").secret
starts = []
for n in range(20):
    queue = Queue.objects.create(hall=hall, code=f"q{n}", prefix="ABCDEFGHJKLMNPQRSTUV"[n], name=f"Q{n}")
    service = Service.objects.create(hall=hall, code=f"s{n}", name=f"S{n}", queue=queue)
    SlotPlan.objects.create(hall=hall, service=service, slot_minutes=30, windows=1, service_minutes=1,
                            capacity_override=500)
    day = bookable_days(hall)[1]
    for slot in slots_for_day(hall=hall, service=service, day=day):
        starts.append([service.code, slot.starts_at.isoformat()])
hot = Service.objects.get(hall=hall, code="s0")
hot_slot = slots_for_day(hall=hall, service=hot, day=bookable_days(hall)[2])[0]
Slot.objects.filter(pk=hot_slot.pk).update(capacity=20)
print(json.dumps({"token": token, "starts": starts, "hot": hot_slot.starts_at.isoformat(),
                  "hot_id": hot_slot.pk}))
"""

CHECK = """
import json, sys
import django
django.setup()
from django.db.models import F
from minxin.appointments.models import Booking, Slot
hot = Slot.objects.get(pk=int(sys.argv[1]))
print(json.dumps({"hot_booked": hot.booked, "hot_bookings": Booking.objects.filter(slot=hot).count(),
  "overbooked": Slot.objects.filter(booked__gt=F("capacity")).count(),
  "mismatch": sum(1 for s in Slot.objects.all()
                  if s.booked != Booking.objects.filter(slot=s, status="booked").count())}))
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def run_django(code: str, env: dict[str, str], *args: str) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-c", code, *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def request(port: int, path: str, body: dict[str, object] | None, token: str) -> tuple[int, float]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(f"http://{HOST}:{port}{path}", data=data, method="POST" if data else "GET")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    if data:
        req.add_header("Content-Type", "application/json")
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=60) as response:
            status = response.status
            response.read()
    except urllib.error.HTTPError as error:
        status = error.code
    except OSError:
        status = 0  # a timeout or a refused connection: counted, not fatal
    return status, (time.perf_counter() - started) * 1000


def load(port: int, clients: int, seconds: float, make: object) -> dict[str, float]:
    deadline = time.perf_counter() + seconds
    latencies: list[float] = []
    statuses: dict[int, int] = {}

    def worker(index: int) -> None:
        n = 0
        while time.perf_counter() < deadline:
            path, body = make(index, n)  # type: ignore[operator]
            status, ms = request(port, path, body, TOKEN[0])
            statuses[status] = statuses.get(status, 0) + 1
            latencies.append(ms)
            n += 1

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(worker, range(clients)))
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "clients": clients,
        "rate": len(latencies) / elapsed,
        "p50_ms": latencies[len(latencies) // 2],
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1],
        "statuses": statuses,  # type: ignore[dict-item]
    }


TOKEN = [""]


def http_throughput(options: argparse.Namespace) -> dict[str, object]:
    url = os.environ.get("DATABASE_URL", "")
    env = dict(os.environ) | {
        "DJANGO_SETTINGS_MODULE": "minxin.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": HOST,
        "HTTPS": "0",
        "DATABASE_URL": url + ("&" if "?" in url else "?") + "conn_max_age=600",
    }
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    seeded = run_django(SEED, env)
    TOKEN[0] = str(seeded["token"])
    starts = seeded["starts"]
    assert isinstance(starts, list)
    port = free_port()
    server = start_server(env, port)
    try:
        return measure(options, port, seeded, starts, env)
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def start_server(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    log = tempfile.NamedTemporaryFile(prefix="bench-appt-", suffix=".log", delete=False)  # noqa: SIM115
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "minxin.wsgi",
            "-w",
            "4",
            "-b",
            f"{HOST}:{port}",
            "--no-control-socket",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    for _ in range(300):  # every worker answers before the clock starts (a shared machine is slow)
        if all(request(port, "/healthz", None, "")[0] == 200 for _ in range(8)):
            break
        time.sleep(0.5)
    return server


def measure(
    options: argparse.Namespace,
    port: int,
    seeded: dict[str, object],
    starts: list[list[str]],
    env: dict[str, str],
) -> dict[str, object]:
    results: dict[str, object] = {}
    results["calibration"] = load(port, 8, options.seconds / 2, lambda i, n: ("/healthz", None))
    counter = [0]

    def book(index: int, n: int) -> tuple[str, dict[str, object]]:
        counter[0] += 1
        service, start = starts[counter[0] % len(starts)]
        phone = f"15{index:03d}{counter[0]:06d}"[:11]
        return "/api/v1/halls/bench-appt/appointments", {
            "service": service,
            "slot_start": start,
            "phone": phone,
        }

    for clients in options.clients:
        results[f"book_{clients}"] = load(port, clients, options.seconds, book)
    hot_statuses: dict[int, int] = {}

    def hot(n: int) -> None:
        status, _ms = request(
            port,
            "/api/v1/halls/bench-appt/appointments",
            {"service": "s0", "slot_start": seeded["hot"], "phone": f"1880000{n:04d}"},
            TOKEN[0],
        )
        hot_statuses[status] = hot_statuses.get(status, 0) + 1

    with ThreadPoolExecutor(32) as pool:
        list(pool.map(hot, range(200)))
    results["hot_slot_statuses"] = hot_statuses
    results["check"] = run_django(CHECK, env, str(seeded["hot_id"]))
    return results
