"""Citizen pages: book a slot (with the week's heatmap and best times), a booking's code and QR, my
bookings, the hall's forecast, a home-visit request; and the kiosk's booking check-in."""

from __future__ import annotations

import datetime as dt
import json
import math
import uuid
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dateformat import format as date_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from minxin.accounts import personal
from minxin.accounts.models import Citizen, Role, User
from minxin.accounts.services import citizen_of_session
from minxin.appointments.advice import advice_message
from minxin.appointments.models import Booking, BookingChannel, BookingStatus, HomeVisit
from minxin.appointments.selectors import (
    HallForecast,
    best_times,
    bookings_of_citizen,
    hall_forecast,
    peak_advice,
)
from minxin.appointments.services import (
    bookable_days,
    bookable_services,
    booking_cancel,
    booking_check_in,
    booking_create,
    booking_move,
    check_in_window,
    slots_for_day,
    visit_request,
)
from minxin.core import clock
from minxin.core.errors import DomainError
from minxin.core.portal import Panel
from minxin.core.throttle import throttle_hit
from minxin.orgs.selectors import hall_for, halls_for_staff, staff_may_act_in_hall
from minxin.queueing.kiosk import ticket_qr_svg

KIOSK_ROLES = [Role.WINDOW_CLERK, Role.HALL_MANAGER]
STAFF_ROLES = [Role.WINDOW_CLERK, Role.HALL_MANAGER, Role.CITY_OFFICE]


def heatmap(forecast: HallForecast, *, service_code: str | None = None) -> dict[str, Any]:
    """The ECharts option of the week's predicted waits (days × hours) and the same figures as rows."""
    cells: dict[tuple[dt.date, int], float] = {}
    if service_code is None:
        for key, (_arrivals, hall_wait, _low, _high) in forecast.hall_hour().items():
            cells[key] = hall_wait
    else:
        for row in forecast.rows:
            if row.service_code == service_code:
                cells[row.day, row.hour] = row.wait.minutes
    days = [day for day in forecast.days if any((day, hour) in cells for hour in forecast.hours)]
    data = []
    rows = []
    for y, day in enumerate(days):
        values = []
        for x, hour in enumerate(forecast.hours):
            cell = cells.get((day, hour))
            shown = None if cell is None else (round(cell) if math.isfinite(cell) else 120)
            values.append(shown)
            if shown is not None:
                data.append([x, y, min(shown, 120)])
        rows.append({"day": day, "values": values})
    option = {
        "tooltip": {"position": "top"},
        "grid": {"top": 10, "left": 70, "right": 10, "bottom": 60},
        "xAxis": {"type": "category", "data": [f"{hour:02d}:00" for hour in forecast.hours]},
        "yAxis": {"type": "category", "data": [date_format(day, "m-d D") for day in days], "inverse": True},
        "visualMap": {
            "min": 0,
            "max": max(30, forecast.target_minutes * 2),
            "calculable": False,
            "orient": "horizontal",
            "left": "center",
            "bottom": 0,
            "inRange": {"color": ["#2e7d32", "#f9a825", "#c62828"]},
        },
        "series": [{"type": "heatmap", "data": data, "label": {"show": True}}],
    }
    return {"option": option, "rows": rows, "hours": forecast.hours}


def _citizen(request: HttpRequest) -> Citizen | None:
    return citizen_of_session(request.session)


def _login_url(request: HttpRequest) -> str:
    return f"{reverse('accounts:citizen-login')}?next={request.get_full_path()}"


def _parse_day(raw: str, days: list[dt.date]) -> dt.date | None:
    try:
        chosen = dt.date.fromisoformat(raw)
    except ValueError:
        return days[0] if days else None
    return chosen if chosen in days else (days[0] if days else None)


