"""Benchmark of cases on PostgreSQL (a throwaway cluster from scripts/with_postgres.py unless
DATABASE_URL already names one):

1. the e-supervision sweep over 100,000 open cases: the time of one sweep and the rows it touches,
   with 0, 100 and 1,000 cases due (the goal: ≤ 1 s, proportional to the due cases, not the table);
2. intake throughput over HTTP: `POST /api/v1/halls/{hall}/cases` (accept, three materials) from 8
   concurrent clients against gunicorn (3 sync workers), beside a calibration (GET /healthz) on the
   same server in the same run.

The machine is shared with other work: read each figure beside its calibration.

    .venv/bin/python bench/bench_cases.py [--cases 100000] [--seconds 10] [--clients 8] [--json PATH]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
GOAL_SWEEP_SECONDS = 1.0


def log(message: str) -> None:
    print(f"[bench_cases] {message}", file=sys.stderr, flush=True)


def is_postgres(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql://"))


def reexec_with_postgres(argv: list[str]) -> int:
    helper = ROOT / "scripts" / "with_postgres.py"
    found = subprocess.run(
        [sys.executable, str(helper), "--check"], capture_output=True, text=True, check=False
    )
    if found.returncode != 0:
        print("bench_cases: skipped (no PostgreSQL server binaries)")
        return 0
    os.execv(
        sys.executable,
        [sys.executable, str(helper), "--", sys.executable, str(Path(__file__).resolve()), *argv],
    )
    return 1


def app_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="minxin.settings",
        DEBUG="0",
        SECRET_KEY=os.environ.get("BENCH_SECRET_KEY", "bench-" + "k" * 50),
        PERSONAL_DATA_KEY="bench-personal-data-key",
        ALLOWED_HOSTS=HOST,
        HTTPS="0",
        LOG_LEVEL="WARNING",
        NOTICE_BACKEND="minxin.queueing.notices.ConsoleNoticeBackend",
    )
    if "conn_max_age" not in env["DATABASE_URL"]:
        joiner = "&" if "?" in env["DATABASE_URL"] else "?"
        env["DATABASE_URL"] += f"{joiner}conn_max_age=600"
    return env


def setup_django() -> None:
    os.environ.update(app_env())
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def seed() -> dict[str, Any]:
    """The hall, an item with three materials, a clerk with an API token, the calendar to 2027."""
    import datetime as dt
    from decimal import Decimal

    from django.core.management import call_command

    from minxin.accounts.models import Role, User
    from minxin.accounts.services import api_token_create
    from minxin.catalog.services import MaterialData, department_station, item_create
    from minxin.core.workdays import calendar_seed
    from minxin.orgs.services import hall_create, membership_grant, region_create, unit_create

    call_command("migrate", "--noinput", "-v0")
    calendar_seed(first_year=2017, last_year=2026)
    from minxin.demo.cases import calendar_2027_demo

    calendar_2027_demo()  # today's intakes run into 2027, which chinese_calendar does not know yet
    region = region_create(code="130300", name="秦皇岛市", level="city")
    unit = unit_create(
        name="秦皇岛市政务服务管理办公室", kind="organ", flag_category="administration", region=region
    )
    hall = hall_create(code="bench", name="基准政务服务中心", unit=unit)
    department = department_station(hall=hall, code="psb", name="市公安局", stationed_on=dt.date(2016, 1, 1))
    version = item_create(
        department=department,
        code="000105002000",
        content={
            "name": "旅馆业特种行业许可证核发",
            "implementing_body": "市公安局",
            "statutory_days": 20,
            "promised_days": 10,
            "trips": 1,
            "fee": Decimal("0"),
        },
        materials=[
            MaterialData(name="居民身份证", originals=1, copies=1),
            MaterialData(name="申请表", originals=1),
            MaterialData(name="照片", copies=2, mandatory=False),
        ],
        publish_on=dt.date(2017, 1, 1),
    )
    clerk = User.objects.create_user(username="benchclerk", password=secrets.token_urlsafe(12))
    officer = User.objects.create_user(username="benchofficer", password=secrets.token_urlsafe(12))
    membership_grant(user=clerk, role=Role.WINDOW_CLERK, hall=hall)
    membership_grant(user=officer, role=Role.DEPARTMENT_OFFICER, hall=hall)
    department.officers.add(officer)
    token = api_token_create(user=clerk, name="bench").secret
    return {"hall": hall, "version": version, "clerk": clerk, "officer": officer, "token": token}


def fill_open_cases(ctx: dict[str, Any], count: int) -> float:
    """`count` open cases accepted 2026-11-02, none due: next checks spread over the coming weeks."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    from minxin.cases.models import Case
    from minxin.cases.services import ApplicantData, applicant_upsert

    started = time.perf_counter()
    now = dt.datetime(2026, 11, 2, 2, tzinfo=dt.UTC)
    applicant = applicant_upsert(
        data=ApplicantData(kind="person", name="张三", id_number="130302199003077572", phone="13800138000"),
        now=now,
    )
    zone = ZoneInfo("Asia/Shanghai")
    batch = []
    for n in range(count):
        check = dt.datetime(2026, 11, 20, tzinfo=zone) + dt.timedelta(minutes=n % 40_000)
        batch.append(
            Case(
                number=f"FILL-2026-{n + 1:07d}",
                hall=ctx["hall"],
                department=ctx["version"].item.department,
                item_version=ctx["version"],
                applicant=applicant,
                status="in_review",
                outcome="accept",
                clerk=ctx["clerk"],
                created_at=now,
                accepted_at=now,
                accepted_on=now.date(),
                promised_due=dt.date(2026, 11, 16),
                statutory_due=dt.date(2026, 11, 30),
                next_check_at=check,
            )
        )
        if len(batch) == 5000:
            Case.objects.bulk_create(batch)
            batch = []
    Case.objects.bulk_create(batch)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE cases_case")
    return time.perf_counter() - started


