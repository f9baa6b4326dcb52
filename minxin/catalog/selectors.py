from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet

from minxin.accounts.models import Role, User
from minxin.catalog.models import Department, ItemVersion, Material, Window, window_order
from minxin.core import clock
from minxin.core.memo import memo
from minxin.orgs.models import Hall
from minxin.orgs.selectors import staff_roles_in_hall


def current_versions(*, on: dt.date | None = None) -> QuerySet[ItemVersion]:
    """The published version of each item in force on a date (today by default): a version published
    ahead of its start date stays hidden, and the one it replaces stays shown, until that date."""
    day = on or clock.local_today(settings.TIME_ZONE)
    return (
        ItemVersion.objects.filter(status=ItemVersion.Status.PUBLISHED, valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .select_related("item__department__hall")
    )


def item_search(*, query: str = "", hall: Hall | None = None) -> QuerySet[ItemVersion]:
    versions = current_versions().filter(
        item__department__is_active=True, item__department__hall__is_active=True
    )
    if hall is not None:
        versions = versions.filter(item__department__hall=hall)
    for word in query.split():
        versions = versions.filter(
            Q(name__icontains=word)
            | Q(item__code__icontains=word)
            | Q(item__department__name__icontains=word)
        )
    return versions.order_by("item__department__hall__name", "name", "item_id")


def item_guide(*, public_id: str) -> ItemVersion | None:
    """The version in force of an item, with its materials, for the public guide page."""
    return (
        current_versions()
        .filter(item__public_id=public_id)
        .prefetch_related(Prefetch("materials", queryset=Material.objects.order_by("position", "id")))
        .first()
    )


@dataclass(frozen=True, slots=True)
class HallDetail:
    hall: Hall
    departments: Sequence[Department]
    windows: Sequence[Window]
    item_count: int


def hall_detail(*, hall: Hall) -> HallDetail:
    departments = list(
        Department.objects.filter(hall=hall, is_active=True)
        .order_by("name")
        .prefetch_related(Prefetch("items__versions", queryset=current_versions(), to_attr="current"))
    )
    windows = list(
        Window.objects.filter(hall=hall, is_active=True)
        .select_related("department")
        .prefetch_related("items")
        .order_by(*window_order())
    )
    item_count = (
        current_versions().filter(item__department__hall=hall, item__department__is_active=True).count()
    )
    return HallDetail(hall=hall, departments=departments, windows=windows, item_count=item_count)


def windows_for_clerk(*, user: User, hall: Hall) -> QuerySet[Window]:
    """Windows of `hall` where `user` may act as clerk: the ones assigned to them, or every window for a
    hall manager (who covers any window) and for a system administrator."""
    roles = staff_roles_in_hall(user=user, hall=hall)
    windows = (
        Window.objects.filter(hall=hall, is_active=True)
        .select_related("department")
        .order_by(*window_order())
    )
    if roles & {Role.SYSTEM_ADMIN, Role.HALL_MANAGER}:
        return windows
    if Role.WINDOW_CLERK in roles:
        return windows.filter(clerks=user)
    return windows.none()


WINDOW_MEMO = "window"


def window_of_hall(*, hall: Hall, number: str) -> Window | None:
    """The active window `number` of `hall`, with its hall, unit and region; cached per process for half
    a minute (every call-next asks it) and dropped when windows or halls change in this process."""

    def load() -> Window | None:
        return (
            Window.objects.select_related("hall__unit__region")
            .filter(hall=hall, number=number, is_active=True)
            .first()
        )

    return memo((WINDOW_MEMO, hall.pk, number), 30, load)


def window_by_id(window_id: int) -> Window | None:
    """A window by primary key (active or not), cached like `window_of_hall`."""

    def load() -> Window | None:
        return Window.objects.select_related("hall__unit__region").filter(pk=window_id).first()

    return memo((WINDOW_MEMO, "id", window_id), 30, load)


def clerk_may_act_at_window(*, user: User, window: Window) -> bool:
    """Cached per process for half a minute (every call and finish asks it); dropped when windows,
    their clerks or memberships change in this process. A disabled account may act nowhere."""
    if not user.is_authenticated or not user.is_active:
        return False
    return memo(
        ("clerk-window", user.pk, window.pk),
        30,
        lambda: windows_for_clerk(user=user, hall=window.hall).filter(pk=window.pk).exists(),
    )


def departments_for_officer(*, user: User, hall: Hall) -> QuerySet[Department]:
    roles = staff_roles_in_hall(user=user, hall=hall)
    departments = Department.objects.filter(hall=hall, is_active=True).order_by("name")
    if roles & {Role.SYSTEM_ADMIN, Role.HALL_MANAGER}:
        return departments
    if Role.DEPARTMENT_OFFICER in roles:
        return departments.filter(officers=user)
    return departments.none()
