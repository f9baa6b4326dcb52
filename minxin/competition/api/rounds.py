"""Rounds: open, compute, freeze, assign assessors, inspections."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Literal

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Schema, Status
from pydantic import Field

from minxin.accounts.api_auth import request_user, staff_auth
from minxin.accounts.models import User
from minxin.competition.api.base import Category, round_or_404, router
from minxin.competition.models import Round, Rubric
from minxin.competition.selectors import may_see_round
from minxin.competition.services.evidence import FindingData, inspection_submit
from minxin.competition.services.rounds import round_assign, round_compute, round_freeze, round_open
from minxin.core.errors import InvalidInput, NotFound
from minxin.orgs.models import Region, Unit


class RoundIn(Schema):
    rubric: uuid.UUID
    region: str = Field(min_length=1, max_length=12, description="Region code (GB/T 2260)")
    category: Category
    period_start: dt.date
    period_end: dt.date


class RoundOut(Schema):
    id: uuid.UUID
    rubric: uuid.UUID
    region: str
    region_name: str
    category: str
    period_start: dt.date
    period_end: dt.date
    status: str
    computed_at: dt.datetime | None
    frozen_at: dt.datetime | None
    scores: str
    page: str

    @staticmethod
    def of(round: Round) -> RoundOut:
        return RoundOut(
            id=round.public_id,
            rubric=round.rubric.public_id,
            region=round.region.code,
            region_name=round.region.name,
            category=round.category,
            period_start=round.period_start,
            period_end=round.period_end,
            status=round.status,
            computed_at=round.computed_at,
            frozen_at=round.frozen_at,
            scores=reverse("api:round_scores_api", args=[round.public_id]),
            page=reverse("competition:round", args=[round.public_id]),
        )


@router.post("/rounds", response={201: RoundOut}, auth=staff_auth, summary="Open a round (campaign officer)")
def round_open_api(request: HttpRequest, payload: RoundIn) -> Status[RoundOut]:
    region = Region.objects.filter(code=payload.region).first()
    if region is None:
        raise InvalidInput(_("No region with this code."), code="unknown_region", details={"field": "region"})
    round = round_open(
        officer=request_user(request),
        rubric=_rubric_in(payload.rubric),
        region=region,
        category=payload.category,
        period_start=payload.period_start,
        period_end=payload.period_end,
    )
    return Status(201, RoundOut.of(round))


def _rubric_in(rubric_id: uuid.UUID) -> Rubric:
    rubric = Rubric.objects.filter(public_id=rubric_id).first()
    if rubric is None:
        raise InvalidInput(_("No such rubric."), code="unknown_rubric", details={"field": "rubric"})
    return rubric


@router.get("/rounds/{round_id}", response=RoundOut, auth=staff_auth, summary="A round")
def round_detail_api(request: HttpRequest, round_id: uuid.UUID) -> RoundOut:
    round = round_or_404(round_id)
    if not may_see_round(user=request_user(request), round=round):
        raise NotFound(_("No such round."), code="round_not_found")
    return RoundOut.of(round)


class ComputeOut(RoundOut):
    units: int


@router.post("/rounds/{round_id}/compute", response=ComputeOut, auth=staff_auth, summary="Compute the scores")
def round_compute_api(request: HttpRequest, round_id: uuid.UUID) -> ComputeOut:
    round = round_or_404(round_id)
    units = round_compute(officer=request_user(request), round=round)
    return ComputeOut(**RoundOut.of(round).dict(), units=units)


@router.post(
    "/rounds/{round_id}/freeze", response=RoundOut, auth=staff_auth, summary="Freeze and award flags"
)
def round_freeze_api(request: HttpRequest, round_id: uuid.UUID) -> RoundOut:
    round = round_or_404(round_id)
    return RoundOut.of(round_freeze(officer=request_user(request), round=round))


class AssignmentIn(Schema):
    unit: int
    assessor: str = Field(min_length=1, max_length=150, description="The assessor's user name")


class AssignmentOut(Schema):
    unit: int
    assessor: str


@router.post(
    "/rounds/{round_id}/assignments",
    response={201: AssignmentOut},
    auth=staff_auth,
    summary="Assign an assessor to a unit",
)
def round_assign_api(
    request: HttpRequest, round_id: uuid.UUID, payload: AssignmentIn
) -> Status[AssignmentOut]:
    round = round_or_404(round_id)
    unit = Unit.objects.filter(pk=payload.unit).select_related("region").first()
    assessor = User.objects.filter(username=payload.assessor, is_active=True).first()
    if unit is None:
        raise InvalidInput(_("No such unit."), code="unknown_unit", details={"field": "unit"})
    if assessor is None:
        raise InvalidInput(_("No such user."), code="unknown_user", details={"field": "assessor"})
    round_assign(officer=request_user(request), round=round, unit=unit, assessor=assessor)
    return Status(201, AssignmentOut(unit=unit.pk, assessor=assessor.username))


class FindingIn(Schema):
    indicator: str = Field(min_length=1, max_length=32)
    deduction: Decimal | None = Field(
        None,
        ge=0,
        max_digits=5,
        decimal_places=2,
        description="Points taken off; the indicator's default when left out",
    )
    note: str = Field("", max_length=500)


class InspectionIn(Schema):
    unit: int
    findings: list[FindingIn] = Field(max_length=200)
    kind: Literal["announced", "unannounced"] = "unannounced"
    note: str = Field("", max_length=2000)
    latitude: Decimal | None = Field(None, ge=-90, le=90)
    longitude: Decimal | None = Field(None, ge=-180, le=180)
    accuracy: int | None = Field(None, ge=0)


class FindingOut(Schema):
    indicator: str
    deduction: Decimal
    note: str


class InspectionOut(Schema):
    id: uuid.UUID
    unit: int
    kind: str
    submitted_at: dt.datetime
    findings: list[FindingOut]


@router.post(
    "/rounds/{round_id}/inspections",
    response={201: InspectionOut},
    auth=staff_auth,
    summary="Record an inspection (assigned assessor)",
)
def inspection_submit_api(
    request: HttpRequest, round_id: uuid.UUID, payload: InspectionIn
) -> Status[InspectionOut]:
    round = round_or_404(round_id)
    unit = Unit.objects.filter(pk=payload.unit).select_related("region").first()
    if unit is None:
        raise InvalidInput(_("No such unit."), code="unknown_unit", details={"field": "unit"})
    inspection = inspection_submit(
        assessor=request_user(request),
        round=round,
        unit=unit,
        findings=[FindingData(f.indicator, f.deduction, f.note) for f in payload.findings],
        kind=payload.kind,
        note=payload.note,
        latitude=payload.latitude,
        longitude=payload.longitude,
        accuracy=payload.accuracy,
    )
    return Status(
        201,
        InspectionOut(
            id=inspection.public_id,
            unit=unit.pk,
            kind=inspection.kind,
            submitted_at=inspection.submitted_at,
            findings=[
                FindingOut(indicator=f.indicator.code, deduction=f.deduction, note=f.note)
                for f in inspection.findings.select_related("indicator")
            ],
        ),
    )
