"""Slots: the bookable periods of a service, made from the hall's opening hours on its working days.

Rows are made on first look for a day (one INSERT … ON CONFLICT DO NOTHING, so two requests making
the same day's slots at once are harmless) and keep their capacity until a manager changes it.
"""

from __future__ import annotations

import datetime as dt
import math
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils.translation import gettext as _

from minxin.accounts.models import User
from minxin.appointments.models import Slot, SlotPlan, StaffingPlan
from minxin.core import clock
from minxin.core.audit import audit_record
from minxin.core.errors import InvalidInput, NotFound
from minxin.core.memo import memo
from minxin.core.models import CalendarDay
from minxin.core.workdays import exceptions_between, is_working_day
from minxin.orgs.models import Hall
from minxin.queueing.models import Service


def slot_plan_for(service: Service) -> SlotPlan:
    """The service's slot plan, made with the defaults the first time it is asked for."""
    plan, _created = SlotPlan.objects.get_or_create(
        service=service,
        defaults={"hall_id": service.hall_id, "slot_minutes": settings.APPOINTMENTS_SLOT_MINUTES},
    )
    return plan


def slot_capacity(*, windows: int, slot_minutes: int, service_minutes: int) -> int:
    """Seats in one slot: what the windows can serve in it, less the share kept for walk-ins (rounded
    down, so the walk-ins keep at least their share)."""
    servable = windows * slot_minutes / service_minutes
    return max(math.floor(servable * (100 - settings.APPOINTMENTS_WALK_IN_SHARE_PERCENT) / 100), 0)


def hall_periods(hall: Hall, day: dt.date) -> list[tuple[dt.time, dt.time]]:
    """The hall's opening periods on `day`: none on a closure or a public holiday; a make-up working
    day (调休) on a weekend keeps Monday's hours, as `orgs.selectors.hall_is_open` does."""
    if hall.closures.filter(date=day).exists():
        return []
    exception = CalendarDay.objects.filter(date=day).values_list("is_working_day", flat=True).first()
    if exception is False:
        return []
    weekday = 0 if exception is True and day.weekday() >= 5 else day.weekday()
    return [(row.opens, row.closes) for row in hall.opening_hours.filter(weekday=weekday).order_by("opens")]


def bookable_days(hall: Hall) -> list[dt.date]:
    """Today and the next working days up to the horizon (Xiamen: 5 working days), open days only.
    Worked out once a minute per process and hall (every booking asks), and again at once when the
    hall's hours, closures or the calendar change here."""
    today = clock.local_today(hall.time_zone)
    return list(memo(("appt-days", hall.pk, today), 60, lambda: _bookable_days(hall, today)))


def _bookable_days(hall: Hall, today: dt.date) -> list[dt.date]:
    horizon = settings.APPOINTMENTS_HORIZON_WORKING_DAYS
    # Lenient on purpose: a year whose holiday arrangement is not loaded yet counts Monday–Friday (a
    # booking page must not fail on the first days of January); closures still close the hall.
    table = exceptions_between(today, today + dt.timedelta(days=horizon * 3 + 30))
    days, counted, day = [], 0, today
    while counted <= horizon:
        if is_working_day(day, table):
            if hall_periods(hall, day):
                days.append(day)
            counted += 1
        elif day == today:
            counted += 1  # a rest day is day 0 of the count
        day += dt.timedelta(days=1)
    return days


def _planned_windows(plan: SlotPlan, weekday: int) -> dict[int, int]:
    rows = StaffingPlan.objects.filter(service_id=plan.service_id, weekday=weekday).values_list(
        "hour", "windows"
    )
    return dict(rows)


