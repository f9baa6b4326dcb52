from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from minxin.accounts.models import Role, User
from minxin.catalog.models import Window
from minxin.catalog.selectors import clerk_may_act_at_window, window_by_id
from minxin.core import clock
from minxin.core.errors import Forbidden, NotFound
from minxin.orgs.models import Hall
from minxin.orgs.selectors import staff_may_act_in_hall
from minxin.queueing import sql
from minxin.queueing.models import AT_WINDOW, IN_LINE, Queue, Service, Ticket, TicketStatus
from minxin.queueing.rules import service_by_id


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


queue_last_called = sql.queue_last_called


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


def ticket_of_row(row: Sequence[Any], *, hall: Hall | None, window: Window | None = None) -> Ticket:
    """A Ticket from a row of `sql.TICKET_COLUMNS`, with its service, queue and window from the caches,
    and `hall` (None: its window's, when it has one; else left to load)."""
    ticket = Ticket.from_db(None, sql.TICKET_ATTNAMES, sql.ticket_values(row))
    service = service_by_id(ticket.service_id)
    ticket.service, ticket.queue = service, service.queue
    if ticket.window_id is not None:
        if window is None or window.pk != ticket.window_id:
            window = window_by_id(ticket.window_id)
        ticket.window = window
    if hall is not None:
        ticket.hall = hall
    elif ticket.window is not None:
        ticket.hall = ticket.window.hall
    return ticket


def ensure_clerk_at_window(*, user: User, window: Window) -> None:
    if not clerk_may_act_at_window(user=user, window=window):
        raise Forbidden(_("You may not act at this window."), code="out_of_scope")


def ticket_for_clerk(*, user: User, public_id: str) -> Ticket:
    """The ticket with `public_id`, if `user` may act on it (at its window, or in its hall as a manager).
    One query: the window, its hall and the service come from the per-process caches."""
    try:
        key = _PUBLIC_ID.get_db_prep_value(uuid.UUID(public_id), connection)
    except ValueError:
        raise NotFound(_("No such number."), code="ticket_not_found") from None
    row = sql.ticket_row_by_public_id(key)
    if row is None:
        raise NotFound(_("No such number."), code="ticket_not_found")
    ticket = ticket_of_row(row, hall=None)
    if ticket.window is not None:
        ensure_clerk_at_window(user=user, window=ticket.window)
    else:
        ticket.hall = Hall.objects.select_related("unit__region").get(pk=ticket.hall_id)
        if not staff_may_act_in_hall(
            user=user, hall=ticket.hall, roles=[Role.WINDOW_CLERK, Role.HALL_MANAGER]
        ):
            raise Forbidden(_("You may not act in this hall."), code="out_of_scope")
    return ticket


_PUBLIC_ID = Ticket._meta.get_field("public_id")
