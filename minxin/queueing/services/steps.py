"""The clerk's steps on the number at the window: recall, no-show, rejoin, start, finish, transfer, and
the window's own state. On PostgreSQL start and finish are one statement each (`pg.step_statement`);
the ORM path does the same elsewhere and says why a step is refused."""

from __future__ import annotations

import datetime as dt
import math

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from minxin.accounts.models import User
from minxin.catalog.models import Window
from minxin.core import clock
from minxin.core.errors import Conflict, InvalidInput
from minxin.core.events import publish_on_commit
from minxin.queueing import pg
from minxin.queueing.models import AT_WINDOW, Ticket, TicketEvent, TicketStatus, WindowState
from minxin.queueing.rules import hall_topic, queue_rules
from minxin.queueing.selectors import ticket_of_row
from minxin.queueing.services.common import day_bump, event_add, live_message, publish, ticket_at_window


def ticket_recall(*, ticket: Ticket, clerk: User) -> Ticket:
    """Call the same number again. Past the hall's recall limit the ticket becomes a no-show."""
    rules = queue_rules(ticket.hall)
    with transaction.atomic():
        current = ticket_at_window(ticket, (TicketStatus.CALLED,), "ticket_not_called")
        if current.recalls >= rules.recall_limit:
            return ticket_no_show(ticket=current, clerk=clerk, recalls_used_up=True)
        Ticket.objects.filter(pk=current.pk, status=TicketStatus.CALLED).update(recalls=F("recalls") + 1)
        current.refresh_from_db()
        event_add(
            current,
            TicketEvent.Kind.RECALLED,
            actor=clerk,
            window=current.window,
            details={"recall": current.recalls},
        )
        publish(current, "recalled", current.window)
    return current


def ticket_no_show(*, ticket: Ticket, clerk: User, recalls_used_up: bool = False) -> Ticket:
    """The called citizen did not come (过号). They may rejoin within the hall's rejoin window.

    Refused (no_show_too_early) until the hall's no_show_grace_seconds have passed since the call: a
    citizen walking across the hall must not lose the place to a quick click. A recall past the
    hall's recall limit (`recalls_used_up`) has called them often enough and is not held back.
    """
    rules = queue_rules(ticket.hall)
    now = clock.now()
    with transaction.atomic():
        current = ticket_at_window(ticket, (TicketStatus.CALLED,), "ticket_not_called")
        left = rules.no_show_grace_seconds - (now - (current.called_at or now)).total_seconds()
        if current.called_at is not None and left > 0 and not recalls_used_up:
            raise Conflict(
                _("Give the citizen time to come: a no-show can be marked %(seconds)d s after the call.")
                % {"seconds": rules.no_show_grace_seconds},
                code="no_show_too_early",
                details={"seconds_left": math.ceil(left)},
            )
        changed = Ticket.objects.filter(pk=current.pk, status=TicketStatus.CALLED).update(
            status=TicketStatus.NO_SHOW,
            finished_at=now,
            rejoin_until=now + dt.timedelta(minutes=rules.rejoin_minutes),
        )
        if not changed:
            raise Conflict(_("This number has just changed."), code="ticket_changed")
        current.refresh_from_db()
        event_add(current, TicketEvent.Kind.NO_SHOW, actor=clerk, window=current.window)
        publish(current, "no_show", current.window)
    return current


def ticket_rejoin(*, ticket: Ticket) -> Ticket:
    """A missed citizen comes back in time: back in line in their original place."""
    now = clock.now()
    with transaction.atomic():
        changed = Ticket.objects.filter(
            pk=ticket.pk, status=TicketStatus.NO_SHOW, rejoin_until__gte=now
        ).update(
            status=TicketStatus.WAITING,
            window=None,
            clerk=None,
            called_at=None,
            finished_at=None,
            rejoin_until=None,
        )
        if not changed:
            raise Conflict(_("This number can no longer rejoin the line."), code="rejoin_closed")
        ticket.refresh_from_db()
        day_bump(ticket, departed=-1)
        event_add(ticket, TicketEvent.Kind.REJOINED)
        publish(ticket, "rejoined")
    return ticket


