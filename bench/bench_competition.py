"""Benchmark: computing a 三比三看 round for 50,000 units from a month of data, on PostgreSQL.

Generates, with set-based SQL (`generate_series`) on a throwaway PostgreSQL (scripts/with_postgres.py
unless DATABASE_URL already names one): Hebei's 11 cities, 50,000 units of the 文明服务 category (four in
five with a hall, a queue and a service), 5 M tickets over one month (waits skewed long, 5 % no-shows,
3 % never called), 10,000 inspections with 30,000 findings; then opens a round with the default rubric
and times `round_compute` (the queue's formulas as one grouped statement each, every unit's breakdown
bulk-inserted, the ranking as one UPDATE) and `round_freeze` (flags). Cases and ratings are not generated:
their apps had not landed when this was written, and the default rubric has no formulas over them yet.

Reports the wall time against the goal (≤ 60 s), the process's peak memory growth during the compute
(bounded: the units are streamed in batches; only each formula's per-unit results are held), and the
rows written.

    .venv/bin/python bench/bench_competition.py [--units 50000] [--tickets 5000000] [--json PATH]
"""

# The generating SQL keeps its long column lists on one line each.
# ruff: noqa: E501

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOAL_SECONDS = 60.0
CITIES = [
    ("130100", "石家庄市"),
    ("130200", "唐山市"),
    ("130300", "秦皇岛市"),
    ("130400", "邯郸市"),
    ("130500", "邢台市"),
    ("130600", "保定市"),
    ("130700", "张家口市"),
    ("130800", "承德市"),
    ("130900", "沧州市"),
    ("131000", "廊坊市"),
    ("131100", "衡水市"),
]
PERIOD_START = dt.date(2026, 11, 1)
PERIOD_END = dt.date(2026, 11, 30)


def _reexec_under_postgres() -> None:
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        return
    script = ROOT / "scripts" / "with_postgres.py"
    os.execv(sys.executable, [sys.executable, str(script), "--", sys.executable, *sys.argv])


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


