"""What every change to a ticket does besides itself: its history row, its live signal, the queue's
day counts; and a ticket built from what was just inserted."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import F
from django.utils.translation import gettext as _

from minxin.accounts.models import User
from minxin.catalog.models import Window
from minxin.core import clock
from minxin.core.errors import Conflict
from minxin.core.events import publish_on_commit
from minxin.queueing.models import QueueDay, Ticket, TicketEvent
from minxin.queueing.rules import hall_topic
from minxin.queueing.sql import TICKET_ATTNAMES, TICKET_FIELDS

_TICKET_RELATIONS = {field.name: i for i, field in enumerate(TICKET_FIELDS) if field.is_relation}


def event_add(
    ticket: Ticket,
    kind: str,
    *,
    actor: User | None = None,
    channel: str = "",
    window: Window | None = None,
    details: dict[str, Any] | None = None,
    at: dt.datetime | None = None,
) -> None:
    TicketEvent.objects.create(
        ticket=ticket,
        kind=kind,
        at=at or clock.now(),
        actor=actor,
        channel=channel,
        window=window,
        details=details or {},
    )


def publish(ticket: Ticket, kind: str, window: Window | None = None) -> None:
    publish_on_commit(hall_topic(ticket.hall), live_message(ticket, kind, window))


def live_message(ticket: Ticket | None, kind: str, window: Window | None) -> dict[str, Any]:
    """The live signal of `kind` for `ticket`; without a ticket (not known before the statement that
    picks it) only the parts that do not depend on it, for `publish_within` to complete."""
    return {
        "type": kind,
        "ticket": str(ticket.public_id) if ticket else None,
        "number": ticket.number if ticket else None,
        "queue": ticket.queue_id if ticket else None,
        "service": ticket.service.code if ticket else None,
        "status": ticket.status if ticket else None,
        "window": window.number if window else None,
        "window_name": window.name if window else None,
        "at": clock.now().isoformat(),
    }


def day_bump(ticket: Ticket, *, departed: int = 0, reserved: int = 0, called: bool = False) -> None:
    changes: dict[str, Any] = {"departed": F("departed") + departed, "reserved": F("reserved") + reserved}
    if called:
        changes["last_called"] = ticket.number
    QueueDay.objects.filter(queue_id=ticket.queue_id, service_date=ticket.service_date).update(**changes)


def ticket_built(values: dict[str, Any]) -> Ticket:
    """The Ticket just inserted with `values` (field names; related objects for foreign keys), the rest
    at their defaults: built as a row read from the database is (positional fields), several times
    cheaper than `Ticket(**values)`."""
    related = {name: values[name] for name in _TICKET_RELATIONS if name in values}
    row = [
        values[attname] if attname in values else field.get_default()
        for attname, field in zip(TICKET_ATTNAMES, TICKET_FIELDS, strict=True)
    ]
    for name, instance in related.items():
        row[_TICKET_RELATIONS[name]] = instance.pk
    ticket = Ticket.from_db(None, TICKET_ATTNAMES, row)
    for name, instance in related.items():
        setattr(ticket, name, instance)
    return ticket


def ticket_at_window(ticket: Ticket, statuses: tuple[str, ...], code: str) -> Ticket:
    """The ticket as it is now, if its status is one of `statuses`; else Conflict(`code`)."""
    current = Ticket.objects.select_related("window", "service", "queue", "hall").get(pk=ticket.pk)
    if current.status not in statuses:
        raise Conflict(
            _("This number is %(status)s.") % {"status": current.get_status_display()},
            code=code,
            details={"status": current.status},
        )
    return current
