"""The formulas over the cases and the ratings, one grouped statement (or the feedback app's set-based
selector) over every unit of a round, checked against hand-counted facts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine

from minxin.competition.formulas import REGISTRY, Scope

D = Decimal
NOV = (dt.date(2026, 11, 1), dt.date(2026, 11, 30))


def measure(name: str) -> dict[int, Any]:
    return REGISTRY[name].compute(Scope("130000/", "administration", *NOV))


def shanghai(day: int, hour: int = 10, month: int = 11) -> dt.datetime:
    return dt.datetime(2026, month, day, hour - 8, tzinfo=dt.UTC)


@pytest.fixture
def cases(contest: Any) -> list[Any]:
    """Four cases of qhd taken in on 2 November, then placed: decided 10 Nov on time (3 of 10 days),
    decided 20 Nov late (12 days), completed 25 Nov without a trip, and one given a correction notice.
    A fifth case decided on 1 December (local time; 30 Nov 17:00 UTC) is outside the period."""
    from minxin.cases.models import Case
    from minxin.cases.tests.conftest import _licence, all_ok, take_in
    from minxin.core.workdays import calendar_seed

    calendar_seed(first_year=2026, last_year=2026)
    version = _licence(contest.cast)
    with time_machine.travel(shanghai(2), tick=False):
        rows = [take_in(contest.cast, version, materials=all_ok(version)) for _ in range(5)]
    due = dt.date(2026, 11, 15)
    Case.objects.filter(pk=rows[0].pk).update(decided_at=shanghai(10), promised_due=due, handling_days=3)
    Case.objects.filter(pk=rows[1].pk).update(decided_at=shanghai(20), promised_due=due, handling_days=12)
    Case.objects.filter(pk=rows[2].pk).update(completed_at=shanghai(25), trips_made=0)
    Case.objects.filter(pk=rows[3].pk).update(outcome="correct")
    Case.objects.filter(pk=rows[4].pk).update(
        decided_at=dt.datetime(2026, 11, 30, 17, tzinfo=dt.UTC), promised_due=due, handling_days=20
    )
    return rows


def test_cases_on_time_and_speed_up(contest: Any, cases: list[Any]) -> None:
    on_time = measure("cases_on_time")[contest.qhd.pk]
    assert on_time.inputs == {"decided": 2, "on_time": 1}
    assert on_time.value == D("0.5000")
    speed = measure("cases_speed_up")[contest.qhd.pk]
    assert speed.inputs == {"promised_days": 20, "days_used": 15}
    assert speed.value == D("0.2500")


def test_cases_correction_zero_trip_and_one_visit(contest: Any, cases: list[Any]) -> None:
    assert measure("cases_correction_rate")[contest.qhd.pk].value == D("0.2000")  # 1 of 5 received
    assert measure("cases_zero_trip")[contest.qhd.pk].value == D("1.0000")
    assert measure("cases_one_visit")[contest.qhd.pk].inputs == {"completed": 1, "one_visit": 1}
    assert contest.sjz.pk not in measure("cases_on_time")


def rating(contest: Any, score: int, indicators: list[str] | None = None, **extra: Any) -> Any:
    """A rating of a new ticket of qhd served on 5 November."""
    from minxin.feedback.models import Rating
    from minxin.queueing.models import Ticket

    from .conftest import tickets

    hall = contest.cast.hall
    tickets(hall, dt.date(2026, 11, 5), [5])
    ticket = Ticket.objects.filter(hall=hall).order_by("-id").first()
    return Rating.objects.create(
        ticket=ticket,
        hall=hall,
        unit=hall.unit,
        region=hall.unit.region,
        service_date=dt.date(2026, 11, 5),
        service_name="x",
        score=score,
        indicators=indicators or [],
        channel="device",
        rated_at=shanghai(5),
        **extra,
    )


def test_satisfaction_and_attitude_ratings(contest: Any) -> None:
    for score in (5, 5, 4, 3):
        rating(contest, score)
    rating(contest, 1, ["attitude", "efficiency"])
    rating(contest, 2, ["efficiency"])
    rating(contest, 1, ["attitude"], excluded_at=shanghai(6))  # an upheld appeal: out of the scores
    satisfaction = measure("ratings_satisfaction")[contest.qhd.pk]
    assert satisfaction.inputs == {"scored": 6, "satisfied": 4}
    assert satisfaction.value == D("0.6667")
    attitude = measure("ratings_attitude")[contest.qhd.pk]
    assert attitude.inputs == {"scored": 6, "bad_for_attitude": 1}
    assert attitude.value == D("0.8333")


def test_service_stars_count_confirmed_model_workers(contest: Any) -> None:
    from minxin.feedback.models import Honour

    for clerk, status in ((contest.cast.bob, "confirmed"), (contest.cast.alice, "proposed")):
        Honour.objects.create(
            kind="service_star",
            hall=contest.cast.hall,
            month=dt.date(2026, 11, 1),
            clerk=clerk,
            status=status,
            proposed_at=shanghai(30),
        )
    assert measure("ratings_service_stars")[contest.qhd.pk].value == D(1)
