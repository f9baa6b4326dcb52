"""Rubric versions and their trees."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Schema

from minxin.competition.api.base import router
from minxin.competition.formulas import REGISTRY
from minxin.competition.models import Indicator, Rubric
from minxin.core.errors import NotFound


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
