"""The queue's formulas, one grouped statement each over every unit of a round (same figures on SQLite
and PostgreSQL): called within 15 minutes (inclusive), wait p90 by nearest rank, no-show share, crowded
queue-days."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from minxin.competition.formulas import REGISTRY, Scope

from .conftest import tickets

D = Decimal
NOV = (dt.date(2026, 11, 1), dt.date(2026, 11, 30))


def measure(name: str, region_path: str = "130000/") -> dict[int, Any]:
    return REGISTRY[name].compute(Scope(region_path, "administration", *NOV))


def test_called_within_15_minutes_counts_15_itself(contest: Any) -> None:
    tickets(contest.cast.hall, dt.date(2026, 11, 3), [0, 14, 15, 16, None])
    result = measure("queue_called_within_15")
    assert result[contest.qhd.pk].value == D("0.7500")
    assert result[contest.qhd.pk].inputs == {"called": 4, "called_within_15": 3}
    assert contest.sjz.pk not in result  # no numbers: no data, the indicator falls back


def test_wait_p90_is_the_nearest_rank(contest: Any) -> None:
    tickets(contest.cast.hall, dt.date(2026, 11, 3), list(range(1, 11)))  # 1..10 minutes
    tickets(contest.cast.other_hall, dt.date(2026, 11, 4), [3, 7, 30])
    result = measure("queue_wait_p90")
    assert result[contest.qhd.pk].value == D("9.0000")  # rank ceil(0.9 × 10) = 9
    assert result[contest.sjz.pk].value == D("30.0000")  # rank ceil(2.7) = 3
    assert result[contest.qhd.pk].inputs == {"called": 10, "p90_seconds": "540.000"}


def test_no_show_share_is_of_the_numbers_called(contest: Any) -> None:
    tickets(contest.cast.hall, dt.date(2026, 11, 3), [1, 2, 3, 4, None], no_show=1)
    assert measure("queue_no_show_share")[contest.qhd.pk].value == D("0.2500")


def test_crowded_queue_days_follow_the_halls_crowd_rule(contest: Any) -> None:
    from minxin.queueing.models import QueueRules

    QueueRules.objects.create(hall=contest.cast.hall, crowd_alert_waiting=3)
    tickets(contest.cast.hall, dt.date(2026, 11, 3), [10, 20, 30, 40])  # 4 waiting at once: crowded
    tickets(contest.cast.hall, dt.date(2026, 11, 4), [10, 20, 30])  # 3: not more than the limit
    result = measure("queue_crowded_days")[contest.qhd.pk]
    assert result.inputs == {"queue_days": 2, "crowded_queue_days": 1}
    assert result.value == D("0.5000")


def test_formulas_keep_to_the_rounds_region_and_period(contest: Any) -> None:
    tickets(contest.cast.hall, dt.date(2026, 10, 31), [1])
    tickets(contest.cast.other_hall, dt.date(2026, 11, 2), [1])
    result = measure("queue_called_within_15", "130000/130100/")
    assert set(result) == {contest.sjz.pk}


def test_every_formula_is_documented(contest: Any) -> None:
    for formula in REGISTRY.values():
        assert str(formula.label)
        assert len(str(formula.definition)) > 15
        assert formula.better in ("higher", "lower")
