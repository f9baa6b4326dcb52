"""Benchmark of the insights app at province scale, on a throwaway PostgreSQL.

It builds Hebei's 11 cities with `--halls` halls in all (6 windows each, most of them open), fills last
month and this month up to yesterday with tickets and their events by set-based SQL, and brings the
aggregates current with a full recomputation. Then it measures:

- the worker's aggregation cost per hour of traffic: one hour of the province's traffic
  (`--hour-tickets`, 5 M tickets a month ÷ 22 working days ÷ 9 hours ≈ 25,000 tickets, 75,000 events)
  lands after the cursor, and one run of the job folds it in;
- dashboard request latency (p50/p95/max over `--requests` requests, in-process through Django's test
  client, so without network or server): the province and a city page, the wall's JSON (snapshot and
  recomputed), the public page and an XLSX export; beside a calibration (a bare view of the same
  process: /healthz).

The dashboards never read raw tickets, so their cost follows the number of halls and days (the rows of
the aggregate tables), not the number of tickets: `--tickets-per-hall-day` scales the raw month down on
a shared 2-core machine without changing what the dashboards read (the default 20 × 2,000 halls × 22
days ≈ 0.9 M tickets; 114 gives the full 5 M).

    .venv/bin/python bench/bench_insights.py [--halls 2000] [--tickets-per-hall-day 20]
                                             [--hour-tickets 25000] [--requests 20] [--json PATH]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import secrets
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
GOAL_MS = 200.0


def reexec_with_postgres(argv: list[str]) -> int:
    helper = ROOT / "scripts" / "with_postgres.py"
    found = subprocess.run(
        [sys.executable, str(helper), "--check"], capture_output=True, text=True, check=False
    )
    if found.returncode != 0:
        print("bench_insights: skipped (no PostgreSQL server binaries: Debian's postgresql, or set PG_BIN)")
        return 0
    os.execv(
        sys.executable,
        [sys.executable, str(helper), "--", sys.executable, str(Path(__file__).resolve()), *argv],
    )
    return 1  # not reached


def timed(label: str, results: dict[str, Any], action: Any) -> Any:
    start = time.perf_counter()
    value = action()
    results[label] = round(time.perf_counter() - start, 2)
    print(f"  {label}: {results[label]} s", flush=True)
    return value


def latency(client: Any, url: str, count: int) -> dict[str, float]:
    client.get(url)  # warm caches and the snapshot
    times = []
    for _ in range(count):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    times.sort()
    return {
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[max(0, int(len(times) * 0.95) - 1)], 1),
        "max_ms": round(times[-1], 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--halls", type=int, default=2000)
    parser.add_argument("--tickets-per-hall-day", type=int, default=20)
    parser.add_argument("--hour-tickets", type=int, default=25000)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--json", default="")
    options = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        return reexec_with_postgres(sys.argv[1:])
    os.environ.update(
        DJANGO_SETTINGS_MODULE="minxin.settings",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="testserver",
        HTTPS="0",
        LOG_LEVEL="WARNING",
        INSIGHTS_SETTLE_SECONDS="0",
        INSIGHTS_AGGREGATE_MAX_PAGES="1000",
    )
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))
    import django

    django.setup()
    from django.conf import settings

    # In-process requests: plain static URLs (the manifest needs collectstatic, which pages here do not need).
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Max
    from django.test import Client
    from insights_seed import province_seed, tickets_seed_sql

    from minxin.accounts.models import Role, User
    from minxin.core import clock
    from minxin.insights.models import AggregateCursor, HallDayStats, HallHourStats, HallMonthStats
    from minxin.insights.modules import modules_refresh
    from minxin.insights.selectors import month_add, province_today
    from minxin.insights.services.aggregates import CURSOR, aggregates_rebuild, aggregates_run
    from minxin.insights.services.wall import wall_payload, wall_refresh_all
    from minxin.orgs.models import Region
    from minxin.orgs.services import membership_grant
    from minxin.queueing.models import Ticket, TicketEvent

    results: dict[str, Any] = {
        "options": vars(options),
        "machine": f"{os.cpu_count()}-core machine",
    }
    print("bench_insights: seeding", flush=True)
    call_command("migrate", verbosity=0)
    per_city = max(1, options.halls // 11)
    province = timed("seed_structure_s", results, lambda: province_seed(halls_per_city=per_city))
    hall_ids = [hall.pk for hall in province.halls]
    today = province_today()
    start = month_add(today.replace(day=1), -1)
    yesterday = today - dt.timedelta(days=1)
    made = timed(
        "seed_month_s",
        results,
        lambda: tickets_seed_sql(
            hall_ids=hall_ids, start=start, end=yesterday, per_hall_day=options.tickets_per_hall_day
        ),
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    results["halls"] = len(hall_ids)
    results["month_tickets"] = made
    print(f"  {made} tickets over {start}..{yesterday} in {len(hall_ids)} halls", flush=True)
    timed("full_recomputation_s", results, lambda: aggregates_rebuild())
    last_event = TicketEvent.objects.aggregate(last=Max("id"))["last"] or 0
    AggregateCursor.objects.update_or_create(name=CURSOR, defaults={"settled_event_id": last_event})
    results["aggregate_rows"] = {
        "hour": HallHourStats.objects.count(),
        "day": HallDayStats.objects.count(),
        "month": HallMonthStats.objects.count(),
    }

    # One hour of the province's traffic, then one run of the worker's job. The hour may lie ahead of the
    # real clock (the bench runs at any time of day): count every event as settled.
    settings.INSIGHTS_SETTLE_SECONDS = -7 * 86400
    hour_day = today if today.weekday() < 5 else today - dt.timedelta(days=today.weekday() - 4)
    per_hall = max(1, options.hour_tickets // len(hall_ids))
    hour_made = tickets_seed_sql(
        hall_ids=hall_ids,
        start=hour_day,
        end=hour_day,
        per_hall_day=per_hall,
        first_minute=60,
        span_minutes=59,
    )
    events = TicketEvent.objects.filter(id__gt=last_event).count()
    results["hour_tickets"], results["hour_events"] = hour_made, events
    print(f"  one hour: {hour_made} tickets, {events} events", flush=True)
    hours = timed("worker_run_for_one_hour_s", results, lambda: aggregates_run())
    results["worker_hours_recomputed"] = hours
    timed("worker_idle_run_s", results, lambda: aggregates_run())
    timed("module_figures_refresh_s", results, lambda: modules_refresh())
    timed("wall_snapshot_refresh_s", results, lambda: wall_refresh_all())
    province_region = Region.objects.get(code="130000")
    timed("wall_payload_compute_s", results, lambda: wall_payload(region=province_region))
    # The competition's figures (flags, ranking) and a city's 7-day outlook (every hall's forecast), as
    # the worker's module refresh computes them; the month's competition report (PDF and XLSX).
    from minxin.insights.honours import honours_compute
    from minxin.insights.outlook import forecast_compute
    from minxin.insights.selectors import halls_of_region
    from minxin.insights.services.competition_reports import competition_report_generate

    city_region = Region.objects.get(code="130300")
    city_halls = halls_of_region(city_region)
    timed("competition_figures_province_s", results, lambda: honours_compute(region=province_region))
    timed("forecast_one_city_s", results, lambda: forecast_compute(region=city_region, halls=city_halls))
    results["forecast_city_halls"] = len(city_halls)
    timed(
        "competition_report_province_s",
        results,
        lambda: competition_report_generate(region=province_region, month=today.replace(day=1), by="bench"),
    )
    # A region view built cold (the first request of each aggregates cycle in a process pays it)
    from minxin.insights.selectors import region_view

    timed("province_view_cold_s", results, lambda: region_view(region=province_region))
    timed("city_view_cold_s", results, lambda: region_view(region=Region.objects.get(code="130300")))

    user = User.objects.create_user(username="bench", password=secrets.token_urlsafe(12))
    membership_grant(user=user, role=Role.CITY_OFFICE, region=province_region)
    client = Client()
    client.force_login(user)
    month = f"{today:%Y-%m}"
    pages = {
        "calibration /healthz": "/healthz",
        "province dashboard": "/staff/insights/regions/130000/",
        "city dashboard (Qinhuangdao)": "/staff/insights/regions/130300/",
        "wall data.json (snapshot)": "/wall/130000/data.json",
        "wall page": "/wall/130000/",
        "public page (province)": "/figures/",
        "public page (city)": "/figures/130300/",
        "export halls.xlsx (city)": f"/staff/insights/regions/130300/export/halls.xlsx?month={month}",
        "export halls.csv (province)": f"/staff/insights/regions/130000/export/halls.csv?month={month}",
        "export ranking.csv (province)": "/staff/insights/regions/130000/export/ranking.csv",
        "competition reports list": "/staff/insights/regions/130000/reports/",
    }
    print(f"bench_insights: dashboard latency, {options.requests} requests each (goal ≤ {GOAL_MS:.0f} ms)")
    results["latency"] = {}
    for label, url in pages.items():
        figures = latency(client, url, options.requests)
        results["latency"][label] = figures
        verdict = (
            "" if label.startswith("calibration") else ("  ok" if figures["p95_ms"] <= GOAL_MS else "  OVER")
        )
        print(
            f"  {label:32s} p50 {figures['p50_ms']:7.1f} ms  p95 {figures['p95_ms']:7.1f} ms"
            f"  max {figures['max_ms']:7.1f} ms{verdict}"
        )
    results["tickets_total"] = Ticket.objects.count()
    results["finished_at"] = clock.now().isoformat()
    print(json.dumps({k: v for k, v in results.items() if k != "latency"}, ensure_ascii=False, indent=1))
    if options.json:
        Path(options.json).write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
