"""The competition API (one ninja Router, mounted under /api/v1/ by minxin.api)."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from minxin.accounts.api_auth import request_user, staff_auth
from minxin.accounts.models import User
from minxin.competition.formulas import REGISTRY
from minxin.competition.models import FlagAward, Indicator, Round, Rubric, UnitScore
from minxin.competition.selectors import current_holders, may_see_round, round_scores
from minxin.competition.services.evidence import FindingData, inspection_submit
from minxin.competition.services.rounds import round_assign, round_compute, round_freeze, round_open
from minxin.core.errors import Forbidden, InvalidInput, NotFound
from minxin.orgs.models import Region, Unit

router = Router(tags=["competition"])
Category = Literal["administration", "enforcement", "service"]


class IndicatorOut(Schema):
    code: str
    name: str
    description: str
    points: Decimal
    weight: Decimal
    is_bonus: bool
    method: str
    formula: str
    formula_definition: str
    bands: dict[str, Any]
    fallback: str
    deduction_per_finding: Decimal

    @staticmethod
    def of(indicator: Indicator) -> IndicatorOut:
        formula = REGISTRY.get(indicator.formula)
        return IndicatorOut(
            code=indicator.code,
            name=indicator.name,
            description=indicator.description,
            points=indicator.points,
            weight=indicator.weight,
            is_bonus=indicator.is_bonus,
            method=indicator.method,
            formula=indicator.formula,
            formula_definition=str(formula.definition) if formula else "",
            bands=indicator.bands,
            fallback=indicator.fallback,
            deduction_per_finding=indicator.deduction,
        )


class DimensionOut(Schema):
    code: str
    name: str
    indicators: list[IndicatorOut]


class RubricOut(Schema):
    id: uuid.UUID
    code: str
    version: int
    name: str
    category: str
    base_points: Decimal
    bonus_cap: Decimal
    frozen: bool

    @staticmethod
    def of(rubric: Rubric) -> RubricOut:
        return RubricOut(
            id=rubric.public_id,
            code=rubric.code,
            version=rubric.version,
            name=rubric.name,
            category=rubric.category,
            base_points=rubric.base_points,
            bonus_cap=rubric.bonus_cap,
            frozen=rubric.frozen_at is not None,
        )


class VetoItemOut(Schema):
    code: str
    name: str


class RubricTreeOut(RubricOut):
    veto_items: list[VetoItemOut]
    dimensions: list[DimensionOut]


@router.get("/rubrics", response=list[RubricOut], summary="Rubric versions")
def rubric_list_api(request: HttpRequest) -> list[RubricOut]:
    return [RubricOut.of(rubric) for rubric in Rubric.objects.order_by("code", "-version")]


def _rubric(rubric_id: uuid.UUID) -> Rubric:
    rubric = Rubric.objects.filter(public_id=rubric_id).first()
    if rubric is None:
        raise NotFound(_("No such rubric."), code="rubric_not_found")
    return rubric


@router.get(
    "/rubrics/{rubric_id}", response=RubricTreeOut, summary="A rubric: dimensions, indicators, methods"
)
def rubric_detail_api(request: HttpRequest, rubric_id: uuid.UUID) -> RubricTreeOut:
    rubric = _rubric(rubric_id)
    indicators = list(rubric.indicators.select_related("dimension"))
    return RubricTreeOut(
        **RubricOut.of(rubric).dict(),
        veto_items=[VetoItemOut(code=v.code, name=v.name) for v in rubric.veto_items.all()],
        dimensions=[
            DimensionOut(
                code=d.code,
                name=d.name,
                indicators=[IndicatorOut.of(i) for i in indicators if i.dimension_id == d.pk],
            )
            for d in rubric.dimensions.all()
        ],
    )


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


def round_or_404(round_id: uuid.UUID) -> Round:
    round = Round.objects.select_related("region", "rubric").filter(public_id=round_id).first()
    if round is None:
        raise NotFound(_("No such round."), code="round_not_found")
    return round


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


class ScoreLineOut(Schema):
    indicator: str
    name: str
    dimension: str
    method: str
    value: str | None
    inputs: dict[str, Any] | None
    base: Decimal
    findings: int
    deductions: Decimal
    points: Decimal
    note: str


class UnitScoreOut(Schema):
    unit: int
    unit_name: str
    region: str
    vetoed: bool
    veto_reasons: list[str]
    total: Decimal | None
    standard_points: Decimal
    bonus_points: Decimal
    deductions: Decimal
    rank: int | None
    dimensions: dict[str, Decimal]
    indicators: list[ScoreLineOut]
    evidence: str


class ScoresOut(Schema):
    round: RoundOut
    tie_breaks: list[str]
    count: int
    units: list[UnitScoreOut]


TIE_BREAKS = ["total desc", "standard_points desc", "deductions asc", "equal on all three: shared rank"]


def _line(code: str, line: dict[str, Any], indicators: dict[str, Indicator]) -> ScoreLineOut:
    indicator = indicators[code]
    note = " ".join(flag for flag in ("no_data", "no_answers", "not_reviewed") if line.get(flag))
    return ScoreLineOut(
        indicator=code,
        name=indicator.name,
        dimension=indicator.dimension.code,
        method=line["method"],
        value=line.get("value"),
        inputs=line.get("inputs"),
        base=Decimal(line["base"]),
        findings=line["findings"],
        deductions=Decimal(line["deductions"]),
        points=Decimal(line["points"]),
        note=note,
    )


def unit_score_out(score: UnitScore, indicators: dict[str, Indicator]) -> UnitScoreOut:
    lines = score.breakdown.get("indicators", {})
    return UnitScoreOut(
        unit=score.unit_id,
        unit_name=score.unit.name,
        region=score.unit.region.code,
        vetoed=score.vetoed,
        veto_reasons=score.veto_reasons,
        total=score.total,
        standard_points=score.standard_points,
        bonus_points=score.bonus_points,
        deductions=score.deductions,
        rank=score.rank,
        dimensions={k: Decimal(v) for k, v in score.breakdown.get("dimensions", {}).items()},
        indicators=[_line(code, lines[code], indicators) for code in indicators if code in lines],
        evidence=reverse("competition:unit-score", args=[score.round.public_id, score.unit_id]),
    )


class Page(Schema):
    limit: int = Field(1000, ge=1, le=5000)
    offset: int = Field(0, ge=0)


@router.get(
    "/rounds/{round_id}/scores",
    response=ScoresOut,
    auth=staff_auth,
    url_name="round_scores_api",
    summary="Scores per unit: total, dimensions, indicators with inputs, veto, rank",
)
def round_scores_api(request: HttpRequest, round_id: uuid.UUID, page: Query[Page]) -> ScoresOut:
    round = round_or_404(round_id)
    if not may_see_round(user=request_user(request), round=round):
        raise Forbidden(_("Scores are published when the round is frozen."), code="scores_not_published")
    indicators = {i.code: i for i in round.rubric.indicators.select_related("dimension")}
    scores = round_scores(round=round)
    rows = [unit_score_out(s, indicators) for s in scores[page.offset : page.offset + page.limit]]
    return ScoresOut(round=RoundOut.of(round), tie_breaks=TIE_BREAKS, count=scores.count(), units=rows)


class HolderOut(Schema):
    id: uuid.UUID
    colour: str
    unit: int
    unit_name: str
    city: str
    rank: int
    total: Decimal
    reason: str
    since: dt.date
    certificate: str
    history: str

    @staticmethod
    def of(award: FlagAward) -> HolderOut:
        return HolderOut(
            id=award.public_id,
            colour=award.colour,
            unit=award.unit_id,
            unit_name=award.unit.name,
            city=award.unit.region.name,
            rank=award.rank,
            total=award.total,
            reason=award.reason,
            since=award.round.period_start,
            certificate=reverse("competition:certificate", args=[award.public_id]),
            history=reverse("competition:unit", args=[award.unit_id]),
        )


class FlagsOut(Schema):
    region: str
    region_name: str
    category: str
    round: uuid.UUID
    period_start: dt.date
    period_end: dt.date
    red: list[HolderOut]
    black: list[HolderOut]


class FlagFilter(Schema):
    region: str = Field("", max_length=12)
    category: Category | Literal[""] = ""


@router.get("/flags", response=list[FlagsOut], summary="Current flag holders (public)")
def flags_api(request: HttpRequest, filters: Query[FlagFilter]) -> list[FlagsOut]:
    region = None
    if filters.region:
        region = Region.objects.filter(code=filters.region).first()
        if region is None:
            raise InvalidInput(
                _("No region with this code."), code="unknown_region", details={"field": "region"}
            )
    return [
        FlagsOut(
            region=h.round.region.code,
            region_name=h.round.region.name,
            category=h.round.category,
            round=h.round.public_id,
            period_start=h.round.period_start,
            period_end=h.round.period_end,
            red=[HolderOut.of(a) for a in h.red],
            black=[HolderOut.of(a) for a in h.black],
        )
        for h in current_holders(region=region, category=filters.category)
    ]
