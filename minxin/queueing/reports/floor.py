"""The hall right now: what a manager watches on the floor (windows, queues, waits)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Min
from django.db.models.functions import Coalesce

from minxin.catalog.models import Window, window_order
from minxin.core import clock
from minxin.orgs.models import Hall
from minxin.queueing.estimates import Estimate
from minxin.queueing.forecasting import service_line_estimates
from minxin.queueing.models import AT_WINDOW, Ticket, TicketStatus, WindowState
from minxin.queueing.rules import queue_rules
from minxin.queueing.selectors import is_crowded

# The hall right now ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WindowNow:
    number: str
    name: str
    state: str  # WindowState.Status value
    clerk: str
    ticket: str  # the number at the window, or ""
    ticket_status: str  # its status label, or ""
    at_window_minutes: float | None  # since the call
    served_today: int


@dataclass(frozen=True, slots=True)
class QueueNow:
    prefix: str
    name: str
    waiting: int  # present citizens in line
    reserved: int  # remote numbers not checked in
    longest_wait_minutes: float | None  # the longest a present citizen in line has waited so far
    estimate: Estimate | None  # for a number taken now
    crowded: bool


@dataclass(frozen=True, slots=True)
class HallNow:
    windows: list[WindowNow]
    queues: list[QueueNow]
    open_windows: int
    waiting: int
    served_today: int
    crowd_limit: int

    @property
    def closed_windows(self) -> list[WindowNow]:
        return [window for window in self.windows if window.state == WindowState.Status.CLOSED]


def hall_now(*, hall: Hall) -> HallNow:
    """What a manager watches on the floor: every window with its state, clerk and the number at it,
    every queue with who waits, the longest wait so far and the estimate for a new number. A few
    grouped queries, whatever the size of the day."""
    now = clock.now()
    today = clock.local_today(hall.time_zone)
    limit = queue_rules(hall).crowd_alert_waiting
    served = dict(
        Ticket.objects.filter(hall=hall, service_date=today, status=TicketStatus.DONE, window__isnull=False)
        .values_list("window_id")
        .annotate(n=Count("pk"))
        .values_list("window_id", "n")
    )
    windows = _windows_now(hall, now, served)
    queues = _queues_now(hall, now, today, limit)
    return HallNow(
        windows=windows,
        queues=queues,
        open_windows=sum(1 for w in windows if w.state == WindowState.Status.OPEN),
        waiting=sum(q.waiting for q in queues),
        served_today=sum(served.values()),
        crowd_limit=limit,
    )


def _windows_now(hall: Hall, now: dt.datetime, served: dict[int, int]) -> list[WindowNow]:
    statuses = dict(TicketStatus.choices)
    at_window = {
        ticket.window_id: ticket
        for ticket in Ticket.objects.filter(hall=hall, status__in=AT_WINDOW).only(
            "window_id", "number", "status", "called_at"
        )
    }
    windows: list[WindowNow] = []
    for window in (
        Window.objects.filter(hall=hall, is_active=True)
        .select_related("state__clerk")
        .order_by(*window_order())
    ):
        state = getattr(window, "state", None)
        status = state.status if state is not None else WindowState.Status.CLOSED
        clerk = state.clerk if state is not None and status != WindowState.Status.CLOSED else None
        ticket = at_window.get(window.pk)
        windows.append(
            WindowNow(
                number=window.number,
                name=window.name,
                state=status,
                clerk=(clerk.display_name or clerk.username) if clerk is not None else "",
                ticket=ticket.number if ticket else "",
                ticket_status=str(statuses[ticket.status]) if ticket else "",
                at_window_minutes=(now - ticket.called_at).total_seconds() / 60.0
                if ticket and ticket.called_at
                else None,
                served_today=served.get(window.pk, 0),
            )
        )
    return windows


def _queues_now(hall: Hall, now: dt.datetime, today: dt.date, limit: int) -> list[QueueNow]:
    oldest = dict(
        Ticket.objects.filter(hall=hall, service_date=today, status=TicketStatus.WAITING)
        .values_list("queue_id")
        .annotate(first=Min(Coalesce("checked_in_at", "issued_at")))
        .values_list("queue_id", "first")
    )
    queues: list[QueueNow] = []
    seen: set[int] = set()
    for row in service_line_estimates(hall=hall):
        queue = row.line.service.queue
        if queue.pk in seen:
            continue
        seen.add(queue.pk)
        first = oldest.get(queue.pk)
        queues.append(
            QueueNow(
                prefix=queue.prefix,
                name=queue.name,
                waiting=row.queue_waiting,
                reserved=row.queue_reserved,
                longest_wait_minutes=max(0.0, (now - first).total_seconds() / 60.0) if first else None,
                estimate=row.estimate,
                crowded=is_crowded(row.queue_waiting, limit),
            )
        )
    return queues
