"""Benchmark: computing a 三比三看 round for 50,000 units from a month of data, on PostgreSQL.

Generates with set-based SQL (bench/competition_data.py: `generate_series`, INSERT … SELECT) on a
throwaway PostgreSQL (scripts/with_postgres.py unless DATABASE_URL already names one): Hebei's 11 cities,
50,000 units of the 文明服务 category (four in five with a hall, a queue and a service), 5 M tickets,
1 M cases and 3 M ratings (with a rectification loop per bad review) over one month, 10,000 inspections
with 30,000 findings; opens a round with the default rubric (eight platform formulas over the queue,
the cases and the ratings) and times `round_compute` phase by phase (each fact statement staging its
formulas' measures, then the one statement that scores, caps, ranks and inserts every unit), then
`round_freeze` (flags).

Reports each phase against the goal (compute ≤ 60 s), the peak memory (RSS) of this process (the
computing client) and of its PostgreSQL backend, and the rows written. `--explain` prints the plans of
the fact statements (which indexes they use).

    .venv/bin/python bench/bench_competition.py [--units 50000] [--tickets 5000000] [--cases 1000000]
        [--ratings 3000000] [--explain] [--json PATH]
    DATABASE_URL=postgres://… .venv/bin/python bench/bench_competition.py --reuse   # a new round, same data
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
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from competition_data import BIG_TABLES, generate

ROOT = Path(__file__).resolve().parent.parent
GOAL_SECONDS = 60.0
PERIOD_START = dt.date(2026, 11, 1)
PERIOD_END = dt.date(2026, 11, 30)


def _reexec_under_postgres() -> None:
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        return
    script = ROOT / "scripts" / "with_postgres.py"
    os.execv(sys.executable, [sys.executable, str(script), "--", sys.executable, *sys.argv])


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


INSPECT = [
    """INSERT INTO competition_inspection (public_id, round_id, unit_id, assessor_id, kind, note, submitted_at)
       SELECT gen_random_uuid(), %(round)s, u.id, a.id, 'unannounced', '', now()
       FROM orgs_unit u, accounts_user a WHERE a.username = 'bench-assessor' AND u.id %% 5 = 1""",
    """INSERT INTO competition_finding (inspection_id, indicator_id, deduction, note)
       SELECT i.id, ind.id, 2, '' FROM competition_inspection i
       JOIN competition_indicator ind ON ind.rubric_id = %(rubric)s AND ind.code IN ('environment', 'culture', 'careful')""",
]


def _status_mb(pid: int | str, key: str) -> float | None:
    """A /proc/<pid>/status figure (VmRSS, VmHWM = peak RSS) in MB, None where not readable."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def _cpu_seconds(pid: int | str) -> float | None:
    """User + system CPU seconds a process has used (/proc/<pid>/stat), None where not readable: on a
    shared machine the work done, apart from the wait for a core."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _children_cpu_seconds(pid: int | str) -> float | None:
    """CPU seconds of a process's exited children it has waited for (the postmaster: the parallel
    workers a statement started), None where not readable."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")


def _parent(pid: int | str) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def _reset_peak(pid: int | str) -> bool:
    """Reset a process's peak RSS (Linux: clear_refs 5), so VmHWM measures the compute alone."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _explain(cursor: Any, params: dict[str, Any]) -> None:
    from minxin.competition.sql.measures import SOURCES

    for name, statement in SOURCES.items():
        cursor.execute("EXPLAIN " + statement(), params)
        print(f"--- plan of the fact statement {name!r}")
        print("\n".join(row[0] for row in cursor.fetchall()))


def _setup(args: argparse.Namespace) -> tuple[Any, Any, dict[str, float]]:
    """Migrate, generate the month, open the round with inspections; returns the officer, the round and
    the generation's seconds per step."""
    from django.core.management import call_command
    from django.db import connection

    from minxin.accounts.models import Role, User
    from minxin.competition.models import FlagRule
    from minxin.competition.services.rounds import round_open
    from minxin.competition.services.rubrics import rubric_default_create
    from minxin.orgs.models import Region
    from minxin.orgs.services import membership_grant

    seconds: dict[str, float] = {}
    if args.reuse:  # the data of an earlier run (DATABASE_URL names it): a new round over it
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE competition_round, competition_flagrule CASCADE")
        officer = User.objects.get(username="bench-officer")
    else:
        call_command("migrate", verbosity=0, skip_checks=True)
        with connection.cursor() as cursor:
            seconds = generate(
                cursor,
                units=args.units,
                tickets=args.tickets,
                cases=args.cases,
                ratings=args.ratings,
                start=PERIOD_START,
                days=(PERIOD_END - PERIOD_START).days + 1,
            )
        officer = User.objects.create_user(username="bench-officer", password="bench-pass-123")
        User.objects.create_user(username="bench-assessor", password="bench-pass-123")
    province = Region.objects.get(code="130000")
    if not args.reuse:
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
    return officer, the_round, seconds


