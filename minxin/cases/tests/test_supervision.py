"""E-supervision: lights flip at the right moment, through the next-check column, once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from minxin.cases.models import Case, LightFlip, StaffNotice
from minxin.cases.services import cases_supervise
from minxin.cases.tests.conftest import SHANGHAI, at, take_in


@pytest.fixture
def case(cast: Any, licence: Any) -> Case:
    # accepted 9/28: promised 10/18, statutory 11/1; yellow from 10/16 (two working days before)
    with time_machine.travel(at(2017, 9, 28), tick=False):
        return take_in(cast, licence)


def test_acceptance_schedules_the_first_check_the_day_after_the_first_step_is_due(case: Case) -> None:
    # the acceptance step (3 working days) is due 10/9
    assert case.next_check_at == dt.datetime(2017, 10, 10, tzinfo=SHANGHAI)


def test_nothing_flips_the_day_before(case: Case) -> None:
    with time_machine.travel(dt.datetime(2017, 10, 9, 23, 59, tzinfo=SHANGHAI), tick=False):
        assert cases_supervise() == 0
    case.refresh_from_db()
    assert case.light == "none"


def test_yellow_when_the_promised_deadline_is_two_working_days_away(cast: Any, case: Case) -> None:
    with time_machine.travel(dt.datetime(2017, 10, 15, 23, 0, tzinfo=SHANGHAI), tick=False):
        cases_supervise()  # the late acceptance step only
    case.refresh_from_db()
    assert case.light == "none"
    with time_machine.travel(dt.datetime(2017, 10, 16, 0, 1, tzinfo=SHANGHAI), tick=False):
        cases_supervise()
    case.refresh_from_db()
    assert case.light == "yellow"
    assert case.yellow_on == dt.date(2017, 10, 16)
    flip = LightFlip.objects.get(step__isnull=True)
    assert (flip.from_light, flip.to_light, flip.reason) == ("none", "yellow", "promised_near")
    notified = StaffNotice.objects.filter(flip=flip).values_list("recipient__username", flat=True)
    assert sorted(notified) == ["alice", "erin"]


def test_red_when_yellow_is_not_cleared_within_three_working_days(case: Case) -> None:
    with time_machine.travel(dt.datetime(2017, 10, 16, 0, 1, tzinfo=SHANGHAI), tick=False):
        cases_supervise()
    case.refresh_from_db()
    assert case.next_check_at == dt.datetime(2017, 10, 20, tzinfo=SHANGHAI)
    with time_machine.travel(dt.datetime(2017, 10, 19, 23, 0, tzinfo=SHANGHAI), tick=False):
        assert cases_supervise() == 0
    with time_machine.travel(dt.datetime(2017, 10, 20, 8, 0, tzinfo=SHANGHAI), tick=False):
        cases_supervise()
    case.refresh_from_db()
    assert case.light == "red"
    assert case.next_check_at is None
    assert LightFlip.objects.filter(step__isnull=True).values_list("to_light", "reason").first() == (
        "red",
        "yellow_not_cleared",
    )


def test_red_the_day_after_the_statutory_deadline(cast: Any, licence: Any) -> None:
    from minxin.cases.models import ItemRules

    ItemRules.objects.create(version=licence, yellow_days=0)
    with time_machine.travel(at(2017, 9, 28), tick=False):
        case = take_in(cast, licence)
    with time_machine.travel(dt.datetime(2017, 11, 2, 0, 5, tzinfo=SHANGHAI), tick=False):
        cases_supervise()
    case.refresh_from_db()
    assert case.light == "red"


def test_a_late_step_gets_its_own_light(case: Case) -> None:
    # the acceptance step was due 10/9
    with time_machine.travel(dt.datetime(2017, 10, 10, 0, 1, tzinfo=SHANGHAI), tick=False):
        cases_supervise()
    step = case.steps.get(position=0)
    assert step.light == "yellow"
    assert LightFlip.objects.get().reason == "step_overtime"


def test_a_second_sweep_flips_and_notifies_nothing_more(case: Case) -> None:
    with time_machine.travel(dt.datetime(2017, 10, 16, 9, tzinfo=SHANGHAI), tick=False):
        first = cases_supervise()
        second = cases_supervise()
    assert (first, second) == (2, 0)  # the case and its late acceptance step
    assert StaffNotice.objects.count() == 4


def test_a_decided_case_is_no_longer_checked(cast: Any, case: Case) -> None:
    from minxin.cases.services import case_decide

    with time_machine.travel(at(2017, 10, 10), tick=False):
        case_decide(case=case, actor=cast.erin, decision="approve")
    case.refresh_from_db()
    assert case.next_check_at is None
    with time_machine.travel(at(2017, 11, 20), tick=False):
        assert cases_supervise() == 0


def test_a_suspended_case_does_not_turn_yellow(cast: Any, case: Case) -> None:
    from minxin.cases.services import case_suspend

    with time_machine.travel(at(2017, 10, 12), tick=False):
        case_suspend(case=case, actor=cast.erin, kind="expert_review", reason="专家评审")
    with time_machine.travel(at(2017, 10, 30), tick=False):
        assert cases_supervise() == 0
    case.refresh_from_db()
    assert case.light == "none"


def test_the_sweep_reads_only_due_cases(cast: Any, licence: Any, case: Case) -> None:
    with time_machine.travel(at(2017, 10, 12), tick=False):
        for _ in range(15):
            take_in(cast, licence)  # first check on 10/18 or later
    with (
        time_machine.travel(dt.datetime(2017, 10, 10, 0, 1, tzinfo=SHANGHAI), tick=False),
        CaptureQueriesContext(connection) as queries,
    ):
        assert cases_supervise() == 1
    updates = [q["sql"] for q in queries.captured_queries if q["sql"].startswith(("UPDATE", "WITH"))]
    assert len(updates) == 2  # the one due case's step and its next check
    assert len(queries.captured_queries) <= 16  # the same with 15 or 15,000 cases not yet due
