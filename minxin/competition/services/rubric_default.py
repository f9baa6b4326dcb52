"""The default 三比三看 rubric: its dimensions, indicators and bands, and the veto items."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from minxin.competition.models import Method
from minxin.competition.services.rubric_data import DimensionData, IndicatorData

D = Decimal
VETO_ITEMS = [
    ("serious-violation", "领导班子成员发生严重违纪违法问题"),
    ("criminal-case", "干部职工发生刑事案件"),
    ("major-accident", "发生重大安全生产或食品安全责任事故"),
]
INSP, FORM, ASK, DOCS = Method.INSPECTION, Method.FORMULA, Method.QUESTIONNAIRE, Method.DOCUMENT


def default_dimensions() -> list[DimensionData]:
    """三比三看: 比三办 (work attitude), 比三致 (service quality), 比三优 (management), 100 points, each
    indicator tied to the platform's facts where they exist; formulas fall back to inspection for a unit
    without a hall (a law-enforcement bureau)."""
    return [_attitude(), _quality(), _management(), _bonus()]


def _linear(zero: str, full: str) -> dict[str, Any]:
    return {"linear": {"zero": zero, "full": full}}


def _attitude() -> DimensionData:
    satisfied = _linear("0.8", "1")
    within = _linear("0.5", "0.95")
    return DimensionData(
        "attitude",
        "比三办",
        [
            IndicatorData(
                "warm",
                "热情办",
                D(11),
                FORM,
                "服务态度评价：因态度差评的比例",
                "ratings_attitude",
                satisfied,
                ASK,
            ),
            IndicatorData(
                "prompt", "马上办", D(11), FORM, "15分钟内叫号的比例", "queue_called_within_15", within, INSP
            ),
            IndicatorData(
                "well", "办得好", D(11), FORM, "好差评满意率", "ratings_satisfaction", satisfied, ASK
            ),
        ],
    )


def _quality() -> DimensionData:
    correction = _linear("0.3", "0.05")
    on_time = _linear("0.8", "1")
    zero_trip = _linear("0", "0.5")
    return DimensionData(
        "quality",
        "比三致",
        [
            IndicatorData(
                "careful",
                "确保细致",
                D(11),
                FORM,
                "一次性告知（补正）率，越低越好",
                "cases_correction_rate",
                correction,
                INSP,
            ),
            IndicatorData("refined", "力求精致", D(11), FORM, "按时办结率", "cases_on_time", on_time, DOCS),
            IndicatorData(
                "utmost", "追求极致", D(11), FORM, "零跑腿办件比例", "cases_zero_trip", zero_trip, DOCS
            ),
        ],
    )


def _management() -> DimensionData:
    p90 = _linear("60", "15")
    crowd = {"steps": [["0", "1"], ["0.05", "0.8"], ["0.1", "0.5"], ["0.2", "0.2"]], "better": "lower"}
    return DimensionData(
        "management",
        "比三优",
        [
            IndicatorData(
                "order-wait",
                "秩序优（等候）",
                D(6),
                FORM,
                "九成群众等候不超过的分钟数",
                "queue_wait_p90",
                p90,
                INSP,
            ),
            IndicatorData(
                "order-crowd",
                "秩序优（拥挤预警）",
                D(6),
                FORM,
                "出现拥挤预警的队列日比例",
                "queue_crowded_days",
                crowd,
                INSP,
            ),
            IndicatorData("environment", "环境优", D(11), INSP, "环境整洁，设施完好，标识清楚"),
            IndicatorData("culture", "文化优", D(11), INSP, "文明宣传，志愿服务，文化氛围"),
        ],
    )


def _bonus() -> DimensionData:
    stars = {"steps": [["3", "1"], ["2", "0.6"], ["1", "0.4"]], "better": "higher"}
    return DimensionData(
        "bonus",
        "加分项",
        [
            IndicatorData("innovation", "特色创新", D(5), DOCS, "特色做法获上级推广", is_bonus=True),
            IndicatorData(
                "honours",
                "先进典型",
                D(5),
                FORM,
                "岗位标兵、服务明星",
                "ratings_service_stars",
                stars,
                DOCS,
                is_bonus=True,
            ),
        ],
    )