def _counts() -> dict[str, int]:
    from django.db import connection

    counts = {}
    with connection.cursor() as cursor:
        for table in ("orgs_unit", *BIG_TABLES, "competition_finding"):
            cursor.execute(f"SELECT count(*) FROM {table}")
            counts[table] = int(cursor.fetchone()[0])
    return counts


def _measure(officer: Any, the_round: Any) -> dict[str, Any]:
    """Time the compute (phase by phase) and the freeze; the peak RSS of this process and its backend."""
    from django.db import connection

    from minxin.competition.models import FlagAward, Round, UnitScore
    from minxin.competition.services.rounds import LAST_PHASE_SECONDS, round_compute, round_freeze

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    reset = _reset_peak("self") and _reset_peak(backend)
    rss_before = _status_mb("self", "VmRSS")
    postmaster = _parent(backend)
    cpu_before = (_cpu_seconds("self"), _cpu_seconds(backend), _children_cpu_seconds(postmaster))
    started = time.perf_counter()
    scored = round_compute(officer=officer, round=the_round)
    compute_seconds = time.perf_counter() - started
    cpu_after = (_cpu_seconds("self"), _cpu_seconds(backend), _children_cpu_seconds(postmaster))
    cpu = [
        round(b - a, 1) if a is not None and b is not None else None
        for a, b in zip(cpu_before, cpu_after, strict=True)
    ]
    client_peak = _status_mb("self", "VmHWM") if reset else _peak_mb()
    backend_peak = _status_mb(backend, "VmHWM") if reset else None
    phases = dict(LAST_PHASE_SECONDS)
    started = time.perf_counter()
    round_freeze(officer=officer, round=Round.objects.get(pk=the_round.pk))
    freeze_seconds = time.perf_counter() - started
    with_data = UnitScore.objects.filter(
        round=the_round, breakdown__indicators__prompt__method="formula"
    ).count()
    return {
        "units_scored": scored,
        "units_with_queue_data": with_data,
        "compute_seconds": round(compute_seconds, 2),
        "compute_phases_seconds": phases,
        "compute_cpu_seconds": {
            "this process": cpu[0],
            "its PostgreSQL backend": cpu[1],
            "parallel workers (exited children of the postmaster)": cpu[2],
        },
        "freeze_seconds": round(freeze_seconds, 2),
        "client_rss_before_mb": rss_before,
        "client_peak_rss_during_compute_mb": client_peak,
        "backend_peak_rss_during_compute_mb": backend_peak,
        "flags_awarded": FlagAward.objects.filter(round=the_round).count(),
    }


def _report(result: dict[str, Any]) -> None:
    goal = "met" if result["goal_met"] else "NOT met"
    print(f"generation (s): {result['generation_seconds']}")
    print(f"rows: {result['rows']}")
    print(
        f"round_compute: {result['units_scored']:,} units ({result['units_with_queue_data']:,} with queue data) in "
        f"{result['compute_seconds']:.1f} s — goal ≤ {GOAL_SECONDS:.0f} s: {goal}"
    )
    for phase, seconds in result["compute_phases_seconds"].items():
        print(f"  {phase}: {seconds} s")
    cpu = result["compute_cpu_seconds"]
    print(
        f"  CPU used during the compute: PostgreSQL backend {cpu['its PostgreSQL backend']} s + its parallel "
        f"workers {cpu['parallel workers (exited children of the postmaster)']} s, this process "
        f"{cpu['this process']} s (the wall time above includes waiting for a core on the shared machine)"
    )
    print(
        f"peak RSS during the compute: this process {result['client_peak_rss_during_compute_mb']:.0f} MB "
        f"(before: {result['client_rss_before_mb']:.0f} MB); its PostgreSQL backend "
        f"{result['backend_peak_rss_during_compute_mb'] or 0:.0f} MB (shared buffers it touched included)"
    )
    print(f"round_freeze and {result['flags_awarded']} flags: {result['freeze_seconds']:.1f} s")
    print(
        f"machine: {os.cpu_count()} cpus, load average before the compute {result['load_average']} "
        "(shared with other sessions' work)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--units", type=int, default=50_000)
    parser.add_argument("--tickets", type=int, default=5_000_000)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--ratings", type=int, default=3_000_000)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument(
        "--reuse", action="store_true", help="compute a new round over DATABASE_URL's earlier data"
    )
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    _reexec_under_postgres()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minxin.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    from django.db import connection

    officer, the_round, generation = _setup(args)
    if args.explain:
        from minxin.competition.formulas import Scope

        scope = Scope(the_round.region.path, the_round.category, PERIOD_START, PERIOD_END)
        with connection.cursor() as cursor:
            _explain(cursor, scope.params())
    load = os.getloadavg()
    result: dict[str, Any] = {"generation_seconds": generation, "rows": _counts()}
    result |= _measure(officer, the_round)
    result |= {
        "goal_seconds": GOAL_SECONDS,
        "goal_met": result["compute_seconds"] <= GOAL_SECONDS,
        "cpus": os.cpu_count(),
        "load_average": [round(x, 1) for x in load],
    }
    _report(result)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
