"""Worker jobs of the queue: remote numbers that were never checked in lapse, and a day's tickets still
active once it has ended are closed. Each ticket is claimed by a conditional update, so two workers
never do the same one twice."""

from __future__ import annotations

from django.db import transaction

from minxin.core import clock
from minxin.orgs.models import Hall
from minxin.queueing.models import ACTIVE, IN_LINE, Ticket, TicketEvent, TicketStatus
from minxin.queueing.services.common import day_bump, event_add, publish

_CLOSED_AS = {
    TicketStatus.RESERVED: TicketStatus.LAPSED,
    TicketStatus.WAITING: TicketStatus.LAPSED,
    TicketStatus.CALLED: TicketStatus.NO_SHOW,
    TicketStatus.SERVING: TicketStatus.DONE,
}


def tickets_lapse() -> int:
    """Worker job: remote tickets not checked in by their lapse time leave the line."""
    now = clock.now()
    done = 0
    due = Ticket.objects.filter(status=TicketStatus.RESERVED, lapse_at__lte=now).select_related(
        "hall", "service"
    )
    for ticket in due[:500]:
        with transaction.atomic():
            changed = Ticket.objects.filter(pk=ticket.pk, status=TicketStatus.RESERVED).update(
                status=TicketStatus.LAPSED, finished_at=now, lapse_at=None
            )
            if changed:
                day_bump(ticket, departed=1, reserved=-1)
                ticket.status = TicketStatus.LAPSED
                event_add(ticket, TicketEvent.Kind.LAPSED)
                publish(ticket, "lapsed")
                done += 1
    return done


def tickets_close_out_days() -> int:
    """Worker job: a ticket still active after its hall's day has ended is closed: one in line lapses,
    one called becomes a no-show, one being served is finished. Without this a forgotten ticket would
    keep its phone from taking a number the next day and its window busy."""
    now = clock.now()
    done = 0
    for hall in Hall.objects.filter(tickets__status__in=ACTIVE).distinct():
        today = clock.local_today(hall.time_zone)
        stale = Ticket.objects.filter(hall=hall, service_date__lt=today, status__in=ACTIVE)
        for ticket in stale.select_related("hall", "service")[:1000]:
            with transaction.atomic():
                if not Ticket.objects.filter(pk=ticket.pk, status=ticket.status).update(
                    status=_CLOSED_AS[TicketStatus(ticket.status)], finished_at=now, lapse_at=None
                ):
                    continue
                if ticket.status in IN_LINE:
                    day_bump(ticket, departed=1, reserved=-1 if ticket.status == TicketStatus.RESERVED else 0)
                event_add(
                    ticket, TicketEvent.Kind.LAPSED, details={"reason": "day closed", "was": ticket.status}
                )
                done += 1
    return done
