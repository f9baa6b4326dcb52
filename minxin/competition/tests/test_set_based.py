"""PostgreSQL computes a round set-based (sql.measures, sql.scoring); SQLite runs the same rules in
Python (scoring.py). On PostgreSQL both paths run over the same facts and must agree to the last digit."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection

from .test_platform_formulas import NOV, cases, rating  # noqa: F401 - the cases fixture
from .test_scoring import computed  # noqa: F401 - the hand-computed round

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the set-based statements are PostgreSQL's"
)


def _rows(round: Any) -> dict[int, tuple[Any, ...]]:
    from minxin.competition.models import UnitScore

    return {
        s.unit_id: (
            s.vetoed,
            s.veto_reasons,
            s.standard_points,
            s.bonus_points,
            s.deductions,
            s.total,
            s.rank,
            s.breakdown,
        )
        for s in UnitScore.objects.filter(round=round)
    }


def test_the_python_path_and_the_statement_agree_on_the_fixture(
    contest: Any,
    computed: Any,  # noqa: F811
) -> None:
    from minxin.competition.models import UnitScore
    from minxin.competition.services.compute import _compute_in_python

    from_sql = _rows(computed)
    UnitScore.objects.filter(round=computed).delete()
    _compute_in_python(computed, computed.computed_at)
    assert _rows(computed) == from_sql
    assert from_sql[contest.qhd.pk][7]["indicators"]["survey"] == {
        "value": "4.33",
        "inputs": {"answers": 3, "sum": 13},
        "method": "questionnaire",
        "base": "33.33",
        "findings": 0,
        "deductions": "0.00",
        "points": "33.33",
    }


def _staged(*names: str) -> dict[tuple[int, str], tuple[Decimal, dict[str, Any]]]:
    from minxin.competition.formulas import Scope
    from minxin.competition.sql import stage_measures, staged_measures

    stage_measures(names, Scope("130000/", "administration", *NOV).params())
    return {
        key: (value, json.loads(inputs) if isinstance(inputs, str) else inputs)
        for key, (value, inputs) in staged_measures().items()
    }


def _python(*names: str) -> dict[tuple[int, str], tuple[Decimal, dict[str, Any]]]:
    from minxin.competition.formulas import REGISTRY, Scope

    scope = Scope("130000/", "administration", *NOV)
    return {
        (unit, name): (m.value, m.inputs)
        for name in names
        for unit, m in REGISTRY[name].compute(scope).items()
    }


def _assert_same(*names: str) -> None:
    staged, python = _staged(*names), _python(*names)
    assert python
    assert staged == python
    assert {k: str(v[0]) for k, v in staged.items()} == {k: str(v[0]) for k, v in python.items()}


def test_every_formula_has_a_staged_projection() -> None:
    from minxin.competition.formulas import REGISTRY
    from minxin.competition.sql import MEASURES

    assert set(MEASURES) == set(REGISTRY)


def test_staged_queue_measures_equal_the_formulas(contest: Any) -> None:
    from .conftest import tickets

    tickets(contest.cast.hall, dt.date(2026, 11, 10), [5, 5, 5, 5, 5, 5, 10, 15, 16, 30, None], no_show=2)
    tickets(contest.cast.other_hall, dt.date(2026, 11, 11), [1] * 25 + [50] * 3)
    _assert_same("queue_called_within_15", "queue_no_show_share", "queue_wait_p90", "queue_crowded_days")


def test_staged_case_measures_equal_the_formulas(contest: Any, cases: list[Any]) -> None:  # noqa: F811
    _assert_same(
        "cases_on_time", "cases_speed_up", "cases_correction_rate", "cases_zero_trip", "cases_one_visit"
    )


def test_staged_rating_measures_equal_the_formulas(contest: Any) -> None:
    for score in (5, 5, 4, 3):
        rating(contest, score)
    rating(contest, 1, ["attitude", "efficiency"])
    rating(contest, 2, ["efficiency"])
    _assert_same(
        "ratings_satisfaction", "ratings_attitude", "ratings_rectified_on_time", "ratings_service_stars"
    )
