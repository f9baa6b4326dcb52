"""The shapes a rubric is written in before it is saved: dimensions of indicators (points, method,
formula, bands, fallback, deduction, weight, bonus)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any


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
