"""Bookings: take a seat, cancel, move, and the no-show bar.

A seat is taken by ONE conditional update, `UPDATE slot SET booked = booked + 1 WHERE id = … AND
booked < capacity`, inside the transaction that inserts the booking: the database decides who gets
the last seat (row lock on PostgreSQL, the single writer on SQLite), and the check constraint
`booked <= capacity` refuses an overbooked row whatever the code does. A booking refused later in
the transaction (the phone already holds one that day) rolls the seat back with it.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from minxin.accounts import personal
from minxin.accounts.models import Citizen, User
from minxin.appointments.models import (
    ACTIVE_BOOKING,
    Booking,
    BookingBar,
    BookingChannel,
    BookingEvent,
    BookingStatus,
    Slot,
)
from minxin.appointments.services.slots import bookable_days, bookable_service, slot_plan_for, slots_for_day
from minxin.core import clock
from minxin.core.audit import audit_record
from minxin.core.errors import Conflict, Forbidden, InvalidInput
from minxin.core.events import publish_on_commit
from minxin.core.throttle import throttle_hit
from minxin.orgs.models import Hall
from minxin.queueing.models import Service
from minxin.queueing.rules import hall_topic

CODE_ALPHABET = "ACDEFHJKMNPRTUVWXY3479"  # no 0/O, 1/I/L, 2/Z, 5/S, 8/B: read aloud and typed at kiosks
CODE_LENGTH = 6
CITIZEN_BOOKINGS_PER_HOUR = 10
NO_SHOW_WINDOW_DAYS = 30


def booking_code_new() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(raw: str) -> str:
    """A booking code as typed or scanned: the code itself, or a URL ending in it; upper case."""
    text = raw.strip()
    if "#" in text:
        text = text.rsplit("#", 1)[-1]
    text = text.rstrip("/")
    text = text.rsplit("/", 1)[-1].rsplit("=", 1)[-1]
    return text.upper()[:8]


def _phone_parts(phone: str) -> tuple[str, str, str]:
    normalized = personal.normalize_phone(phone)
    if normalized is None:
        raise InvalidInput(_("Enter a valid mainland mobile number (11 digits)."), details={"field": "phone"})
    return (
        personal.keyed_hash(normalized, purpose="phone"),
        personal.mask_phone(normalized),
        personal.encrypt(normalized),
    )


def _event(booking: Booking, kind: str, *, actor: User | None = None, **details: Any) -> None:
    BookingEvent.objects.create(booking=booking, kind=kind, at=clock.now(), actor=actor, details=details)


def _publish(booking: Booking, kind: str) -> None:
    publish_on_commit(
        hall_topic(booking.hall),
        {"type": f"booking_{kind}", "booking": str(booking.public_id), "service": booking.service.code},
    )


def active_bar(*, hall: Hall, phone_hash: str) -> BookingBar | None:
    return (
        BookingBar.objects.filter(
            hall=hall, phone_hash=phone_hash, until__gt=clock.now(), lifted_at__isnull=True
        )
        .order_by("-until")
        .first()
    )


def _refuse_if_barred(hall: Hall, phone_hash: str) -> None:
    bar = active_bar(hall=hall, phone_hash=phone_hash)
    if bar is not None:
        local_until = bar.until.astimezone(ZoneInfo(hall.time_zone))
        raise Forbidden(
            _(
                "This phone may not book in this hall until %(until)s: more than %(limit)d booked visits "
                "were missed within 30 days. Take a number at the hall, or ask the hall manager."
            )
            % {"until": local_until.strftime("%Y-%m-%d"), "limit": settings.APPOINTMENTS_NO_SHOW_LIMIT},
            code="booking_barred",
            details={"until": bar.until.isoformat(), "no_shows": bar.no_shows},
        )


def _slot_at(hall: Hall, service: Service, starts_at: dt.datetime) -> Slot:
    if starts_at.tzinfo is None:
        raise InvalidInput(_("Give the slot's start with its time zone."), details={"field": "slot_start"})
    local = starts_at.astimezone(ZoneInfo(hall.time_zone))
    if local.date() not in bookable_days(hall):
        raise InvalidInput(
            _("This day cannot be booked (closed, or beyond %(days)d working days ahead).")
            % {"days": settings.APPOINTMENTS_HORIZON_WORKING_DAYS},
            code="slot_not_bookable",
            details={"field": "slot_start"},
        )
    for slot in slots_for_day(hall=hall, service=service, day=local.date()):
        if slot.starts_at == starts_at:
            if slot.starts_at <= clock.now():
                raise InvalidInput(
                    _("This slot has begun; choose a later one."),
                    code="slot_started",
                    details={"field": "slot_start"},
                )
            return slot
    raise InvalidInput(
        _("There is no slot at this time for this service."),
        code="slot_not_found",
        details={"field": "slot_start"},
    )


def _take_seat(slot: Slot) -> None:
    """The conditional update that makes overbooking impossible (see the module docstring)."""
    taken = Slot.objects.filter(pk=slot.pk, booked__lt=F("capacity")).update(booked=F("booked") + 1)
    if not taken:
        raise Conflict(_("This slot is fully booked; choose another time."), code="slot_full")


def _release_seat(slot_id: int) -> None:
    Slot.objects.filter(pk=slot_id, booked__gt=0).update(booked=F("booked") - 1)


def _deadlines(starts_at: dt.datetime, now: dt.datetime) -> dict[str, dt.datetime | None]:
    day_before = starts_at - dt.timedelta(days=1)
    hour_before = starts_at - dt.timedelta(hours=1)
    return {
        "remind_day_at": day_before if day_before > now else None,
        "remind_hour_at": hour_before if hour_before > now else None,
        "no_show_at": starts_at + dt.timedelta(minutes=settings.APPOINTMENTS_LATE_CHECK_IN_MINUTES),
    }


def _already_booked() -> Conflict:
    return Conflict(
        _("This phone already holds a booking for this service on that day."), code="already_booked"
    )


def _booking_checks(
    hall: Hall, service_code: str, channel: str, phone_hash: str, citizen: Citizen | None
) -> Service:
    """The refusals before a seat is taken: channel, the citizen's hourly limit, bookable, barred."""
    if channel not in BookingChannel.values:
        raise InvalidInput(_("Unknown channel."), details={"field": "channel"})
    if citizen is not None:
        throttle_hit(
            scope="booking", subject=citizen.phone_hash, limit=CITIZEN_BOOKINGS_PER_HOUR, period_seconds=3600
        )
    service = bookable_service(hall=hall, code=service_code)
    if not slot_plan_for(service).is_bookable:
        raise Conflict(_("This service does not take bookings."), code="not_bookable")
    _refuse_if_barred(hall, phone_hash)
    return service


