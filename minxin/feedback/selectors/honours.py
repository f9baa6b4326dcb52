"""Honours: the hall's current stars and red flags, and the public roll of model workers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from minxin.core import clock
from minxin.feedback.models import (
    Honour,
    HonourKind,
    Nomination,
)
from minxin.orgs.models import Hall, Region


def current_honours(*, hall: Hall, on: dt.date | None = None) -> list[Honour]:
    """The confirmed honours of the latest month that has any, up to `on` (today in the hall)."""
    today = on or clock.local_today(hall.time_zone)
    confirmed = Honour.objects.filter(hall=hall, status=Honour.Status.CONFIRMED, month__lte=today)
    latest = confirmed.order_by("-month").values_list("month", flat=True).first()
    if latest is None:
        return []
    return list(confirmed.filter(month=latest).select_related("clerk", "window").order_by("kind", "rank"))


def star_clerk_ids(*, hall: Hall) -> set[int]:
    return {
        honour.clerk_id
        for honour in current_honours(hall=hall)
        if honour.kind == HonourKind.SERVICE_STAR and honour.clerk_id is not None
    }


def honour_roll(*, region: Region | None = None) -> dict[str, Any]:
    """The public roll: approved model workers (newest year first) and the halls' current honours."""
    nominations = Nomination.objects.filter(status=Nomination.Status.APPROVED).select_related(
        "nominee", "unit", "hall"
    )
    halls = (
        Hall.objects.filter(is_active=True)
        .select_related("unit__region")
        .order_by("unit__region__path", "name")
    )
    if region is not None:
        nominations = nominations.filter(region__path__startswith=region.path)
        halls = halls.filter(unit__region__path__startswith=region.path)
    hall_honours = [(hall, honours) for hall in halls if (honours := current_honours(hall=hall))]
    return {
        "model_workers": list(nominations.order_by("-year", "nominee__display_name")),
        "halls": hall_honours,
    }
