"""The arrivals forecast and the wait it predicts: pure functions, no database (bench/ calls them too).

Arrivals. A multiplicative model per service, fitted from the hall's own ticket history:

    expected arrivals(day, hour) = base[weekday][hour] × Π effect[e] for each effect e of the day

with three working-day effects: the first working day after a holiday (a rest of three days or more,
or one that falls on a weekday), the last working day before one, and the monthly tax-filing peak (the
first 15 days of a month). A make-up working day (调休) on a weekend is fitted as a Monday. Fitting
alternates, a few rounds: each base is the mean of its weekday-hour's counts divided by the days'
effects; each effect is the ratio of the counts on its days to what the bases predict there, shrunk
towards 1 by a prior worth `PRIOR_ARRIVALS` arrivals so that a few odd days do not make an effect.

Waits and staffing: `waits.py` (a time-stepped queue through the day that carries each hour's backlog
into the next), re-exported here.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from minxin.appointments.waits import HourWait, hourly_waits, windows_for_day, windows_needed

__all__ = [
    "EFFECTS",
    "ArrivalModel",
    "DayKind",
    "HourWait",
    "day_kind",
    "fit_arrivals",
    "hourly_waits",
    "wape",
    "windows_for_day",
    "windows_needed",
]

EFFECTS = ("after_holiday", "before_holiday", "filing_peak")
PRIOR_ARRIVALS = 30.0
FIT_ROUNDS = 6


@dataclass(frozen=True, slots=True)
class DayKind:
    working: bool
    weekday: int  # the weekday whose pattern the day follows (a make-up working day: Monday)
    effects: tuple[str, ...]


def day_kind(day: dt.date, is_working: Callable[[dt.date], bool]) -> DayKind:
    """How the working-day calendar marks `day`."""
    working = is_working(day)
    weekday = 0 if working and day.weekday() >= 5 else day.weekday()
    effects: list[str] = []
    if working:
        if _rest_run_is_holiday(day, -1, is_working):
            effects.append("after_holiday")
        if _rest_run_is_holiday(day, 1, is_working):
            effects.append("before_holiday")
        if day.day <= 15:
            effects.append("filing_peak")
    return DayKind(working=working, weekday=weekday, effects=tuple(effects))


def _rest_run_is_holiday(day: dt.date, step: int, is_working: Callable[[dt.date], bool]) -> bool:
    """Whether the rest days right before (step −1) or after (step 1) `day` are a holiday: three or
    more in a row, or any of them a weekday. An ordinary weekend is not (the weekday pattern has it)."""
    run: list[dt.date] = []
    current = day + dt.timedelta(days=step)
    while not is_working(current) and len(run) < 15:
        run.append(current)
        current += dt.timedelta(days=step)
    return len(run) >= 3 or any(each.weekday() < 5 for each in run)


@dataclass
class ArrivalModel:
    base: dict[tuple[int, int], float]  # (weekday, hour) → arrivals on a plain day
    effect: dict[str, float]

    def expected(self, kind: DayKind, hour: int) -> float:
        if not kind.working:
            return 0.0
        value = self.base.get((kind.weekday, hour), 0.0)
        for name in kind.effects:
            value *= self.effect.get(name, 1.0)
        return value


def fit_arrivals(
    counts: dict[tuple[dt.date, int], int], days: Iterable[dt.date], kinds: dict[dt.date, DayKind]
) -> ArrivalModel:
    """Fit the model to `counts` (arrivals by local date and hour; a missing hour is 0) over `days`."""
    working_days = [day for day in days if kinds[day].working]
    hours = sorted({hour for _day, hour in counts})
    effect = dict.fromkeys(EFFECTS, 1.0)
    base: dict[tuple[int, int], float] = {}
    for _round in range(FIT_ROUNDS):
        sums: dict[tuple[int, int], float] = defaultdict(float)
        weights: dict[tuple[int, int], float] = defaultdict(float)
        for day in working_days:
            kind = kinds[day]
            multiplier = math.prod(effect[name] for name in kind.effects)
            for hour in hours:
                sums[kind.weekday, hour] += counts.get((day, hour), 0)
                weights[kind.weekday, hour] += multiplier
        base = {key: sums[key] / weights[key] for key in sums if weights[key] > 0}
        model = ArrivalModel(base=base, effect=effect)
        for name in EFFECTS:
            observed = predicted = 0.0
            for day in working_days:
                kind = kinds[day]
                if name not in kind.effects:
                    continue
                for hour in hours:
                    observed += counts.get((day, hour), 0)
                    predicted += model.expected(kind, hour) / effect[name]
            if predicted > 0:
                effect[name] = (observed + PRIOR_ARRIVALS) / (predicted + PRIOR_ARRIVALS)
        effect = dict(effect)
    return ArrivalModel(base=base, effect=effect)


def wape(actual: Iterable[float], predicted: Iterable[float]) -> float:
    """Weighted absolute percentage error: Σ|actual − predicted| / Σ actual."""
    pairs = list(zip(actual, predicted, strict=True))
    total = sum(a for a, _p in pairs)
    return sum(abs(a - p) for a, p in pairs) / total if total else 0.0
