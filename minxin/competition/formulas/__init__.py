"""The registry of platform formulas: named, documented, tested measures of a unit over a round's period,
each computed for every unit of the round at once by one grouped statement (`sql.py`).

A formula returns, per unit that has data, its value (a Decimal, rounded to 4 places half-up) and the
inputs it came from, so the review shows how each number was made. A unit without data (no hall, no
numbers in the period) is absent: its indicator falls back to the indicator's `fallback` method.
"""

from minxin.competition.formulas import cases, queue, ratings  # noqa: F401 - each registers its formulas
from minxin.competition.formulas.base import (
    DEFAULT_ZONE,
    REGISTRY,
    VALUE_PLACES,
    Formula,
    Measure,
    Results,
    Scope,
    formula_choices,
    quantize,
    register,
    share,
)

__all__ = [
    "DEFAULT_ZONE",
    "REGISTRY",
    "VALUE_PLACES",
    "Formula",
    "Measure",
    "Results",
    "Scope",
    "formula_choices",
    "quantize",
    "register",
    "share",
]
