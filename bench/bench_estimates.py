"""Simulation benchmark for the wait-time estimator (minxin/queueing/estimates/).

A discrete-event service hall: three queues with different service times, seven windows whose work
profiles cover one to three queues, arrivals with a morning and an afternoon peak, 30 % remote tickets of
which 20 % never show up. At every ticket's issue time it records the estimator's answer (service times,
no-show rate and band width learned from a rolling history, as production will), an oracle's (the same
formula with the true service means and no-show rate), the naive "ahead × mean ÷ windows" and a few
ablations; then the ticket's actual wait. It reports figures and exits 0; it does not assert.
See bench/README.md.

    .venv/bin/python bench/bench_estimates.py [--seed 1] [--days 60] [--json results.json]
"""

from __future__ import annotations

import argparse
import heapq
import json
import math
import random
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from minxin.queueing.estimates import (
    WaitingTicket,
    WaitModel,
    WaitOutcome,
    drain_shares,
    effective_servers,
    estimate_wait,
    expected_work_seconds,
    naive_wait_minutes,
    service_stats,
    wait_band,
    wait_dispersion,
    wait_model,
    window_share,
)

HOUR = 3600.0
MINUTE = 60.0


@dataclass(frozen=True, slots=True)
class QueueSpec:
    code: str
    mean_minutes: float  # true mean service time in an hour whose factor is 1.0
    mix: float  # share of arriving tickets


@dataclass(frozen=True, slots=True)
class WindowSpec:
    name: str
    queues: tuple[str, ...]


QUEUES = (QueueSpec("A", 4.0, 0.45), QueueSpec("B", 7.0, 0.35), QueueSpec("C", 12.0, 0.20))
WINDOWS = (
    WindowSpec("W1", ("A",)),
    WindowSpec("W2", ("A",)),
    WindowSpec("W3", ("A", "B")),
    WindowSpec("W4", ("B",)),
    WindowSpec("W5", ("B", "C")),
    WindowSpec("W6", ("C",)),
    WindowSpec("W7", ("A", "B", "C")),
)
# Tickets are issued only inside a session; at closing the windows serve out whoever is waiting.
SESSIONS = ((9.0 * HOUR, 12.0 * HOUR), (13.5 * HOUR, 17.5 * HOUR))
# True service-time factor by local hour of the call: the harder cases come in the morning.
HOUR_FACTOR = {9: 1.15, 10: 1.10, 11: 1.0, 12: 1.0, 13: 1.0, 14: 0.95, 15: 0.92, 16: 0.90, 17: 0.90}
REMOTE_SHARE = 0.30
NO_SHOW_RATE = 0.20
GRACE_SECONDS = 60.0
SHARE_LOOKBACK = HOUR
BUCKETS = ((0, 0), (1, 2), (3, 5), (6, 10), (11, 20), (21, 10**9))

GOAL_RMSE_VS_ORACLE = 1.10
GOAL_ABS_BIAS = 0.05
GOAL_COVERAGE = (0.77, 0.83)
GOAL_SE_REDUCTION = 0.30


@dataclass(frozen=True, slots=True)
class Recipe:
    """How a prediction is put together; the estimator uses every part, the ablations drop one each."""

    means: str = "history"  # "history" (by hour, shrunk) | "flat" (all hours) | "true"
    no_show: str = "history"  # "history" | "true" | "ignored"
    shares: str = "drain"  # "drain" (forward-looking) | "last-hour" | "even" (1/k per window)
    mid_wait_hour: bool = True  # service means of the hour halfway through the first estimate's wait
    free_windows: bool = True  # nobody ahead and a window free: called at once
    dispersion: bool = True  # band width learned from past tickets


ESTIMATOR, ORACLE, NAIVE = "estimator", "oracle", "naive"
RECIPES = {
    ESTIMATOR: Recipe(),
    ORACLE: Recipe(means="true", no_show="true"),
    "first version": Recipe(shares="last-hour", mid_wait_hour=False, free_windows=False, dispersion=False),
    "- drain: last-hour": Recipe(shares="last-hour"),
    "- drain: 1/k": Recipe(shares="even"),
    "- free windows": Recipe(free_windows=False),
    "- no-show corr.": Recipe(no_show="ignored"),
    "- mid-wait hour": Recipe(mid_wait_hour=False),
    "- hour of day": Recipe(means="flat", mid_wait_hour=False),
    "- dispersion": Recipe(dispersion=False),
}