def booking_create(
    *,
    hall: Hall,
    service_code: str,
    slot_start: dt.datetime,
    phone: str,
    channel: str,
    citizen: Citizen | None = None,
    actor: User | None = None,
    matter: str = "",
) -> Booking:
    """Book one seat of the slot starting at `slot_start` for `phone`.

    Raises InvalidInput (phone, slot_start), NotFound (service_not_found), Forbidden (booking_barred),
    Conflict (slot_full, already_booked, not_bookable) and writes nothing then. Locks the slot's row
    for the rest of the transaction (the conditional update).
    """
    phone_hash, phone_masked, phone_encrypted = _phone_parts(phone)
    service = _booking_checks(hall, service_code, channel, phone_hash, citizen)
    slot = _slot_at(hall, service, slot_start)
    now = clock.now()
    for _attempt in range(3):
        try:
            with transaction.atomic():
                _take_seat(slot)
                booking = Booking.objects.create(
                    code=booking_code_new(),
                    hall=hall,
                    service=service,
                    slot=slot,
                    service_date=slot.service_date,
                    starts_at=slot.starts_at,
                    channel=channel,
                    phone_hash=phone_hash,
                    phone_masked=phone_masked,
                    phone_encrypted=phone_encrypted,
                    citizen=citizen,
                    booked_by=actor,
                    matter=matter[:128],
                    created_at=now,
                    **_deadlines(slot.starts_at, now),
                )
                _event(booking, BookingEvent.Kind.BOOKED, actor=actor, channel=channel)
                if actor is not None:
                    audit_record(actor=actor, action="appointments.book_for_phone", target=booking)
                _publish(booking, "booked")
        except IntegrityError:
            if Booking.objects.filter(
                phone_hash=phone_hash,
                service=service,
                service_date=slot.service_date,
                status__in=ACTIVE_BOOKING,
            ).exists():
                raise _already_booked() from None
            continue  # a booking code drawn twice: draw again
        booking.slot = slot
        return booking
    raise Conflict(_("Please try again."), code="retry")


def _may_change(booking: Booking) -> None:
    if booking.status != BookingStatus.BOOKED:
        raise Conflict(
            _("This booking is %(status)s.") % {"status": booking.get_status_display()},
            code="booking_not_active",
            details={"status": booking.status},
        )
    limit = booking.starts_at - dt.timedelta(minutes=settings.APPOINTMENTS_CHANGE_BEFORE_MINUTES)
    if clock.now() > limit:
        raise Conflict(
            _("A booking can be cancelled or moved until %(minutes)d minutes before its time.")
            % {"minutes": settings.APPOINTMENTS_CHANGE_BEFORE_MINUTES},
            code="too_late_to_change",
        )


