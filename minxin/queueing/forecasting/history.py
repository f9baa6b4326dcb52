"""What the hall's history says of a queue: its service times by hour of the call and the share of
remote numbers that never came, each cached for a while (issuing a ticket must not scan history)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.db.models import Count, Q

from minxin.core import clock
from minxin.core.memo import memo
from minxin.queueing.estimates import ServiceStats, service_stats
from minxin.queueing.models import Channel, Queue, Ticket, TicketStatus

HISTORY_DAYS = 28
DEFAULT_NO_SHOW_RATE = 0.2  # DOMAIN.md: a fifth of remote numbers never come, until the hall's own data say
MIN_NO_SHOW_SAMPLES = 20
REMOTE = (Channel.WEB, Channel.APP, Channel.API)
PRESENT = (Channel.KIOSK, Channel.COUNTER)
# Service statistics and the no-show share, kept in the process for a minute in front of Django's cache:
# a number taken must not unpickle four weeks of service times (or fetch them from Redis) and average
# them again.
STATS_MEMO_SECONDS = 60.0


def _service_seconds_by_hour(queue: Queue) -> dict[int, list[float]]:
    """Seconds each finished ticket held its window (from the call, walk included, to the finish), by
    the hour of the call: the time a window is taken per ticket is what drains a line."""
    key = f"mx:svc-seconds:{queue.pk}"
    cached: dict[int, list[float]] | None = cache.get(key)
    if cached is not None:
        return cached
    since = clock.now() - dt.timedelta(days=HISTORY_DAYS)
    zone = ZoneInfo(queue.hall.time_zone)
    by_hour: dict[int, list[float]] = defaultdict(list)
    rows = Ticket.objects.filter(
        queue=queue, status=TicketStatus.DONE, finished_at__gte=since, called_at__isnull=False
    ).values_list("called_at", "finished_at")
    for called, finished in rows.iterator(chunk_size=2000):
        if called is None or finished is None:
            continue
        seconds = (finished - called).total_seconds()
        if 0 < seconds < 4 * 3600:
            by_hour[called.astimezone(zone).hour].append(seconds)
    result = dict(by_hour)
    cache.set(key, result, 600)
    return result


def _queue_service_stats(queue: Queue, hour: int) -> ServiceStats:
    """`service_stats` of the queue's history for `hour`."""
    return memo(
        ("svc-stats", queue.pk, hour),
        STATS_MEMO_SECONDS,
        lambda: service_stats(_service_seconds_by_hour(queue), hour),
    )


def _no_show_rate(queue: Queue) -> float:
    return memo(("no-show", queue.pk), STATS_MEMO_SECONDS, lambda: _no_show_rate_shared(queue))


def _no_show_rate_shared(queue: Queue) -> float:
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
