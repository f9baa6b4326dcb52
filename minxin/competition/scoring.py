"""The scoring rules, as pure functions over Decimals (no database), so hand-computed fixtures can check
them line by line. The order: veto items first (a vetoed unit is not scored or ranked); each indicator's
base from its method; its deductions, capped at the indicator's points; times its weight; bonus
indicators summed and capped at the rubric's bonus cap; total = indicator points + bonus; ranking in
sql.RANK_ROUND. Every figure is rounded half-up to 0.01 per indicator; sums are exact."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from minxin.competition.formulas import Measure
from minxin.core.errors import InvalidInput

POINTS = Decimal("0.01")
ZERO = Decimal(0)
ONE = Decimal(1)


def q(value: Decimal) -> Decimal:
    return value.quantize(POINTS, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class IndicatorSpec:
    code: str
    dimension: str
    points: Decimal
    weight: Decimal
    is_bonus: bool
    method: str
    formula: str
    bands: dict[str, Any]
    fallback: str
    deduction: Decimal


@dataclass(frozen=True, slots=True)
class Evidence:
    """What a round knows about one unit for one indicator."""

    measure: Measure | None = None
    deductions: Decimal = ZERO
    findings: int = 0
    answers: int = 0
    answer_sum: int = 0
    review: Decimal | None = None


def _decimal(raw: Any, field: str) -> Decimal:
    try:
        value = Decimal(str(raw))
    except (InvalidOperation, ValueError) as error:
        raise InvalidInput(
            f"{field}: not a number", code="invalid_bands", details={"field": field}
        ) from error
    if not value.is_finite():
        raise InvalidInput(f"{field}: not a number", code="invalid_bands", details={"field": field})
    return value


def validate_bands(bands: dict[str, Any]) -> None:
    """Bands are {} (the method's default), {"linear": {"zero": x0, "full": x1}} (share rises linearly
    from 0 at x0 to 1 at x1; x1 < x0 when lower is better), or {"steps": [[bound, share], …],
    "better": "higher"|"lower"} (the first step the value reaches gives its share, else 0)."""
    if not bands:
        return
    if "linear" in bands:
        zero = _decimal(bands["linear"].get("zero"), "bands.linear.zero")
        full = _decimal(bands["linear"].get("full"), "bands.linear.full")
        if zero == full:
            raise InvalidInput("bands.linear: zero and full must differ", code="invalid_bands")
        return
    if "steps" in bands:
        if bands.get("better") not in ("higher", "lower"):
            raise InvalidInput("bands.better: higher or lower", code="invalid_bands")
        for position, step in enumerate(bands["steps"]):
            _decimal(step[0], f"bands.steps[{position}].bound")
            step_share = _decimal(step[1], f"bands.steps[{position}].share")
            if not ZERO <= step_share <= ONE:
                raise InvalidInput("bands.steps: a share lies in [0, 1]", code="invalid_bands")
        return
    raise InvalidInput("bands: linear or steps", code="invalid_bands")


def band_share(bands: dict[str, Any], value: Decimal) -> Decimal:
    """The share of an indicator's points that `value` earns under `bands` (validated)."""
    if "linear" in bands:
        zero = Decimal(str(bands["linear"]["zero"]))
        full = Decimal(str(bands["linear"]["full"]))
        return min(max((value - zero) / (full - zero), ZERO), ONE)
    higher = bands.get("better") == "higher"
    for bound, step_share in bands["steps"]:
        bound_value = Decimal(str(bound))
        if (value >= bound_value) if higher else (value <= bound_value):
            return Decimal(str(step_share))
    return ZERO


QUESTIONNAIRE_DEFAULT = {"linear": {"zero": "1", "full": "5"}}


def indicator_score(spec: IndicatorSpec, evidence: Evidence) -> dict[str, Any]:
    """One indicator's line of the breakdown: the method used, its value and inputs, the base, the
    deductions applied (capped at the indicator's points) and the points (× weight)."""
    method = spec.method
    line: dict[str, Any] = {}
    if method == "formula" and evidence.measure is None:
        line["no_data"] = True
        method = spec.fallback or "inspection"
    if method == "formula":
        assert evidence.measure is not None
        line["value"] = str(evidence.measure.value)
        line["inputs"] = evidence.measure.inputs
        base = spec.points * band_share(spec.bands, evidence.measure.value)
    elif method == "questionnaire":
        if evidence.answers:
            mean = Decimal(evidence.answer_sum) / Decimal(evidence.answers)
            line["value"] = str(q(mean))
            line["inputs"] = {"answers": evidence.answers, "sum": evidence.answer_sum}
            base = spec.points * band_share(spec.bands or QUESTIONNAIRE_DEFAULT, mean)
        else:
            line["no_answers"] = True
            base = spec.points
    elif method == "document":
        if evidence.review is None:
            line["not_reviewed"] = True
            base = ZERO
        else:
            base = min(evidence.review, spec.points)
            line["value"] = str(base)
    else:
        base = spec.points
    base = q(base)
    applied = min(evidence.deductions, spec.points)
    points = q(max(base - applied, ZERO) * spec.weight)
    line.update(
        method=method,
        base=str(base),
        findings=evidence.findings,
        deductions=str(q(applied)),
        points=str(points),
    )
    return line


@dataclass(frozen=True, slots=True)
class UnitResult:
    standard: Decimal
    bonus: Decimal
    deductions: Decimal
    total: Decimal
    breakdown: dict[str, Any]


def unit_score(
    specs: list[IndicatorSpec], evidence: dict[str, Evidence], *, bonus_cap: Decimal
) -> UnitResult:
    """A unit's total over every indicator; bonus capped; the per-dimension sums in the breakdown."""
    lines: dict[str, Any] = {}
    dimensions: dict[str, Decimal] = {}
    standard = bonus = deductions = ZERO
    for spec in specs:
        line = indicator_score(spec, evidence.get(spec.code, Evidence()))
        lines[spec.code] = line
        points = Decimal(line["points"])
        deductions += Decimal(line["deductions"])
        if spec.is_bonus:
            bonus += points
        else:
            standard += points
            dimensions[spec.dimension] = dimensions.get(spec.dimension, ZERO) + points
    bonus_raw = bonus
    bonus = min(bonus, bonus_cap)
    breakdown = {
        "indicators": lines,
        "dimensions": {code: str(value) for code, value in dimensions.items()},
        "bonus_claimed": str(bonus_raw),
    }
    return UnitResult(standard, bonus, deductions, standard + bonus, breakdown)
