"""The formula registry's parts: a round's scope, a measure, a formula, rounding, the shared grouped rows."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.functional import Promise

from minxin.competition import sql

VALUE_PLACES = Decimal("0.0001")
DEFAULT_ZONE = "Asia/Shanghai"


@dataclass(frozen=True, slots=True)
class Scope:
    """The units of a round: active units of `category` under the region with `region_path`."""

    region_path: str
    category: str
    start: dt.date
    end: dt.date
    cache: dict[str, Any] = field(default_factory=dict, compare=False)

    def params(self) -> dict[str, Any]:
        # Instants a day beyond the period (zones lie within ±14 h of UTC): the statements narrow them
        # to local dates; the fixed offset is SQLite's stand-in for the zone (sql._local_date).
        since = dt.datetime.combine(self.start - dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)
        until = dt.datetime.combine(self.end + dt.timedelta(days=2), dt.time.min, tzinfo=dt.UTC)
        zone = ZoneInfo(DEFAULT_ZONE)
        offset = zone.utcoffset(dt.datetime.combine(self.start, dt.time.min)) or dt.timedelta()
        return {
            "start": self.start,
            "end": self.end,
            "month_start": self.start.replace(day=1),
            "category": self.category,
            "path": self.region_path + "%",
            "since": since,
            "until": until,
            "utc_offset": f"{int(offset.total_seconds() // 3600):+d} hours",
            "satisfied_min": settings.FEEDBACK_SATISFIED_MIN_SCORE,
        }


@dataclass(frozen=True, slots=True)
class Measure:
    value: Decimal
    inputs: dict[str, Any]


Results = dict[int, Measure]


@dataclass(frozen=True, slots=True)
class Formula:
    name: str
    label: Promise
    definition: Promise
    unit: Literal["share", "minutes", "count"]
    better: Literal["higher", "lower"]
    compute: Callable[[Scope], Results]


REGISTRY: dict[str, Formula] = {}


def register(formula: Formula) -> Formula:
    REGISTRY[formula.name] = formula
    return formula


def quantize(value: Decimal) -> Decimal:
    return value.quantize(VALUE_PLACES, rounding=ROUND_HALF_UP)


def share(part: int, whole: int) -> Decimal:
    return quantize(Decimal(part) / Decimal(whole))


def _grouped(scope: Scope, key: str, query: Callable[[], str]) -> dict[int, tuple[Any, ...]]:
    """One statement per source and compute, shared by the formulas that read it (its duration kept in
    scope.cache["seconds"] for the benchmark)."""
    if key not in scope.cache:
        started = time.perf_counter()
        scope.cache[key] = {row[0]: row[1:] for row in sql.unit_rows(query(), scope.params())}
        scope.cache.setdefault("seconds", {})[key] = round(time.perf_counter() - started, 2)
    rows: dict[int, tuple[Any, ...]] = scope.cache[key]
    return rows


def formula_choices() -> list[tuple[str, str]]:
    return [(name, str(formula.label)) for name, formula in sorted(REGISTRY.items())]