@dataclass(frozen=True, slots=True)
class Config:
    seed: int
    days: int
    warmup_days: int
    history_days: int
    tickets_per_day: float
    service_distribution: str
    service_cv: float


@dataclass(frozen=True, slots=True)
class Prediction:
    minutes: float
    low: int | None = None
    high: int | None = None
    exact_band: tuple[float, float] | None = None  # before rounding outward; None when called at once
    model: WaitModel | None = None


@dataclass(frozen=True, slots=True)
class Knowledge:
    """The estimator's view at the start of a day, from the rolling history."""

    means: dict[tuple[str, int], float]  # (queue, hour) -> shrunk mean service seconds
    flat_means: dict[str, float]  # queue -> all-hours mean
    no_show_rate: float
    dispersion: float


@dataclass(slots=True)
class DayHistory:
    """What the hall's event log yields for statistics."""

    services: list[tuple[str, int, float]] = field(default_factory=list)  # (queue, hour of call, seconds)
    remote_called: int = 0
    remote_no_show: int = 0
    outcomes: list[WaitOutcome] = field(default_factory=list)  # estimator's ranged tickets


@dataclass(slots=True)
class Row:
    """One ticket that was called and served: what each estimator said at issue, and the truth."""

    queue: str
    ahead: int
    predictions: dict[str, Prediction]
    model: WaitModel | None  # the estimator's, kept for the dispersion history
    actual_minutes: float = math.nan


@dataclass(slots=True)
class Ticket:
    queue: str
    issued: float
    remote: bool
    shows: bool
    row: Row | None = None


@dataclass(slots=True)
class Window:
    spec: WindowSpec
    busy: bool = False
    idle_since: float = 0.0
    log: deque[tuple[float, float, str]] = field(default_factory=deque)  # (start, end, queue) of work


def arrival_intensity(seconds: float) -> float:
    """Relative arrival rate: a floor plus a morning peak near 10:00 and a wider afternoon one near 15:00."""
    hours = seconds / HOUR
    morning = 1.6 * math.exp(-0.5 * ((hours - 10.0) / 0.6) ** 2)
    afternoon = 1.2 * math.exp(-0.5 * ((hours - 15.0) / 0.8) ** 2)
    return 0.5 + morning + afternoon


def _intensity_integral(step: float = 60.0) -> float:
    return sum(
        arrival_intensity(start + i * step) * step
        for start, end in SESSIONS
        for i in range(int((end - start) / step))
    )


def true_mean_seconds(queue: str, hour: int) -> float:
    spec = next(spec for spec in QUEUES if spec.code == queue)
    return spec.mean_minutes * MINUTE * HOUR_FACTOR.get(hour, 1.0)


