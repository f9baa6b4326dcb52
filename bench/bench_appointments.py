"""Benchmark of the appointments app: forecast accuracy, predicted against simulated waits, booking
throughput over HTTP on PostgreSQL.

1. Forecast: a simulated year-2025 history of one service (weekday-hour profile, the days after and
   before holidays, the tax-filing peak of the 1st–15th; Poisson arrivals) is cut into 8 held-out weeks;
   each is forecast by `appointments.forecast.fit_arrivals` fitted on the 8 weeks before it, and by
   "same hour last week". WAPE of hourly arrivals (goal: ours ≥ 20 % lower).
2. Waits: for the held-out days, `hourly_waits` (a time-stepped M(t)/M/c(t) queue carrying the backlog
   from hour to hour, appointments/waits.py) from the forecast arrivals, against a discrete-event
   simulation of the same days' actual arrivals at the same windows: the hall's planned windows (3 all
   day, where the morning peak builds a backlog) and the suggested staffing. MAE per hour, and the
   peak hour's predicted against simulated wait.
3. Booking throughput: PostgreSQL (a throwaway cluster from scripts/with_postgres.py unless DATABASE_URL
   names one), gunicorn with 4 sync workers, clients POSTing /api/v1/halls/{hall}/appointments with a
   staff token, each for its own phone; beside a calibration (GET /healthz on the same server). Then
   a hot slot: 200 requests for 20 seats at once; exactly 20 must be booked.

    .venv/bin/python bench/bench_appointments.py [--seconds 8] [--clients 8,32] [--skip-http]

Prints the figures against the goals and exits 0 (1 when a correctness check fails).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from appointments_sim import HOURS, SERVICE_MINUTES, arrivals, is_working, simulate_day  # noqa: E402

from minxin.appointments.forecast import (  # noqa: E402 - pure module, no Django needed
    day_kind,
    fit_arrivals,
    hourly_waits,
    wape,
    windows_for_day,
)

GOAL_WAPE_GAIN = 0.20
HOST = "127.0.0.1"


PLANNED_WINDOWS = 3  # the hall's plan: three windows all day (the morning peak outruns them)


def held_out_days(
    seed: int = 2025,
) -> tuple[list[tuple[dt.date, list[float], dict[int, int]]], random.Random]:
    """The working days of 8 held-out weeks: (day, forecast arrivals per hour, actual arrivals per hour),
    each week forecast by the model fitted on the 8 weeks before it; also the naive forecasts' WAPE."""
    rng = random.Random(seed)
    start = dt.date(2025, 1, 6)
    days = [start + dt.timedelta(days=n) for n in range(7 * 44)]
    kinds = {day: day_kind(day, is_working) for day in days}
    counts = arrivals(days, kinds, rng)
    rows = []
    for week in range(36, 44):
        train = days[(week - 8) * 7 : week * 7]
        test = days[week * 7 : (week + 1) * 7]
        model = fit_arrivals({k: v for k, v in counts.items() if k[0] in set(train)}, train, kinds)
        for day in test:
            if kinds[day].working:
                expected = [model.expected(kinds[day], hour) for hour in HOURS]
                actual = {hour: counts.get((day, hour), 0) for hour in HOURS}
                last_week = {hour: counts.get((day - dt.timedelta(days=7), hour), 0) for hour in HOURS}
                rows.append((day, expected, actual | {-hour - 1: last_week[hour] for hour in HOURS}))
    return rows, rng


def forecast_accuracy(seed: int = 2025) -> dict[str, object]:
    rows, rng = held_out_days(seed)
    actual = [float(counts[hour]) for _day, _e, counts in rows for hour in HOURS]
    ours = [value for _day, expected, _c in rows for value in expected]
    naive = [float(counts[-hour - 1]) for _day, _e, counts in rows for hour in HOURS]
    ours_wape, naive_wape = wape(actual, ours), wape(actual, naive)
    return {
        "hours": len(actual),
        "wape_model": ours_wape,
        "wape_same_hour_last_week": naive_wape,
        "wape_gain": 1 - ours_wape / naive_wape,
        "planned": wait_accuracy(rows, rng, planned=True),
        "suggested": wait_accuracy(rows, rng, planned=False),
    }


