"""The bad-review loop's lists: what a member of staff may see, and the public disclosure."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from minxin.accounts.models import Role, User
from minxin.feedback.models import (
    OPEN_STATUSES,
    Rectification,
)
from minxin.orgs.models import Hall, Region, StaffMembership


def rectifications_for(
    *, user: User, hall: Hall | None = None, status: str = "", escalated: bool = False
) -> QuerySet[Rectification]:
    """The bad reviews `user` may see: a hall's (managers, clerks see their own), a department's
    (officers), a region's (the city office); optionally one hall, one status, the escalated ones."""
    memberships = StaffMembership.objects.filter(user=user)
    rows = Rectification.objects.select_related(
        "rating__window", "rating__clerk", "hall", "department", "appeal"
    ).order_by("-opened_at")
    if not memberships.filter(role=Role.SYSTEM_ADMIN).exists():
        scope = Q(hall__in=memberships.filter(role=Role.HALL_MANAGER, hall__isnull=False).values("hall"))
        scope |= Q(department__officers=user)
        scope |= Q(rating__clerk=user)
        for path in memberships.filter(role=Role.CITY_OFFICE, region__isnull=False).values_list(
            "region__path", flat=True
        ):
            scope |= Q(hall__unit__region__path__startswith=path)
        rows = rows.filter(scope).distinct()
    if hall is not None:
        rows = rows.filter(hall=hall)
    if status == "open":
        rows = rows.filter(status__in=OPEN_STATUSES)
    elif status:
        rows = rows.filter(status=status)
    if escalated:
        rows = rows.filter(late=True)
    return rows


def disclosure_bad_reviews(
    *, date_from: dt.date, date_to: dt.date, hall: Hall | None = None, region: Region | None = None
) -> QuerySet[Rectification]:
    """The bad reviews of a period for the public page (shown masked), with their status and reply."""
    rows = Rectification.objects.filter(
        rating__service_date__gte=date_from, rating__service_date__lte=date_to
    ).select_related("rating__window", "rating__department", "hall", "appeal")
    if hall is not None:
        rows = rows.filter(hall=hall)
    if region is not None:
        rows = rows.filter(hall__unit__region__path__startswith=region.path)
    return rows.order_by("-opened_at")