@never_cache
@require_http_methods(["GET", "POST"])
def booking_page(request: HttpRequest, code: str) -> HttpResponse:
    """Book a slot: pick the service and day, see seats left, the week's heatmap and best times, and
    the off-peak advice when now is a peak. Booking needs phone sign-in."""
    hall = hall_for(code=code)
    citizen = _citizen(request)
    services = bookable_services(hall)
    if request.method == "POST":
        if citizen is None:
            return redirect(_login_url(request))
        try:
            start = dt.datetime.fromisoformat(request.POST.get("slot_start", ""))
        except ValueError:
            messages.error(request, _("Choose a time."))
            return redirect(request.get_full_path())
        try:
            booking = booking_create(
                hall=hall,
                service_code=request.POST.get("service", ""),
                slot_start=start,
                phone=personal.decrypt(citizen.phone_encrypted),
                channel=BookingChannel.WEB,
                citizen=citizen,
                matter=request.POST.get("matter", "")[:128],
            )
        except DomainError as error:
            messages.error(request, error.message)
            return redirect(request.get_full_path())
        messages.success(request, _("Booked. Keep your booking code: %(code)s") % {"code": booking.code})
        return redirect("appointments:booking", booking_id=booking.public_id)
    service = next((each for each in services if each.code == request.GET.get("service")), None)
    if service is None and services:
        service = services[0]
    days = bookable_days(hall)
    day = _parse_day(request.GET.get("date", ""), days)
    slots = slots_for_day(hall=hall, service=service, day=day) if service and day else []
    now = clock.now()
    forecast = hall_forecast(hall=hall, days=7)
    advice = peak_advice(hall=hall, service_code=service.code) if service else None
    context = {
        "hall": hall,
        "citizen": citizen,
        "services": services,
        "service": service,
        "days": days,
        "day": day,
        "slots": [
            {
                "slot": slot,
                "local": slot.starts_at.astimezone(ZoneInfo(hall.time_zone)),
                "open": slot.starts_at > now and slot.seats_left > 0,
            }
            for slot in slots
        ],
        "best": best_times(forecast, service_code=service.code if service else None),
        "heatmap": heatmap(forecast, service_code=service.code if service else None),
        "advice": advice_message(advice) if advice else "",
    }
    return render(request, "appointments/book.html", context)


def _booking_for_viewer(request: HttpRequest, booking_id: uuid.UUID) -> tuple[Booking, bool]:
    """The booking and whether the viewer is staff; 404 for anyone else."""
    booking = (
        Booking.objects.select_related("hall__unit__region", "service", "ticket")
        .filter(public_id=booking_id)
        .first()
    )
    if booking is None:
        raise Http404(_("No such booking."))
    citizen = _citizen(request)
    if citizen is not None and citizen.phone_hash == booking.phone_hash:
        return booking, False
    user = request.user
    if isinstance(user, User) and staff_may_act_in_hall(user=user, hall=booking.hall, roles=STAFF_ROLES):
        return booking, True
    raise Http404(_("No such booking."))


@never_cache
def booking_detail(request: HttpRequest, booking_id: uuid.UUID) -> HttpResponse:
    booking, staff = _booking_for_viewer(request, booking_id)
    zone = ZoneInfo(booking.hall.time_zone)
    opens, closes = check_in_window(booking)
    url = request.build_absolute_uri(reverse("appointments:booking", args=[booking.public_id]))
    qr = ticket_qr_svg(f"{url}#{booking.code}", label=_("Booking code %(code)s") % {"code": booking.code})
    moves: list[dict[str, Any]] = []
    if booking.status == BookingStatus.BOOKED and request.GET.get("move"):
        day = _parse_day(request.GET.get("date", ""), bookable_days(booking.hall))
        if day is not None:
            moves = [
                {"slot": slot, "local": slot.starts_at.astimezone(zone)}
                for slot in slots_for_day(hall=booking.hall, service=booking.service, day=day)
                if slot.seats_left > 0 and slot.starts_at > clock.now() and slot.pk != booking.slot_id
            ]
    context = {
        "booking": booking,
        "staff": staff,
        "local_start": booking.starts_at.astimezone(zone),
        "check_in_opens": opens.astimezone(zone),
        "check_in_closes": closes.astimezone(zone),
        "qr_svg": mark_safe(qr),  # noqa: S308 - an SVG we generated
        "days": bookable_days(booking.hall),
        "moves": moves,
        "moving": bool(request.GET.get("move")),
    }
    return render(request, "appointments/booking.html", context)


