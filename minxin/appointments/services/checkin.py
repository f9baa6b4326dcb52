"""Check-in: a booking becomes a ticket in the hall's live queue, through queueing's own services.

- Within the early/late limits the ticket is an appointment ticket (channel `booking`). From its booked
  time on it carries the appointment priority, so every window's call-next takes it before walk-ins;
  an early arrival waits as a normal ticket until then (`bookings_promote`, a worker job claiming the
  booking's `promote_at` deadline) so it never jumps the line before its time.
- After the late limit the citizen joins the normal queue, with a message that says so, and the visit
  counts as missed (the no-show rule).
- A booking not checked in by its late limit becomes a no-show (`bookings_mark_no_shows`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from minxin.accounts import personal
from minxin.accounts.models import User
from minxin.appointments.models import Booking, BookingEvent, BookingStatus
from minxin.appointments.services.bookings import _event, _publish, bar_if_due
from minxin.core import clock
from minxin.core.errors import Conflict
from minxin.queueing.models import Channel, Priority, Ticket
from minxin.queueing.services import ticket_issue, ticket_prioritize

APPOINTMENT_REASON = "appointment"


@dataclass(frozen=True, slots=True)
class CheckedIn:
    booking: Booking
    ticket: Ticket
    late: bool
    message: str


def check_in_window(booking: Booking) -> tuple[dt.datetime, dt.datetime]:
    """From when to when the booking checks in as an appointment."""
    return (
        booking.starts_at - dt.timedelta(minutes=settings.APPOINTMENTS_EARLY_CHECK_IN_MINUTES),
        booking.starts_at + dt.timedelta(minutes=settings.APPOINTMENTS_LATE_CHECK_IN_MINUTES),
    )


def _local_time(booking: Booking, at: dt.datetime) -> str:
    return at.astimezone(ZoneInfo(booking.hall.time_zone)).strftime("%H:%M")


def _issue(booking: Booking, *, priority: int, actor: User | None) -> Ticket:
    """The booking's ticket; a phone that already holds a number in the hall gets this one without
    the phone (no notices), rather than no ticket at all."""
    phone = personal.decrypt(booking.phone_encrypted)
    reason = APPOINTMENT_REASON if priority == Priority.APPOINTMENT else ""
    try:
        return ticket_issue(
            hall=booking.hall,
            service_code=booking.service.code,
            channel=Channel.BOOKING,
            phone=phone,
            priority=priority,
            priority_reason=reason,
            actor=actor,
        ).ticket
    except Conflict as error:
        if error.code != "phone_has_ticket":
            raise
    return ticket_issue(
        hall=booking.hall,
        service_code=booking.service.code,
        channel=Channel.BOOKING,
        priority=priority,
        priority_reason=reason,
        actor=actor,
    ).ticket


def booking_check_in(*, booking: Booking, actor: User | None = None, via: str = "kiosk") -> CheckedIn:
    """The citizen is at the hall. Claims the booking (booked → checked in, or late) by a conditional
    update and issues its ticket in the same transaction, so two kiosks never print two tickets for one
    booking. Checking in again returns the ticket already issued. Refuses (409) a cancelled booking,
    one of another day and one that opens later (too_early)."""
    now = clock.now()
    today = clock.local_today(booking.hall.time_zone)
    if booking.ticket_id is not None and booking.status in (
        BookingStatus.CHECKED_IN,
        BookingStatus.LATE,
        BookingStatus.NO_SHOW,
    ):
        ticket = Ticket.objects.select_related("service", "queue", "hall").get(pk=booking.ticket_id)
        return CheckedIn(
            booking, ticket, booking.status != BookingStatus.CHECKED_IN, _("Already checked in.")
        )
    if booking.status == BookingStatus.CANCELLED:
        raise Conflict(_("This booking was cancelled."), code="booking_not_active")
    if booking.service_date != today:
        raise Conflict(
            _("This booking is for %(date)s, not today.") % {"date": booking.service_date.isoformat()},
            code="booking_not_today",
        )
    opens, closes = check_in_window(booking)
    if now < opens:
        raise Conflict(
            _("Check-in opens at %(time)s, %(minutes)d minutes before your booked time.")
            % {"time": _local_time(booking, opens), "minutes": settings.APPOINTMENTS_EARLY_CHECK_IN_MINUTES},
            code="too_early",
            details={"opens_at": opens.isoformat()},
        )
    late = now > closes
    with transaction.atomic():
        status_from = [BookingStatus.BOOKED, BookingStatus.NO_SHOW] if late else [BookingStatus.BOOKED]
        claimed = Booking.objects.filter(pk=booking.pk, status__in=status_from, ticket__isnull=True).update(
            status=BookingStatus.LATE if late else BookingStatus.CHECKED_IN,
            checked_in_at=now,
            no_show_at=None,
            remind_day_at=None,
            remind_hour_at=None,
        )
        if not claimed:
            booking.refresh_from_db()
            if booking.ticket_id is not None:
                return booking_check_in(booking=booking, actor=actor, via=via)
            raise Conflict(_("This booking cannot be checked in now."), code="booking_not_active")
        on_time_now = not late and now >= booking.starts_at
        priority = Priority.APPOINTMENT if on_time_now else Priority.NORMAL
        ticket = _issue(booking, priority=priority, actor=actor)
        promote_at = booking.starts_at if not late and not on_time_now else None
        Booking.objects.filter(pk=booking.pk).update(ticket=ticket, promote_at=promote_at)
        booking.refresh_from_db()
        kind = BookingEvent.Kind.LATE if late else BookingEvent.Kind.CHECKED_IN
        _event(booking, kind, actor=actor, via=via, ticket=ticket.number)
        if late:
            bar_if_due(booking)
        _publish(booking, "checked_in")
    message = _check_in_message(booking, ticket.number, late=late, on_time=on_time_now, closes=closes)
    return CheckedIn(booking, ticket, late, message)


def _check_in_message(
    booking: Booking, number: str, *, late: bool, on_time: bool, closes: dt.datetime
) -> str:
    if late:
        return _(
            "You arrived after %(time)s, the latest check-in for your booking, so you have joined the "
            "normal queue with number %(number)s. The missed booking counts towards the no-show limit."
        ) % {"time": _local_time(booking, closes), "number": number}
    if on_time:
        return _("Welcome. Number %(number)s will be called before walk-in numbers.") % {"number": number}
    return _(
        "Welcome, you are early. Number %(number)s will be called before walk-in numbers from "
        "%(time)s, your booked time."
    ) % {"number": number, "time": _local_time(booking, booking.starts_at)}


def bookings_promote() -> int:
    """Worker job: early arrivals whose booked time has come go before walk-ins. Each booking is claimed
    by clearing its deadline with a conditional update, so two workers never promote it twice."""
    now = clock.now()
    done = 0
    due = Booking.objects.filter(promote_at__lte=now).select_related("hall", "service").order_by("promote_at")
    for booking in due[:500]:
        if not Booking.objects.filter(pk=booking.pk, promote_at__isnull=False).update(promote_at=None):
            continue
        if booking.ticket_id is None:
            continue
        ticket = (
            Ticket.objects.select_related("hall", "service", "queue").filter(pk=booking.ticket_id).first()
        )
        if ticket is not None and ticket_prioritize(
            ticket=ticket, priority=Priority.APPOINTMENT, reason=APPOINTMENT_REASON
        ):
            _event(booking, BookingEvent.Kind.PROMOTED, ticket=ticket.number)
            done += 1
    return done


def bookings_mark_no_shows() -> int:
    """Worker job: a booking not checked in by its late limit is a no-show (claimed by a conditional
    update on its status and deadline), and too many of them bar the phone (`bar_if_due`)."""
    now = clock.now()
    done = 0
    due = Booking.objects.filter(no_show_at__lte=now).select_related("hall", "service").order_by("no_show_at")
    for booking in due[:1000]:
        with transaction.atomic():
            claimed = Booking.objects.filter(
                pk=booking.pk, status=BookingStatus.BOOKED, no_show_at__isnull=False
            ).update(status=BookingStatus.NO_SHOW, no_show_at=None, remind_day_at=None, remind_hour_at=None)
            if not claimed:
                Booking.objects.filter(pk=booking.pk).exclude(status=BookingStatus.BOOKED).update(
                    no_show_at=None
                )
                continue
            booking.status = BookingStatus.NO_SHOW
            _event(booking, BookingEvent.Kind.NO_SHOW)
            bar_if_due(booking)
            done += 1
    return done