def ticket_start(*, ticket: Ticket, clerk: User) -> Ticket:
    """The citizen reached the window: called → serving."""
    now = clock.now()
    if pg.enabled():
        started = _step_one_statement(ticket, kind=TicketEvent.Kind.STARTED, clerk=clerk, now=now)
        if started is not None:
            return started
    with transaction.atomic():
        current = ticket_at_window(ticket, (TicketStatus.CALLED,), "ticket_not_called")
        changed = Ticket.objects.filter(pk=current.pk, status=TicketStatus.CALLED).update(
            status=TicketStatus.SERVING, started_at=now
        )
        if not changed:  # it left the window between our read and our update: nothing to log
            raise Conflict(_("This number has just changed."), code="ticket_changed")
        current.refresh_from_db()
        event_add(current, TicketEvent.Kind.STARTED, actor=clerk, window=current.window)
        publish(current, "started", current.window)
    return current


def ticket_finish(*, ticket: Ticket, clerk: User) -> Ticket:
    """Service done. A called ticket that was never marked as started counts from its call."""
    now = clock.now()
    if pg.enabled():
        done = _step_one_statement(ticket, kind=TicketEvent.Kind.FINISHED, clerk=clerk, now=now)
        if done is not None:
            return done
    with transaction.atomic():
        current = ticket_at_window(ticket, AT_WINDOW, "ticket_not_at_window")
        if not finish_at_window(current, clerk, now):
            raise Conflict(_("This number has just changed."), code="ticket_changed")
    return current


def finish_at_window(current: Ticket, clerk: User, now: dt.datetime) -> bool:
    """Finish `current`, read at its window inside the caller's transaction; False if it has just
    left the window."""
    started_at = current.started_at or current.called_at
    changed = Ticket.objects.filter(pk=current.pk, status__in=AT_WINDOW).update(
        status=TicketStatus.DONE, finished_at=now, started_at=started_at
    )
    if not changed:
        return False
    current.status, current.finished_at, current.started_at = TicketStatus.DONE, now, started_at
    event_add(current, TicketEvent.Kind.FINISHED, actor=clerk, window=current.window)
    publish(current, "finished", current.window)
    return True


_STEP_ALLOWED: dict[str, list[str]] = {
    TicketEvent.Kind.STARTED: [TicketStatus.CALLED],
    TicketEvent.Kind.FINISHED: list(AT_WINDOW),
}


def _step_one_statement(ticket: Ticket, *, kind: str, clerk: User, now: dt.datetime) -> Ticket | None:
    """PostgreSQL: the step as one statement; None when the ticket's status does not allow it (the ORM
    path then reads it and says why)."""
    statement = pg.step_statement(
        kind=kind,
        params={
            "ticket": ticket.pk,
            "allowed": _STEP_ALLOWED[kind],
            "now": now,
            "clerk": clerk.pk,
        },
    )
    row, published = pg.run(
        statement,
        topic=hall_topic(ticket.hall),
        message=live_message(ticket, kind, ticket.window),
        computed={"status": "t.status"},
    )
    if row is None:
        return None
    done = ticket_of_row(row[:-1], hall=ticket.hall)
    done.last_called_in_queue = row[-1] or ""
    if not published:
        publish(done, kind, done.window)
    return done


def window_set_state(*, window: Window, clerk: User, status: str) -> WindowState:
    """Open, pause or close a window (pause keeps the clerk; estimates count open windows only)."""
    if status not in WindowState.Status.values:
        raise InvalidInput(_("Unknown window state."), details={"field": "status"})
    state, _created = WindowState.objects.update_or_create(
        window=window, defaults={"status": status, "clerk": clerk, "since": clock.now()}
    )
    publish_on_commit(hall_topic(window.hall), {"type": "window", "window": window.number, "status": status})
    return state
