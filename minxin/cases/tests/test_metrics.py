"""The hall metrics against a fixture computed by hand (formulas in docs/cases.md)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine

from minxin.cases.models import HallCaseSettings
from minxin.cases.selectors import hall_metrics, halls_metrics
from minxin.cases.tests.conftest import at, take_in


@pytest.fixture
def history(cast: Any, licence: Any) -> Any:
    """A: accepted 9/28, decided 10/10 (4 working days, on time), mailed: 1 trip.
    B: accepted 9/28, decided 10/20 (12 working days, promised 10/18: late), collected: 2 trips.
    C: refused 9/28. D: correction notice 9/28, not back yet."""
    from minxin.cases.services import case_complete, case_decide, case_deliver

    HallCaseSettings.objects.create(hall=cast.hall, required_items=2)
    with time_machine.travel(at(2017, 9, 28), tick=False):
        a, b = take_in(cast, licence), take_in(cast, licence)
        take_in(cast, licence, "refuse", reasons="不属于本机关职权范围")
        from minxin.cases.tests.conftest import all_ok

        take_in(cast, licence, "correct", materials=all_ok(licence, except_names=("申请表",)))
    with time_machine.travel(at(2017, 10, 10), tick=False):
        case_decide(case=a, actor=cast.erin, decision="approve")
        case_deliver(case=a, actor=cast.bob, method="mail", tracking="EMS1")
    with time_machine.travel(at(2017, 10, 11), tick=False):
        case_complete(case=a, actor=cast.bob)
    with time_machine.travel(at(2017, 10, 20), tick=False):
        case_decide(case=b, actor=cast.erin, decision="approve")
        case_deliver(case=b, actor=cast.bob, method="window")
    with time_machine.travel(at(2017, 10, 23), tick=False):
        case_complete(case=b, actor=cast.bob)
    return cast


def test_metrics_match_the_hand_computed_fixture(history: Any) -> None:
    metrics = hall_metrics(hall=history.hall, start=dt.date(2017, 9, 1), end=dt.date(2017, 10, 31))
    assert metrics["entry_rate"] == Decimal("0.5000")  # 1 item in force in 2017 of 2 required
    assert metrics["time_limit_cut_rate"] == Decimal("0.5000")  # (20 − 10) ÷ 20
    assert metrics["materials_cut_rate"] == Decimal("0.0000")  # one version only
    assert metrics["zero_trip_item_share"] == Decimal("0.0000")
    assert metrics["one_trip_item_share"] == Decimal("1.0000")
    assert metrics["on_time_rate"] == Decimal("0.5000")
    assert metrics["speed_up_rate"] == Decimal("0.2000")  # 1 − (4 + 12) ÷ (10 + 10)
    assert metrics["trips_saved"] == Decimal("1")  # (2 − 1) + (2 − 2)
    assert metrics["one_visit_rate"] == Decimal("0.5000")
    assert metrics["cases_by_status"] == {
        "correction": 1,
        "refused": 1,
        "accepted": 0,
        "in_review": 0,
        "suspended": 0,
        "decided": 0,
        "delivering": 0,
        "completed": 2,
    }
    assert metrics["cases_by_light"] == {"none": 1, "yellow": 1, "red": 0}


def test_a_period_without_cases_gives_zero_rates(history: Any) -> None:
    metrics = hall_metrics(hall=history.hall, start=dt.date(2017, 1, 1), end=dt.date(2017, 1, 31))
    assert metrics["on_time_rate"] == Decimal("0.0000")
    assert metrics["trips_saved"] == Decimal("0")


def test_the_materials_cut_compares_the_first_and_the_current_version(history: Any, licence: Any) -> None:
    from minxin.catalog.services import MaterialData, item_version_draft, item_version_publish

    draft = item_version_draft(
        item=licence.item,
        content={
            "name": licence.name,
            "implementing_body": "市公安局",
            "statutory_days": 20,
            "promised_days": 5,
            "trips": 0,
            "fee": Decimal("0"),
        },
        materials=[MaterialData(name="申请表", originals=1)],
    )
    item_version_publish(version=draft, valid_from=dt.date(2017, 12, 1))
    metrics = hall_metrics(hall=history.hall, start=dt.date(2017, 12, 1), end=dt.date(2017, 12, 31))
    assert metrics["materials_cut_rate"] == Decimal("0.6667")  # (3 − 1) ÷ 3
    assert metrics["time_limit_cut_rate"] == Decimal("0.7500")  # (20 − 5) ÷ 20
    assert metrics["zero_trip_item_share"] == Decimal("1.0000")


def test_many_halls_at_once_take_a_fixed_number_of_queries(
    history: Any, django_assert_max_num_queries: Any
) -> None:
    halls = [history.hall, history.other_hall]
    with django_assert_max_num_queries(12):
        result = halls_metrics(halls=halls, start=dt.date(2017, 9, 1), end=dt.date(2017, 10, 31))
    assert result[history.other_hall.pk]["trips_saved"] == Decimal("0")
    assert result[history.hall.pk]["on_time_rate"] == Decimal("0.5000")


def test_the_metrics_api_gives_decimal_strings(history: Any, client: Any, token_for: Any) -> None:
    response = client.get(
        "/api/v1/halls/qhd/metrics?from=2017-09-01&to=2017-10-31", **token_for(history.alice)
    )
    assert response.status_code == 200
    data = response.json()
    assert data["speed_up_rate"] == "0.2000"
    assert data["trips_saved"] == "1"
    assert data["from"] == "2017-09-01"


def test_the_metrics_api_is_refused_to_a_clerk_of_another_hall(
    history: Any, client: Any, token_for: Any
) -> None:
    response = client.get(
        "/api/v1/halls/qhd/metrics?from=2017-09-01&to=2017-10-31", **token_for(history.charlie)
    )
    assert response.status_code == 403


def test_a_reversed_period_is_a_422(history: Any, client: Any, token_for: Any) -> None:
    response = client.get(
        "/api/v1/halls/qhd/metrics?from=2017-10-31&to=2017-09-01", **token_for(history.alice)
    )
    assert response.status_code == 422
    assert response.json()["error"]["details"]["field"] == "to"


def test_the_supervision_api_lists_lit_cases_by_department(
    cast: Any, licence: Any, client: Any, token_for: Any
) -> None:
    from minxin.cases.services import cases_supervise

    with time_machine.travel(at(2017, 9, 28), tick=False):
        take_in(cast, licence)
    with time_machine.travel(at(2017, 10, 16), tick=False):
        cases_supervise()
        response = client.get("/api/v1/halls/qhd/supervision", **token_for(cast.dora))
    assert response.status_code == 200
    [department] = response.json()["departments"]
    assert department["department"] == "市公安局"
    assert len(department["yellow"]) == 1
    assert department["yellow_cards"] == 1
