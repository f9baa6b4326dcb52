"""The clerk's desk beyond call-next (issue 20, point 10): who is waiting for the window, calling a chosen
number out of turn (with a reason, audited), and pausing the window with a reason (audited, shown).

Call-next stays the rule (services.calling); a chosen call is the exception a clerk must explain: an
elderly visitor who cannot wait, a citizen sent back by another window. Both go to the ticket's history
and the audit log with the clerk, the window and the reason.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from minxin.accounts.models import User
from minxin.catalog.models import Window
from minxin.core import clock
from minxin.core.audit import audit_record
from minxin.core.errors import Conflict, InvalidInput, NotFound
from minxin.core.events import publish_on_commit
from minxin.core.models import AuditEntry
from minxin.queueing.models import QueueDay, Ticket, TicketEvent, TicketStatus, WindowState, WorkProfile
from minxin.queueing.services import hall_topic, window_set_state

WAITING_SHOWN = 30
PAUSE_REASONS = (
    ("break", _lazy("Short break")),
    ("meal", _lazy("Meal")),
    ("consult", _lazy("Helping a citizen off the counter")),
    ("system", _lazy("System or printer fault")),
    ("meeting", _lazy("Meeting or training")),
)
CALL_REASONS = (
    ("elderly", _lazy("Elderly, disabled or pregnant visitor")),
    ("returned", _lazy("Sent back by another window")),
    ("materials", _lazy("Came back with the missing materials")),
    ("appointment", _lazy("Booked time")),
)
PAUSED = "queueing.window_paused"
CALLED_OUT_OF_TURN = "queueing.ticket_called_out_of_turn"


@dataclass(frozen=True, slots=True)
class Waiting:
    ticket: Ticket
    waited_minutes: int


def _queue_ids(window: Window) -> list[int] | None:
    """The queues of the window's work profile, or None for a window without one (it serves all)."""
    profile = WorkProfile.objects.filter(window=window).prefetch_related("entries").first()
    return [entry.queue_id for entry in profile.entries.all()] if profile else None


def window_waiting(window: Window, *, limit: int = WAITING_SHOWN) -> list[Waiting]:
    """Present citizens waiting for this window's queues, in the order call-next takes them (priority,
    then the time of the number), with how long each has waited since check-in or issue."""
    now = clock.now()
    tickets = Ticket.objects.filter(
        hall_id=window.hall_id,
        service_date=clock.local_today(window.hall.time_zone),
        status=TicketStatus.WAITING,
    ).select_related("service", "queue")
    queue_ids = _queue_ids(window)
    if queue_ids is not None:
        tickets = tickets.filter(queue_id__in=queue_ids)
    return [
        Waiting(
            ticket=ticket,
            waited_minutes=int(
                max((now - (ticket.checked_in_at or ticket.issued_at)).total_seconds(), 0) // 60
            ),
        )
        for ticket in tickets.order_by("-priority", "issued_at", "id")[:limit]
    ]


def _reason(code: str, text: str, choices: tuple[tuple[str, object], ...]) -> str:
    labels = {key: str(label) for key, label in choices}
    reason = labels.get(code, "") if code else ""
    extra = text.strip()[:200]
    reason = f"{reason}: {extra}" if reason and extra else reason or extra
    if not reason:
        raise InvalidInput(_("Give a reason."), details={"field": "reason"})
    return reason


def ticket_call_chosen(
    *, window: Window, clerk: User, public_id: str, reason_code: str, reason_text: str
) -> Ticket:
    """Call the chosen waiting number to `window` out of turn. Refuses when the window is paused or
    closed, already has a number, the number is not waiting (any more) or not for this window's queues,
    or no reason is given. A conditional update: two windows choosing the same number call it once."""
    reason = _reason(reason_code, reason_text, CALL_REASONS)
    try:
        wanted = uuid.UUID(public_id)
    except ValueError:
        raise NotFound(_("No such number waiting for this window."), code="ticket_not_found") from None
    now = clock.now()
    ticket = (
        Ticket.objects.select_related("service", "queue", "hall")
        .filter(
            public_id=wanted, hall_id=window.hall_id, service_date=clock.local_today(window.hall.time_zone)
        )
        .first()
    )
    queue_ids = _queue_ids(window)
    if ticket is None or (queue_ids is not None and ticket.queue_id not in queue_ids):
        raise NotFound(_("No such number waiting for this window."), code="ticket_not_found")
    if WindowState.objects.filter(window=window).exclude(status=WindowState.Status.OPEN).exists():
        raise Conflict(_("Open the window before calling."), code="window_not_open")
    with transaction.atomic():
        try:
            with transaction.atomic():
                claimed = Ticket.objects.filter(pk=ticket.pk, status=TicketStatus.WAITING).update(
                    status=TicketStatus.CALLED, window=window, clerk=clerk, called_at=now, recalls=0
                )
        except IntegrityError:
            raise Conflict(_("Finish or release the current number first."), code="window_busy") from None
        if not claimed:
            raise Conflict(_("This number is no longer waiting."), code="not_waiting")
        QueueDay.objects.filter(queue_id=ticket.queue_id, service_date=ticket.service_date).update(
            departed=F("departed") + 1, last_called=ticket.number
        )
        details = {"chosen": True, "reason": reason}
        TicketEvent.objects.create(
            ticket=ticket, kind=TicketEvent.Kind.CALLED, at=now, actor=clerk, window=window, details=details
        )
        audit_record(
            actor=clerk,
            action=CALLED_OUT_OF_TURN,
            target=ticket,
            details={"number": ticket.number, "window": window.number, "reason": reason},
        )
        publish_on_commit(hall_topic(ticket.hall), _called_message(ticket, window, now))
    ticket.status, ticket.window, ticket.clerk, ticket.called_at = TicketStatus.CALLED, window, clerk, now
    return ticket


def _called_message(ticket: Ticket, window: Window, now: dt.datetime) -> dict[str, object]:
    """The live "called" signal, as call-next sends it: boards show and speak it."""
    return {
        "type": "called",
        "ticket": str(ticket.public_id),
        "number": ticket.number,
        "queue": ticket.queue_id,
        "service": ticket.service.code,
        "status": TicketStatus.CALLED,
        "window": window.number,
        "window_name": window.name,
        "at": now.isoformat(),
    }


def window_pause(*, window: Window, clerk: User, reason_code: str, reason_text: str = "") -> WindowState:
    """Pause the window (it calls nobody; estimates stop counting it) with a reason, audited."""
    reason = _reason(reason_code, reason_text, PAUSE_REASONS)
    with transaction.atomic():
        state = window_set_state(window=window, clerk=clerk, status=WindowState.Status.PAUSED)
        audit_record(
            actor=clerk, action=PAUSED, target=state, details={"window": window.number, "reason": reason}
        )
    return state


def pause_reason(state: WindowState | None) -> str:
    """Why a paused window is paused (the reason given when it was paused), or ""."""
    if state is None or state.status != WindowState.Status.PAUSED:
        return ""
    entry = (
        AuditEntry.objects.filter(
            action=PAUSED,
            target_type=WindowState._meta.label_lower,
            target_id=str(state.pk),
            at__gte=state.since - dt.timedelta(seconds=1),
        )
        .order_by("-at", "-id")
        .first()
    )
    return str(entry.details.get("reason", "")) if entry else ""
