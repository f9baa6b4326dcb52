"""The staffing plan a manager adopts from the forecast's suggestion (or edits by hand)."""

from __future__ import annotations

from django.db import transaction

from minxin.accounts.models import User
from minxin.appointments.models import StaffingPlan
from minxin.core import clock
from minxin.core.audit import audit_record
from minxin.orgs.models import Hall
from minxin.queueing.models import Service


def staffing_adopt(*, hall: Hall, plan: dict[tuple[str, int, int], int], actor: User) -> int:
    """Adopt windows per (service code, weekday, hour): one row each, replacing the earlier choice.
    Slots made later and the predicted waits use it. Returns how many hours were set."""
    services = {service.code: service for service in Service.objects.filter(hall=hall)}
    now = clock.now()
    count = 0
    with transaction.atomic():
        for (code, weekday, hour), windows in plan.items():
            service = services.get(code)
            if service is None or not (0 <= weekday <= 6 and 0 <= hour <= 23):
                continue
            StaffingPlan.objects.update_or_create(
                service=service,
                weekday=weekday,
                hour=hour,
                defaults={"hall": hall, "windows": max(windows, 0), "adopted_at": now, "adopted_by": actor},
            )
            count += 1
        audit_record(actor=actor, action="appointments.staffing_adopt", details={"hours": count})
    from minxin.appointments.selectors import forecast_forget

    forecast_forget(hall)
    return count
