"""The kiosk's booking check-in: booking code (typed, or its QR scanned into the field) or the last four
digits of the phone, within the early/late limits."""

from __future__ import annotations

import re
from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from minxin.accounts.models import Role, User
from minxin.appointments.models import Booking, BookingStatus
from minxin.appointments.services import booking_check_in, check_in_window, normalize_code
from minxin.core import clock
from minxin.core.audit import client_ip
from minxin.core.errors import DomainError, Throttled
from minxin.core.throttle import throttle_hit
from minxin.orgs.models import Hall
from minxin.orgs.selectors import hall_for
from minxin.queueing.kiosk import Notice, _render_kiosk

KIOSK_ROLES = [Role.WINDOW_CLERK, Role.HALL_MANAGER]


def _kiosk_hall(request: HttpRequest, code: str) -> tuple[Hall, User]:
    refusal = _("This device may not serve as a kiosk in this hall.")
    hall = hall_for(code=code, user=request.user, roles=KIOSK_ROLES, refusal=refusal)
    return hall, cast(User, request.user)  # hall_for let only a staff User with a role by


_LAST4 = re.compile(r"\d{4}")


def _kiosk_booking(hall: Hall, code: str, last4: str) -> Booking | list[Booking] | None:
    """Today's booking by its code, or by the last four digits of its phone when one booking in its
    check-in window matches (several: the list, and the kiosk asks for the code)."""
    today = clock.local_today(hall.time_zone)
    bookings = Booking.objects.select_related("hall", "service", "ticket").filter(
        hall=hall, service_date=today
    )
    if code:
        return bookings.filter(code=code).first()
    now = clock.now()
    candidates = [
        booking
        for booking in bookings.filter(phone_masked__endswith=last4, status=BookingStatus.BOOKED)
        if check_in_window(booking)[0] <= now
    ]
    if len(candidates) == 1:
        return candidates[0]
    return candidates or None


@require_POST
@login_required
def kiosk_check_in(request: HttpRequest, code: str) -> HttpResponse:
    """The kiosk's booking check-in: booking code (typed, or its QR scanned into the field) or the last
    four digits of the phone. Success prints the ticket (the kiosk's own ticket page)."""
    hall, user = _kiosk_hall(request, code)
    try:
        throttle_hit(
            scope="kiosk-booking",
            subject=f"{hall.code}:{client_ip(request) or 'unknown'}",
            limit=30,
            period_seconds=600,
        )
    except Throttled:
        notice = Notice("error", _("Too many attempts."), _("Please ask at the service desk."))
        return _render_kiosk(request, hall, status=429, notice=notice)
    booking_code = normalize_code(request.POST.get("booking_code", ""))
    last4 = request.POST.get("phone_last4", "").strip()[:8]
    if not booking_code and not _LAST4.fullmatch(last4):
        notice = Notice(
            "error",
            _("Please check what you typed."),
            _("Enter your booking code, scan its QR code, or enter the last 4 digits of your phone."),
        )
        return _render_kiosk(request, hall, status=422, notice=notice)
    found = _kiosk_booking(hall, booking_code, last4)
    if isinstance(found, list):
        notice = Notice(
            "error",
            _("Several bookings match."),
            _("Please enter your booking code (in your SMS or booking page)."),
        )
        return _render_kiosk(request, hall, status=422, notice=notice)
    if found is None:
        notice = Notice(
            "error",
            _("No booking for today matches."),
            _("Check the code, or take a number for the service above."),
        )
        return _render_kiosk(request, hall, status=422, notice=notice)
    try:
        done = booking_check_in(booking=found, actor=user, via="kiosk")
    except DomainError as error:
        notice = Notice("error", _("This booking cannot be checked in."), error.message)
        return _render_kiosk(request, hall, status=409, notice=notice)
    if done.late:
        notice = Notice("error", _("You are late for your booking."), done.message, done.ticket.number)
        return _render_kiosk(request, hall, notice=notice)
    messages.success(request, done.message)
    return HttpResponseRedirect(reverse("queueing:kiosk-ticket", args=[hall.code, done.ticket.public_id]))