@require_POST
def booking_action(request: HttpRequest, booking_id: uuid.UUID, action: str) -> HttpResponse:
    booking, staff = _booking_for_viewer(request, booking_id)
    actor = request.user if staff and isinstance(request.user, User) else None
    try:
        if action == "cancel":
            booking_cancel(booking=booking, actor=actor)
            messages.success(request, _("The booking is cancelled; its seat is free for others."))
        elif action == "move":
            start = dt.datetime.fromisoformat(request.POST.get("slot_start", ""))
            booking_move(booking=booking, slot_start=start, actor=actor)
            messages.success(request, _("The booking is moved."))
        elif action == "check-in" and staff:
            done = booking_check_in(booking=booking, actor=actor, via="desk")
            messages.success(request, done.message)
        else:
            raise Http404(_("No such action."))
    except ValueError:
        messages.error(request, _("Choose a time."))
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("appointments:booking", booking_id=booking.public_id)


@never_cache
def my_bookings(request: HttpRequest) -> HttpResponse:
    citizen = _citizen(request)
    if citizen is None:
        return redirect(_login_url(request))
    rows = [
        {"booking": booking, "local": booking.starts_at.astimezone(ZoneInfo(booking.hall.time_zone))}
        for booking in bookings_of_citizen(phone_hash=citizen.phone_hash)[:50]
    ]
    return render(request, "appointments/mine.html", {"rows": rows, "citizen": citizen})


def forecast_page(request: HttpRequest, code: str) -> HttpResponse:
    """The hall's week ahead: a heatmap of predicted waits, the best times to come, per service."""
    hall = hall_for(code=code)
    forecast = hall_forecast(hall=hall, days=7)
    service_code = request.GET.get("service") or None
    if service_code not in {code for code, _name in forecast.services}:
        service_code = None
    context = {
        "hall": hall,
        "forecast": forecast,
        "service_code": service_code,
        "best": best_times(forecast, service_code=service_code, limit=6),
        "heatmap": heatmap(forecast, service_code=service_code),
    }
    return render(request, "appointments/forecast.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def visit_request_page(request: HttpRequest, code: str) -> HttpResponse:
    """上门服务: an elderly or disabled citizen, or a company, asks for staff to come."""
    hall = hall_for(code=code)
    citizen = _citizen(request)
    if citizen is None:
        return redirect(_login_url(request))
    form = {
        key: request.POST.get(key, "").strip() for key in ("matter", "requester", "name", "address", "notes")
    }
    if request.method == "POST":
        try:
            throttle_hit(scope="home-visit", subject=citizen.phone_hash, limit=5, period_seconds=86400)
            visit_request(
                hall=hall,
                matter=form["matter"],
                requester=form["requester"],
                name=form["name"],
                phone=personal.decrypt(citizen.phone_encrypted),
                address=form["address"],
                notes=form["notes"],
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Your request is received. The hall will call you to agree a time."))
            return redirect("appointments:book", code=hall.code)
    context = {"hall": hall, "citizen": citizen, "form": form, "requesters": HomeVisit.Requester.choices}
    return render(request, "appointments/visit_request.html", context)


def staff_panel(request: HttpRequest) -> Panel | None:
    user = request.user
    if not isinstance(user, User):
        return None
    halls = list(halls_for_staff(user=user, roles=STAFF_ROLES)[:20])
    if not halls:
        return None
    return Panel(
        title=_("Appointments and off-peak advice"),
        template="appointments/panels/staff.html",
        context={"halls": halls},
        order=30,
    )


def chart_json(option: dict[str, Any]) -> str:
    return json.dumps(option, ensure_ascii=False)


def best_times_fragment(request: HttpRequest, code: str) -> HttpResponse:
    """htmx fragment for the hall's page (catalog): the week's best times to come, linking to the forecast
    with its heatmap and to booking."""
    hall = hall_for(code=code)
    forecast = hall_forecast(hall=hall, days=7)
    return render(
        request, "appointments/_best_fragment.html", {"hall": hall, "best": best_times(forecast, limit=3)}
    )
