"""Rubrics as data: create a version with its dimensions, indicators and veto items; the default
三比三看 rubric; a new version from a frozen one. A frozen version (used by a round) is never edited."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max

from minxin.competition.formulas import REGISTRY
from minxin.competition.models import Dimension, Indicator, Method, Rubric, VetoItem
from minxin.competition.scoring import validate_bands
from minxin.core import clock
from minxin.core.errors import Conflict, InvalidInput


@dataclass(frozen=True, slots=True)
class IndicatorData:
    code: str
    name: str
    points: Decimal
    method: str
    description: str = ""
    formula: str = ""
    bands: dict[str, Any] = field(default_factory=dict)
    fallback: str = ""
    deduction: Decimal = Decimal(2)
    weight: Decimal = Decimal(1)
    is_bonus: bool = False


@dataclass(frozen=True, slots=True)
class DimensionData:
    code: str
    name: str
    indicators: list[IndicatorData]


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
    VetoItem.objects.bulk_create(VetoItem(rubric=rubric, code=c, name=n) for c, n in veto_items)
    return rubric


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


D = Decimal
VETO_ITEMS = [
    ("serious-violation", "领导班子成员发生严重违纪违法问题"),
    ("criminal-case", "干部职工发生刑事案件"),
    ("major-accident", "发生重大安全生产或食品安全责任事故"),
]


def default_dimensions() -> list[DimensionData]:
    """三比三看: 比三办 (work attitude), 比三致 (service quality), 比三优 (management), 100 points, each
    indicator tied to the platform's facts where they exist; formulas fall back to inspection for a unit
    without a hall (a law-enforcement bureau)."""
    within = {"linear": {"zero": "0.5", "full": "0.95"}}
    p90 = {"linear": {"zero": "60", "full": "15"}}
    crowd = {"steps": [["0", "1"], ["0.05", "0.8"], ["0.1", "0.5"], ["0.2", "0.2"]], "better": "lower"}
    satisfied = {"linear": {"zero": "0.8", "full": "1"}}
    on_time = {"linear": {"zero": "0.8", "full": "1"}}
    correction = {"linear": {"zero": "0.3", "full": "0.05"}}
    zero_trip = {"linear": {"zero": "0", "full": "0.5"}}
    stars = {"steps": [["3", "1"], ["2", "0.6"], ["1", "0.4"]], "better": "higher"}
    insp, form, ask, docs = Method.INSPECTION, Method.FORMULA, Method.QUESTIONNAIRE, Method.DOCUMENT
    return [
        DimensionData(
            "attitude",
            "比三办",
            [
                IndicatorData(
                    "warm",
                    "热情办",
                    D(11),
                    form,
                    "服务态度评价：因态度差评的比例",
                    "ratings_attitude",
                    satisfied,
                    ask,
                ),
                IndicatorData(
                    "prompt",
                    "马上办",
                    D(11),
                    form,
                    "15分钟内叫号的比例",
                    "queue_called_within_15",
                    within,
                    insp,
                ),
                IndicatorData(
                    "well", "办得好", D(11), form, "好差评满意率", "ratings_satisfaction", satisfied, ask
                ),
            ],
        ),
        DimensionData(
            "quality",
            "比三致",
            [
                IndicatorData(
                    "careful",
                    "确保细致",
                    D(11),
                    form,
                    "一次性告知（补正）率，越低越好",
                    "cases_correction_rate",
                    correction,
                    insp,
                ),
                IndicatorData(
                    "refined", "力求精致", D(11), form, "按时办结率", "cases_on_time", on_time, docs
                ),
                IndicatorData(
                    "utmost", "追求极致", D(11), form, "零跑腿办件比例", "cases_zero_trip", zero_trip, docs
                ),
            ],
        ),
        DimensionData(
            "management",
            "比三优",
            [
                IndicatorData(
                    "order-wait",
                    "秩序优（等候）",
                    D(6),
                    form,
                    "九成群众等候不超过的分钟数",
                    "queue_wait_p90",
                    p90,
                    insp,
                ),
                IndicatorData(
                    "order-crowd",
                    "秩序优（拥挤预警）",
                    D(6),
                    form,
                    "出现拥挤预警的队列日比例",
                    "queue_crowded_days",
                    crowd,
                    insp,
                ),
                IndicatorData("environment", "环境优", D(11), insp, "环境整洁，设施完好，标识清楚"),
                IndicatorData("culture", "文化优", D(11), insp, "文明宣传，志愿服务，文化氛围"),
            ],
        ),
        DimensionData(
            "bonus",
            "加分项",
            [
                IndicatorData("innovation", "特色创新", D(5), docs, "特色做法获上级推广", is_bonus=True),
                IndicatorData(
                    "honours",
                    "先进典型",
                    D(5),
                    form,
                    "岗位标兵、服务明星",
                    "ratings_service_stars",
                    stars,
                    docs,
                    is_bonus=True,
                ),
            ],
        ),
    ]


def rubric_default_create(*, category: str) -> Rubric:
    names = {"administration": "文明行政", "enforcement": "文明执法", "service": "文明服务"}
    return rubric_create(
        code=f"sanbi-{category}",
        name=f"三比三看测评细则（{names.get(category, category)}）",
        category=category,
        dimensions=default_dimensions(),
        veto_items=VETO_ITEMS,
    )
