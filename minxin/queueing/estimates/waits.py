"""The wait itself: the queue-length predictor, its 80 % band and the band's dispersion learned from
past tickets (step 3 of the estimate, see `queueing.estimates`)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from minxin.queueing.estimates.gamma import gamma_quantile

BAND_LOW_PROBABILITY = 0.10
BAND_HIGH_PROBABILITY = 0.90


@dataclass(frozen=True, slots=True)
class Estimate:
    """What the ticket and the board show: "17 min (12–22)"."""

    minutes: int
    low: int
    high: int


def effective_ahead(
    *,
    ahead_present: int,
    ahead_remote: int,
    no_show_rate: float,
    grace_seconds: float,
    mean_service_seconds: float,
) -> float:
    """Tickets ahead, in customers' worth of window time.

    A remote ticket ahead takes a full service with probability 1 − p and only the grace wait g with
    probability p (the window calls, waits g, moves on), so it counts (1 − p) + p·g·μ. Counting it fully
    biases the estimate upward by about the no-show share.
    """
    grace_fraction = grace_seconds / mean_service_seconds
    remote_weight = (1.0 - no_show_rate) + no_show_rate * grace_fraction
    return ahead_present + ahead_remote * remote_weight


@dataclass(frozen=True, slots=True)
class WaitModel:
    """The wait distribution behind an estimate: Gamma(shape, rate) with mean ``mean_minutes``.

    Worth storing with the ticket: with the actual wait it later calibrates the range (wait_dispersion).
    """

    shape: float  # n_eff + 1: the departures the ticket waits for
    mean_minutes: float  # (n_eff + 1) / (s·μ)


def wait_model(
    *,
    ahead_present: int,
    ahead_remote: int,
    no_show_rate: float,
    grace_seconds: float,
    mean_service_seconds: float,
    servers: float,
) -> WaitModel | None:
    """Queue-length predictor: called after n_eff + 1 departures from a queue drained at rate s·μ.

    The wait is Gamma(n_eff + 1, s·μ) — Erlang when n_eff is whole — with mean (n_eff + 1) / (s·μ).

    None when no window serves the queue (``servers`` is 0) or the queue has no service history
    (``mean_service_seconds`` is 0): "no estimate" is honest where infinity or a guess is not.
    """
    _check_wait_inputs(
        ahead_present=ahead_present,
        ahead_remote=ahead_remote,
        no_show_rate=no_show_rate,
        grace_seconds=grace_seconds,
    )
    if servers <= 0 or mean_service_seconds <= 0:
        return None
    shape = 1.0 + effective_ahead(
        ahead_present=ahead_present,
        ahead_remote=ahead_remote,
        no_show_rate=no_show_rate,
        grace_seconds=grace_seconds,
        mean_service_seconds=mean_service_seconds,
    )
    return WaitModel(shape=shape, mean_minutes=shape * mean_service_seconds / servers / 60.0)


@dataclass(frozen=True, slots=True)
class WaitForecast:
    """An estimate with the model behind its range, for callers that store the model with the ticket.

    ``model`` is None when the ticket is called at once: no range was shown, so there is nothing to
    calibrate against the wait that follows.
    """

    estimate: Estimate
    model: WaitModel | None


def estimate_wait(
    *,
    ahead_present: int,
    ahead_remote: int,
    no_show_rate: float,
    grace_seconds: float,
    mean_service_seconds: float,
    servers: float,
    free_windows: int = 0,
    dispersion: float = 1.0,
) -> Estimate | None:
    """Wait until call for a ticket issued now, with an 80 % range.

    The point is the mean of the queue-length predictor (:func:`wait_model`), rounded; the range is the
    10 %–90 % band of Gamma(n_eff + 1, s·μ) — Erlang when n_eff is whole — with its ends rounded to the
    nearest minute.

    ``free_windows`` counts windows serving the queue with nobody at the counter right now. The predictor
    assumes every window is busy; when fewer tickets are ahead than windows are free the ticket is called
    at once, and saying so matters: in a quiet hour that is most tickets.

    ``dispersion`` φ scales the variance and keeps the mean: Gamma(k/φ, s·μ/φ). Erlang's spread is exact
    only for exponential service times; φ learned from past tickets (:func:`wait_dispersion`) fits the
    range to the hall. 1.0 is the textbook band.

    Returns None when :func:`wait_model` does.
    """
    forecast = forecast_wait(
        ahead_present=ahead_present,
        ahead_remote=ahead_remote,
        no_show_rate=no_show_rate,
        grace_seconds=grace_seconds,
        mean_service_seconds=mean_service_seconds,
        servers=servers,
        free_windows=free_windows,
        dispersion=dispersion,
    )
    return None if forecast is None else forecast.estimate


def forecast_wait(
    *,
    ahead_present: int,
    ahead_remote: int,
    no_show_rate: float,
    grace_seconds: float,
    mean_service_seconds: float,
    servers: float,
    free_windows: int = 0,
    dispersion: float = 1.0,
) -> WaitForecast | None:
    """:func:`estimate_wait` with the :class:`WaitModel` its range came from (None when called at once)."""
    if dispersion <= 0:
        raise ValueError("dispersion must be positive")
    if free_windows < 0:
        raise ValueError("free_windows must not be negative")
    model = wait_model(
        ahead_present=ahead_present,
        ahead_remote=ahead_remote,
        no_show_rate=no_show_rate,
        grace_seconds=grace_seconds,
        mean_service_seconds=mean_service_seconds,
        servers=servers,
    )
    if model is None:
        return None
    if ahead_present + ahead_remote < free_windows:
        return WaitForecast(estimate=Estimate(minutes=0, low=0, high=0), model=None)
    low, high = wait_band(model, dispersion=dispersion)
    # Round the band's ends to the nearest minute: widening them outward (floor/ceil) made an 80 % band
    # cover 85 % of tickets in bench/bench_estimates.py. The point estimate always lies inside.
    minutes = round(model.mean_minutes)
    estimate = Estimate(minutes=minutes, low=min(round(low), minutes), high=max(round(high), minutes))
    return WaitForecast(estimate=estimate, model=model)


def wait_band(model: WaitModel, *, dispersion: float = 1.0) -> tuple[float, float]:
    """The 10 % and 90 % quantiles of the wait, in minutes, before rounding to whole minutes."""
    shape = model.shape / dispersion
    minutes_per_unit = model.mean_minutes / shape
    return (
        gamma_quantile(BAND_LOW_PROBABILITY, shape) * minutes_per_unit,
        gamma_quantile(BAND_HIGH_PROBABILITY, shape) * minutes_per_unit,
    )


@dataclass(frozen=True, slots=True)
class WaitOutcome:
    """A past ticket that was shown a range: its wait model at issue and the wait it had."""

    model: WaitModel
    actual_minutes: float


def wait_dispersion(outcomes: Iterable[WaitOutcome], *, min_outcomes: int = 200) -> float:
    """Variance of past waits relative to the model's, to size the range (``dispersion`` above).

    Under the model the wait has variance mean² / shape, so the mean of (actual − mean)² · shape / mean²
    over past tickets is 1 when the model's spread is right, below 1 when waits were steadier (service
    times less variable than exponential, many windows pooling) and above 1 when they swung more. It is a
    moment estimate: the mean is unaffected, only the band. Until ``min_outcomes`` tickets exist the
    textbook 1.0 stands; the result is clamped to [0.25, 4] so a freak day cannot collapse or explode it.
    """
    ratios = [
        (outcome.actual_minutes - outcome.model.mean_minutes) ** 2
        * outcome.model.shape
        / outcome.model.mean_minutes**2
        for outcome in outcomes
        if outcome.model.mean_minutes > 0
    ]
    if len(ratios) < min_outcomes:
        return 1.0
    return min(max(math.fsum(ratios) / len(ratios), 0.25), 4.0)


def _check_wait_inputs(
    *, ahead_present: int, ahead_remote: int, no_show_rate: float, grace_seconds: float
) -> None:
    if ahead_present < 0 or ahead_remote < 0:
        raise ValueError("tickets ahead must not be negative")
    if not 0.0 <= no_show_rate <= 1.0:
        raise ValueError("no_show_rate must lie in [0, 1]")
    if grace_seconds < 0:
        raise ValueError("grace_seconds must not be negative")


def naive_wait_minutes(*, ahead: int, mean_service_seconds: float, windows: int) -> float:
    """The baseline halls use today: "ahead × mean ÷ windows", every ticket and every window counted fully.

    Kept only so the benchmark can measure what the estimator buys; ``windows`` must be positive.
    """
    if windows <= 0:
        raise ValueError("the naive estimate needs at least one window")
    return ahead * mean_service_seconds / windows / 60.0