def make_due(count: int) -> None:
    import datetime as dt

    from django.db import connection

    from minxin.cases.models import Case

    ids = list(
        Case.objects.filter(next_check_at__isnull=False).order_by("id").values_list("id", flat=True)[:count]
    )
    Case.objects.filter(id__in=ids).update(next_check_at=dt.datetime(2026, 11, 10, tzinfo=dt.UTC))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE cases_case")


def sweep_once() -> dict[str, Any]:
    import datetime as dt

    import time_machine
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from minxin.cases.services import cases_supervise

    with (
        time_machine.travel(dt.datetime(2026, 11, 12, 1, tzinfo=dt.UTC), tick=True),
        CaptureQueriesContext(connection) as queries,
    ):
        started = time.perf_counter()
        flips = cases_supervise(batch=1000)
        seconds = time.perf_counter() - started
    updates = [
        q for q in queries.captured_queries if q["sql"].lstrip().upper().startswith(("UPDATE", "WITH"))
    ]
    return {
        "seconds": round(seconds, 4),
        "flips": flips,
        "updates": len(updates),
        "queries": len(queries.captured_queries),
    }


def calibrate_db(rounds: int = 1000) -> float:
    """Seconds for `rounds` round trips of SELECT 1: the machine's speed at the time of the sweeps."""
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        for _ in range(rounds):
            cursor.execute("SELECT 1")
            cursor.fetchone()
    return round(time.perf_counter() - started, 4)


