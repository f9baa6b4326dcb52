"""A number in line before it is called: check-in at the hall (with the code shown there), priority
raised, cancelled by the citizen."""

from __future__ import annotations

from django.core import signing
from django.db import transaction
from django.utils.translation import gettext as _

from minxin.accounts.models import User
from minxin.core import clock
from minxin.core.errors import Conflict
from minxin.orgs.models import Hall
from minxin.queueing.models import Ticket, TicketEvent, TicketStatus
from minxin.queueing.services.common import day_bump, event_add, publish

CHECK_IN_CODE_SECONDS = 10 * 60


def hall_check_in_code(hall: Hall) -> str:
    """A code that proves presence at the hall: shown as a QR on the kiosk and on the check-in screen,
    renewed every minute and valid for ten, so a photo of it sent home soon stops working."""
    return signing.TimestampSigner(salt="minxin.hall-check-in").sign(hall.code)


def hall_check_in_code_valid(hall: Hall, code: str) -> bool:
    try:
        value = signing.TimestampSigner(salt="minxin.hall-check-in").unsign(
            code, max_age=CHECK_IN_CODE_SECONDS
        )
    except signing.BadSignature:
        return False
    return value == hall.code


def ticket_check_in(*, ticket: Ticket, actor: User | None = None) -> Ticket:
    """A remote citizen arrived: reserved → waiting, keeping the place taken at issue."""
    with transaction.atomic():
        changed = Ticket.objects.filter(pk=ticket.pk, status=TicketStatus.RESERVED).update(
            status=TicketStatus.WAITING, checked_in_at=clock.now(), lapse_at=None
        )
        if not changed:
            current = Ticket.objects.get(pk=ticket.pk)
            if current.status == TicketStatus.WAITING:
                return current  # checking in twice is harmless
            raise Conflict(
                _("This number cannot be checked in (it is %(status)s).")
                % {"status": current.get_status_display()},
                code="ticket_not_reserved",
            )
        day_bump(ticket, reserved=-1)
        ticket.refresh_from_db()
        event_add(ticket, TicketEvent.Kind.CHECKED_IN, actor=actor)
        publish(ticket, "checked_in")
    return ticket


def ticket_prioritize(*, ticket: Ticket, priority: int, reason: str) -> bool:
    """Raise a waiting ticket's priority (an appointment's booked time has come): one conditional
    update, so a ticket already called, or ranked as high, is left alone (False). Call-next needs no
    change: it orders by priority first on both of its paths."""
    changed = Ticket.objects.filter(pk=ticket.pk, status=TicketStatus.WAITING, priority__lt=priority).update(
        priority=priority, priority_reason=reason[:64]
    )
    if changed:
        ticket.priority, ticket.priority_reason = priority, reason[:64]
        publish(ticket, "reordered")
    return bool(changed)


def ticket_cancel(*, ticket: Ticket) -> Ticket:
    """The citizen gives up their place. Each status in line is left by its own conditional update, so
    the day's count of reserved numbers follows the status the ticket had when it was cancelled, not
    the one read before: a check-in at the same moment is counted once."""
    now = clock.now()
    with transaction.atomic():
        for status in (TicketStatus.RESERVED, TicketStatus.WAITING):
            changed = Ticket.objects.filter(pk=ticket.pk, status=status).update(
                status=TicketStatus.CANCELLED, finished_at=now, lapse_at=None
            )
            if changed:
                break
        else:
            raise Conflict(_("Only a number still in line can be cancelled."), code="ticket_not_in_line")
        current = Ticket.objects.select_related("hall", "service").get(pk=ticket.pk)
        day_bump(current, departed=1, reserved=-1 if status == TicketStatus.RESERVED else 0)
        event_add(current, TicketEvent.Kind.CANCELLED)
        publish(current, "cancelled")
    return current
