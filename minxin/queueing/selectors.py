from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Count, Q

from minxin.core import clock
from minxin.orgs.models import Hall
from minxin.queueing.models import AT_WINDOW, IN_LINE, Queue, QueueDay, Service, Ticket, TicketStatus


def ticket_ahead(ticket: Ticket) -> tuple[int, int]:
    """(tickets ahead in line, of which remote ones not yet checked in) for a ticket still in line:
    those of its queue and day that will be called first (higher priority, or same priority and
    issued earlier). Zero once the ticket has left the line. One indexed COUNT over the queue's line."""
    if ticket.status not in IN_LINE:
        return 0, 0
    before = Q(priority__gt=ticket.priority) | Q(priority=ticket.priority, issued_at__lt=ticket.issued_at)
    before |= Q(priority=ticket.priority, issued_at=ticket.issued_at, pk__lt=ticket.pk)
    counts = Ticket.objects.filter(
        before, queue_id=ticket.queue_id, service_date=ticket.service_date, status__in=IN_LINE
    ).aggregate(total=Count("pk"), reserved=Count("pk", filter=Q(status=TicketStatus.RESERVED)))
    return int(counts["total"]), int(counts["reserved"])


def queue_last_called(*, queue_id: int, service_date: dt.date) -> str | None:
    """The number called last in a queue on a date (kept on its day row by call-next), or None."""
    with connection.cursor() as cursor:  # a fixed statement: every ticket answer asks it
        cursor.execute(_LAST_CALLED, [queue_id, service_date])
        row = cursor.fetchone()
    return (row[0] if row else "") or None


_LAST_CALLED = (
    f"SELECT last_called FROM {QueueDay._meta.db_table} "  # noqa: S608 - constant
    "WHERE queue_id = %s AND service_date = %s"
)


def recent_calls(*, hall: Hall, limit: int = 8) -> list[Ticket]:
    return list(
        Ticket.objects.filter(
            hall=hall, service_date=clock.local_today(hall.time_zone), called_at__isnull=False
        )
        .select_related("window", "service")
        .order_by("-called_at", "-id")[:limit]
    )


@dataclass(frozen=True, slots=True)
class ServiceLine:
    service: Service
    waiting: int
    reserved: int


def service_lines(*, hall: Hall) -> list[ServiceLine]:
    """Per active service: tickets waiting and remote tickets reserved today. One grouped query."""
    today = clock.local_today(hall.time_zone)
    counts = {
        row["service_id"]: row
        for row in Ticket.objects.filter(hall=hall, service_date=today, status__in=IN_LINE)
        .values("service_id")
        .annotate(
            waiting=Count("pk", filter=Q(status=TicketStatus.WAITING)),
            reserved=Count("pk", filter=Q(status=TicketStatus.RESERVED)),
        )
    }
    services = (
        Service.objects.filter(hall=hall, is_active=True, queue__is_active=True)
        .select_related("queue")
        .order_by("position", "code")
    )
    return [
        ServiceLine(
            service=service,
            waiting=int(counts.get(service.pk, {}).get("waiting", 0)),
            reserved=int(counts.get(service.pk, {}).get("reserved", 0)),
        )
        for service in services
    ]


@dataclass(frozen=True, slots=True)
class CrowdedQueue:
    queue: Queue
    waiting: int


def is_crowded(waiting: int, limit: int) -> bool:
    """The hall's crowd rule (QueueRules.crowd_alert_waiting): more present citizens waiting in a queue
    than the limit, which 0 turns off."""
    return 0 < limit < waiting


def crowded_queues(lines: list[ServiceLine], *, more_than: int) -> list[CrowdedQueue]:
    """The queues of `lines` (service_lines of one hall) that `is_crowded`, most crowded first."""
    if more_than <= 0:
        return []
    queues: dict[int, Queue] = {}
    waiting: dict[int, int] = {}
    for line in lines:
        queue = line.service.queue
        queues[queue.pk] = queue
        waiting[queue.pk] = waiting.get(queue.pk, 0) + line.waiting
    crowded = [
        CrowdedQueue(queue=queues[pk], waiting=count)
        for pk, count in waiting.items()
        if is_crowded(count, more_than)
    ]
    return sorted(crowded, key=lambda item: (-item.waiting, item.queue.position, item.queue.code))


def window_active_ticket(*, window_id: int) -> Ticket | None:
    return (
        Ticket.objects.filter(window_id=window_id, status__in=AT_WINDOW)
        .select_related("service", "queue")
        .first()
    )


@dataclass(frozen=True, slots=True)
class TicketWording:
    """What a ticket says, decided once by its state (issue 20: a ticket never contradicts itself). The
    ticket page, the hall's status page and the kiosk read this; none words a state on its own.

    - ``headline``: "check_in" (remote, not checked in: its place counts from check-in), "next" (first in
      line and checked in), "wait", "go_to_window", "being_served" or "ended";
    - ``show_ahead``: whether "ahead of you" is shown (never beside "next", never at a window);
    - ``wait``: "none" (nobody ahead), "soon" (people ahead, the model says under a minute), "band"
      (minutes, low, high), "unknown" (no estimate), or "" (not shown);
    - ``check_in``: whether the check-in instructions (QR code and kiosk) are shown.
    """

    headline: str
    show_ahead: bool
    ahead: int
    wait: str
    minutes: int = 0
    low: int = 0
    high: int = 0
    check_in: bool = False


def ticket_wording(*, status: str, ahead: int, estimate: Any = None) -> TicketWording:
    """The one rule, by state. `estimate` is an estimates.Estimate (minutes, low, high) or None; for a
    new number on the status page pass status "waiting" and ahead = people waiting now."""
    if status == TicketStatus.CALLED:
        return TicketWording(headline="go_to_window", show_ahead=False, ahead=0, wait="")
    if status == TicketStatus.SERVING:
        return TicketWording(headline="being_served", show_ahead=False, ahead=0, wait="")
    if status not in IN_LINE:
        return TicketWording(headline="ended", show_ahead=False, ahead=0, wait="")
    ahead = max(ahead, 0)
    if ahead == 0:
        wait = "none"
        minutes = low = high = 0
    elif estimate is None:
        wait, minutes, low, high = "unknown", 0, 0, 0
    elif estimate.high <= 0:
        wait, minutes, low, high = "soon", 0, 0, 0
    else:
        wait, minutes, low, high = "band", max(estimate.minutes, 1), max(estimate.low, 1), estimate.high
    if status == TicketStatus.RESERVED:
        return TicketWording(
            headline="check_in",
            show_ahead=True,
            ahead=ahead,
            wait=wait,
            minutes=minutes,
            low=low,
            high=high,
            check_in=True,
        )
    return TicketWording(
        headline="next" if ahead == 0 else "wait",
        show_ahead=ahead > 0,
        ahead=ahead,
        wait=wait,
        minutes=minutes,
        low=low,
        high=high,
    )
