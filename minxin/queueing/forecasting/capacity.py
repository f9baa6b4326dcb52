"""The hall right now, for the capacity model: who waits, which windows are open and free, and what
share of them serves a queue while a number taken now waits (`estimates.drain_shares`)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import F, Window
from django.db.models.functions import RowNumber

from minxin.core import clock
from minxin.core.memo import memo
from minxin.orgs.models import Hall
from minxin.queueing.estimates import WaitingTicket, drain_shares, effective_servers, expected_work_seconds
from minxin.queueing.forecasting.history import REMOTE, _queue_service_stats
from minxin.queueing.models import AT_WINDOW, IN_LINE, Queue, Ticket, WindowState

# The capacity model drains each queue's oldest tickets only, at most this many: beyond a few hundred the
# windows' shares follow the mix of the lines' heads, and a hall with thousands waiting (a load test)
# must not stall a request for a tenth of a second every few seconds walking them all.
DRAIN_MODEL_TICKETS = 250


@dataclass(frozen=True, slots=True)
class _HallNow:
    """What the hall looks like right now, for the capacity model: who waits (each queue's
    DRAIN_MODEL_TICKETS oldest), which windows are open and which queues each calls, which windows are
    free."""

    waiting: dict[int, list[tuple[float, bool]]]  # queue id → (issued timestamp, remote) oldest first
    profiles: list[tuple[int, frozenset[int]]]  # (window id, queue ids) of open windows
    busy_windows: frozenset[int]


def _hall_now(hall: Hall) -> _HallNow:
    hall_id = hall.pk

    def load() -> _HallNow:
        queue_ids = frozenset(
            Queue.objects.filter(hall_id=hall_id, is_active=True).values_list("pk", flat=True)
        )
        states = WindowState.objects.filter(window__hall_id=hall_id, status=WindowState.Status.OPEN)
        profiles = []
        for state in states.select_related("window__work_profile").prefetch_related(
            "window__work_profile__entries"
        ):
            profile = getattr(state.window, "work_profile", None)
            served = frozenset(entry.queue_id for entry in profile.entries.all()) if profile else queue_ids
            profiles.append((state.window_id, served or queue_ids))
        waiting: dict[int, list[tuple[float, bool]]] = defaultdict(list)
        today = clock.local_today(hall.time_zone)
        in_line = (
            Ticket.objects.filter(hall_id=hall_id, status__in=IN_LINE, service_date=today)
            .annotate(place=Window(RowNumber(), partition_by=F("queue_id"), order_by=F("issued_at").asc()))
            .filter(place__lte=DRAIN_MODEL_TICKETS)
        )
        for queue_id, issued_at, channel in in_line.order_by("issued_at").values_list(
            "queue_id", "issued_at", "channel"
        ):
            waiting[queue_id].append((issued_at.timestamp(), channel in REMOTE))
        busy = frozenset(
            window_id
            for window_id in Ticket.objects.filter(hall_id=hall_id, status__in=AT_WINDOW).values_list(
                "window_id", flat=True
            )
            if window_id is not None
        )
        return _HallNow(waiting=dict(waiting), profiles=profiles, busy_windows=busy)

    return memo(("hall-now", hall_id), 5, load)


def _servers(
    queue: Queue, mean_seconds: float, no_show_rate: float, grace_seconds: float
) -> tuple[float, int]:
    """The capacity model below, computed at most once per queue every few seconds: it walks every
    waiting ticket of the hall, and a busy kiosk takes several numbers a second."""
    key = ("servers", queue.pk, round(mean_seconds), round(no_show_rate, 3), grace_seconds)
    return memo(key, 5, lambda: _servers_now(queue, mean_seconds, no_show_rate, grace_seconds))


def _servers_now(
    queue: Queue, mean_seconds: float, no_show_rate: float, grace_seconds: float
) -> tuple[float, int]:
    """(effective open windows for the queue, how many of them are free right now).

    Each open window counts by the share of its time it will give this queue while a number taken now
    waits (`estimates.drain_shares`): shared windows call the longest wait, so they serve a queue most
    when it is long. Measured in bench/bench_estimates.py, this halves the error of shares taken from the
    last hour of work.
    """
    now = _hall_now(queue.hall)
    hour = clock.local_now(queue.hall.time_zone).hour
    means: dict[int, float] = {}
    for queue_id in {*now.waiting, queue.pk}:
        other = queue if queue_id == queue.pk else Queue(pk=queue_id, hall=queue.hall)
        means[queue_id] = (
            mean_seconds if queue_id == queue.pk else _queue_service_stats(other, hour).mean_seconds
        ) or mean_seconds
    waiting = {
        str(queue_id): [
            WaitingTicket(
                issued=issued,
                work_seconds=expected_work_seconds(
                    remote=remote,
                    no_show_rate=no_show_rate,
                    grace_seconds=grace_seconds,
                    mean_service_seconds=means[queue_id],
                ),
            )
            for issued, remote in tickets
        ]
        for queue_id, tickets in now.waiting.items()
    }
    profiles = [frozenset(str(q) for q in served) for _window, served in now.profiles]
    shares = drain_shares(
        queue=str(queue.pk), waiting=waiting, profiles=profiles, own_work_seconds=mean_seconds
    )
    free = sum(
        1 for window_id, served in now.profiles if queue.pk in served and window_id not in now.busy_windows
    )
    return effective_servers(shares), free
