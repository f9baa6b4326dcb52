from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from minxin.accounts.models import Role, User
from minxin.core import clock
from minxin.core.errors import Forbidden, NotFound
from minxin.core.memo import memo
from minxin.core.models import CalendarDay
from minxin.orgs.models import Hall, OpeningHours, Region, StaffMembership

HALL_CODE_MAX_LENGTH = Hall._meta.get_field("code").max_length or 64


def hall_get(*, code: str) -> Hall | None:
    """The open hall with this code; cached per process for half a minute (every request needs it).
    A code longer than any hall's is not looked up at all."""
    if len(code) > HALL_CODE_MAX_LENGTH:
        return None

    def load() -> Hall | None:
        return Hall.objects.select_related("unit__region").filter(code=code, is_active=True).first()

    return memo(("hall", code), 30, load)


def hall_list(*, query: str = "", region_code: str = "") -> QuerySet[Hall]:
    halls = Hall.objects.filter(is_active=True).select_related("unit__region")
    if query:
        halls = halls.filter(
            Q(name__icontains=query) | Q(address__icontains=query) | Q(unit__region__name__icontains=query)
        )
    if region_code:
        region = Region.objects.filter(code=region_code).first()
        halls = halls.filter(unit__region__path__startswith=region.path) if region else halls.none()
    # By region code, then name: the official order of cities, which is also stable across collations.
    return halls.order_by("unit__region__path", "name")


def memberships_of(user: User) -> list[StaffMembership]:
    if not user.is_authenticated:
        return []
    return list(
        StaffMembership.objects.filter(user=user).select_related(
            "region", "unit__region", "hall__unit__region"
        )
    )


def roles_of_user(user: User) -> frozenset[str]:
    """Every role `user` holds, in any scope (for the second sign-in factor's rule)."""
    return frozenset(StaffMembership.objects.filter(user_id=user.pk).values_list("role", flat=True))


def staff_roles_in_hall(*, user: User, hall: Hall) -> set[str]:
    """Every role `user` holds that reaches `hall`: in the hall itself, in its unit, in a region above it,
    or everywhere (system admin). Cached per process for half a minute and dropped when memberships
    change here; a disabled account holds none."""
    if not user.is_authenticated or not user.is_active:
        return set()
    region_path = hall.unit.region.path
    ancestors = [region_path[: i + 1] for i, char in enumerate(region_path) if char == "/"]

    def load() -> frozenset[str]:
        rows = StaffMembership.objects.filter(user_id=user.pk).filter(
            Q(role=Role.SYSTEM_ADMIN) | Q(hall=hall) | Q(unit_id=hall.unit_id) | Q(region__path__in=ancestors)
        )
        return frozenset(rows.values_list("role", flat=True))

    return set(memo(("staff-roles", user.pk, hall.pk), 30, load))


def staff_may_act_in_hall(*, user: User, hall: Hall, roles: Iterable[str]) -> bool:
    held = staff_roles_in_hall(user=user, hall=hall)
    return Role.SYSTEM_ADMIN in held or bool(held & set(roles))


def halls_for_staff(*, user: User, roles: Iterable[str] | None = None) -> QuerySet[Hall]:
    """The halls in which `user` holds any of `roles` (any role when None), through any scope."""
    memberships = StaffMembership.objects.filter(user=user)
    if roles is not None:
        memberships = memberships.filter(Q(role__in=list(roles)) | Q(role=Role.SYSTEM_ADMIN))
    if memberships.filter(role=Role.SYSTEM_ADMIN).exists():
        return Hall.objects.filter(is_active=True).select_related("unit__region")
    condition = Q(pk__in=memberships.filter(hall__isnull=False).values("hall"))
    condition |= Q(unit__in=memberships.filter(unit__isnull=False).values("unit"))
    for path in memberships.filter(region__isnull=False).values_list("region__path", flat=True):
        condition |= Q(unit__region__path__startswith=path)
    return Hall.objects.filter(condition, is_active=True).select_related("unit__region").order_by("name")


def hall_is_open(*, hall: Hall, at: dt.datetime | None = None) -> bool:
    """Whether the hall is open at `at` (now by default), in its own time zone: its weekly hours, minus
    its closures and the public holidays of the working-day calendar; on a make-up working day (调休)
    that falls on a weekend it keeps ordinary working-day (Monday) hours."""
    local = (at or clock.now()).astimezone(ZoneInfo(hall.time_zone))
    day = local.date()
    if hall.closures.filter(date=day).exists():
        return False
    exception = CalendarDay.objects.filter(date=day).values_list("is_working_day", flat=True).first()
    if exception is False:
        return False
    weekday = 0 if exception is True and local.weekday() >= 5 else local.weekday()
    clock_time = local.time()
    return hall.opening_hours.filter(weekday=weekday, opens__lte=clock_time, closes__gt=clock_time).exists()


def opening_hours_by_day(*, hall: Hall) -> list[tuple[str, list[tuple[dt.time, dt.time]]]]:
    """The week as (weekday name, [(opens, closes), …]) from Monday to Sunday; closed days get []."""
    periods: dict[int, list[tuple[dt.time, dt.time]]] = {day: [] for day in range(7)}
    for row in hall.opening_hours.order_by("weekday", "opens"):
        periods[row.weekday].append((row.opens, row.closes))
    return [(str(OpeningHours.Weekday(day).label), periods[day]) for day in range(7)]


class HallNotFound(NotFound, Http404):
    """No open hall with that code: the API answers 404 hall_not_found, a page Django's 404."""

    code = "hall_not_found"


class HallOutOfScope(Forbidden, PermissionDenied):
    """The hall exists but the user holds none of the roles asked for there: the API answers 403
    out_of_scope, a page Django's 403."""

    code = "out_of_scope"


def hall_for(
    *,
    code: str,
    user: object = None,
    roles: Iterable[str] | None = None,
    refusal: str | Promise | None = None,
) -> Hall:
    """This hall, if you may: the open hall with `code` (else HallNotFound), and with `roles` only for
    a `user` holding one of them there (else HallOutOfScope, with `refusal` as its message). The one
    way pages and API operations of every app look a hall up: in this order, so an unknown code is a
    404 for everyone and a hall outside one's scope a 403."""
    hall = hall_get(code=code)
    if hall is None:
        raise HallNotFound(_("No hall with the code %(code)s.") % {"code": code})
    if roles is not None and not (
        isinstance(user, User) and staff_may_act_in_hall(user=user, hall=hall, roles=roles)
    ):
        raise HallOutOfScope(refusal or _("You may not act in this hall."))
    return hall