def _slot_rows(hall: Hall, service: Service, day: dt.date) -> list[Slot]:
    plan = slot_plan_for(service)
    zone = ZoneInfo(hall.time_zone)
    by_hour = _planned_windows(plan, day.weekday())
    rows = []
    length = dt.timedelta(minutes=plan.slot_minutes)
    for opens, closes in hall_periods(hall, day):
        start = dt.datetime.combine(day, opens, tzinfo=zone)
        end_of_period = dt.datetime.combine(day, closes, tzinfo=zone)
        while start + length <= end_of_period:
            windows = by_hour.get(start.hour, plan.windows)
            capacity = plan.capacity_override
            if capacity is None:
                capacity = slot_capacity(
                    windows=windows, slot_minutes=plan.slot_minutes, service_minutes=plan.service_minutes
                )
            rows.append(
                Slot(
                    hall=hall,
                    service=service,
                    service_date=day,
                    starts_at=start.astimezone(dt.UTC),
                    ends_at=(start + length).astimezone(dt.UTC),
                    capacity=capacity,
                )
            )
            start += length
    return rows


def slots_for_day(*, hall: Hall, service: Service, day: dt.date) -> list[Slot]:
    """The service's slots on `day` (made on first look), in time order. Outside the horizon: none."""
    slots = list(Slot.objects.filter(service=service, service_date=day).order_by("starts_at"))
    if slots or day not in bookable_days(hall):
        return slots
    plan = slot_plan_for(service)
    if not plan.is_bookable:
        return []
    Slot.objects.bulk_create(_slot_rows(hall, service, day), ignore_conflicts=True)
    return list(Slot.objects.filter(service=service, service_date=day).order_by("starts_at"))


def bookable_service(*, hall: Hall, code: str) -> Service:
    service = Service.objects.select_related("queue").filter(hall=hall, code=code, is_active=True).first()
    if service is None:
        raise NotFound(_("This hall offers no service %(code)s.") % {"code": code}, code="service_not_found")
    return service


def bookable_services(hall: Hall) -> list[Service]:
    """The hall's active services that take bookings (a service without a plan yet is bookable)."""
    services = (
        Service.objects.filter(hall=hall, is_active=True).select_related("slot_plan").order_by("position")
    )
    result = []
    for service in services:
        plan = getattr(service, "slot_plan", None)
        if plan is None or plan.is_bookable:
            result.append(service)
    return result


def slot_plan_update(
    *,
    plan: SlotPlan,
    actor: User,
    is_bookable: bool,
    slot_minutes: int,
    windows: int,
    service_minutes: int,
    capacity_override: int | None,
) -> SlotPlan:
    """Change how a service is booked. Slots already made keep their times; the future ones of today
    and later take the new capacity, but never less than they have booked."""
    if slot_minutes < 5 or slot_minutes > 240:
        raise InvalidInput(_("A slot lasts 5 to 240 minutes."), details={"field": "slot_minutes"})
    if service_minutes < 1:
        raise InvalidInput(_("The service time is at least a minute."), details={"field": "service_minutes"})
    with transaction.atomic():
        plan.is_bookable, plan.slot_minutes, plan.windows = is_bookable, slot_minutes, windows
        plan.service_minutes, plan.capacity_override = service_minutes, capacity_override
        plan.save(
            update_fields=["is_bookable", "slot_minutes", "windows", "service_minutes", "capacity_override"]
        )
        capacity = capacity_override
        if capacity is None:
            capacity = slot_capacity(
                windows=windows, slot_minutes=slot_minutes, service_minutes=service_minutes
            )
        Slot.objects.filter(service_id=plan.service_id, starts_at__gt=clock.now()).update(
            capacity=Greatest(F("booked"), capacity)
        )
        audit_record(actor=actor, action="appointments.slot_plan_update", target=plan)
    return plan


def slot_set_capacity(*, slot: Slot, capacity: int, actor: User) -> Slot:
    """Set one slot's capacity; never below the seats already booked (the check constraint agrees)."""
    if capacity < 0 or capacity > 500:
        raise InvalidInput(_("Enter a capacity from 0 to 500."), details={"field": "capacity"})
    with transaction.atomic():
        Slot.objects.filter(pk=slot.pk).update(capacity=Greatest(F("booked"), capacity))
        slot.refresh_from_db()
        audit_record(
            actor=actor, action="appointments.slot_capacity", target=slot, details={"capacity": capacity}
        )
    return slot
