"""The registry of platform formulas: named, documented, tested measures of a unit over a round's period,
each computed for every unit of the round at once by one grouped statement (`sql.py`).

A formula returns, per unit that has data, its value (a Decimal, rounded to 4 places half-up) and the
inputs it came from, so the review shows how each number was made. A unit without data (no hall, no
numbers in the period) is absent: its indicator falls back to the indicator's `fallback` method.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from minxin.competition import sql

VALUE_PLACES = Decimal("0.0001")


@dataclass(frozen=True, slots=True)
class Scope:
    """The units of a round: active units of `category` under the region with `region_path`."""

    region_path: str
    category: str
    start: dt.date
    end: dt.date
    cache: dict[str, Any] = field(default_factory=dict, compare=False)

    def params(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "category": self.category,
            "path": self.region_path + "%",
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
    """One statement per source and compute, shared by the formulas that read it."""
    if key not in scope.cache:
        scope.cache[key] = {row[0]: row[1:] for row in sql.unit_rows(query(), scope.params())}
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


def formula_choices() -> list[tuple[str, str]]:
    return [(name, str(formula.label)) for name, formula in sorted(REGISTRY.items())]
