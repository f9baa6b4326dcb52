"""Staff pages: the day's bookings with booking for a phone (desk or 12345 hotline), bars and their
lifting, the CSV export; the staffing plan from the forecast; home visits."""

from __future__ import annotations

import csv
import datetime as dt
from typing import Any, cast
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from minxin.accounts.models import Role, User
from minxin.appointments.models import Booking, BookingBar, BookingChannel, SlotPlan, StaffingPlan
from minxin.appointments.selectors import active_booking_counts, bars_of_hall, bookings_of_day, hall_forecast
from minxin.appointments.services import (
    bar_lift,
    bookable_days,
    bookable_services,
    booking_create,
    slot_plan_for,
    slot_plan_update,
    slots_for_day,
    staffing_adopt,
)
from minxin.appointments.views import _parse_day, heatmap
from minxin.core import clock
from minxin.core.errors import DomainError
from minxin.orgs.models import Hall
from minxin.orgs.selectors import hall_for, staff_may_act_in_hall
from minxin.queueing.models import Service

DESK_ROLES = [Role.WINDOW_CLERK, Role.HALL_MANAGER]
BOOKING_ROLES = [Role.WINDOW_CLERK, Role.HALL_MANAGER, Role.CITY_OFFICE]
MANAGER_ROLES = [Role.HALL_MANAGER]


def _staff_hall(request: HttpRequest, code: str, roles: list[Role]) -> tuple[Hall, User]:
    hall = hall_for(code=code, user=request.user, roles=roles)
    return hall, cast(User, request.user)  # hall_for let only a staff User with a role by


@login_required
def staff_bookings(request: HttpRequest, code: str) -> HttpResponse:
    hall, user = _staff_hall(request, code, BOOKING_ROLES)
    days = bookable_days(hall)
    today = clock.local_today(hall.time_zone)
    try:
        day = dt.date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        day = today
    zone = ZoneInfo(hall.time_zone)
    bookings = [
        {"booking": booking, "local": booking.starts_at.astimezone(zone)}
        for booking in bookings_of_day(hall=hall, day=day)
    ]
    services = bookable_services(hall)
    service = next((each for each in services if each.code == request.GET.get("service")), None) or (
        services[0] if services else None
    )
    book_day = _parse_day(request.GET.get("book_date", ""), days)
    slots = slots_for_day(hall=hall, service=service, day=book_day) if service and book_day else []
    context = {
        "hall": hall,
        "day": day,
        "today": today,
        "previous": day - dt.timedelta(days=1),
        "next": day + dt.timedelta(days=1),
        "bookings": bookings,
        "counts": active_booking_counts(hall=hall, day=day),
        "bars": list(bars_of_hall(hall=hall)),
        "is_manager": staff_may_act_in_hall(user=user, hall=hall, roles=MANAGER_ROLES),
        "services": services,
        "service": service,
        "days": days,
        "book_day": book_day,
        "slots": [
            {"slot": slot, "local": slot.starts_at.astimezone(zone)}
            for slot in slots
            if slot.starts_at > clock.now() and slot.seats_left > 0
        ],
    }
    return render(request, "appointments/staff_bookings.html", context)


@require_POST
@login_required
def staff_book(request: HttpRequest, code: str) -> HttpResponse:
    """A clerk at the desk, or the 12345 hotline operator (city office), books for a phone number."""
    hall, user = _staff_hall(request, code, BOOKING_ROLES)
    channel = (
        BookingChannel.DESK
        if staff_may_act_in_hall(user=user, hall=hall, roles=DESK_ROLES)
        else BookingChannel.HOTLINE
    )
    try:
        start = dt.datetime.fromisoformat(request.POST.get("slot_start", ""))
        booking = booking_create(
            hall=hall,
            service_code=request.POST.get("service", ""),
            slot_start=start,
            phone=request.POST.get("phone", ""),
            channel=channel,
            actor=user,
            matter=request.POST.get("matter", ""),
        )
    except ValueError:
        messages.error(request, _("Choose a time."))
        return redirect("appointments:staff-bookings", code=hall.code)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("appointments:staff-bookings", code=hall.code)
    messages.success(
        request,
        _("Booked for %(phone)s: code %(code)s (sent with the reminders).")
        % {"phone": booking.phone_masked, "code": booking.code},
    )
    return redirect("appointments:booking", booking_id=booking.public_id)


@require_POST
@login_required
def bar_lift_view(request: HttpRequest, code: str, bar_id: int) -> HttpResponse:
    hall, user = _staff_hall(request, code, MANAGER_ROLES)
    bar = BookingBar.objects.filter(pk=bar_id, hall=hall).first()
    if bar is None:
        raise Http404(_("No such bar."))
    try:
        bar_lift(bar=bar, manager=user, reason=request.POST.get("reason", ""))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(phone)s may book again.") % {"phone": bar.phone_masked})
    return redirect("appointments:staff-bookings", code=hall.code)


