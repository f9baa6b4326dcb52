"""What the competition's pages share: the signed-in staff user, the round, the cities, redirects."""

from __future__ import annotations

import uuid

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect

from minxin.accounts.models import User
from minxin.competition import selectors
from minxin.competition.models import (
    Assignment,
    Round,
)
from minxin.orgs.models import Region, Unit

CATEGORIES = Unit.FlagCategory


def _staff(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def _round(round_id: uuid.UUID) -> Round:
    return get_object_or_404(Round.objects.select_related("region", "rubric"), public_id=round_id)


def _cities() -> list[Region]:
    return list(Region.objects.filter(level=Region.Level.CITY).order_by("path"))


def _ancestors(path: str) -> list[str]:
    return [path[: i + 1] for i, char in enumerate(path) if char == "/"]


def _redirect_back(request: HttpRequest, fallback: str) -> HttpResponse:
    return redirect(request.POST.get("next") or fallback)


def _may_see_unit_score(user: User, round: Round, unit: Unit) -> tuple[bool, bool, bool, bool]:
    officer = selectors.officer_may_run(user=user, region=round.region)
    assessor = Assignment.objects.filter(round=round, unit=unit, assessor=user).exists()
    own = selectors.is_unit_staff(user=user, unit=unit)
    region_assessor = selectors.assessor_may_work_in(user=user, region=round.region)
    if not (officer or assessor or own or region_assessor):
        raise PermissionDenied
    return officer and not own, assessor and not own, own, region_assessor
