"""Rubrics as data: create a version with its dimensions, indicators and veto items; the default
三比三看 rubric; a new version from a frozen one. A frozen version (used by a round) is never edited."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max

from minxin.competition.formulas import REGISTRY
from minxin.competition.models import Dimension, Indicator, Method, Rubric, VetoItem
from minxin.competition.scoring import validate_bands
from minxin.competition.services.rubric_data import DimensionData, IndicatorData
from minxin.competition.services.rubric_default import VETO_ITEMS, default_dimensions
from minxin.core import clock
from minxin.core.errors import Conflict, InvalidInput


def _check_indicator(data: IndicatorData) -> None:
    if data.method not in Method.values:
        raise InvalidInput(f"method: {data.method}", code="invalid_method", details={"field": "method"})
    if data.method == Method.FORMULA and data.formula not in REGISTRY:
        raise InvalidInput(f"formula: {data.formula}", code="unknown_formula", details={"field": "formula"})
    if data.fallback and data.fallback not in (Method.INSPECTION, Method.QUESTIONNAIRE, Method.DOCUMENT):
        raise InvalidInput(f"fallback: {data.fallback}", code="invalid_method", details={"field": "fallback"})
    validate_bands(data.bands)


@transaction.atomic
def rubric_create(
    *,
    code: str,
    name: str,
    category: str,
    dimensions: list[DimensionData],
    veto_items: list[tuple[str, str]],
    base_points: Decimal = Decimal(100),
    bonus_cap: Decimal = Decimal(10),
) -> Rubric:
    """A new version of the rubric `code` (version 1 for a new code). Standard indicators must add up to
    `base_points` after weights, so every rubric is read on the same scale."""
    _check_dimensions(dimensions, base_points)
    version = (Rubric.objects.filter(code=code).aggregate(top=Max("version"))["top"] or 0) + 1
    try:
        rubric = Rubric.objects.create(
            code=code,
            version=version,
            name=name,
            category=category,
            base_points=base_points,
            bonus_cap=bonus_cap,
            created_at=clock.now(),
        )
    except IntegrityError as error:  # two editors saving a new version at once
        raise Conflict("Another version was saved at the same time.", code="rubric_version_taken") from error
    _dimensions_create(rubric, dimensions)
    VetoItem.objects.bulk_create(VetoItem(rubric=rubric, code=c, name=n) for c, n in veto_items)
    return rubric


def _check_dimensions(dimensions: list[DimensionData], base_points: Decimal) -> None:
    for dimension in dimensions:
        for indicator in dimension.indicators:
            _check_indicator(indicator)
    standard = sum(
        (i.points * i.weight for d in dimensions for i in d.indicators if not i.is_bonus), Decimal(0)
    )
    if standard != base_points:
        raise InvalidInput(
            f"indicator points add up to {standard}, not {base_points}",
            code="points_do_not_add_up",
            details={"field": "dimensions", "sum": str(standard)},
        )


def _dimensions_create(rubric: Rubric, dimensions: list[DimensionData]) -> None:
    for d_position, dimension in enumerate(dimensions):
        row = Dimension.objects.create(
            rubric=rubric, code=dimension.code, name=dimension.name, position=d_position
        )
        Indicator.objects.bulk_create(
            Indicator(
                rubric=rubric,
                dimension=row,
                position=i_position,
                code=i.code,
                name=i.name,
                description=i.description,
                points=i.points,
                weight=i.weight,
                is_bonus=i.is_bonus,
                method=i.method,
                formula=i.formula,
                bands=i.bands,
                fallback=i.fallback,
                deduction=i.deduction,
            )
            for i_position, i in enumerate(dimension.indicators)
        )


def rubric_freeze(*, rubric: Rubric) -> None:
    """Mark the version as used (a round scores with it); a conditional update, once."""
    Rubric.objects.filter(pk=rubric.pk, frozen_at__isnull=True).update(frozen_at=clock.now())


def rubric_indicator_set_bands(*, indicator: Indicator, bands: dict[str, Any]) -> Indicator:
    """Change an indicator's bands, only while its rubric version is not frozen."""
    validate_bands(bands)
    changed = Indicator.objects.filter(pk=indicator.pk, rubric__frozen_at__isnull=True).update(bands=bands)
    if not changed:
        raise Conflict("This rubric version is frozen by a round; save a new version.", code="rubric_frozen")
    indicator.bands = bands
    return indicator


def rubric_default_create(*, category: str) -> Rubric:
    names = {"administration": "文明行政", "enforcement": "文明执法", "service": "文明服务"}
    return rubric_create(
        code=f"sanbi-{category}",
        name=f"三比三看测评细则（{names.get(category, category)}）",
        category=category,
        dimensions=default_dimensions(),
        veto_items=VETO_ITEMS,
    )


__all__ = [
    "VETO_ITEMS",
    "DimensionData",
    "IndicatorData",
    "default_dimensions",
    "rubric_create",
    "rubric_default_create",
    "rubric_freeze",
    "rubric_indicator_set_bands",
]
