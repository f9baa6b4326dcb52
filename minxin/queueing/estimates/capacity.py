"""How fast a queue drains: its service times by hour of day and the share of each open window's
capacity that goes to it (steps 1 and 2 of the estimate, see `queueing.estimates`)."""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

# A window open for this queue but with no recent calls from it still serves it, just rarely; a floor
# keeps "open" distinct from "closed" (which means no estimate at all).
MIN_EFFECTIVE_SERVERS = 0.05


@dataclass(frozen=True, slots=True)
class ServiceStats:
    """Mean service time (call to finish) of one queue's tickets at one local hour of day.

    ``samples`` counts the services observed in that hour; ``mean_seconds`` is 0.0 only when the queue
    has no history at all, which :func:`estimate_wait` answers with "no estimate".
    """

    mean_seconds: float
    samples: int


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
