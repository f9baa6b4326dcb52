"""Statistics are exact against hand-computed figures (Decimal), and an upheld appeal keeps the count of
ratings while changing the scores as docs/feedback.md says."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from minxin.feedback.selectors import rating_figures, rating_figures_map
from minxin.feedback.services import RatingInput, appeal_decide, rectification_appeal, ticket_rate

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 11, 30)


def rated(served: Any, scores: list[int], **where: Any) -> list[Any]:
    ratings = []
    for score in scores:
        ticket = served.ticket(**where)
        ratings.append(ticket_rate(ticket=ticket, given=RatingInput(score=score, channel="qr")))
    return ratings


def test_hall_figures_by_hand(served) -> None:
    # Scores 5, 5, 4, 3, 2, 1 and two tickets served but not rated:
    # count 6; mean 20/6 = 3.33; satisfied (≥3) 4/6 = 66.67 %; bad 2; participation 6/8 = 75.00 %.
    rated(served, [5, 5, 4, 3, 2, 1])
    served.ticket()
    served.ticket()
    [row] = rating_figures(by="hall", date_from=DAY, date_to=DAY, hall_ids=[served.cast.hall.pk])
    assert (row.count, row.scored, row.bad, row.served) == (6, 6, 2, 8)
    assert row.mean == Decimal("3.33")
    assert row.satisfaction_rate == Decimal("66.67")
    assert row.participation == Decimal("75.00")
    assert isinstance(row.mean, Decimal)


def test_an_upheld_appeal_keeps_the_count_and_leaves_the_scores(served) -> None:
    # 5, 4, 1 with the 1 set aside: count stays 3 (and participation 3/3), the scores count 5 and 4:
    # mean 4.50, satisfaction 100.00 %, no bad review, one upheld appeal.
    ratings = rated(served, [5, 4, 1])
    rectification = ratings[2].rectification
    appeal = rectification_appeal(
        rectification=rectification, actor=served.cast.erin, ground="malicious", reason="r"
    )
    appeal_decide(appeal=appeal, actor=served.cast.dora, upheld=True, reason="证据充分")
    [row] = rating_figures(by="hall", date_from=DAY, date_to=DAY, hall_ids=[served.cast.hall.pk])
    assert (row.count, row.scored, row.excluded, row.bad, row.appeals_upheld) == (3, 2, 1, 0, 1)
    assert row.mean == Decimal("4.50")
    assert row.satisfaction_rate == Decimal("100.00")
    assert row.participation == Decimal("100.00")


def test_the_satisfaction_formula_is_a_setting(served, settings) -> None:
    rated(served, [5, 3, 3, 1])
    settings.FEEDBACK_SATISFIED_MIN_SCORE = 4
    [row] = rating_figures(by="hall", date_from=DAY, date_to=DAY, hall_ids=[served.cast.hall.pk])
    assert row.satisfaction_rate == Decimal("25.00")


def test_figures_by_window_and_clerk(served) -> None:
    from minxin.catalog.services import window_assign_clerk

    cast = served.cast
    window_assign_clerk(window=cast.window2, clerk=cast.alice)
    rated(served, [5, 4])
    rated(served, [2], window=cast.window2, clerk=cast.alice)
    by_window = rating_figures_map(by="window", date_from=DAY, date_to=DAY, hall_ids=[cast.hall.pk])
    assert by_window[(cast.window1.pk, None)].mean == Decimal("4.50")
    assert by_window[(cast.window2.pk, None)].bad == 1
    by_clerk = rating_figures_map(by="clerk", date_from=DAY, date_to=DAY, hall_ids=[cast.hall.pk])
    assert by_clerk[(cast.bob.pk, None)].count == 2
    assert by_clerk[(cast.alice.pk, None)].satisfaction_rate == Decimal("0.00")
    by_department = rating_figures_map(by="department", date_from=DAY, date_to=DAY, hall_ids=[cast.hall.pk])
    assert by_department[(cast.psb.pk, None)].count == 2
    assert by_department[(None, None)].count == 1  # the comprehensive window has no department


def test_figures_by_day_and_month(served, at_open_hall) -> None:
    rated(served, [5])
    at_open_hall.move_to(dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.UTC))
    rated(served, [3, 1])
    days = rating_figures(by="all", date_from=DAY, date_to=dt.date(2026, 12, 31), period="day")
    assert [(row.period, row.count) for row in days] == [(DAY, 1), (dt.date(2026, 12, 1), 2)]
    months = rating_figures(by="hall", date_from=DAY, date_to=dt.date(2026, 12, 31), period="month")
    assert [(row.period, row.count, row.mean) for row in months] == [
        (dt.date(2026, 11, 1), 1, Decimal("5.00")),
        (dt.date(2026, 12, 1), 2, Decimal("2.00")),
    ]


def test_many_halls_units_and_cities_in_one_call(served, django_assert_max_num_queries) -> None:
    cast = served.cast
    rated(served, [4, 4])
    with django_assert_max_num_queries(3):
        by_unit = rating_figures(
            by="unit", date_from=DAY, date_to=DAY, unit_ids=[cast.hall.unit_id, cast.other_hall.unit_id]
        )
    assert [(row.key, row.count) for row in by_unit] == [(cast.hall.unit_id, 2)]
    by_city = rating_figures(by="city", date_from=DAY, date_to=DAY, region=cast.province)
    assert [(row.key, row.count, row.mean) for row in by_city] == [(cast.qhd_city.pk, 2, Decimal("4.00"))]


def test_rectified_on_time_counts_closed_loops_never_late(served, at_open_hall) -> None:
    from minxin.feedback.services import (
        rectification_recheck,
        rectification_rectify,
        rectification_reply,
        rectification_verify,
        rectifications_escalate,
    )

    cast = served.cast
    on_time, late = (rating.rectification for rating in rated(served, [1, 2]))
    for rectification in (on_time, late):
        rectification_verify(rectification=rectification, actor=cast.erin, clerk_account="a", finding="b")
        rectification_rectify(rectification=rectification, actor=cast.erin, measures="m")
    rectification_reply(rectification=on_time, actor=cast.erin, reply="r")
    rectification_recheck(rectification=on_time, actor=cast.alice, passed=True, note="")
    at_open_hall.move_to(dt.datetime(2026, 12, 9, 2, 0, tzinfo=dt.UTC))
    assert rectifications_escalate() == 1
    late.refresh_from_db()
    rectification_reply(rectification=late, actor=cast.erin, reply="r")
    rectification_recheck(rectification=late, actor=cast.alice, passed=True, note="")
    [row] = rating_figures(by="hall", date_from=DAY, date_to=DAY)
    assert (row.rectifications, row.rectified, row.rectified_on_time) == (2, 2, 1)


def test_the_summary_api_for_managers_and_the_city_office(client, served) -> None:
    rated(served, [5, 2])
    client.force_login(served.cast.alice)
    body = client.get("/api/v1/halls/qhd/ratings/summary?from=2026-11-01&to=2026-11-30").json()
    assert (body["count"], body["mean"], body["satisfaction_rate"], body["bad"]) == (2, "3.50", "50.00", 1)
    assert body["by_window"][0]["window"] == "1"
    assert body["by_clerk"][0]["clerk"] == "bob"
    client.force_login(served.cast.dora)
    assert client.get("/api/v1/halls/qhd/ratings/summary?from=2026-11-01&to=2026-11-30").status_code == 200
    client.force_login(served.cast.bob)
    assert client.get("/api/v1/halls/qhd/ratings/summary?from=2026-11-01&to=2026-11-30").status_code == 403
    client.force_login(served.cast.alice)
    bad = client.get("/api/v1/halls/qhd/ratings/summary?from=2026-11-30&to=2026-11-01")
    assert bad.status_code == 422
