"""Formulas over the cases (docs/cases.md)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from minxin.competition import sql
from minxin.competition.formulas.base import (
    Formula,
    Measure,
    Results,
    Scope,
    _grouped,
    quantize,
    register,
    share,
)


def _cases(scope: Scope) -> dict[int, tuple[int, ...]]:
    rows = _grouped(scope, "cases", sql.cases_stats)
    return {unit: tuple(int(value or 0) for value in row) for unit, row in rows.items()}


CASE_FIELDS = (
    "decided",
    "on_time",
    "used",
    "promised",
    "completed",
    "one_visit",
    "zero_trip",
    "received",
    "correction",
)


def _case_share(part: str, whole: str) -> Callable[[Scope], Results]:
    def compute(scope: Scope) -> Results:
        result = {}
        for unit, row in _cases(scope).items():
            figures = dict(zip(CASE_FIELDS, row, strict=True))
            if figures[whole]:
                result[unit] = Measure(
                    share(figures[part], figures[whole]), {whole: figures[whole], part: figures[part]}
                )
        return result

    return compute


def _speed_up(scope: Scope) -> Results:
    result = {}
    for unit, row in _cases(scope).items():
        figures = dict(zip(CASE_FIELDS, row, strict=True))
        if figures["promised"]:
            value = quantize(Decimal(1) - Decimal(figures["used"]) / Decimal(figures["promised"]))
            result[unit] = Measure(
                value, {"promised_days": figures["promised"], "days_used": figures["used"]}
            )
    return result


register(
    Formula(
        name="cases_on_time",
        label=_("Cases decided on time"),
        definition=_(
            "Share of the cases decided in the period (local date of the decision) that were decided on or "
            "before their promised date."
        ),
        unit="share",
        better="higher",
        compute=_case_share("on_time", "decided"),
    )
)
register(
    Formula(
        name="cases_speed_up",
        label=_("Actual speed-up"),
        definition=_(
            "1 − working days used ÷ working days promised, over the cases decided in the period whose item "
            "has a promised time (suspensions excluded from the days used)."
        ),
        unit="share",
        better="higher",
        compute=_speed_up,
    )
)
register(
    Formula(
        name="cases_correction_rate",
        label=_("Correction-notice rate"),
        definition=_(
            "Share of the cases received in the period that got a one-time correction notice at intake "
            "instead of being accepted."
        ),
        unit="share",
        better="lower",
        compute=_case_share("correction", "received"),
    )
)
register(
    Formula(
        name="cases_zero_trip",
        label=_("Zero-trip share"),
        definition=_(
            "Share of the cases completed in the period for which the applicant never came to the hall "
            "(trips made = 0)."
        ),
        unit="share",
        better="higher",
        compute=_case_share("zero_trip", "completed"),
    )
)
register(
    Formula(
        name="cases_one_visit",
        label=_("One-visit rate"),
        definition=_(
            "Share of the cases completed in the period with at most one trip to the hall (最多跑一次)."
        ),
        unit="share",
        better="higher",
        compute=_case_share("one_visit", "completed"),
    )
)
