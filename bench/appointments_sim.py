"""Simulated history for bench/bench_appointments.py: a hall's arrivals with the calendar's effects,
and a queue served by c windows (discrete-event, FIFO, exponential service), with no Django."""

from __future__ import annotations

import datetime as dt
import heapq
import math
import random

# The simulated hall: a weekday-hour profile (arrivals per hour on a plain day) and the true effects.
HOURS = list(range(9, 17))
PROFILE = {9: 14.0, 10: 22.0, 11: 18.0, 12: 6.0, 13: 9.0, 14: 17.0, 15: 15.0, 16: 10.0}
WEEKDAY = {0: 1.35, 1: 1.05, 2: 1.0, 3: 0.95, 4: 0.9}
TRUE_EFFECTS = {"after_holiday": 1.6, "before_holiday": 1.25, "filing_peak": 1.3}
SERVICE_MINUTES = 9.0


def holidays_2025() -> tuple[set[dt.date], set[dt.date]]:
    """The State Council's 2025 arrangement (rest days on weekdays, make-up working weekend days)."""
    rest: set[dt.date] = set()

    def span(first: dt.date, last: dt.date) -> None:
        day = first
        while day <= last:
            rest.add(day)
            day += dt.timedelta(days=1)

    span(dt.date(2025, 1, 1), dt.date(2025, 1, 1))
    span(dt.date(2025, 1, 28), dt.date(2025, 2, 4))
    span(dt.date(2025, 4, 4), dt.date(2025, 4, 6))
    span(dt.date(2025, 5, 1), dt.date(2025, 5, 5))
    span(dt.date(2025, 5, 31), dt.date(2025, 6, 2))
    span(dt.date(2025, 10, 1), dt.date(2025, 10, 8))
    makeup = {
        dt.date(2025, 1, 26),
        dt.date(2025, 2, 8),
        dt.date(2025, 4, 27),
        dt.date(2025, 9, 28),
        dt.date(2025, 10, 11),
    }
    return rest, makeup


def is_working(day: dt.date) -> bool:
    rest, makeup = holidays_2025()
    if day in makeup:
        return True
    if day in rest:
        return False
    return day.weekday() < 5


def arrivals(
    days: list[dt.date], kinds: dict[dt.date, object], rng: random.Random
) -> dict[tuple[dt.date, int], int]:
    """Poisson arrivals per day and hour, with the true effects of each day."""
    counts: dict[tuple[dt.date, int], int] = {}
    for day in days:
        kind = kinds[day]
        if not kind.working:  # type: ignore[attr-defined]
            continue
        multiplier = WEEKDAY.get(kind.weekday, 1.0)  # type: ignore[attr-defined]
        for effect in kind.effects:  # type: ignore[attr-defined]
            multiplier *= TRUE_EFFECTS[effect]
        for hour in HOURS:
            counts[day, hour] = poisson(rng, PROFILE[hour] * multiplier)
    return counts


def poisson(rng: random.Random, mean: float) -> int:
    if mean > 50:
        return max(round(rng.gauss(mean, math.sqrt(mean))), 0)
    limit, k, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


def simulate_day(
    counts: dict[int, int],
    windows: dict[int, int],
    rng: random.Random,
    service_minutes: float = SERVICE_MINUTES,
) -> dict[int, float]:
    """One day's queue: arrivals spread uniformly within their hour, served first come first served by
    the windows open in the hour of the call (a window closing finishes its citizen). Returns the mean
    wait in minutes of each hour's arrivals."""
    times = sorted((hour * 60 + rng.uniform(0, 60), hour) for hour in counts for _ in range(counts[hour]))
    free: list[float] = []  # minutes at which each window becomes free
    waits: dict[int, list[float]] = {hour: [] for hour in counts}
    for arrival, hour in times:
        target = windows.get(hour, 1)
        while len(free) < target:
            heapq.heappush(free, hour * 60.0)
        while len(free) > target and len(free) > 1:
            heapq.heappop(free)  # the earliest free window closes
        start = max(arrival, heapq.heappop(free))
        heapq.heappush(free, start + rng.expovariate(1 / service_minutes))
        waits[hour].append(start - arrival)
    return {hour: (sum(values) / len(values) if values else 0.0) for hour, values in waits.items()}
