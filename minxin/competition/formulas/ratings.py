"""Formulas over the ratings (docs/feedback.md)."""

from __future__ import annotations

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


def _ratings(scope: Scope) -> dict[int, dict[str, int]]:
    rows = _grouped(scope, "ratings", sql.ratings_stats)
    names = ("scored", "satisfied", "rectifications", "rectified_on_time")
    return {unit: dict(zip(names, (int(v or 0) for v in row), strict=True)) for unit, row in rows.items()}


def _satisfaction(scope: Scope) -> Results:
    return {
        unit: Measure(
            share(row["satisfied"], row["scored"]), {"scored": row["scored"], "satisfied": row["satisfied"]}
        )
        for unit, row in _ratings(scope).items()
        if row["scored"]
    }


def _rectified_on_time(scope: Scope) -> Results:
    return {
        unit: Measure(
            share(row["rectified_on_time"], row["rectifications"]),
            {"bad_reviews": row["rectifications"], "rectified_on_time": row["rectified_on_time"]},
        )
        for unit, row in _ratings(scope).items()
        if row["rectifications"]
    }


def _attitude(scope: Scope) -> Results:
    rows = _grouped(scope, "attitude", sql.ratings_attitude)
    return {
        unit: Measure(
            quantize(Decimal(1) - Decimal(int(bad or 0)) / Decimal(int(scored))),
            {"scored": int(scored), "bad_for_attitude": int(bad or 0)},
        )
        for unit, (scored, bad) in rows.items()
        if scored
    }


def _stars(scope: Scope) -> Results:
    rows = _grouped(scope, "stars", lambda: sql.HONOURED_STARS)
    return {
        unit: Measure(Decimal(int(stars)), {"service_stars": int(stars)}) for unit, (stars,) in rows.items()
    }


register(
    Formula(
        name="ratings_satisfaction",
        label=_("Satisfaction rate"),
        definition=_(
            "Share of the ratings of the period counted in scores (an upheld appeal removes one) that are "
            "at least the satisfied level (FEEDBACK_SATISFIED_MIN_SCORE, 3 = fairly satisfied by default)."
        ),
        unit="share",
        better="higher",
        compute=_satisfaction,
    )
)
register(
    Formula(
        name="ratings_attitude",
        label=_("Attitude ratings"),
        definition=_(
            "1 − the share of the period's scored ratings that are bad (dissatisfied or very dissatisfied) "
            "and tick the service-attitude indicator."
        ),
        unit="share",
        better="higher",
        compute=_attitude,
    )
)
register(
    Formula(
        name="ratings_rectified_on_time",
        label=_("Bad reviews rectified on time"),
        definition=_(
            "Share of the bad reviews of the period whose rectification loop closed as rectified without "
            "passing a step's deadline."
        ),
        unit="share",
        better="higher",
        compute=_rectified_on_time,
    )
)
register(
    Formula(
        name="ratings_service_stars",
        label=_("Model workers (service stars)"),
        definition=_(
            "Number of the unit's clerks confirmed as monthly service stars for the months of the period."
        ),
        unit="count",
        better="higher",
        compute=_stars,
    )
)
