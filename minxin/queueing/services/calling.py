"""Call-next: a window calls the best waiting ticket by its work profile.

A ticket is claimed by a conditional update (status = 'waiting'); on PostgreSQL the whole call is one
statement (`pg.call_statement`) whose candidate is read with FOR UPDATE SKIP LOCKED, so clerks racing
for the same queue take different tickets; the database refuses two active tickets at one window.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.db import IntegrityError, connection, transaction
from django.db.models import Case, Exists, IntegerField, Q, QuerySet, Value, When
from django.utils.translation import gettext as _

from minxin.accounts.models import User
from minxin.catalog.models import Window
from minxin.core import clock
from minxin.core.errors import Conflict
from minxin.core.events import publish_on_commit
from minxin.core.memo import memo
from minxin.queueing import pg, sql
from minxin.queueing.models import (
    AT_WINDOW,
    Ticket,
    TicketEvent,
    TicketStatus,
    WindowState,
    WorkProfile,
    WorkProfileQueue,
)
from minxin.queueing.rules import hall_topic, service_by_id
from minxin.queueing.selectors import ticket_of_row
from minxin.queueing.services.common import day_bump, event_add, live_message, publish
from minxin.queueing.services.steps import finish_at_window
from minxin.queueing.sql import SqliteLiteral, sqlite_literals

_CLOSED = [WindowState.Status.PAUSED, WindowState.Status.CLOSED]


def work_profile(window: Window) -> tuple[str, list[WorkProfileQueue]]:
    """The window's strategy and the queues it calls (none listed: all), cached per process."""

    def load() -> tuple[str, list[WorkProfileQueue]]:
        profile = WorkProfile.objects.filter(window=window).prefetch_related("entries").first()
        if profile is None:
            return WorkProfile.Strategy.LONGEST_WAIT, []
        return profile.strategy, list(profile.entries.all())

    return memo(("work-profile", window.pk), 30, load)


def candidates(window: Window, now: dt.datetime) -> QuerySet[Ticket]:
    """Waiting tickets this window may call, best first: green channel and returning tickets, then a
    queue whose longest wait passed its profile limit, then (by the profile's strategy) the listed
    queue order or the longest wait."""
    strategy, entries = work_profile(window)
    tickets = Ticket.objects.filter(
        hall_id=window.hall_id,
        service_date=clock.local_today(window.hall.time_zone),
        status=SqliteLiteral(TicketStatus.WAITING),
    ).filter(Q(return_to_window__isnull=True) | Q(return_to_window=window))
    # A paused or closed window calls nobody; checked in the same statement that picks the ticket.
    tickets = tickets.exclude(Exists(WindowState.objects.filter(window=window, status__in=_CLOSED)))
    if entries:
        tickets = tickets.filter(queue_id__in=[entry.queue_id for entry in entries])
    urgent = [
        When(
            queue_id=entry.queue_id,
            issued_at__lte=now - dt.timedelta(minutes=entry.first_after_minutes),
            then=Value(0),
        )
        for entry in entries
        if entry.first_after_minutes is not None
    ]
    ordering: list[Any] = ["-priority"]
    if urgent:
        tickets = tickets.annotate(urgency=Case(*urgent, default=Value(1), output_field=IntegerField()))
        ordering.append("urgency")
    if strategy == WorkProfile.Strategy.IN_ORDER and entries:
        rank = [When(queue_id=entry.queue_id, then=Value(entry.position)) for entry in entries]
        tickets = tickets.annotate(queue_rank=Case(*rank, default=Value(999), output_field=IntegerField()))
        ordering.append("queue_rank")
    ordering += ["issued_at", "id"]
    return tickets.order_by(*ordering)


