"""The staff home's cases panel: where each role works with cases, supervision notices, and the
warning that the working-day calendar runs out (60 days ahead by default)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _

from minxin.accounts.models import Role, User
from minxin.cases.selectors import staff_notices
from minxin.core import clock
from minxin.core.portal import Panel
from minxin.core.workdays import calendar_covered_until
from minxin.orgs.models import StaffMembership
from minxin.orgs.selectors import halls_for_staff

CASE_ROLES = [Role.WINDOW_CLERK, Role.DEPARTMENT_OFFICER, Role.HALL_MANAGER, Role.CITY_OFFICE]


def calendar_warning(*, today: dt.date) -> dict[str, Any] | None:
    """None while the loaded calendar covers more than CASES_CALENDAR_WARNING_DAYS from today."""
    until = calendar_covered_until(today=today)
    days = int(settings.CASES_CALENDAR_WARNING_DAYS)
    if until is not None and (until - today).days > days:
        return None
    return {"until": until, "next_year": (until.year + 1) if until else today.year}


def cases_panel(request: HttpRequest) -> Panel | None:
    user = request.user
    if not isinstance(user, User):
        return None
    halls = list(halls_for_staff(user=user, roles=CASE_ROLES)[:20])
    if not halls and not user.is_superuser:
        return None
    roles = set(StaffMembership.objects.filter(user=user).values_list("role", flat=True))
    today = clock.local_today(settings.TIME_ZONE)
    return Panel(
        title=_("Cases"),
        template="cases/panels/cases.html",
        context={
            "halls": halls,
            "clerk": bool(roles & {Role.WINDOW_CLERK, Role.HALL_MANAGER, Role.SYSTEM_ADMIN}),
            "officer": bool(roles & {Role.DEPARTMENT_OFFICER, Role.HALL_MANAGER, Role.SYSTEM_ADMIN}),
            "supervisor": bool(roles & {Role.HALL_MANAGER, Role.CITY_OFFICE, Role.SYSTEM_ADMIN}),
            "notices": staff_notices(user=user, limit=5),
            "calendar": calendar_warning(today=today),
            "admin": user.is_staff,
        },
        order=20,
    )