def explain_due() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "EXPLAIN SELECT id FROM cases_case WHERE next_check_at <= %s ORDER BY next_check_at LIMIT 1000",
            ["2026-11-12T01:00:00+00:00"],
        )
        return " / ".join(row[0].strip() for row in cursor.fetchall()[:3])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def start_gunicorn(workers: int) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    binary = str(Path(sys.executable).parent / "gunicorn")
    process = subprocess.Popen(
        [binary, "minxin.wsgi", "-w", str(workers), "-b", f"{HOST}:{port}", "--log-level", "warning"],
        cwd=ROOT,
        env=app_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status < 500:
                return process, port
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not start")


def load(
    port: int,
    method: str,
    path: str,
    body: bytes | None,
    headers: dict[str, str],
    clients: int,
    seconds: float,
) -> dict[str, Any]:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def run() -> None:
        while time.monotonic() < stop:
            conn = http.client.HTTPConnection(HOST, port, timeout=30)
            started = time.perf_counter()
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                statuses[response.status] = statuses.get(response.status, 0) + 1
            conn.close()

    threads = [threading.Thread(target=run) for _ in range(clients)]
    begun = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    span = time.perf_counter() - begun
    latencies.sort()

    def pct(q: float) -> float:
        return (
            round(latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000, 1) if latencies else 0.0
        )

    return {
        "rate": round(len(latencies) / span, 1),
        "p50_ms": pct(0.5),
        "p99_ms": pct(0.99),
        "statuses": statuses,
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--json", default="")
    options = parser.parse_args(argv)
    if not is_postgres(os.environ.get("DATABASE_URL", "")):
        return reexec_with_postgres(argv)
    setup_django()
    ctx = seed()
    results: dict[str, Any] = {"open_cases": options.cases}
    log(f"inserting {options.cases} open cases")
    results["fill_seconds"] = round(fill_open_cases(ctx, options.cases), 1)
    results["due_query_plan"] = explain_due()
    results["sweeps"] = {}
    results["calibration_1000_select_1_seconds"] = calibrate_db()
    for due in (0, 100, 1000):
        make_due(due)
        results["sweeps"][due] = sweep_once()
        log(f"sweep with {due} due: {results['sweeps'][due]}")
    results["sweeps"]["after"] = sweep_once()
    # intake over HTTP
    import datetime as dt  # noqa: F401

    version = ctx["version"]
    body = json.dumps(
        {
            "item": str(version.item.public_id),
            "applicant": {
                "kind": "person",
                "name": "张三",
                "id_number": "130302199003077572",
                "phone": "13800138000",
            },
            "materials": [{"material": m.pk, "presented": True, "ok": True} for m in version.materials.all()],
            "outcome": "accept",
        }
    ).encode()
    from django.db import connections

    connections.close_all()
    process, port = start_gunicorn(options.workers)
    try:
        headers = {
            "Authorization": f"Bearer {ctx['token']}",
            "Content-Type": "application/json",
            "Host": HOST,
        }
        load(port, "GET", "/healthz", None, {"Host": HOST}, options.clients, 2)  # warm-up
        results["calibration_healthz"] = load(
            port, "GET", "/healthz", None, {"Host": HOST}, options.clients, options.seconds / 2
        )
        load(port, "POST", "/api/v1/halls/bench/cases", body, headers, options.clients, 2)  # warm-up
        results["intake"] = load(
            port, "POST", "/api/v1/halls/bench/cases", body, headers, options.clients, options.seconds
        )
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    from minxin.cases.models import Case

    numbers = Case.objects.filter(hall=ctx["hall"], number__startswith="FILL-2026-").count()
    total = Case.objects.filter(hall=ctx["hall"]).count()
    distinct = Case.objects.filter(hall=ctx["hall"]).values("number").distinct().count()
    results["intake_cases_created"] = total - numbers
    results["duplicate_numbers"] = total - distinct
    worst = max(s["seconds"] for s in results["sweeps"].values())
    print(json.dumps(results, indent=2, ensure_ascii=False))
    sweeps, intake = results["sweeps"], results["intake"]
    verdict = "met" if worst <= GOAL_SWEEP_SECONDS else "NOT met"
    print(f"sweep over {options.cases} open cases (goal <= {GOAL_SWEEP_SECONDS} s: {verdict}):")
    print(f"  calibration: 1,000 x SELECT 1 took {results['calibration_1000_select_1_seconds']} s")
    for due in (0, 100, 1000):
        print(f"  {due} due: {sweeps[due]['seconds']} s, {sweeps[due]['updates']} UPDATE statements")
    print(f"intake over HTTP: {intake['rate']}/s, p50 {intake['p50_ms']} ms, p99 {intake['p99_ms']} ms")
    print(
        f"  at {options.clients} clients; calibration GET /healthz {results['calibration_healthz']['rate']}/s"
    )
    if options.json:
        Path(options.json).write_text(json.dumps(results, indent=2, ensure_ascii=False))
    return 1 if results["duplicate_numbers"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
