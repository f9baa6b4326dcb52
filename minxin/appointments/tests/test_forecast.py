"""The forecast: the arrivals model with working-day effects, the time-stepped wait, staffing, the API."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from minxin.appointments.forecast import (
    day_kind,
    fit_arrivals,
    hourly_waits,
    wape,
    windows_for_day,
    windows_needed,
)
from minxin.appointments.waits import day_waits


def plain_weekdays(day: dt.date) -> bool:
    return day.weekday() < 5


def erlang_c_wait(servers: int, per_hour: float, service_minutes: float) -> float:
    """The textbook steady-state mean wait (minutes), for reference."""
    load = per_hour * service_minutes / 60
    term, total = 1.0, 1.0
    for k in range(1, servers):
        term *= load / k
        total += term
    last = term * load / servers * servers / (servers - load)
    chance = last / (total + last)
    return chance / (servers * 60 / service_minutes - per_hour) * 60


@pytest.mark.parametrize(("servers", "per_hour"), [(1, 3.0), (2, 9.0), (4, 20.0)])
def test_a_steady_day_settles_at_the_erlang_c_wait(servers: int, per_hour: float) -> None:
    waits = day_waits([per_hour] * 10, [servers] * 10, 10)
    assert waits[-1] == pytest.approx(erlang_c_wait(servers, per_hour, 10), rel=0.05)
    assert waits[0] < waits[-1]  # the hall opens empty


def test_the_hour_after_a_peak_waits_longer_than_its_own_steady_state() -> None:
    waits = day_waits([26, 12], [4, 4], 10)
    assert waits[1] > erlang_c_wait(4, 12, 10) + 3  # the morning's backlog is still there


def test_more_windows_never_wait_longer_and_the_suggestion_meets_the_target() -> None:
    waits = [hourly_waits(arrivals=[20], service_minutes=10, windows=[c])[0].minutes for c in range(4, 9)]
    assert waits == sorted(waits, reverse=True)
    needed = windows_needed(arrivals_per_hour=20, service_minutes=10, target_minutes=5)
    assert hourly_waits(arrivals=[20], service_minutes=10, windows=[needed])[0].minutes <= 5
    assert hourly_waits(arrivals=[20], service_minutes=10, windows=[needed - 1])[0].minutes > 5


def test_the_day_plan_keeps_every_hour_under_the_target() -> None:
    arrivals = [30.0, 40.0, 10.0, 0.0, 20.0]
    plan = windows_for_day(arrivals=arrivals, service_minutes=10, target_minutes=10)
    assert all(wait <= 10 for wait in day_waits(arrivals, plan, 10))
    assert plan[1] > plan[0]  # the peak hour gets more
    assert plan[3] < plan[2]  # an hour nobody comes to fewer


def test_an_overloaded_hour_carries_its_backlog_into_the_next() -> None:
    waits = hourly_waits(arrivals=[30, 30, 2], service_minutes=10, windows=[2, 2, 2])
    assert waits[1].minutes > waits[0].minutes > 30
    assert waits[2].minutes > 0
    assert all(w.low <= w.minutes <= w.high for w in waits)


def test_the_day_after_a_long_holiday_and_the_filing_days_are_marked() -> None:
    holiday = {dt.date(2026, 10, d) for d in range(1, 9)}

    def working(day: dt.date) -> bool:
        return day not in holiday and (day.weekday() < 5 or day == dt.date(2026, 10, 10))

    assert "after_holiday" in day_kind(dt.date(2026, 10, 9), working).effects
    assert "before_holiday" in day_kind(dt.date(2026, 9, 30), working).effects
    assert "filing_peak" in day_kind(dt.date(2026, 10, 9), working).effects
    assert day_kind(dt.date(2026, 10, 10), working).weekday == 0  # a make-up Saturday works as a Monday
    monday = day_kind(dt.date(2026, 10, 19), working)
    assert "after_holiday" not in monday.effects  # an ordinary weekend is no holiday
    assert "filing_peak" not in monday.effects


def test_the_fit_recovers_a_filing_peak_and_beats_last_week() -> None:
    rng = random.Random(7)
    start = dt.date(2026, 3, 2)
    days = [start + dt.timedelta(days=n) for n in range(84)]
    kinds = {day: day_kind(day, plain_weekdays) for day in days}
    counts = {}
    for day in days:
        if not kinds[day].working:
            continue
        for hour in range(9, 17):
            rate = 10 * (1.5 if day.day <= 15 else 1.0) * (1.3 if day.weekday() == 0 else 1.0)
            counts[day, hour] = sum(1 for _ in range(int(rate * 3)) if rng.random() < 1 / 3)
    train, test = days[:56], days[56:]
    model = fit_arrivals({k: v for k, v in counts.items() if k[0] in train}, train, kinds)
    assert model.effect["filing_peak"] == pytest.approx(1.5, rel=0.15)
    actual, ours, naive = [], [], []
    for day in test:
        if not kinds[day].working:
            continue
        for hour in range(9, 17):
            actual.append(counts[day, hour])
            ours.append(model.expected(kinds[day], hour))
            naive.append(counts.get((day - dt.timedelta(days=7), hour), 0))
    assert wape(actual, ours) < 0.8 * wape(actual, naive)


@pytest.mark.django_db
def test_the_forecast_api_gives_arrivals_waits_and_windows_per_service_and_hour(cast, client) -> None:
    import time_machine

    from minxin.appointments.tests.conftest import MORNING
    from minxin.queueing.models import Queue, Service
    from minxin.queueing.services import ticket_issue

    queue = Queue.objects.create(hall=cast.hall, code="huji", prefix="A", name="户籍", position=1)
    Service.objects.create(hall=cast.hall, code="huji", name="户籍业务", queue=queue)
    with time_machine.travel(MORNING - dt.timedelta(days=7) + dt.timedelta(hours=2), tick=False):
        for _ in range(12):
            ticket_issue(hall=cast.hall, service_code="huji", channel="kiosk")
    with time_machine.travel(MORNING, tick=False):
        body = client.get("/api/v1/halls/qhd/forecast", {"days": 7}).json()
        advice = client.get("/api/v1/halls/qhd/advice", {"service": "huji"}).json()
    assert body["staffing_method"] == "time_stepped_queue"
    assert len(body["days"]) == 7
    at_ten = [row for row in body["hours"] if row["date"] == "2026-11-30" and row["hour"] == 10]
    assert at_ten[0]["expected_arrivals"] > 0
    assert at_ten[0]["predicted_wait"]["low"] <= at_ten[0]["predicted_wait"]["minutes"]
    assert at_ten[0]["suggested_windows"] >= 1
    assert not [row for row in body["hours"] if row["date"] == "2026-12-05"]  # Saturday: closed
    assert advice["peak"] in (True, False)
    assert client.get("/api/v1/halls/qhd/forecast", {"days": 99}).status_code == 422