def call_order(window: Window, now: dt.datetime) -> pg.CallOrder:
    """The same order as `candidates`, for the one-statement call."""
    strategy, entries = work_profile(window)
    return pg.CallOrder(
        queues=[entry.queue_id for entry in entries],
        urgent=[
            (entry.queue_id, now - dt.timedelta(minutes=entry.first_after_minutes))
            for entry in entries
            if entry.first_after_minutes is not None
        ],
        ranks=[(entry.queue_id, entry.position) for entry in entries]
        if strategy == WorkProfile.Strategy.IN_ORDER
        else [],
    )


def ticket_call_next(*, window: Window, clerk: User, finish_current: bool = False) -> Ticket | None:
    """Call the next ticket for `window` by its work profile, or None when nobody waits for it.

    Refuses (window_busy) while the window still has a called or served ticket: the database's
    one-active-ticket-per-window index rejects the claim, and the whole transaction rolls back. Takes a
    row lock on PostgreSQL with SKIP LOCKED, so concurrent windows never wait for each other or take
    the same ticket.

    `finish_current` first finishes the number at the window, if any, in the same transaction: the
    clerk's "next" ends one citizen's service and calls the next with one key, as counter terminals
    do. A paused or closed window neither finishes nor calls (window_not_open).
    """
    now = clock.now()
    for _attempt in range(5):
        try:
            called = _claim_next(window, clerk, now, finish=finish_current)
        except IntegrityError:
            busy = Ticket.objects.filter(window=window, status__in=sqlite_literals(AT_WINDOW)).first()
            raise Conflict(
                _("Finish or release the current number first."),
                code="window_busy",
                details={"ticket": busy.number if busy else None},
            ) from None
        if called is None and window_not_open(window):
            raise Conflict(_("Open the window before calling."), code="window_not_open")
        if called is not False:
            return called
    raise Conflict(_("The queue is very busy; try again."), code="retry")


def window_not_open(window: Window) -> bool:
    """Whether the window was paused or closed (a window never opened counts as open: API callers need
    not manage state). Asked only when nothing was called, so the hot path pays nothing for it."""
    return WindowState.objects.filter(window=window, status__in=_CLOSED).exists()


def _claim_next(
    window: Window, clerk: User, now: dt.datetime, *, finish: bool = False
) -> Ticket | Literal[False] | None:
    """One attempt: the ticket called, None when nobody waits, False when another window took the
    candidate between our read and our update (never on SQLite, whose writers queue). `finish`: the
    window's current number is finished first (see `ticket_call_next`)."""
    if pg.enabled():
        ticket = _claim_next_one_statement(window, clerk, now, finish=finish)
        if ticket is not None:
            return ticket
        # Nobody called: the line is empty, the window is paused, or (rarely) the one candidate was
        # taken meanwhile. The ORM path below tells these apart; the statement has finished the
        # current number already, unless the window is paused.
    return _claim_next_orm(window, clerk, now, finish=finish)


def _claim_next_orm(
    window: Window, clerk: User, now: dt.datetime, *, finish: bool
) -> Ticket | Literal[False] | None:
    with transaction.atomic():
        if finish:
            current = _current_at(window)
            if current is not None:
                finish_at_window(current, clerk, now)
        ticket = _best_candidate(window, now)
        if ticket is None:
            return None
        claimed = Ticket.objects.filter(pk=ticket.pk, status=TicketStatus.WAITING).update(
            status=TicketStatus.CALLED, window=window, clerk=clerk, called_at=now, recalls=0
        )
        if not claimed:
            return False
        day_bump(ticket, departed=1, called=True)
        ticket.status, ticket.window, ticket.clerk = TicketStatus.CALLED, window, clerk
        ticket.called_at, ticket.recalls = now, 0
        event_add(ticket, TicketEvent.Kind.CALLED, actor=clerk, window=window, at=now)
        publish(ticket, "called", window)
    return ticket


