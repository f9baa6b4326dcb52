"""The predicted wait through a day: a time-stepped queue that carries the backlog from hour to hour.

Method. The hall's line for one service is an M(t)/M/c(t) queue: Poisson arrivals at the forecast's
rate λ(h) in hour h, c(h) windows (the planned ones), exponential service with the service's mean time.
Rather than assume each hour reaches its steady state (per-hour Erlang C, which over-predicts the first
busy hour and under-predicts the hours after it, when the morning's backlog is still being worked off),
we integrate the queue's Kolmogorov forward equations through the day: the probabilities p(n) of n
citizens in the hall, stepped forward in sub-minute steps (Euler, each step short enough that
(λ + cμ)·dt ≤ 0.9), starting empty at opening. The backlog of every hour is in p(n) when the next hour
starts. A citizen arriving at time t with n ahead waits (n − c + 1)/(cμ) when all windows are busy;
the hour's predicted wait is the mean of that over the hour's arrivals, and over the arrivals' spread
(the wait grows faster than the arrivals): a 3-point rule on the runs at λ and λ ± 1.28√λ. An hour with
no window open waits to the next hour with windows. The band: the runs at λ ± 1.28√λ (80 %).

Staffing. The windows an hour needs are found hour by hour in order: the fewest c for which this
hour's predicted wait stays under the target, given the queue left by the hours before (so an hour
after a peak gets the windows to work the backlog off).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

BAND_Z = 1.2816  # 80 % of a normal spread
STEP_LOAD = 0.9  # (λ + cμ)·dt per Euler step
TAIL = 1e-8  # probabilities below this at the top end are dropped
CLOSED_WAIT = 60.0  # an hour without windows and none after it: an hour's wait, at least


@dataclass(frozen=True, slots=True)
class HourWait:
    minutes: float
    low: float
    high: float


def _arrival_wait(p: list[float], servers: int, mu: float) -> float:
    """Mean wait of a citizen arriving now, with p(n) in the hall and `servers` windows."""
    if len(p) <= servers:
        return 0.0
    ahead = sum(chance * ahead for ahead, chance in enumerate(p[servers:], start=1))
    return ahead / (servers * mu)


def advance_hour(
    p: list[float], *, rate: float, servers: int, service_minutes: float, next_servers: int = 0
) -> tuple[list[float], float]:
    """Step the distribution `p` through one hour; return it and the hour's mean wait (minutes).
    With no window open (servers 0) arrivals only queue, and wait for the next hour's windows."""
    mu = 1.0 / service_minutes
    lam = rate / 60.0
    steps = max(1, math.ceil(60.0 * (lam + servers * mu) / STEP_LOAD))
    dt = 60.0 / steps
    total = 0.0
    rates = [mu * min(n, servers) for n in range(len(p) + steps + 3)]  # p grows one state a step at most
    for index in range(steps):
        if servers > 0:
            total += _arrival_wait(p, servers, mu)
        elif next_servers > 0:
            total += 60.0 - (index + 0.5) * dt + _arrival_wait(p, next_servers, mu)
        else:
            total += CLOSED_WAIT
        p = _step(p, lam, rates, dt)
    return p, total / steps


def _step(p: list[float], lam: float, rates: list[float], dt: float) -> list[float]:
    """One Euler step of the forward equations; `rates[n]` is the service rate with n in the hall."""
    grown = [0.0, *p, 0.0, 0.0]
    out = [
        now + dt * (lam * before + leaving * after - (lam + serving) * now)
        for before, now, after, serving, leaving in zip(
            grown, grown[1:], grown[2:], rates, rates[1:], strict=False
        )
    ]
    while len(out) > 1 and out[-1] < TAIL:
        out.pop()
    return out


def day_waits(arrivals: list[float], windows: list[int], service_minutes: float) -> list[float]:
    """The mean wait of each hour's arrivals at exactly these arrival rates, the hall empty at opening."""
    p = [1.0]
    waits = []
    for index, (rate, servers) in enumerate(zip(arrivals, windows, strict=True)):
        following = next((c for c in windows[index + 1 :] if c > 0), 0)
        p, wait = advance_hour(
            p, rate=max(rate, 0.0), servers=servers, service_minutes=service_minutes, next_servers=following
        )
        waits.append(wait)
    return waits


def hourly_waits(
    *, arrivals: list[float], service_minutes: float, windows: list[int], band_z: float = BAND_Z
) -> list[HourWait]:
    """Predicted waits through one day's consecutive open hours, from opening (the hall empty)."""

    def at(z: float) -> list[float]:
        return day_waits(
            [max(rate + z * math.sqrt(rate), 0.0) for rate in arrivals], windows, service_minutes
        )

    centre, low, high = at(0.0), at(-band_z), at(band_z)
    # the wait grows faster than the arrivals: its mean over the arrivals' spread, by the 3-point rule on
    # the band's own nodes (weights that keep the spread's mean and variance: 1/(2z²) each side)
    side = 1 / (2 * band_z * band_z)
    middle = [(1 - 2 * side) * c + side * (lo + hi) for c, lo, hi in zip(centre, low, high, strict=True)]
    return [HourWait(m, min(lo, m), max(hi, m)) for m, lo, hi in zip(middle, low, high, strict=True)]


def windows_for_day(
    *, arrivals: list[float], service_minutes: float, target_minutes: float, limit: int = 30
) -> list[int]:
    """Per hour in order, the fewest windows that keep the hour's predicted wait under the target,
    carrying the queue the hours before left (0 for an hour without arrivals and without backlog)."""
    p = [1.0]
    plan = []
    for rate in arrivals:
        backlog = sum(p[1:]) > 0.05
        if rate <= 0 and not backlog:
            plan.append(0)
            p, _wait = advance_hour(p, rate=0.0, servers=0, service_minutes=service_minutes, next_servers=1)
            continue
        servers, p = _fewest_windows(
            p, rate=rate, service_minutes=service_minutes, target=target_minutes, limit=limit
        )
        plan.append(servers)
    return plan


def _fewest_windows(
    p: list[float], *, rate: float, service_minutes: float, target: float, limit: int
) -> tuple[int, list[float]]:
    """The fewest windows keeping this hour's wait under the target (searched upwards from half the
    offered load: fewer never keep up), and the distribution they leave."""
    start = max(1, min(limit, int(rate * service_minutes / 60 // 2)))
    for servers in range(start, limit + 1):
        after, wait = advance_hour(p, rate=rate, servers=servers, service_minutes=service_minutes)
        if wait <= target:
            return servers, after
    return limit, after


def windows_needed(
    *, arrivals_per_hour: float, service_minutes: float, target_minutes: float, limit: int = 30
) -> int:
    """The fewest windows that keep one hour's predicted wait under the target, the hall empty at its
    start (0 with no arrivals)."""
    if arrivals_per_hour <= 0:
        return 0
    return windows_for_day(
        arrivals=[arrivals_per_hour],
        service_minutes=service_minutes,
        target_minutes=target_minutes,
        limit=limit,
    )[0]