@login_required
def bookings_export(request: HttpRequest, code: str) -> HttpResponse:
    """The day's bookings as CSV (masked phones), for the desk's list or a manager's records."""
    hall, _user = _staff_hall(request, code, BOOKING_ROLES)
    try:
        day = dt.date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        day = clock.local_today(hall.time_zone)
    zone = ZoneInfo(hall.time_zone)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="bookings-{hall.code}-{day.isoformat()}.csv"'
    response.write("\ufeff")  # Excel opens UTF-8 with a byte-order mark
    writer = csv.writer(response)
    writer.writerow([_("Time"), _("Code"), _("Service"), _("Phone"), _("Status"), _("Channel"), _("Number")])
    for booking in bookings_of_day(hall=hall, day=day):
        writer.writerow(
            [
                booking.starts_at.astimezone(zone).strftime("%H:%M"),
                booking.code,
                booking.service.name,
                booking.phone_masked,
                booking.get_status_display(),
                booking.get_channel_display(),
                booking.ticket.number if booking.ticket else "",
            ]
        )
    return response


def _int(raw: str, default: int, *, low: int, high: int) -> int:
    try:
        value = int(raw)
    except ValueError:
        return default
    return min(max(value, low), high)


@login_required
def staffing_page(request: HttpRequest, code: str) -> HttpResponse:
    """The forecast's suggested windows per weekday hour beside the adopted plan; adopt with one button.
    The slot plans (slot length, windows, service time, capacity) are edited here too."""
    hall, user = _staff_hall(request, code, MANAGER_ROLES)
    services = list(Service.objects.filter(hall=hall, is_active=True).order_by("position", "code"))
    forecast = hall_forecast(hall=hall, days=7)
    if request.method == "POST":
        try:
            _staffing_post(request, hall, user, services, forecast)
        except DomainError as error:
            messages.error(request, error.message)
        return redirect("appointments:staffing", code=hall.code)
    adopted = {
        (row.service_id, row.weekday, row.hour): row.windows for row in StaffingPlan.objects.filter(hall=hall)
    }
    by_service = {service.code: service for service in services}
    table: list[dict[str, Any]] = []
    for row in forecast.rows:
        service = by_service[row.service_code]
        table.append(
            {
                "row": row,
                "service": service,
                "adopted": adopted.get((service.pk, row.day.weekday(), row.hour)),
                "wait": row.wait.minutes if row.wait.minutes < 1e6 else None,
            }
        )
    totals: dict[tuple[dt.date, int], list[int]] = {}
    for entry in table:
        key = (entry["row"].day, entry["row"].hour)
        cell = totals.setdefault(key, [0, 0])
        cell[0] += entry["row"].suggested_windows
        cell[1] += entry["row"].windows
    context = {
        "hall": hall,
        "forecast": forecast,
        "table": table,
        "totals": sorted(totals.items()),
        "plans": [slot_plan_for(service) for service in services],
        "heatmap": heatmap(forecast),
    }
    return render(request, "appointments/staffing.html", context)


def _staffing_post(
    request: HttpRequest, hall: Hall, user: User, services: list[Service], forecast: Any
) -> None:
    if request.POST.get("adopt"):
        plan: dict[tuple[str, int, int], int] = {}
        for row in forecast.rows:
            key = (row.service_code, row.day.weekday(), row.hour)
            plan[key] = max(plan.get(key, 0), row.suggested_windows)
        count = staffing_adopt(hall=hall, plan=plan, actor=user)
        messages.success(request, _("The staffing plan is adopted for %(count)d hours.") % {"count": count})
        return
    plan_id = _int(request.POST.get("plan", ""), 0, low=0, high=2**31)
    slot_plan = SlotPlan.objects.filter(pk=plan_id, hall=hall).first()
    if slot_plan is None:
        raise Http404(_("No such plan."))
    capacity_raw = request.POST.get("capacity_override", "").strip()
    slot_plan_update(
        plan=slot_plan,
        actor=user,
        is_bookable=request.POST.get("is_bookable") == "on",
        slot_minutes=_int(request.POST.get("slot_minutes", ""), slot_plan.slot_minutes, low=5, high=240),
        windows=_int(request.POST.get("windows", ""), slot_plan.windows, low=0, high=50),
        service_minutes=_int(
            request.POST.get("service_minutes", ""), slot_plan.service_minutes, low=1, high=240
        ),
        capacity_override=_int(capacity_raw, 0, low=0, high=500) if capacity_raw else None,
    )
    messages.success(request, _("The slot plan is saved."))


__all__ = ["Booking"]
