"""Wait-time estimates for a ticket just issued (DOMAIN.md §1, "Wait estimates").

Pure Python, no Django: the queue services feed it numbers they already hold (tickets waiting, open
windows and their work profiles, service-time history), and ``bench/bench_estimates.py`` drives the very
same functions through a simulated hall to measure them.

The model is the queue-length predictor of Ibrahim & Whitt (2009): with n customers ahead and a queue
drained at rate s·μ, the wait is the time for n + 1 departures, Erlang(n + 1, s·μ) in the textbook case.
We show its mean as the estimate and its 10 % and 90 % quantiles as the range, because with n ahead no
predictor gets the relative error below 1/√(n + 1).

How a caller puts it together (each step earned its place in the benchmark):

1. ``service_stats`` per queue from a long history, for the hour halfway through the expected wait (a
   first estimate with the current hour's stats tells which hour that is);
2. ``drain_shares`` → ``effective_servers``: how much of each open window will go to this queue while
   the new ticket waits (``window_share`` from last hour's work is the simpler, weaker alternative);
3. ``estimate_wait`` with those, the no-show rate, the free windows and the ``wait_dispersion`` of
   past tickets.

Split by seam: ``capacity`` (steps 1 and 2), ``waits`` (step 3 and the band's dispersion) and ``gamma``
(the distribution behind the band); the names below are the public ones.
"""

from minxin.queueing.estimates.capacity import (
    MIN_EFFECTIVE_SERVERS,
    ServiceStats,
    WaitingTicket,
    drain_shares,
    effective_servers,
    expected_work_seconds,
    service_stats,
    window_share,
)
from minxin.queueing.estimates.gamma import gamma_quantile, regularized_lower_gamma
from minxin.queueing.estimates.waits import (
    BAND_HIGH_PROBABILITY,
    BAND_LOW_PROBABILITY,
    Estimate,
    WaitForecast,
    WaitModel,
    WaitOutcome,
    effective_ahead,
    estimate_wait,
    forecast_wait,
    naive_wait_minutes,
    wait_band,
    wait_dispersion,
    wait_model,
)

__all__ = [
    "BAND_HIGH_PROBABILITY",
    "BAND_LOW_PROBABILITY",
    "MIN_EFFECTIVE_SERVERS",
    "Estimate",
    "ServiceStats",
    "WaitForecast",
    "WaitModel",
    "WaitOutcome",
    "WaitingTicket",
    "drain_shares",
    "effective_ahead",
    "effective_servers",
    "estimate_wait",
    "expected_work_seconds",
    "forecast_wait",
    "gamma_quantile",
    "naive_wait_minutes",
    "regularized_lower_gamma",
    "service_stats",
    "wait_band",
    "wait_dispersion",
    "wait_model",
    "window_share",
]