def booking_cancel(*, booking: Booking, actor: User | None = None) -> Booking:
    """Cancel a booking and give its seat back (both in one transaction); refused (too_late_to_change)
    once the change limit before its time has passed."""
    _may_change(booking)
    with transaction.atomic():
        cancelled = Booking.objects.filter(pk=booking.pk, status=BookingStatus.BOOKED).update(
            status=BookingStatus.CANCELLED,
            cancelled_at=clock.now(),
            remind_day_at=None,
            remind_hour_at=None,
            no_show_at=None,
        )
        if not cancelled:
            booking.refresh_from_db()
            raise Conflict(_("This booking is no longer active."), code="booking_not_active")
        _release_seat(booking.slot_id)
        booking.refresh_from_db()
        _event(booking, BookingEvent.Kind.CANCELLED, actor=actor)
        if actor is not None:
            audit_record(actor=actor, action="appointments.cancel", target=booking)
        _publish(booking, "cancelled")
    return booking


def booking_move(*, booking: Booking, slot_start: dt.datetime, actor: User | None = None) -> Booking:
    """Move a booking to another slot of its service: the new seat is taken before the old one is
    given back, in one transaction, so a full slot leaves the booking where it was."""
    _may_change(booking)
    slot = _slot_at(booking.hall, booking.service, slot_start)
    if slot.pk == booking.slot_id:
        return booking
    old_slot_id, old_start = booking.slot_id, booking.starts_at
    now = clock.now()
    try:
        with transaction.atomic():
            _take_seat(slot)
            moved = Booking.objects.filter(pk=booking.pk, status=BookingStatus.BOOKED).update(
                slot=slot,
                starts_at=slot.starts_at,
                service_date=slot.service_date,
                **_deadlines(slot.starts_at, now),
            )
            if not moved:
                raise Conflict(_("This booking is no longer active."), code="booking_not_active")
            _release_seat(old_slot_id)
            booking.refresh_from_db()
            _event(booking, BookingEvent.Kind.MOVED, actor=actor, **{"from": old_start.isoformat()})
            _publish(booking, "moved")
    except IntegrityError:
        raise _already_booked() from None
    return booking


def bar_lift(*, bar: BookingBar, manager: User, reason: str) -> BookingBar:
    """A hall manager lets a barred phone book again (audited). Scope is the caller's to check."""
    if not reason.strip():
        raise InvalidInput(_("Say why the bar is lifted."), details={"field": "reason"})
    with transaction.atomic():
        lifted = BookingBar.objects.filter(pk=bar.pk, lifted_at__isnull=True).update(
            lifted_at=clock.now(), lifted_by=manager, lift_reason=reason.strip()[:200]
        )
        if not lifted:
            raise Conflict(_("This bar was already lifted."), code="bar_lifted")
        bar.refresh_from_db()
        audit_record(
            actor=manager, action="appointments.bar_lift", target=bar, details={"reason": bar.lift_reason}
        )
    return bar


def bar_if_due(booking: Booking) -> BookingBar | None:
    """After a missed booking: more than the limit of missed ones (no-show or late) within 30 days bars
    the phone from booking in the hall for APPOINTMENTS_BAR_DAYS days."""
    now = clock.now()
    missed = Booking.objects.filter(
        hall_id=booking.hall_id,
        phone_hash=booking.phone_hash,
        status__in=[BookingStatus.NO_SHOW, BookingStatus.LATE],
        starts_at__gte=now - dt.timedelta(days=NO_SHOW_WINDOW_DAYS),
    ).count()
    if missed <= settings.APPOINTMENTS_NO_SHOW_LIMIT:
        return None
    hall = booking.hall
    if active_bar(hall=hall, phone_hash=booking.phone_hash) is not None:
        return None
    if BookingBar.objects.filter(
        hall=hall, phone_hash=booking.phone_hash, lifted_at__gte=booking.starts_at
    ).exists():
        return None  # a manager lifted the bar after this visit was missed: do not bar for it again
    return BookingBar.objects.create(
        hall=hall,
        phone_hash=booking.phone_hash,
        phone_masked=booking.phone_masked,
        starts_at=now,
        until=now + dt.timedelta(days=settings.APPOINTMENTS_BAR_DAYS),
        no_shows=missed,
    )
