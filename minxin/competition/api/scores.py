"""A round's scores, each platform indicator with its inputs."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Query, Schema
from pydantic import Field

from minxin.accounts.api_auth import request_user, staff_auth
from minxin.competition.api.base import round_or_404, router
from minxin.competition.api.rounds import RoundOut
from minxin.competition.models import Indicator, UnitScore
from minxin.competition.selectors import may_see_round, round_scores
from minxin.core.errors import Forbidden


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