def _current_at(window: Window) -> Ticket | None:
    """The number called or served at the window, unless the window is paused or closed (read inside
    the caller's transaction)."""
    if connection.vendor == "sqlite":
        return _with_relations(sql.sqlite_ticket_at_window(window_id=window.pk), window, at_window=True)
    if window_not_open(window):
        return None
    return (
        Ticket.objects.select_related("service", "queue", "hall")
        .filter(window=window, status__in=AT_WINDOW)
        .first()
    )


def sqlite_candidate(window: Window, now: dt.datetime) -> Ticket | None:
    """SQLite: the waiting ticket the window calls next, read by one statement in `call_order`'s order."""
    order = call_order(window, now)
    return sql.sqlite_call_candidate(
        hall_id=window.hall_id,
        day=clock.local_today(window.hall.time_zone),
        window_id=window.pk,
        queues=order.queues,
        urgent=order.urgent,
        ranks=order.ranks,
    )


def _best_candidate(window: Window, now: dt.datetime) -> Ticket | None:
    """The waiting ticket the window calls next (`candidates`' first; on SQLite its one written
    statement, on PostgreSQL read with SKIP LOCKED)."""
    if connection.vendor == "sqlite":
        return _with_relations(sqlite_candidate(window, now), window, at_window=False)
    tickets = candidates(window, now)
    if connection.features.has_select_for_update_skip_locked:
        tickets = tickets.select_for_update(skip_locked=True, of=("self",))
    return tickets.select_related("service", "queue", "hall").first()


def _with_relations(ticket: Ticket | None, window: Window, *, at_window: bool) -> Ticket | None:
    """`ticket` with its service and queue from the per-process cache and the window's hall (and the
    window itself when the ticket is at it), as the ORM's select_related would have them."""
    if ticket is None:
        return None
    ticket.service = service_by_id(ticket.service_id)
    if ticket.service.queue_id == ticket.queue_id:
        ticket.queue = ticket.service.queue
    ticket.hall = window.hall
    if at_window:
        ticket.window = window
    return ticket


def _claim_next_one_statement(
    window: Window, clerk: User, now: dt.datetime, *, finish: bool = False
) -> Ticket | None:
    order = call_order(window, now)
    statement = pg.call_statement(
        call_order=order,
        finish=finish,
        params={
            "hall": window.hall_id,
            "day": clock.local_today(window.hall.time_zone),
            "window": window.pk,
            "clerk": clerk.pk,
            "now": now,
        },
    )
    topic = hall_topic(window.hall)
    finished_message = live_message(None, "finished", window) | {"status": TicketStatus.DONE}
    with_finished = pg.publish_finished(statement, topic=topic, message=finished_message) if finish else None
    row, published = pg.run(
        with_finished or statement,
        topic=topic,
        message=live_message(None, "called", window) | {"status": TicketStatus.CALLED},
        computed=pg.CALLED_COMPUTED,
        # Longest wait first (no CASE in the order) walks the call-order index to the first ticket the
        # window may take, whatever the hall and queues: prepared, the statement keeps that plan and
        # skips a millisecond of planning (bench/README.md). A profile's wait limits or queue order
        # need a sort; its best plan depends on the queues' lines, so it is planned every time.
        prepare=not (order.urgent or order.ranks),
    )
    if finish:
        finished, row = row[pg.TICKET_WIDTH :], row[: pg.TICKET_WIDTH]
        if finished[0] is not None and with_finished is None:
            _publish_finished(topic, finished_message, finished)
        if row[0] is None:
            return None
    if row is None:
        return None
    ticket = ticket_of_row(row, hall=window.hall, window=window)
    ticket.clerk = clerk
    if not published:
        publish(ticket, "called", window)
    return ticket


def _publish_finished(topic: str, message: dict[str, Any], finished: tuple[Any, ...]) -> None:
    public_id, number, queue_id, service_id = finished
    publish_on_commit(
        topic,
        message
        | {
            "ticket": str(public_id),
            "number": number,
            "queue": queue_id,
            "service": service_by_id(service_id).code,
        },
    )
