"""A citizen sent on from the window to another service (its queue) or to one window."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from minxin.accounts.models import User
from minxin.catalog.models import Window
from minxin.core import clock
from minxin.core.errors import Conflict, InvalidInput
from minxin.queueing import sql
from minxin.queueing.models import AT_WINDOW, Priority, Service, Ticket, TicketEvent, TicketStatus
from minxin.queueing.services.calling import work_profile
from minxin.queueing.services.common import event_add, publish, ticket_at_window


def ticket_transfer(
    *,
    ticket: Ticket,
    clerk: User,
    to_service: Service | None = None,
    to_window: Window | None = None,
    raise_priority: bool = False,
) -> Ticket:
    """Send a citizen at this window on to another service (its queue) or to one window; the new
    ticket keeps the citizen's phone and may be raised in priority so they do not queue twice."""
    if (to_service is None) == (to_window is None):
        raise InvalidInput(_("Transfer to a service or to a window."), details={"field": "to"})
    current = ticket_at_window(ticket, AT_WINDOW, "ticket_not_at_window")
    target_service = to_service or current.service
    _check_target(current, target_service, to_window)
    now = clock.now()
    with transaction.atomic():
        changed = Ticket.objects.filter(pk=current.pk, status__in=AT_WINDOW).update(
            status=TicketStatus.TRANSFERRED, finished_at=now
        )
        if not changed:
            raise Conflict(_("This number has just changed."), code="ticket_changed")
        day = sql.day_number_take(
            queue_id=target_service.queue_id, service_date=current.service_date, reserved=False
        )
        moved = Ticket.objects.create(
            hall_id=current.hall_id,
            queue_id=target_service.queue_id,
            service=target_service,
            service_date=current.service_date,
            seq=day.issued,
            number=f"{target_service.queue.prefix}{day.issued:03d}",
            channel=current.channel,
            status=TicketStatus.WAITING,
            priority=Priority.RETURNING if raise_priority else current.priority,
            priority_reason=_("transferred") if raise_priority else current.priority_reason,
            phone_hash=current.phone_hash,
            phone_masked=current.phone_masked,
            phone_encrypted=current.phone_encrypted,
            issued_at=now,
            transferred_from=current,
            return_to_window=to_window,
        )
        _log(current, moved, clerk, to_window)
    return moved


def _check_target(current: Ticket, service: Service, window: Window | None) -> None:
    """The target is in the ticket's hall, takes numbers, and (a window) is in use and calls its queue."""
    if service.hall_id != current.hall_id or (window is not None and window.hall_id != current.hall_id):
        raise InvalidInput(_("The target is not in this hall."), details={"field": "to"})
    if not service.is_active or not service.queue.is_active:
        raise InvalidInput(_("That service takes no numbers now."), details={"field": "service"})
    if window is None:
        return
    if not window.is_active:
        # Nobody calls at a window out of use: the citizen would wait there for ever.
        raise InvalidInput(
            _("Window %(window)s is not in use.") % {"window": window.number},
            code="window_inactive",
            details={"field": "window"},
        )
    _strategy, entries = work_profile(window)
    if entries and service.queue_id not in {entry.queue_id for entry in entries}:
        # It would wait for a window that never calls its queue, hidden from every other window.
        raise InvalidInput(
            _("Window %(window)s does not call queue %(prefix)s: transfer to one of its services instead.")
            % {"window": window.number, "prefix": service.queue.prefix},
            code="window_does_not_call_queue",
            details={"field": "window"},
        )


def _log(current: Ticket, moved: Ticket, clerk: User, to_window: Window | None) -> None:
    event_add(
        current,
        TicketEvent.Kind.TRANSFERRED,
        actor=clerk,
        window=current.window,
        details={"to": moved.number, "window": to_window.number if to_window else None},
    )
    event_add(
        moved, TicketEvent.Kind.ISSUED, actor=clerk, channel=current.channel, details={"from": current.number}
    )
    publish(current, "transferred", current.window)
    publish(moved, "issued")
