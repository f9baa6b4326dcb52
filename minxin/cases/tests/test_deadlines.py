"""Deadlines on working days: holidays, make-up days, suspensions that move both dates, the extension,
and a year the calendar does not cover."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from minxin.cases.models import CaseStatus
from minxin.cases.tests.conftest import at, take_in


def test_acceptance_on_2017_09_28_stamps_november_first_as_the_statutory_deadline(
    cast: Any, licence: Any
) -> None:
    with time_machine.travel(at(2017, 9, 28), tick=False):
        case = take_in(cast, licence)
    assert case.accepted_on == dt.date(2017, 9, 28)
    # 10 working days: 9/29, 9/30 (make-up Saturday), then 10/9 … 10/18
    assert case.promised_due == dt.date(2017, 10, 18)
    assert case.statutory_due == dt.date(2017, 11, 1)


def test_acceptance_on_a_holiday_counts_from_the_next_working_day(cast: Any, licence: Any) -> None:
    with time_machine.travel(at(2017, 10, 3), tick=False):
        case = take_in(cast, licence)
    assert case.accepted_on == dt.date(2017, 10, 3)
    assert case.promised_due == dt.date(2017, 10, 20)  # 10/9 is the first of ten


def test_steps_split_the_promised_limit_evenly(cast: Any, licence: Any) -> None:
    with time_machine.travel(at(2017, 9, 28), tick=False):
        case = take_in(cast, licence)
    steps = list(case.steps.order_by("position").values_list("kind", "days", "due"))
    assert steps == [
        ("accept", 3, dt.date(2017, 10, 9)),
        ("review", 3, dt.date(2017, 10, 12)),
        ("decide", 4, dt.date(2017, 10, 18)),
    ]


def test_a_suspension_across_national_day_moves_both_deadlines(cast: Any, licence: Any) -> None:
    from minxin.cases.services import case_resume, case_suspend

    with time_machine.travel(at(2017, 9, 26), tick=False):
        case = take_in(cast, licence)
    assert (case.promised_due, case.statutory_due) == (dt.date(2017, 10, 16), dt.date(2017, 10, 30))
    with time_machine.travel(at(2017, 9, 29), tick=False):
        case_suspend(case=case, actor=cast.erin, kind="testing", reason="送检")
    with time_machine.travel(at(2017, 10, 10), tick=False):
        case_resume(case=case, actor=cast.erin)
    case.refresh_from_db()
    # suspended 9/29, 9/30 (make-up day) and 10/9: three working days; 10/1–10/8 were off anyway
    assert case.suspended_days == 3
    assert case.promised_due == dt.date(2017, 10, 19)
    assert case.statutory_due == dt.date(2017, 11, 2)
    assert case.status == CaseStatus.ACCEPTED


def test_a_suspended_case_cannot_be_decided(cast: Any, licence: Any) -> None:
    from minxin.cases.services import case_decide, case_suspend
    from minxin.core.errors import Conflict

    with time_machine.travel(at(2017, 9, 26), tick=False):
        case = take_in(cast, licence)
        case_suspend(case=case, actor=cast.erin, kind="hearing", reason="听证")
        with pytest.raises(Conflict):
            case_decide(case=case, actor=cast.erin, decision="approve")


def test_the_extension_moves_only_the_statutory_deadline_once(cast: Any, licence: Any) -> None:
    from minxin.cases.services import case_extend
    from minxin.core.errors import Conflict

    with time_machine.travel(at(2017, 9, 28), tick=False):
        case = take_in(cast, licence)
        extension = case_extend(case=case, actor=cast.erin, reason="情况复杂")
        with pytest.raises(Conflict) as second:
            case_extend(case=case, actor=cast.erin, reason="再延")
    case.refresh_from_db()
    assert case.promised_due == dt.date(2017, 10, 18)
    assert case.statutory_due == dt.date(2017, 11, 15)  # 11/1 + 10 working days
    assert extension.approver == cast.erin
    assert second.value.code == "already_extended"


def test_a_case_whose_deadline_falls_in_an_uncovered_year_is_refused(cast: Any, licence: Any) -> None:
    from minxin.cases.models import Case
    from minxin.core.workdays import WorkingCalendarMissing

    with time_machine.travel(at(2026, 12, 10), tick=False), pytest.raises(WorkingCalendarMissing) as raised:
        take_in(cast, cast.item)
    assert raised.value.year == 2027
    assert not Case.objects.exists()


def test_the_api_refuses_an_uncovered_year_with_the_error_shape(
    cast: Any, licence: Any, client: Any, token_for: Any
) -> None:
    with time_machine.travel(at(2026, 12, 10), tick=False):
        response = client.post(
            "/api/v1/halls/qhd/cases",
            {
                "item": str(cast.item.item.public_id),
                "applicant": {
                    "kind": "person",
                    "name": "张三",
                    "id_number": "130302199003077572",
                    "phone": "13800138000",
                },
                "materials": [
                    {"material": m.pk, "presented": True, "ok": True} for m in cast.item.materials.all()
                ],
                "outcome": "accept",
            },
            content_type="application/json",
            **token_for(cast.bob),
        )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "working_calendar_missing"
    assert response.json()["error"]["details"] == {"year": 2027}