def hour_of(seconds: float) -> int:
    return int(seconds // HOUR)


def knowledge_from(history: Iterable[DayHistory]) -> Knowledge:
    """Statistics as production computes them: from observed services, calls and past estimates only."""
    by_queue: dict[str, dict[int, list[float]]] = {spec.code: {} for spec in QUEUES}
    called = no_show = 0
    outcomes: list[WaitOutcome] = []
    for day in history:
        for queue, hour, seconds in day.services:
            by_queue[queue].setdefault(hour, []).append(seconds)
        called += day.remote_called
        no_show += day.remote_no_show
        outcomes.extend(day.outcomes)
    means = {
        (queue, hour): service_stats(samples, hour).mean_seconds
        for queue, samples in by_queue.items()
        for hour in range(24)
    }
    # An hour that never occurs gets no samples of its own, so its shrunk mean is the all-hours mean.
    flat_means = {queue: service_stats(samples, -1).mean_seconds for queue, samples in by_queue.items()}
    return Knowledge(
        means=means,
        flat_means=flat_means,
        no_show_rate=no_show / called if called else 0.0,
        dispersion=wait_dispersion(outcomes),
    )


class Hall:
    """One day: FIFO queues; a free window calls the longest-waiting ticket among its queues."""

    def __init__(self, rng: random.Random, config: Config, knowledge: Knowledge, *, evaluated: bool) -> None:
        self.rng = rng
        self.config = config
        self.knowledge = knowledge
        self.evaluated = evaluated
        self.windows = [Window(spec) for spec in WINDOWS]
        self.queues: dict[str, deque[Ticket]] = {spec.code: deque() for spec in QUEUES}
        self.waiting_remote = dict.fromkeys(self.queues, 0)
        self.history = DayHistory()
        self.rows: list[Row] = []
        self.events: list[tuple[float, int, int]] = []  # (time, 0 = window free | 1 = arrival, index)
        self.arrivals: list[Ticket] = []

    def run(self, day_factor: float) -> None:
        for start, end in SESSIONS:
            for window in self.windows:
                window.idle_since = start
            for ticket in self.generate_arrivals(start, end, day_factor):
                self.arrivals.append(ticket)
                heapq.heappush(self.events, (ticket.issued, 1, len(self.arrivals) - 1))
            while self.events:
                now, kind, index = heapq.heappop(self.events)
                if kind == 1:
                    self.arrive(self.arrivals[index], now)
                else:
                    self.windows[index].busy = False
                    self.windows[index].idle_since = now
                    self.call_next(index, now)

    def generate_arrivals(self, start: float, end: float, day_factor: float) -> list[Ticket]:
        """Non-homogeneous Poisson arrivals by thinning."""
        scale = self.config.tickets_per_day * day_factor / _intensity_integral()
        ceiling = scale * max(arrival_intensity(start + i * 60.0) for i in range(int((end - start) / 60) + 1))
        tickets: list[Ticket] = []
        now = start
        while True:
            now += self.rng.expovariate(ceiling)
            if now >= end:
                return tickets
            if self.rng.random() * ceiling <= scale * arrival_intensity(now):
                tickets.append(self.new_ticket(now))

    def new_ticket(self, now: float) -> Ticket:
        # Simplification: a remote holder who will come is in the hall from issue (checks in at once);
        # one who will not never comes. The estimator cannot tell them apart until the call.
        queue = self.rng.choices([spec.code for spec in QUEUES], weights=[spec.mix for spec in QUEUES])[0]
        remote = self.rng.random() < REMOTE_SHARE
        shows = not remote or self.rng.random() >= NO_SHOW_RATE
        return Ticket(queue=queue, issued=now, remote=remote, shows=shows)

    def arrive(self, ticket: Ticket, now: float) -> None:
        # Estimates are made for every ticket (production cannot know who will not show) and scored
        # for those who are served.
        ticket.row = self.estimate(ticket.queue, now)
        self.queues[ticket.queue].append(ticket)
        self.waiting_remote[ticket.queue] += ticket.remote
        idle = [i for i, w in enumerate(self.windows) if not w.busy and ticket.queue in w.spec.queues]
        if idle:
            self.call_next(min(idle, key=lambda i: self.windows[i].idle_since), now)

    def call_next(self, index: int, now: float) -> None:
        window = self.windows[index]
        heads = [self.queues[queue][0] for queue in window.spec.queues if self.queues[queue]]
        if not heads:
            return
        ticket = min(heads, key=lambda t: t.issued)
        self.queues[ticket.queue].popleft()
        self.waiting_remote[ticket.queue] -= ticket.remote
        if ticket.remote:
            self.history.remote_called += 1
            self.history.remote_no_show += not ticket.shows
        duration = GRACE_SECONDS
        if ticket.shows:
            duration = self.service_seconds(ticket.queue, hour_of(now))
            self.history.services.append((ticket.queue, hour_of(now), duration))
            self.record_wait(ticket, now)
        window.busy = True
        window.log.append((now, now + duration, ticket.queue))
        heapq.heappush(self.events, (now + duration, 0, index))

    def record_wait(self, ticket: Ticket, now: float) -> None:
        row = ticket.row
        if row is None:
            return
        row.actual_minutes = (now - ticket.issued) / MINUTE
        if row.model is not None:
            self.history.outcomes.append(WaitOutcome(model=row.model, actual_minutes=row.actual_minutes))
        if self.evaluated:
            self.rows.append(row)

    def service_seconds(self, queue: str, hour: int) -> float:
        mean = true_mean_seconds(queue, hour)
        if self.config.service_distribution == "exponential":
            return self.rng.expovariate(1.0 / mean)
        cv = self.config.service_cv
        if cv <= 0:
            return mean
        sigma2 = math.log(1.0 + cv * cv)
        return self.rng.lognormvariate(math.log(mean) - sigma2 / 2.0, math.sqrt(sigma2))

    def last_hour_shares(self, queue: str, now: float) -> list[float]:
        """Busy-time shares over the last hour, as the queue code can compute them from its call log."""
        shares = []
        for window in self.windows:
            if queue not in window.spec.queues:
                continue
            while window.log and window.log[0][1] <= now - SHARE_LOOKBACK:
                window.log.popleft()
            busy = on_queue = 0.0
            for start, end, served in window.log:
                seconds = max(0.0, min(end, now) - max(start, now - SHARE_LOOKBACK))
                busy += seconds
                on_queue += seconds if served == queue else 0.0
            count = len(window.spec.queues)
            shares.append(window_share(seconds_on_queue=on_queue, seconds_busy=busy, queues_served=count))
        return shares

    def drained_shares(self, queue: str, means: dict[str, float], no_show_rate: float) -> list[float]:
        """Forward-looking shares from the tickets waiting now (estimates.drain_shares)."""
        waiting = {
            name: [
                WaitingTicket(
                    issued=ticket.issued,
                    work_seconds=expected_work_seconds(
                        remote=ticket.remote,
                        no_show_rate=no_show_rate,
                        grace_seconds=GRACE_SECONDS,
                        mean_service_seconds=means[name],
                    ),
                )
                for ticket in tickets
            ]
            for name, tickets in self.queues.items()
        }
        profiles = [window.spec.queues for window in self.windows]
        return drain_shares(queue=queue, waiting=waiting, profiles=profiles, own_work_seconds=means[queue])

    def estimate(self, queue: str, now: float) -> Row:
        remote = self.waiting_remote[queue]
        ahead = Ahead(present=len(self.queues[queue]) - remote, remote=remote)
        context = Context(hall=self, queue=queue, now=now, ahead=ahead)
        names = list(RECIPES) if self.evaluated else [ESTIMATOR]
        predictions = {name: context.predict(RECIPES[name]) for name in names}
        if self.evaluated:
            naive = naive_wait_minutes(
                ahead=ahead.present + ahead.remote,
                mean_service_seconds=self.knowledge.means[(queue, hour_of(now))],
                windows=len(context.serving),
            )
            predictions[NAIVE] = Prediction(minutes=naive)
        mine = predictions[ESTIMATOR]
        model = mine.model if mine.exact_band is not None else None
        return Row(queue=queue, ahead=ahead.present + ahead.remote, predictions=predictions, model=model)


@dataclass(frozen=True, slots=True)
class Ahead:
    present: int
    remote: int


class Context:
    """One ticket's moment of issue: everything a caller can see, and the predictions made from it."""

    def __init__(self, *, hall: Hall, queue: str, now: float, ahead: Ahead) -> None:
        self.hall, self.queue, self.now, self.ahead = hall, queue, now, ahead
        self.serving = [window for window in hall.windows if queue in window.spec.queues]
        self.drains: dict[tuple[tuple[float, ...], float], list[float]] = {}

    def predict(self, recipe: Recipe) -> Prediction:
        first = self.predict_at(recipe, hour_of(self.now))
        if not recipe.mid_wait_hour or math.isnan(first.minutes):
            return first
        hour = hour_of(self.now + first.minutes * MINUTE / 2)
        return first if hour == hour_of(self.now) else self.predict_at(recipe, hour)

    def predict_at(self, recipe: Recipe, hour: int) -> Prediction:
        means = self.means(recipe, hour)
        no_show_rate = self.no_show_rate(recipe)
        shares = self.shares(recipe, means, no_show_rate)
        free = sum(1 for window in self.serving if not window.busy) if recipe.free_windows else 0
        dispersion = self.hall.knowledge.dispersion if recipe.dispersion else 1.0
        servers = effective_servers(shares)
        estimate = estimate_wait(
            ahead_present=self.ahead.present,
            ahead_remote=self.ahead.remote,
            no_show_rate=no_show_rate,
            grace_seconds=GRACE_SECONDS,
            mean_service_seconds=means[self.queue],
            servers=servers,
            free_windows=free,
            dispersion=dispersion,
        )
        model = wait_model(
            ahead_present=self.ahead.present,
            ahead_remote=self.ahead.remote,
            no_show_rate=no_show_rate,
            grace_seconds=GRACE_SECONDS,
            mean_service_seconds=means[self.queue],
            servers=servers,
        )
        if estimate is None or model is None:
            return Prediction(minutes=math.nan)
        at_once = self.ahead.present + self.ahead.remote < free
        exact = None if at_once else wait_band(model, dispersion=dispersion)
        return Prediction(
            minutes=float(estimate.minutes),
            low=estimate.low,
            high=estimate.high,
            exact_band=exact,
            model=model,
        )

    def means(self, recipe: Recipe, hour: int) -> dict[str, float]:
        knowledge = self.hall.knowledge
        if recipe.means == "true":
            return {spec.code: true_mean_seconds(spec.code, hour) for spec in QUEUES}
        if recipe.means == "flat":
            return dict(knowledge.flat_means)
        return {spec.code: knowledge.means[(spec.code, hour)] for spec in QUEUES}

    def no_show_rate(self, recipe: Recipe) -> float:
        if recipe.no_show == "true":
            return NO_SHOW_RATE
        return 0.0 if recipe.no_show == "ignored" else self.hall.knowledge.no_show_rate

    def shares(self, recipe: Recipe, means: dict[str, float], no_show_rate: float) -> list[float]:
        if means[self.queue] <= 0:
            return []
        if recipe.shares == "even":
            return [1.0 / len(window.spec.queues) for window in self.serving]
        if recipe.shares == "last-hour":
            return self.hall.last_hour_shares(self.queue, self.now)
        key = (tuple(means.values()), no_show_rate)
        if key not in self.drains:
            self.drains[key] = self.hall.drained_shares(self.queue, means, no_show_rate)
        return self.drains[key]


def simulate(config: Config) -> tuple[list[Row], Knowledge]:
    """Warm-up days build the history only; the evaluated days are scored. Stats refresh every morning."""
    rng = random.Random(config.seed)
    history: deque[DayHistory] = deque(maxlen=config.history_days)
    rows: list[Row] = []
    knowledge = knowledge_from(history)
    for day in range(config.warmup_days + config.days):
        knowledge = knowledge_from(history)
        hall = Hall(rng, config, knowledge, evaluated=day >= config.warmup_days)
        hall.run(day_factor=rng.uniform(0.85, 1.15))
        history.append(hall.history)
        rows.extend(hall.rows)
    return rows, knowledge


@dataclass(frozen=True, slots=True)
class Metrics:
    tickets: int
    mean_actual_minutes: float
    rmse_minutes: float
    rmse_over_mean: float
    bias: float
    sse_reduction_vs_naive: float
    coverage: float | None  # all tickets, displayed whole-minute band
    coverage_ranged: float | None  # tickets not called at once
    coverage_exact: float | None  # tickets not called at once, band before rounding
    rmse_by_ahead: dict[str, float]


def metrics_for(rows: list[Row], name: str) -> Metrics:
    pairs = [(row.predictions[name].minutes, row.actual_minutes) for row in rows]
    naive_sse = math.fsum((row.predictions[NAIVE].minutes - row.actual_minutes) ** 2 for row in rows)
    mean_actual = math.fsum(actual for _, actual in pairs) / len(pairs)
    banded = [row for row in rows if row.predictions[name].low is not None]
    ranged = [row for row in banded if row.predictions[name].exact_band is not None]
    return Metrics(
        tickets=len(pairs),
        mean_actual_minutes=mean_actual,
        rmse_minutes=_rmse(pairs),
        rmse_over_mean=_rmse(pairs) / mean_actual,
        bias=math.fsum(estimate - actual for estimate, actual in pairs) / len(pairs) / mean_actual,
        sse_reduction_vs_naive=1.0 - math.fsum((e - a) ** 2 for e, a in pairs) / naive_sse,
        coverage=_share(banded, lambda row: _covered(row, name)),
        coverage_ranged=_share(ranged, lambda row: _covered(row, name)),
        coverage_exact=_share(ranged, lambda row: _covered(row, name, exact=True)),
        rmse_by_ahead={
            _bucket_label(bucket): _rmse(
                [(row.predictions[name].minutes, row.actual_minutes) for row in rows if _in(row, bucket)]
            )
            for bucket in BUCKETS
        },
    )


def _rmse(pairs: list[tuple[float, float]]) -> float:
    return math.sqrt(math.fsum((e - a) ** 2 for e, a in pairs) / len(pairs)) if pairs else math.nan


def _share(rows: list[Row], test: Callable[[Row], bool]) -> float | None:
    return sum(1 for row in rows if test(row)) / len(rows) if rows else None


def _covered(row: Row, name: str, *, exact: bool = False) -> bool:
    prediction = row.predictions[name]
    if exact:
        assert prediction.exact_band is not None
        low, high = prediction.exact_band
        return low <= row.actual_minutes <= high
    assert prediction.low is not None
    assert prediction.high is not None
    return prediction.low <= row.actual_minutes <= prediction.high


def _in(row: Row, bucket: tuple[int, int]) -> bool:
    return bucket[0] <= row.ahead <= bucket[1]


def _bucket_label(bucket: tuple[int, int]) -> str:
    low, high = bucket
    if low == high:
        return str(low)
    return f"{low}+" if high >= 10**9 else f"{low}-{high}"


def goals(results: dict[str, Metrics]) -> list[tuple[str, str, bool]]:
    mine, oracle = results[ESTIMATOR], results[ORACLE]
    # A number called at once is told "no wait" on every page, not shown a band, so the band's goal is
    # judged over the numbers that were shown one; the figure over all tickets is printed beside it.
    coverage = mine.coverage_ranged or 0.0
    return [
        (
            f"pooled RMSE <= {GOAL_RMSE_VS_ORACLE:.2f} x oracle's",
            f"{mine.rmse_minutes / oracle.rmse_minutes:.3f} x",
            mine.rmse_minutes <= GOAL_RMSE_VS_ORACLE * oracle.rmse_minutes,
        ),
        (f"|bias| <= {GOAL_ABS_BIAS:.0%}", f"{mine.bias:+.1%}", abs(mine.bias) <= GOAL_ABS_BIAS),
        (
            f"band covers {GOAL_COVERAGE[0]:.0%}-{GOAL_COVERAGE[1]:.0%} (tickets shown a band)",
            f"{coverage:.1%} ({mine.coverage or 0.0:.1%} with those told no wait)",
            GOAL_COVERAGE[0] <= coverage <= GOAL_COVERAGE[1],
        ),
        (
            f"squared error >= {GOAL_SE_REDUCTION:.0%} below naive's",
            f"{mine.sse_reduction_vs_naive:.1%} below",
            mine.sse_reduction_vs_naive >= GOAL_SE_REDUCTION,
        ),
    ]


def print_report(config: Config, rows: list[Row], results: dict[str, Metrics], knowledge: Knowledge) -> None:
    print(
        f"seed {config.seed}, {config.days} days scored after {config.warmup_days} warm-up days, "
        f"history {config.history_days} days, ~{config.tickets_per_day:.0f} tickets/day, "
        f"service times {config.service_distribution}"
        + (f" cv {config.service_cv}" if config.service_distribution == "lognormal" else "")
    )
    at_once = sum(1 for row in rows if row.predictions[ESTIMATOR].exact_band is None)
    print(
        f"scored tickets (present, or remote and showed up): {len(rows)}, called at once: {at_once}; "
        f"last day's learned no-show rate {knowledge.no_show_rate:.3f} (true {NO_SHOW_RATE}), "
        f"dispersion {knowledge.dispersion:.3f}"
    )
    counts = {_bucket_label(bucket): sum(1 for row in rows if _in(row, bucket)) for bucket in BUCKETS}
    print("tickets by number ahead: " + ", ".join(f"{label}: {count}" for label, count in counts.items()))
    print()
    _print_table(results)
    print()
    for label, value, met in goals(results):
        print(f"  {'MET    ' if met else 'NOT MET'}  {label:<44} {value}")


def _print_table(results: dict[str, Metrics]) -> None:
    labels = [_bucket_label(bucket) for bucket in BUCKETS]
    print(
        f"{'':<20}{'RMSE':>6}{'RMSE/':>7}{'bias':>8}{'SE cut':>8}{'cover':>7}{'cover':>7}{'cover':>7}"
        f"   RMSE (min) by tickets ahead"
    )
    print(
        f"{'':<20}{'min':>6}{'mean':>7}{'':>8}{'vs naive':>8}{'all':>7}{'ranged':>7}{'exact':>7}   "
        + " ".join(f"{label:>6}" for label in labels)
    )
    for name, m in results.items():
        by_ahead = " ".join(f"{m.rmse_by_ahead[label]:>6.2f}" for label in labels)
        print(
            f"{name:<20}{m.rmse_minutes:>6.2f}{m.rmse_over_mean:>7.3f}{m.bias:>+8.1%}"
            f"{m.sse_reduction_vs_naive:>+8.1%}{_percent(m.coverage):>7}{_percent(m.coverage_ranged):>7}"
            f"{_percent(m.coverage_exact):>7}   {by_ahead}"
        )
    first = next(iter(results.values()))
    print(f"(mean actual wait {first.mean_actual_minutes:.2f} min)")


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def parse_args(argv: list[str] | None) -> tuple[Config, Path | None]:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--days", type=int, default=60, help="scored hall days (default 60)")
    parser.add_argument("--warmup-days", type=int, default=20, help="history-only days before scoring")
    parser.add_argument("--history-days", type=int, default=20, help="rolling history for the statistics")
    parser.add_argument("--tickets-per-day", type=float, default=390.0, help="mean tickets issued a day")
    parser.add_argument("--service-distribution", choices=("lognormal", "exponential"), default="lognormal")
    parser.add_argument("--service-cv", type=float, default=1.0, help="lognormal coefficient of variation")
    parser.add_argument("--json", type=Path, help="also write the results to this file as JSON")
    args = parser.parse_args(argv)
    config = Config(
        seed=args.seed,
        days=args.days,
        warmup_days=args.warmup_days,
        history_days=args.history_days,
        tickets_per_day=args.tickets_per_day,
        service_distribution=args.service_distribution,
        service_cv=args.service_cv,
    )
    return config, args.json


def write_json(
    path: Path, config: Config, rows: list[Row], results: dict[str, Metrics], seconds: float
) -> None:
    document = {
        "benchmark": "bench/bench_estimates.py",
        "config": asdict(config),
        "scored_tickets": len(rows),
        "runtime_seconds": round(seconds, 1),
        "results": {name: _rounded(asdict(metrics)) for name, metrics in results.items()},
        "goals": [{"goal": label, "value": value, "met": met} for label, value, met in goals(results)],
    }
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _rounded(value: object) -> object:
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 4)
    if isinstance(value, dict):
        return {key: _rounded(item) for key, item in value.items()}
    return value


def main(argv: list[str] | None = None) -> int:
    config, json_path = parse_args(argv)
    started = time.perf_counter()
    rows, knowledge = simulate(config)
    if not rows:
        print("no tickets were scored: use --days >= 1")
        return 0
    names = [ESTIMATOR, ORACLE, NAIVE] + [name for name in RECIPES if name not in (ESTIMATOR, ORACLE)]
    results = {name: metrics_for(rows, name) for name in names}
    elapsed = time.perf_counter() - started
    print_report(config, rows, results, knowledge)
    print(f"\nruntime {elapsed:.1f} s")
    if json_path is not None:
        write_json(json_path, config, rows, results, elapsed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
