"""The registry of platform formulas: named, documented, tested measures of a unit over a round's period,
each computed for every unit of the round at once by one grouped statement (`sql.py`).

A formula returns, per unit that has data, its value (a Decimal, rounded to 4 places half-up) and the
inputs it came from, so the review shows how each number was made. A unit without data (no hall, no
numbers in the period) is absent: its indicator falls back to the indicator's `fallback` method.
"""

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
from django.utils.translation import gettext_lazy as _

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


def _called_within_15(scope: Scope) -> Results:
    rows = _grouped(scope, "queue", sql.queue_stats)
    return {
        unit: Measure(
            share(int(within), int(called)), {"called": int(called), "called_within_15": int(within)}
        )
        for unit, (_issued, called, within, _no_show) in rows.items()
        if called
    }


def _no_show_share(scope: Scope) -> Results:
    rows = _grouped(scope, "queue", sql.queue_stats)
    return {
        unit: Measure(share(int(no_show), int(called)), {"called": int(called), "no_show": int(no_show)})
        for unit, (_issued, called, _within, no_show) in rows.items()
        if called
    }


def _wait_p90(scope: Scope) -> Results:
    rows = _grouped(scope, "queue_p90", sql.queue_wait_p90)
    return {
        unit: Measure(
            quantize(Decimal(str(p90)) / Decimal(60)),
            {"called": int(n), "p90_seconds": str(Decimal(str(p90)).quantize(Decimal("0.001")))},
        )
        for unit, (p90, n) in rows.items()
        if n
    }


def _crowded_days(scope: Scope) -> Results:
    rows = _grouped(scope, "queue_crowd", sql.queue_crowding)
    return {
        unit: Measure(
            share(int(crowded), int(days)), {"queue_days": int(days), "crowded_queue_days": int(crowded)}
        )
        for unit, (days, crowded) in rows.items()
        if days
    }


register(
    Formula(
        name="queue_called_within_15",
        label=_("Numbers called within 15 minutes"),
        definition=_(
            "Share of the numbers called in the period whose wait (from taking the number, or from "
            "checking in for a remote number, to the first call) was at most 15 minutes."
        ),
        unit="share",
        better="higher",
        compute=_called_within_15,
    )
)
register(
    Formula(
        name="queue_wait_p90",
        label=_("Wait, 9 in 10 at most (minutes)"),
        definition=_(
            "The 90th percentile of the waits of the numbers called in the period, by nearest rank: the "
            "wait at rank ceil(0.9 n) of the n waits in ascending order, in minutes."
        ),
        unit="minutes",
        better="lower",
        compute=_wait_p90,
    )
)
register(
    Formula(
        name="queue_no_show_share",
        label=_("No-show share"),
        definition=_("Share of the numbers called in the period whose holder did not come to the window."),
        unit="share",
        better="lower",
        compute=_no_show_share,
    )
)
register(
    Formula(
        name="queue_crowded_days",
        label=_("Crowd alerts (share of queue-days)"),
        definition=_(
            "Share of the queue-days with numbers on which more citizens were waiting in the queue at some "
            "moment than the hall's crowd-alert limit (the moment a window desk asks for an extra window)."
        ),
        unit="share",
        better="lower",
        compute=_crowded_days,
    )
)


# Cases (docs/cases.md) ---------------------------------------------------------------------------------


def _cases(scope: Scope) -> dict[int, tuple[int, ...]]:
    rows = _grouped(scope, "cases", sql.cases_stats)
    return {unit: tuple(int(value or 0) for value in row) for unit, row in rows.items()}


CASE_FIELDS = (
    "decided",
    "on_time",
    "used",
    "promised",
    "completed",
    "one_visit",
    "zero_trip",
    "received",
    "correction",
)


def _case_share(part: str, whole: str) -> Callable[[Scope], Results]:
    def compute(scope: Scope) -> Results:
        result = {}
        for unit, row in _cases(scope).items():
            figures = dict(zip(CASE_FIELDS, row, strict=True))
            if figures[whole]:
                result[unit] = Measure(
                    share(figures[part], figures[whole]), {whole: figures[whole], part: figures[part]}
                )
        return result

    return compute


def _speed_up(scope: Scope) -> Results:
    result = {}
    for unit, row in _cases(scope).items():
        figures = dict(zip(CASE_FIELDS, row, strict=True))
        if figures["promised"]:
            value = quantize(Decimal(1) - Decimal(figures["used"]) / Decimal(figures["promised"]))
            result[unit] = Measure(
                value, {"promised_days": figures["promised"], "days_used": figures["used"]}
            )
    return result