def wait_accuracy(
    rows: list[tuple[dt.date, list[float], dict[int, int]]], rng: random.Random, *, planned: bool
) -> dict[str, object]:
    """Predicted hourly waits (`hourly_waits`, from the forecast arrivals) against a discrete-event
    simulation of the day's actual arrivals, at the planned windows or at the suggested staffing."""
    predicted: dict[int, list[float]] = {hour: [] for hour in HOURS}
    simulated: dict[int, list[float]] = {hour: [] for hour in HOURS}
    inside = 0
    for _day, expected, counts in rows:
        if planned:
            windows = [PLANNED_WINDOWS] * len(HOURS)
        else:
            windows = windows_for_day(arrivals=expected, service_minutes=SERVICE_MINUTES, target_minutes=15)
            windows = [max(each, 1) for each in windows]
        waits = hourly_waits(arrivals=expected, service_minutes=SERVICE_MINUTES, windows=windows)
        actual = simulate_day(
            {hour: counts[hour] for hour in HOURS}, dict(zip(HOURS, windows, strict=True)), rng
        )
        for hour, wait in zip(HOURS, waits, strict=True):
            predicted[hour].append(wait.minutes)
            simulated[hour].append(actual[hour])
            inside += int(wait.low - 2 <= actual[hour] <= wait.high + 2)
    per_hour = {
        hour: (
            statistics.fmean(predicted[hour]),
            statistics.fmean(simulated[hour]),
            statistics.fmean(abs(p - s) for p, s in zip(predicted[hour], simulated[hour], strict=True)),
        )
        for hour in HOURS
    }
    peak = max(HOURS, key=lambda hour: per_hour[hour][1])
    morning = max((hour for hour in HOURS if hour < 12), key=lambda hour: per_hour[hour][1])
    count = sum(len(values) for values in predicted.values())
    return {
        "per_hour": per_hour,
        "mae": statistics.fmean(mae for _p, _s, mae in per_hour.values()),
        "peak_hour": peak,
        "morning_peak_hour": morning,
        "within_band": inside / count,
    }


def print_waits(label: str, figures: dict[str, object]) -> None:
    per_hour = figures["per_hour"]
    assert isinstance(per_hour, dict)
    peak = figures["peak_hour"]
    assert isinstance(peak, int)
    morning = figures["morning_peak_hour"]
    assert isinstance(morning, int)
    print(
        f"hourly wait, {label}: MAE {figures['mae']:.1f} min over the hours; peak hour {peak}:00 predicted "
        f"{per_hour[peak][0]:.1f} vs simulated {per_hour[peak][1]:.1f} min; morning peak {morning}:00 "
        f"{per_hour[morning][0]:.1f} vs {per_hour[morning][1]:.1f} min; "
        f"{figures['within_band']:.0%} of day-hours inside the band (±2 min)"
    )
    print(
        "  per hour (predicted / simulated / MAE, min): "
        + "  ".join(f"{hour}:00 {p:.0f}/{s:.0f}/{e:.0f}" for hour, (p, s, e) in per_hour.items())
    )


# --- HTTP throughput on PostgreSQL -------------------------------------------------------------------

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
    try:
        for _ in range(300):  # every worker answers before the clock starts (a shared machine is slow)
            if all(request(port, "/healthz", None, "")[0] == 200 for _ in range(8)):
                break
            time.sleep(0.5)
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
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--clients", type=lambda s: [int(x) for x in s.split(",")], default=[8, 32])
    parser.add_argument("--skip-http", action="store_true")
    options = parser.parse_args()
    if not options.skip_http and not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        helper = ROOT / "scripts" / "with_postgres.py"
        if (
            subprocess.run(
                [sys.executable, str(helper), "--check"], capture_output=True, check=False
            ).returncode
            == 0
        ):
            os.execv(
                sys.executable, [sys.executable, str(helper), "--", sys.executable, __file__, *sys.argv[1:]]
            )
        print("bench_appointments: no PostgreSQL binaries, HTTP part skipped")
        options.skip_http = True
    print("== forecast (8 held-out weeks of a simulated 2025 history) ==")
    accuracy = forecast_accuracy()
    print(
        f"WAPE hourly arrivals: model {accuracy['wape_model']:.3f}, same hour last week "
        f"{accuracy['wape_same_hour_last_week']:.3f}: {accuracy['wape_gain']:.1%} lower "
        f"(goal ≥ {GOAL_WAPE_GAIN:.0%}: {'met' if accuracy['wape_gain'] >= GOAL_WAPE_GAIN else 'NOT met'})"
    )
    print_waits(f"{PLANNED_WINDOWS} planned windows all day", accuracy["planned"])  # type: ignore[arg-type]
    print_waits("at the suggested staffing", accuracy["suggested"])  # type: ignore[arg-type]
    ok = True
    if not options.skip_http:
        print("== booking over HTTP (PostgreSQL, gunicorn 4 sync workers; machine shared) ==")
        results = http_throughput(options)
        calibration = results["calibration"]
        assert isinstance(calibration, dict)
        print(f"calibration GET /healthz: {calibration['rate']:.0f}/s p50 {calibration['p50_ms']:.1f} ms")
        for clients in options.clients:
            figures = results[f"book_{clients}"]
            assert isinstance(figures, dict)
            print(
                f"book, {clients} clients: {figures['rate']:.0f}/s, p50 {figures['p50_ms']:.1f} ms, "
                f"p99 {figures['p99_ms']:.1f} ms, statuses {figures['statuses']}"
            )
        check = results["check"]
        assert isinstance(check, dict)
        print(f"hot slot, 200 requests for 20 seats: {results['hot_slot_statuses']}; check {check}")
        ok = check["hot_booked"] == 20 and check["hot_bookings"] == 20 and check["overbooked"] == 0
        ok = ok and check["mismatch"] == 0
        print("correctness:", "ok" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
