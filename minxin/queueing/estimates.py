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
"""

from __future__ import annotations

import functools
import math
import statistics
from collections import deque
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

# A window open for this queue but with no recent calls from it still serves it, just rarely; a floor
# keeps "open" distinct from "closed" (which means no estimate at all).
MIN_EFFECTIVE_SERVERS = 0.05

BAND_LOW_PROBABILITY = 0.10
BAND_HIGH_PROBABILITY = 0.90

# Convergence limits for the incomplete gamma function; float64 gives no more than ~1e-15 anyway.
_GAMMA_EPSILON = 1e-14
_GAMMA_MAX_ITERATIONS = 10_000
_TINY = 1e-300
# From this shape on, the Wilson–Hilferty approximation alone is within 5e-5 of the exact quantile at
# the band's 10 % and 90 % (4.5e-5 at 50, 1.6e-5 at 100, 5e-7 at 1,000): under a hundredth of a minute
# for a 3-hour wait, while the series behind the exact one grows with the shape (long lines).
_WILSON_HILFERTY_SHAPE = 50.0
_QUANTILE_ITERATIONS = 200
# Far below what whole minutes can show: about 29 halvings from the starting bracket.
_QUANTILE_RELATIVE_TOLERANCE = 1e-9


@dataclass(frozen=True, slots=True)
class ServiceStats:
    """Mean service time (call to finish) of one queue's tickets at one local hour of day.

    ``samples`` counts the services observed in that hour; ``mean_seconds`` is 0.0 only when the queue
    has no history at all, which :func:`estimate_wait` answers with "no estimate".
    """

    mean_seconds: float
    samples: int


@dataclass(frozen=True, slots=True)
class Estimate:
    """What the ticket and the board show: "17 min (12–22)"."""

    minutes: int
    low: int
    high: int


def service_stats(
    samples_by_hour: dict[int, list[float]], hour: int, *, prior_weight: float = 20.0
) -> ServiceStats:
    """Mean service time for ``hour``, shrunk toward the all-hours mean of the same queue.

    Service times vary with the hour (morning cases tend to be harder, clerks tire), so a time-of-day
    mean beats a flat one — but an hour with a handful of services would swing wildly on one long case.
    Credibility weighting (Bühlmann; an empirical-Bayes posterior mean) blends the two:

        mean = (n_h · mean_h + w · mean_all) / (n_h + w)

    ``prior_weight`` w is the number of services at which the hour's own mean gets half the weight. In
    Bühlmann's terms it is the within-hour variance over the between-hours variance of the means: with
    service times whose spread equals their mean (exponential-like) and hours differing by about 20 %,
    that is about 1 / 0.2² ≈ 25; 20 is the default.
    """
    if prior_weight < 0:
        raise ValueError("prior_weight must not be negative")
    all_samples = [seconds for samples in samples_by_hour.values() for seconds in samples]
    if not all_samples:
        return ServiceStats(mean_seconds=0.0, samples=0)
    overall_mean = math.fsum(all_samples) / len(all_samples)
    hour_samples = samples_by_hour.get(hour, [])
    hour_total = math.fsum(hour_samples)
    shrunk_mean = (hour_total + prior_weight * overall_mean) / (len(hour_samples) + prior_weight)
    return ServiceStats(mean_seconds=shrunk_mean, samples=len(hour_samples))


def window_share(
    *, seconds_on_queue: float, seconds_busy: float, queues_served: int, prior_seconds: float = 900.0
) -> float:
    """Share of one window's service capacity that goes to one queue, from its recent busy time.

    A window calling from three queues does not serve each at a third of its speed: the share follows
    the mix of work it actually did. Busy time, not call counts, because one 12-minute case takes as much
    of the window as three 4-minute ones. Idle time is left out: an idle window serves whoever comes.

    Right after opening (or lunch) there is no recent work to go by, so ``prior_seconds`` of pretend
    busy time split evenly over the window's queues keeps the share near 1 / ``queues_served`` until real
    work outweighs it.
    """
    if queues_served < 1:
        raise ValueError("a window in the share list serves at least one queue")
    if seconds_on_queue < 0 or seconds_busy < seconds_on_queue or prior_seconds < 0:
        raise ValueError("busy seconds must satisfy 0 <= seconds_on_queue <= seconds_busy")
    denominator = seconds_busy + prior_seconds
    if denominator == 0:
        return 1.0 / queues_served
    return (seconds_on_queue + prior_seconds / queues_served) / denominator


@dataclass(frozen=True, slots=True)
class WaitingTicket:
    """A ticket still waiting, as the drain model sees it: when it was issued and the window time it needs."""

    issued: float  # any clock, only the order matters
    work_seconds: float


def expected_work_seconds(
    *, remote: bool, no_show_rate: float, grace_seconds: float, mean_service_seconds: float
) -> float:
    """Window time a waiting ticket will take on average.

    A remote ticket is a full service if its holder shows up and only the grace wait if not.
    """
    if not remote:
        return mean_service_seconds
    return (1.0 - no_show_rate) * mean_service_seconds + no_show_rate * grace_seconds


def drain_shares(
    *,
    queue: str,
    waiting: Mapping[str, Sequence[WaitingTicket]],
    profiles: Sequence[Collection[str]],
    own_work_seconds: float,
) -> list[float]:
    """Each open window's share of capacity that goes to ``queue`` while a ticket issued now waits.

    Windows call the longest-waiting ticket among their queues, so a shared window's share is not a
    constant: it serves this queue more exactly when this queue holds the older tickets, which is when
    people wait here. A share taken from last hour's work therefore undercounts the capacity that serves
    a waiting ticket, and the estimate runs high (measured in bench/bench_estimates.py).

    Every ticket already waiting anywhere is older than the new one and may compete with it; later
    arrivals never do. So the tickets ahead are drained as a fluid — each window on the oldest head among
    its queues, windows on the same queue splitting it — until this queue's tickets plus
    ``own_work_seconds`` (the "+1" of the queue-length predictor, a service's worth) are through. The
    share of a window is its time on this queue over that horizon.

    ``profiles`` lists the queues of each open window; the result has one share per profile that
    includes ``queue``, in order, and is empty when none does.
    """
    serving = [index for index, profile in enumerate(profiles) if queue in profile]
    if not serving:
        return []
    backlog = _backlog(waiting, queue=queue, own_work_seconds=own_work_seconds)
    seconds_on_queue = [0.0] * len(profiles)
    elapsed = 0.0
    while backlog[queue]:
        assignment = _assign_windows(backlog, profiles)
        step = min(backlog[name][0][1] / len(windows) for name, windows in assignment.items())
        for name, windows in assignment.items():
            _drain_head(backlog[name], step * len(windows))
            if name == queue:
                for index in windows:
                    seconds_on_queue[index] += step
        elapsed += step
    return [seconds_on_queue[index] / elapsed for index in serving]


def _backlog(
    waiting: Mapping[str, Sequence[WaitingTicket]], *, queue: str, own_work_seconds: float
) -> dict[str, deque[list[float]]]:
    if own_work_seconds <= 0:
        raise ValueError("own_work_seconds must be positive")
    backlog = {
        name: deque(
            [ticket.issued, ticket.work_seconds] for ticket in sorted(tickets, key=lambda t: t.issued)
        )
        for name, tickets in waiting.items()
    }
    backlog.setdefault(queue, deque()).append([math.inf, own_work_seconds])
    for tickets in backlog.values():
        while tickets and tickets[0][1] <= 0:
            tickets.popleft()
    return backlog


def _assign_windows(
    backlog: dict[str, deque[list[float]]], profiles: Sequence[Collection[str]]
) -> dict[str, list[int]]:
    assignment: dict[str, list[int]] = {}
    for index, profile in enumerate(profiles):
        heads = [(backlog[name][0][0], name) for name in profile if backlog.get(name)]
        if heads:
            assignment.setdefault(min(heads)[1], []).append(index)
    return assignment


def _drain_head(tickets: deque[list[float]], work: float) -> None:
    # Relative tolerance: the head that set the step must leave even when rounding leaves a crumb.
    tickets[0][1] -= work
    if tickets[0][1] <= 1e-9 * max(work, 1.0):
        tickets.popleft()


def effective_servers(window_shares: list[float]) -> float:
    """Open windows serving a queue, each counted by the share of its capacity that goes to the queue.

    ``window_shares`` holds one entry per open window whose work profile includes the queue. Counting
    every such window fully is what makes the naive estimate far too low in halls with comprehensive
    windows. Shares are clamped to [0, 1]; the result is 0.0 only when no window is open.
    """
    if not window_shares:
        return 0.0
    total = math.fsum(min(max(share, 0.0), 1.0) for share in window_shares)
    return max(total, MIN_EFFECTIVE_SERVERS)


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


@functools.lru_cache(maxsize=65_536)
def gamma_quantile(probability: float, shape: float) -> float:
    """x with P(shape, x) = probability for the unit-rate gamma distribution; divide by a rate to scale.

    Newton's method on the regularized lower incomplete gamma function, whose derivative is the gamma
    density, from the Wilson–Hilferty approximation (within a few per cent for shape ≥ 1): three or
    four evaluations where bisection took twenty, which matters because every number taken asks for
    two quantiles of a shape seen rarely twice. Safeguarded: the iterate always stays inside the
    bracket that the evaluations so far have proved, and a step that would leave it bisects (or
    widens an open bracket) instead, so it cannot diverge.
    """
    if not 0.0 < probability < 1.0:
        raise ValueError("probability must lie strictly between 0 and 1")
    if shape <= 0:
        raise ValueError("shape must be positive")
    x = _wilson_hilferty(probability, shape)
    if shape >= _WILSON_HILFERTY_SHAPE:
        return x
    low, high = 0.0, math.inf
    log_gamma = math.lgamma(shape)
    for _ in range(_QUANTILE_ITERATIONS):
        excess = regularized_lower_gamma(shape, x) - probability
        if excess < 0:
            low = x
        else:
            high = x
        density = math.exp(-x + (shape - 1.0) * math.log(x) - log_gamma)
        candidate = x - excess / density if density > 0 else math.nan
        if not low < candidate < high:
            candidate = (low + high) / 2.0 if math.isfinite(high) else 2.0 * x + 1.0
        if abs(candidate - x) <= _QUANTILE_RELATIVE_TOLERANCE * candidate:
            return candidate
        x = candidate
    return x


def _wilson_hilferty(probability: float, shape: float) -> float:
    normal = statistics.NormalDist().inv_cdf(probability)
    cube_root = 1.0 - 1.0 / (9.0 * shape) + normal * math.sqrt(1.0 / (9.0 * shape))
    return shape * max(cube_root, 0.01) ** 3


def regularized_lower_gamma(shape: float, x: float) -> float:
    """P(shape, x) = γ(shape, x) / Γ(shape), the gamma distribution function at x.

    The power series converges fast below x ≈ shape + 1 and the continued fraction above it (Numerical
    Recipes §6.2); using each only where it is quick keeps the quantile bisection cheap.
    """
    if shape <= 0:
        raise ValueError("shape must be positive")
    if x <= 0:
        return 0.0
    if x < shape + 1.0:
        return _lower_gamma_series(shape, x)
    return 1.0 - _upper_gamma_continued_fraction(shape, x)


def _log_prefactor(shape: float, x: float) -> float:
    return -x + shape * math.log(x) - math.lgamma(shape)


def _lower_gamma_series(shape: float, x: float) -> float:
    term = 1.0 / shape
    total = term
    denominator = shape
    for _ in range(_GAMMA_MAX_ITERATIONS):
        denominator += 1.0
        term *= x / denominator
        total += term
        if abs(term) < abs(total) * _GAMMA_EPSILON:
            break
    return min(1.0, total * math.exp(_log_prefactor(shape, x)))


def _upper_gamma_continued_fraction(shape: float, x: float) -> float:
    # Modified Lentz's method for Q(shape, x) = Γ(shape, x) / Γ(shape).
    b = x + 1.0 - shape
    c = 1.0 / _TINY
    d = 1.0 / b
    fraction = d
    for step in range(1, _GAMMA_MAX_ITERATIONS):
        a_n = -step * (step - shape)
        b += 2.0
        d = a_n * d + b
        d = _TINY if abs(d) < _TINY else d
        c = b + a_n / c
        c = _TINY if abs(c) < _TINY else c
        d = 1.0 / d
        delta = d * c
        fraction *= delta
        if abs(delta - 1.0) < _GAMMA_EPSILON:
            break
    return min(1.0, fraction * math.exp(_log_prefactor(shape, x)))