GENERATE = [
    # regions: the province and its 11 cities
    """INSERT INTO orgs_region (code, name, level, parent_id, path)
       VALUES ('130000', '河北省', 'province', NULL, '130000/')""",
    """INSERT INTO orgs_region (code, name, level, parent_id, path)
       SELECT c.code, c.name, 'city', p.id, '130000/' || c.code || '/'
       FROM json_to_recordset(%(cities)s::json) AS c(code text, name text), orgs_region p
       WHERE p.code = '130000'""",
    # units: round-robin over the cities
    """INSERT INTO orgs_unit (name, kind, flag_category, region_id, time_zone, is_active)
       SELECT '单位' || g, 'window', 'service', r.id, 'Asia/Shanghai', true
       FROM generate_series(1, %(units)s) g
       JOIN (SELECT id, row_number() OVER (ORDER BY code) - 1 AS k FROM orgs_region WHERE level = 'city') r
         ON r.k = g %% 11""",
    # a hall, a queue and a service for four units in five (the fifth: law enforcement without a hall)
    """INSERT INTO orgs_hall (code, name, unit_id, address, phone, time_zone, is_active)
       SELECT 'h' || u.id, '大厅' || u.id, u.id, '', '', 'Asia/Shanghai', true
       FROM orgs_unit u WHERE u.id %% 5 <> 0""",
    """INSERT INTO queueing_queue (hall_id, code, prefix, name, position, is_active)
       SELECT h.id, 'q', 'A', '综合', 0, true FROM orgs_hall h""",
    """INSERT INTO queueing_service (hall_id, code, name, queue_id, daily_quota, remote_allowed, position, is_active)
       SELECT q.hall_id, 's', '综合业务', q.id, NULL, true, 0, true FROM queueing_queue q""",
    # the month's tickets: waits skewed long (random()^3 × 60 minutes), 5 % no-shows, 3 % never called
    """CREATE TEMP TABLE lines AS
       SELECT row_number() OVER (ORDER BY q.id) - 1 AS k, q.hall_id, q.id AS queue_id, s.id AS service_id
       FROM queueing_queue q JOIN queueing_service s ON s.queue_id = q.id""",
    """INSERT INTO queueing_ticket (public_id, hall_id, queue_id, service_id, service_date, seq, number, channel,
           status, priority, priority_reason, phone_hash, phone_masked, phone_encrypted, idempotency_key,
           issued_at, called_at, finished_at, recalls)
       SELECT gen_random_uuid(), l.hall_id, l.queue_id, l.service_id, t.day, t.g, 'A' || t.g, 'kiosk',
              CASE WHEN t.r < 0.03 THEN 'cancelled' WHEN t.r < 0.08 THEN 'no_show' ELSE 'done' END,
              0, '', '', '', '', '', t.issued,
              CASE WHEN t.r < 0.03 THEN NULL ELSE t.issued + make_interval(secs => (random() ^ 3) * 3600) END,
              NULL, 0
       FROM (
           SELECT g, %(start)s::date + (g %% 30) AS day, random() AS r,
                  (%(start)s::date + (g %% 30))::timestamp AT TIME ZONE 'Asia/Shanghai'
                      + make_interval(secs => 32400 + random() * 28800) AS issued,
                  g %% %(lines)s AS k
           FROM generate_series(1, %(tickets)s) g
       ) t JOIN lines l ON l.k = t.k""",
    # inspections of one unit in five, three findings each
    """INSERT INTO accounts_user (password, is_superuser, username, first_name, last_name, email, is_staff, is_active,
           date_joined, display_name, phone_hash, phone_masked, is_device)
       VALUES ('!', false, 'bench-assessor', '', '', '', false, true, now(), '', '', '', false)""",
]
INSPECT = [
    """INSERT INTO competition_inspection (public_id, round_id, unit_id, assessor_id, kind, note, submitted_at)
       SELECT gen_random_uuid(), %(round)s, u.id, a.id, 'unannounced', '', now()
       FROM orgs_unit u, accounts_user a WHERE a.username = 'bench-assessor' AND u.id %% 5 = 1""",
    """INSERT INTO competition_finding (inspection_id, indicator_id, deduction, note)
       SELECT i.id, ind.id, 2, '' FROM competition_inspection i
       JOIN competition_indicator ind ON ind.rubric_id = %(rubric)s AND ind.code IN ('environment', 'culture', 'careful')""",
]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--units", type=int, default=50_000)
    parser.add_argument("--tickets", type=int, default=5_000_000)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    _reexec_under_postgres()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minxin.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from minxin.accounts.models import Role, User
    from minxin.competition.models import FlagAward, FlagRule, Round, UnitScore
    from minxin.competition.services.rounds import (
        LAST_SOURCE_SECONDS,
        round_compute,
        round_freeze,
        round_open,
    )
    from minxin.competition.services.rubrics import rubric_default_create
    from minxin.orgs.models import Region
    from minxin.orgs.services import membership_grant

    started = time.perf_counter()
    call_command("migrate", verbosity=0, skip_checks=True)
    params = {
        "cities": json.dumps([{"code": c, "name": n} for c, n in CITIES]),
        "units": args.units,
        "tickets": args.tickets,
        "start": PERIOD_START,
        "lines": args.units - args.units // 5,
    }
    with connection.cursor() as cursor:
        for statement in GENERATE:
            cursor.execute(statement, params)
        cursor.execute("ANALYZE")
        cursor.execute("SELECT count(*) FROM queueing_ticket")
        ticket_count = cursor.fetchone()[0]
    generated = time.perf_counter() - started
    print(f"generated {args.units:,} units, {ticket_count:,} tickets in {generated:.0f} s", flush=True)

    officer = User.objects.create_user(username="bench-officer", password="bench-pass-123")
    province = Region.objects.get(code="130000")
    membership_grant(user=officer, role=Role.CAMPAIGN_OFFICER, region=province)
    rubric = rubric_default_create(category="service")
    FlagRule.objects.create(region=province, category="service", red_quota_per_city=1)
    the_round = round_open(
        officer=officer,
        rubric=rubric,
        region=province,
        category="service",
        period_start=PERIOD_START,
        period_end=PERIOD_END,
    )
    with connection.cursor() as cursor:
        for statement in INSPECT:
            cursor.execute(statement, {"round": the_round.pk, "rubric": rubric.pk})
        cursor.execute("ANALYZE")

    memory_before = _peak_mb()
    started = time.perf_counter()
    scored = round_compute(officer=officer, round=the_round)
    compute_seconds = time.perf_counter() - started
    memory_growth = _peak_mb() - memory_before
    started = time.perf_counter()
    round_freeze(officer=officer, round=Round.objects.get(pk=the_round.pk))
    freeze_seconds = time.perf_counter() - started
    with_data = UnitScore.objects.filter(
        round=the_round, breakdown__indicators__prompt__method="formula"
    ).count()
    flags = FlagAward.objects.filter(round=the_round).count()
    result = {
        "units": args.units,
        "tickets": ticket_count,
        "units_scored": scored,
        "units_with_queue_data": with_data,
        "compute_seconds": round_to(compute_seconds),
        "freeze_seconds": round_to(freeze_seconds),
        "compute_peak_memory_growth_mb": round_to(memory_growth),
        "flags_awarded": flags,
        "source_statement_seconds": dict(LAST_SOURCE_SECONDS),
        "goal_seconds": GOAL_SECONDS,
        "goal_met": compute_seconds <= GOAL_SECONDS,
        "cpus": os.cpu_count(),
    }
    print(
        f"round_compute: {scored:,} units ({with_data:,} with queue data) from {ticket_count:,} tickets in "
        f"{compute_seconds:.1f} s (goal ≤ {GOAL_SECONDS:.0f} s: {'met' if result['goal_met'] else 'NOT met'}); "
        f"peak memory grew {memory_growth:.0f} MB; freeze and {flags} flags in {freeze_seconds:.1f} s"
    )
    print("  source statements (s): " + ", ".join(f"{k} {v}" for k, v in LAST_SOURCE_SECONDS.items()))
    print(f"  cpus: {os.cpu_count()} (a shared machine: other work ran beside it)")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    return 0


def round_to(value: float) -> float:
    return round(value, 2)


if __name__ == "__main__":
    sys.exit(main())
