"""The citizen's side of the hall: the booking check-in that the hall's check-in QR leads to (with phone
sign-in right on the page, since WeChat's browser carries no session), and the off-peak advice fragment
of the take-number form."""

from __future__ import annotations

import uuid
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from minxin.accounts import personal
from minxin.accounts.models import Citizen
from minxin.accounts.services import citizen_consent_record, citizen_of_session, otp_request, otp_verify
from minxin.appointments.advice import advice_message
from minxin.appointments.models import Booking, BookingStatus
from minxin.appointments.selectors import peak_advice
from minxin.appointments.services import booking_check_in, check_in_window
from minxin.core import clock
from minxin.core.audit import client_ip
from minxin.core.errors import DomainError
from minxin.orgs.models import Hall
from minxin.orgs.selectors import hall_for
from minxin.queueing.models import Service
from minxin.queueing.services import hall_check_in_code_valid

SESSION_TICKETS = "queue_tickets"  # queueing's key for the numbers this browser holds (its "my numbers")


def _page_url(hall: Hall, code: str) -> str:
    return f"{reverse('appointments:check-in', args=[hall.code])}?{urlencode({'t': code})}"


def _sign_in(request: HttpRequest, hall: Hall, code: str) -> tuple[dict[str, Any], HttpResponse | None]:
    """The two sign-in steps on this page (the accounts app's OTP services): the phone, then the code;
    once verified the session holds the citizen and the browser returns to the check-in."""
    step = request.POST.get("step", "")
    phone = request.POST.get("phone", "").strip()
    state: dict[str, Any] = {"step": "phone", "phone": phone, "error": ""}
    try:
        if step == "phone":
            otp_request(phone=phone, ip=client_ip(request))
            normalized = personal.normalize_phone(phone) or phone
            state.update(step="code", phone_masked=personal.mask_phone(normalized))
        elif step == "code":
            state["step"] = "code"
            citizen = otp_verify(phone=phone, code=request.POST.get("otp", "").strip())
            request.session.cycle_key()
            request.session["citizen_id"] = citizen.pk
            citizen_consent_record(citizen=citizen, version=settings.CONSENT_VERSION)
            messages.success(request, _("You are signed in as %(phone)s.") % {"phone": citizen.phone_masked})
            return state, redirect(_page_url(hall, code))
    except DomainError as error:
        state["error"] = error.message
    return state, None


def _todays_bookings(hall: Hall, citizen: Citizen) -> list[dict[str, Any]]:
    today = clock.local_today(hall.time_zone)
    zone = ZoneInfo(hall.time_zone)
    rows = []
    bookings = Booking.objects.filter(hall=hall, service_date=today, phone_hash=citizen.phone_hash).exclude(
        status=BookingStatus.CANCELLED
    )
    for booking in bookings.select_related("service", "ticket").order_by("starts_at"):
        opens, closes = check_in_window(booking)
        rows.append(
            {
                "booking": booking,
                "local": booking.starts_at.astimezone(zone),
                "opens": opens.astimezone(zone),
                "closes": closes.astimezone(zone),
            }
        )
    return rows


def _check_in(request: HttpRequest, hall: Hall, citizen: Citizen) -> dict[str, Any]:
    """Check the chosen booking in; the outcome for the page (a late arrival: the normal queue)."""
    try:
        booking_id = uuid.UUID(request.POST.get("booking", ""))
    except ValueError:
        return {"error": _("No booking for today matches.")}
    booking = Booking.objects.filter(hall=hall, public_id=booking_id, phone_hash=citizen.phone_hash).first()
    if booking is None:
        return {"error": _("No booking for today matches.")}
    try:
        done = booking_check_in(booking=booking, via="qr")
    except DomainError as error:
        return {"error": error.message}
    held = [str(each) for each in request.session.get(SESSION_TICKETS, [])]
    if str(done.ticket.public_id) not in held:
        request.session[SESSION_TICKETS] = [*held, str(done.ticket.public_id)]
    return {"done": done}


@never_cache
@require_http_methods(["GET", "POST"])
def check_in_page(request: HttpRequest, code: str) -> HttpResponse:
    """Where the hall's check-in QR leads a citizen with a booking: sign in by phone if needed, then
    check today's booking in within the early/late limits. The QR's code (renewed every minute, valid
    ten) proves the citizen is at the hall."""
    hall = hall_for(code=code)
    token = request.POST.get("t") or request.GET.get("t", "")
    context: dict[str, Any] = {"hall": hall, "t": token, "code_ok": hall_check_in_code_valid(hall, token)}
    if not context["code_ok"]:
        return render(request, "appointments/check_in.html", context, status=403)
    citizen = citizen_of_session(request.session)
    if citizen is None:
        state, done = (
            _sign_in(request, hall, token) if request.method == "POST" else ({"step": "phone"}, None)
        )
        if done is not None:
            return done
        context["sign_in"] = state
        return render(
            request, "appointments/check_in.html", context, status=422 if state.get("error") else 200
        )
    if request.method == "POST":
        context.update(_check_in(request, hall, citizen))
    context["citizen"] = citizen
    context["rows"] = _todays_bookings(hall, citizen)
    return render(request, "appointments/check_in.html", context, status=422 if context.get("error") else 200)


@never_cache
def peak_advice_fragment(request: HttpRequest, code: str) -> HttpResponse:
    """htmx fragment for queueing's take-number form: to a signed-in citizen, the services whose predicted
    wait now is over the target, each with a better hour (from the forecast). Empty otherwise."""
    hall = hall_for(code=code)
    rows = []
    if citizen_of_session(request.session) is not None:
        services = Service.objects.filter(hall=hall, is_active=True, remote_allowed=True).order_by(
            "position", "code"
        )
        for service in services:
            advice = peak_advice(hall=hall, service_code=service.code)
            if advice.peak:
                rows.append({"service": service, "message": advice_message(advice)})
    return render(request, "appointments/_peak_advice.html", {"hall": hall, "rows": rows})
