"""PostgreSQL: every platform formula's value and inputs per unit, staged in a temporary table by one
INSERT … SELECT per fact statement (the formulas that share a statement are unpivoted from its row).

Each formula's projection repeats, in SQL, what its Python `compute` in formulas.py does with the same
grouped row: the value rounded half-up to 4 places (PostgreSQL's ROUND of a numeric rounds ties away
from zero, as ROUND_HALF_UP does), the inputs as a JSON object, and the condition for having data. A test
(tests/test_platform_formulas.py) checks both agree on the same facts.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection

from minxin.competition.sql.facts import (
    HONOURED_STARS,
    cases_stats,
    queue_crowding,
    queue_stats,
    queue_wait_p90,
    ratings_all,
)

TABLE = "competition_measure_tmp"


@dataclass(frozen=True, slots=True)
class Projection:
    source: str
    value: str
    inputs: str
    present: str


def _share(part: str, whole: str) -> str:
    return f"ROUND(s.{part}::numeric / NULLIF(s.{whole}, 0), 4)"


def _inputs(**names: str) -> str:
    return "jsonb_build_object(" + ", ".join(f"'{key}', {column}" for key, column in names.items()) + ")"


SOURCES: dict[str, Callable[[], str]] = {
    "queue": queue_stats,
    "queue_p90": queue_wait_p90,
    "crowd": queue_crowding,
    "cases": cases_stats,
    "ratings": ratings_all,
    "stars": lambda: HONOURED_STARS,
}

# Planner settings for one statement (SET LOCAL, then back): measured on the benchmark's month, the
# percentile's pass is faster as one scan, hashed and sorted by unit, than as an index scan per hall; the
# crowd replay's join to the few busy queue-days is misestimated into a merge join over the whole index.
PLANNER_OFF: dict[str, str] = {"queue_p90": "enable_nestloop", "crowd": "enable_mergejoin"}

MEASURES: dict[str, Projection] = {
    "queue_called_within_15": Projection(
        "queue",
        _share("within_15", "called"),
        _inputs(called="s.called", called_within_15="s.within_15"),
        "s.called > 0",
    ),
    "queue_no_show_share": Projection(
        "queue", _share("no_show", "called"), _inputs(called="s.called", no_show="s.no_show"), "s.called > 0"
    ),
    "queue_wait_p90": Projection(
        "queue_p90",
        "ROUND(s.p90 / 60, 4)",
        _inputs(called="s.n", p90_seconds="ROUND(s.p90, 3)::text"),
        "s.n > 0",
    ),
    "queue_crowded_days": Projection(
        "crowd",
        _share("crowded", "queue_days"),
        _inputs(queue_days="s.queue_days", crowded_queue_days="s.crowded"),
        "s.queue_days > 0",
    ),
    "cases_on_time": Projection(
        "cases",
        _share("on_time", "decided"),
        _inputs(decided="s.decided", on_time="s.on_time"),
        "s.decided > 0",
    ),
    "cases_speed_up": Projection(
        "cases",
        "ROUND(1 - s.used::numeric / NULLIF(s.promised, 0), 4)",
        _inputs(promised_days="s.promised", days_used="s.used"),
        "s.promised > 0",
    ),
    "cases_correction_rate": Projection(
        "cases",
        _share("correction", "received"),
        _inputs(received="s.received", correction="s.correction"),
        "s.received > 0",
    ),
    "cases_zero_trip": Projection(
        "cases",
        _share("zero_trip", "completed"),
        _inputs(completed="s.completed", zero_trip="s.zero_trip"),
        "s.completed > 0",
    ),
    "cases_one_visit": Projection(
        "cases",
        _share("one_visit", "completed"),
        _inputs(completed="s.completed", one_visit="s.one_visit"),
        "s.completed > 0",
    ),
    "ratings_satisfaction": Projection(
        "ratings",
        _share("satisfied", "scored"),
        _inputs(scored="s.scored", satisfied="s.satisfied"),
        "s.scored > 0",
    ),
    "ratings_rectified_on_time": Projection(
        "ratings",
        _share("rectified_on_time", "rectifications"),
        _inputs(bad_reviews="s.rectifications", rectified_on_time="s.rectified_on_time"),
        "s.rectifications > 0",
    ),
    "ratings_attitude": Projection(
        "ratings",
        "ROUND(1 - COALESCE(s.attitude_bad, 0)::numeric / NULLIF(s.scored, 0), 4)",
        _inputs(scored="s.scored", bad_for_attitude="COALESCE(s.attitude_bad, 0)"),
        "s.scored > 0",
    ),
    "ratings_service_stars": Projection(
        "stars", "s.stars::numeric", _inputs(service_stars="s.stars"), "TRUE"
    ),
}

CREATE = f"""
    CREATE TEMPORARY TABLE {TABLE} (
        unit_id integer NOT NULL, formula varchar(48) NOT NULL, value numeric NOT NULL, inputs jsonb NOT NULL
    ) ON COMMIT DROP
"""


def _stage_statement(source: str, names: list[str]) -> str:
    rows = ",\n".join(
        f"('{name}', {MEASURES[name].value}, {MEASURES[name].inputs}, {MEASURES[name].present})"
        for name in names
    )
    return f"""
    INSERT INTO {TABLE} (unit_id, formula, value, inputs)
    SELECT s.unit_id, m.formula, m.value, m.inputs
    FROM ({SOURCES[source]()}) AS s
    CROSS JOIN LATERAL (VALUES {rows}) AS m(formula, value, inputs, present)
    WHERE m.present
    """  # noqa: S608 - constant fragments only; values are named parameters


def stage_measures(formulas: Iterable[str], params: dict[str, Any]) -> dict[str, float]:
    """Stage the named formulas' measures of the round's units (params: formulas.Scope.params()) in the
    transaction's temporary table, one statement per fact source; returns each statement's seconds."""
    by_source: dict[str, list[str]] = {}
    for name in sorted(set(formulas)):
        by_source.setdefault(MEASURES[name].source, []).append(name)
    seconds: dict[str, float] = {}
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")
        cursor.execute(CREATE)
        for source, names in by_source.items():
            started = time.perf_counter()
            if source in PLANNER_OFF:
                cursor.execute(f"SET LOCAL {PLANNER_OFF[source]} = off")
            cursor.execute(_stage_statement(source, names), params)
            if source in PLANNER_OFF:
                cursor.execute(f"SET LOCAL {PLANNER_OFF[source]} = on")
            seconds[source] = round(time.perf_counter() - started, 2)
        cursor.execute(f"ANALYZE {TABLE}")
    return seconds


def staged_measures() -> dict[tuple[int, str], tuple[Decimal, dict[str, Any]]]:
    """The staged rows, for tests: (unit, formula) → (value, inputs)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT unit_id, formula, value, inputs FROM {TABLE}")  # noqa: S608
        rows = cursor.fetchall()
    return {(unit, formula): (value, inputs) for unit, formula, value, inputs in rows}