register(
    Formula(
        name="cases_on_time",
        label=_("Cases decided on time"),
        definition=_(
            "Share of the cases decided in the period (local date of the decision) that were decided on or "
            "before their promised date."
        ),
        unit="share",
        better="higher",
        compute=_case_share("on_time", "decided"),
    )
)
register(
    Formula(
        name="cases_speed_up",
        label=_("Actual speed-up"),
        definition=_(
            "1 − working days used ÷ working days promised, over the cases decided in the period whose item "
            "has a promised time (suspensions excluded from the days used)."
        ),
        unit="share",
        better="higher",
        compute=_speed_up,
    )
)
register(
    Formula(
        name="cases_correction_rate",
        label=_("Correction-notice rate"),
        definition=_(
            "Share of the cases received in the period that got a one-time correction notice at intake "
            "instead of being accepted."
        ),
        unit="share",
        better="lower",
        compute=_case_share("correction", "received"),
    )
)
register(
    Formula(
        name="cases_zero_trip",
        label=_("Zero-trip share"),
        definition=_(
            "Share of the cases completed in the period for which the applicant never came to the hall "
            "(trips made = 0)."
        ),
        unit="share",
        better="higher",
        compute=_case_share("zero_trip", "completed"),
    )
)
register(
    Formula(
        name="cases_one_visit",
        label=_("One-visit rate"),
        definition=_(
            "Share of the cases completed in the period with at most one trip to the hall (最多跑一次)."
        ),
        unit="share",
        better="higher",
        compute=_case_share("one_visit", "completed"),
    )
)


# Ratings (docs/feedback.md) ----------------------------------------------------------------------------


def _ratings(scope: Scope) -> dict[int, dict[str, int]]:
    rows = _grouped(scope, "ratings", sql.ratings_stats)
    names = ("scored", "satisfied", "rectifications", "rectified_on_time")
    return {unit: dict(zip(names, (int(v or 0) for v in row), strict=True)) for unit, row in rows.items()}


def _satisfaction(scope: Scope) -> Results:
    return {
        unit: Measure(
            share(row["satisfied"], row["scored"]), {"scored": row["scored"], "satisfied": row["satisfied"]}
        )
        for unit, row in _ratings(scope).items()
        if row["scored"]
    }


def _rectified_on_time(scope: Scope) -> Results:
    return {
        unit: Measure(
            share(row["rectified_on_time"], row["rectifications"]),
            {"bad_reviews": row["rectifications"], "rectified_on_time": row["rectified_on_time"]},
        )
        for unit, row in _ratings(scope).items()
        if row["rectifications"]
    }


def _attitude(scope: Scope) -> Results:
    rows = _grouped(scope, "attitude", sql.ratings_attitude)
    return {
        unit: Measure(
            quantize(Decimal(1) - Decimal(int(bad or 0)) / Decimal(int(scored))),
            {"scored": int(scored), "bad_for_attitude": int(bad or 0)},
        )
        for unit, (scored, bad) in rows.items()
        if scored
    }


def _stars(scope: Scope) -> Results:
    rows = _grouped(scope, "stars", lambda: sql.HONOURED_STARS)
    return {
        unit: Measure(Decimal(int(stars)), {"service_stars": int(stars)}) for unit, (stars,) in rows.items()
    }


register(
    Formula(
        name="ratings_satisfaction",
        label=_("Satisfaction rate"),
        definition=_(
            "Share of the ratings of the period counted in scores (an upheld appeal removes one) that are "
            "at least the satisfied level (FEEDBACK_SATISFIED_MIN_SCORE, 3 = fairly satisfied by default)."
        ),
        unit="share",
        better="higher",
        compute=_satisfaction,
    )
)
register(
    Formula(
        name="ratings_attitude",
        label=_("Attitude ratings"),
        definition=_(
            "1 − the share of the period's scored ratings that are bad (dissatisfied or very dissatisfied) "
            "and tick the service-attitude indicator."
        ),
        unit="share",
        better="higher",
        compute=_attitude,
    )
)
register(
    Formula(
        name="ratings_rectified_on_time",
        label=_("Bad reviews rectified on time"),
        definition=_(
            "Share of the bad reviews of the period whose rectification loop closed as rectified without "
            "passing a step's deadline."
        ),
        unit="share",
        better="higher",
        compute=_rectified_on_time,
    )
)
register(
    Formula(
        name="ratings_service_stars",
        label=_("Model workers (service stars)"),
        definition=_(
            "Number of the unit's clerks confirmed as monthly service stars for the months of the period."
        ),
        unit="count",
        better="higher",
        compute=_stars,
    )
)


def formula_choices() -> list[tuple[str, str]]:
    return [(name, str(formula.label)) for name, formula in sorted(REGISTRY.items())]
