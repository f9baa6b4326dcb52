from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from minxin.accounts.models import User
from minxin.core.audit import audit_record
from minxin.core.errors import InvalidInput
from minxin.orgs.models import Hall, HallClosure, OpeningHours, Region, StaffMembership, Unit
from minxin.orgs.reveal import PHONE_REVEAL_ROLES, RevealReason, citizen_phone_reveal  # noqa: F401 - re-exported


def _check_zone(zone: str) -> None:
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(
            _("%(zone)s is not a known time zone.") % {"zone": zone}, details={"field": "time_zone"}
        ) from None


def region_create(*, code: str, name: str, level: str, parent: Region | None = None) -> Region:
    """Create a region under `parent`; its path is the parent's path plus its own code."""
    region = Region(code=code, name=name, level=level, parent=parent)
    region.path = f"{parent.path if parent else ''}{code}/"
    region.full_clean()
    region.save()
    return region


def unit_create(
    *, name: str, kind: str, flag_category: str, region: Region, time_zone: str = "Asia/Shanghai"
) -> Unit:
    _check_zone(time_zone)
    unit = Unit(name=name, kind=kind, flag_category=flag_category, region=region, time_zone=time_zone)
    unit.full_clean()
    unit.save()
    return unit


def hall_create(
    *, code: str, name: str, unit: Unit, address: str = "", phone: str = "", time_zone: str | None = None
) -> Hall:
    zone = time_zone or unit.time_zone
    _check_zone(zone)
    hall = Hall(code=code, name=name, unit=unit, address=address, phone=phone, time_zone=zone)
    hall.full_clean()
    hall.save()
    return hall


def hall_set_opening_hours(
    *, hall: Hall, periods: Iterable[tuple[int, dt.time, dt.time]]
) -> list[OpeningHours]:
    """Replace the hall's weekly hours with `periods` (weekday 0 = Monday, opens, closes)."""
    rows = [
        OpeningHours(hall=hall, weekday=weekday, opens=opens, closes=closes)
        for weekday, opens, closes in periods
    ]
    for row in rows:
        row.full_clean(exclude=["hall"], validate_unique=False, validate_constraints=False)
        if row.opens >= row.closes:
            raise InvalidInput(_("A period must open before it closes."), details={"field": "periods"})
    with transaction.atomic():
        OpeningHours.objects.filter(hall=hall).delete()
        return OpeningHours.objects.bulk_create(rows)


def hall_closure_add(*, hall: Hall, date: dt.date, reason: str = "") -> HallClosure:
    closure, _created = HallClosure.objects.get_or_create(hall=hall, date=date, defaults={"reason": reason})
    return closure


def membership_grant(
    *,
    user: User,
    role: str,
    region: Region | None = None,
    unit: Unit | None = None,
    hall: Hall | None = None,
    actor: User | None = None,
) -> StaffMembership:
    """Give `user` a role in one scope. The database refuses a scope that does not fit the role."""
    membership = StaffMembership(user=user, role=role, region=region, unit=unit, hall=hall)
    membership.full_clean()
    with transaction.atomic():
        membership.save()
        audit_record(
            actor=actor,
            action="membership.granted",
            target=membership,
            details={"user": user.username, "role": role},
        )
    return membership


def membership_revoke(
    *, membership: StaffMembership, actor: User, request: HttpRequest | None = None
) -> None:
    """Take a role away, with its audit entry in the same transaction (the admin's delete and bulk
    delete come through here too). `request` only adds where the action came from to the entry."""
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="membership.revoked",
            target=membership,
            details={"user": membership.user.username, "role": membership.role},
            request=request,
        )
        membership.delete()
