"""Wait estimates from the hall's own history, fed to the pure estimator in `estimates.py`.

The inputs change slowly (service times over four weeks, the no-show share, the windows' recent mix), so
each is cached for a short while per queue: issuing a ticket must not scan history.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.db.models import Count, Q

from minxin.core import clock
from minxin.queueing.estimates import (
    Estimate,
    effective_servers,
    estimate_wait,
    service_stats,
    window_share,
)
from minxin.queueing.models import AT_WINDOW, Channel, Queue, QueueRules, Ticket, TicketStatus, WindowState

HISTORY_DAYS = 28
DEFAULT_NO_SHOW_RATE = 0.2  # DOMAIN.md: a fifth of remote numbers never come, until the hall's own data say
MIN_NO_SHOW_SAMPLES = 20
REMOTE = (Channel.WEB, Channel.APP, Channel.API)


def _service_seconds_by_hour(queue: Queue) -> dict[int, list[float]]:
    key = f"mx:svc-seconds:{queue.pk}"
    cached: dict[int, list[float]] | None = cache.get(key)
    if cached is not None:
        return cached
    since = clock.now() - dt.timedelta(days=HISTORY_DAYS)
    zone = ZoneInfo(queue.hall.time_zone)
    by_hour: dict[int, list[float]] = defaultdict(list)
    rows = Ticket.objects.filter(
        queue=queue, status=TicketStatus.DONE, finished_at__gte=since, started_at__isnull=False
    ).values_list("started_at", "finished_at")
    for started, finished in rows.iterator(chunk_size=2000):
        if started is None or finished is None:
            continue
        seconds = (finished - started).total_seconds()
        if 0 < seconds < 4 * 3600:
            by_hour[started.astimezone(zone).hour].append(seconds)
    result = dict(by_hour)
    cache.set(key, result, 600)
    return result


def _no_show_rate(queue: Queue) -> float:
    key = f"mx:no-show:{queue.pk}"
    cached: float | None = cache.get(key)
    if cached is not None:
        return cached
    since = clock.now() - dt.timedelta(days=HISTORY_DAYS)
    counts = Ticket.objects.filter(
        queue=queue, channel__in=REMOTE, issued_at__gte=since, finished_at__isnull=False
    ).aggregate(
        total=Count("pk"),
        missed=Count("pk", filter=Q(status__in=[TicketStatus.LAPSED, TicketStatus.NO_SHOW])),
    )
    total = int(counts["total"])
    rate = int(counts["missed"]) / total if total >= MIN_NO_SHOW_SAMPLES else DEFAULT_NO_SHOW_RATE
    cache.set(key, rate, 600)
    return rate


def _servers(queue: Queue) -> tuple[float, int]:
    """(effective open windows for the queue, how many of them are free right now)."""
    key = f"mx:servers:{queue.pk}"
    cached: tuple[float, int] | None = cache.get(key)
    if cached is not None:
        return cached
    open_states = list(
        WindowState.objects.filter(
            window__hall_id=queue.hall_id, status=WindowState.Status.OPEN
        ).select_related("window__work_profile")
    )
    hall_queue_ids = list(
        Queue.objects.filter(hall_id=queue.hall_id, is_active=True).values_list("pk", flat=True)
    )
    since = clock.now() - dt.timedelta(hours=1)
    busy: dict[tuple[int, int], float] = defaultdict(float)
    recent = Ticket.objects.filter(
        hall_id=queue.hall_id, finished_at__gte=since, started_at__isnull=False, window__isnull=False
    ).values_list("window_id", "queue_id", "started_at", "finished_at")
    for window_id, queue_id, started, finished in recent:
        if started is not None and finished is not None and window_id is not None:
            busy[(window_id, queue_id)] += max((finished - started).total_seconds(), 0.0)
    active = set(
        Ticket.objects.filter(hall_id=queue.hall_id, status__in=AT_WINDOW).values_list("window_id", flat=True)
    )
    shares: list[float] = []
    free = 0
    for state in open_states:
        profile = getattr(state.window, "work_profile", None)
        served = list(profile.entries.values_list("queue_id", flat=True)) if profile else hall_queue_ids
        if queue.pk not in served:
            continue
        window_busy = sum(
            seconds for (window_id, _q), seconds in busy.items() if window_id == state.window_id
        )
        shares.append(
            window_share(
                seconds_on_queue=busy.get((state.window_id, queue.pk), 0.0),
                seconds_busy=window_busy,
                queues_served=len(served),
            )
        )
        free += int(state.window_id not in active)
    result = (effective_servers(shares), free)
    cache.set(key, result, 30)
    return result


def queue_estimate(*, queue: Queue, ahead_present: int, ahead_remote: int) -> Estimate | None:
    """How long a ticket with these tickets ahead will wait, with an 80 % range; None when no window
    serving the queue is open or the queue has no service history yet."""
    rules, _created = QueueRules.objects.get_or_create(hall_id=queue.hall_id)
    hour = clock.local_now(queue.hall.time_zone).hour
    stats = service_stats(_service_seconds_by_hour(queue), hour)
    servers, free = _servers(queue)
    return estimate_wait(
        ahead_present=max(ahead_present, 0),
        ahead_remote=max(ahead_remote, 0),
        no_show_rate=_no_show_rate(queue),
        grace_seconds=float(rules.no_show_grace_seconds),
        mean_service_seconds=stats.mean_seconds,
        servers=servers,
        free_windows=free,
    )
