"""Intake at the window: the four outcomes, the one-time rule, 容缺 gaps, applicants as personal data."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from minxin.cases.models import Applicant, Case, CaseStatus, NoticeKind
from minxin.cases.tests.conftest import OTHER_PERSON, PERSON, all_ok, at, take_in
from minxin.core.errors import Conflict, InvalidInput


def test_accept_numbers_the_case_with_hall_year_and_sequence(cast: Any, licence: Any) -> None:
    with time_machine.travel(at(2017, 9, 28), tick=False):
        first = take_in(cast, licence)
        second = take_in(cast, licence, applicant=OTHER_PERSON)
    assert (first.number, second.number) == ("QHD-2017-000001", "QHD-2017-000002")
    assert first.status == CaseStatus.ACCEPTED
    assert first.notices.get().kind == NoticeKind.ACCEPTANCE


def test_accept_with_a_missing_mandatory_material_is_refused(cast: Any, licence: Any) -> None:
    with time_machine.travel(at(2017, 9, 28), tick=False), pytest.raises(InvalidInput) as raised:
        take_in(cast, licence, materials=all_ok(licence, except_names=("申请表",)))
    assert raised.value.code == "materials_incomplete"
    assert raised.value.details["field"] == "materials"


def test_a_correction_notice_lists_every_missing_and_faulty_material_at_once(cast: Any, licence: Any) -> None:
    from minxin.cases.services import MaterialCheck

    materials = licence.materials.order_by("position")
    checks = [
        MaterialCheck(material=materials[0].pk, presented=True, ok=False, note="已过期"),
        MaterialCheck(material=materials[1].pk, presented=False, ok=False),
        MaterialCheck(material=materials[2].pk, presented=True, ok=True),
    ]
    with time_machine.travel(at(2017, 9, 28), tick=False):
        case = take_in(cast, licence, "correct", materials=checks)
    notice = case.notices.get()
    assert case.status == CaseStatus.CORRECTION
    assert case.promised_due is None
    assert notice.kind == NoticeKind.CORRECTION
    assert [m["name"] for m in notice.content["missing"]] == ["居民身份证", "申请表"]
    assert notice.content["missing"][0]["note"] == "已过期"


def _corrected(cast: Any, licence: Any) -> Case:
    return take_in(cast, licence, "correct", materials=all_ok(licence, except_names=("申请表",)))


def test_the_return_with_the_listed_material_accepts_the_same_case(cast: Any, licence: Any) -> None:
    from minxin.cases.services import MaterialCheck, case_materials_supply

    form = licence.materials.get(name="申请表")
    with time_machine.travel(at(2017, 9, 27), tick=False):
        case = _corrected(cast, licence)
    with time_machine.travel(at(2017, 9, 28), tick=False):
        case_materials_supply(
            case=case, actor=cast.bob, materials=[MaterialCheck(material=form.pk, presented=True, ok=True)]
        )
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED
    assert case.accepted_on == dt.date(2017, 9, 28)
    assert case.statutory_due == dt.date(2017, 11, 1)
    assert case.trips_made == 2
    assert Case.objects.count() == 1


def test_a_fault_not_on_the_one_time_notice_is_refused(cast: Any, licence: Any) -> None:
    from minxin.cases.services import MaterialCheck, case_materials_supply

    card = licence.materials.get(name="居民身份证")
    with time_machine.travel(at(2017, 9, 27), tick=False):
        case = _corrected(cast, licence)
        with pytest.raises(Conflict) as raised:
            case_materials_supply(
                case=case,
                actor=cast.bob,
                materials=[MaterialCheck(material=card.pk, presented=True, ok=False, note="模糊")],
            )
    assert raised.value.code == "not_on_correction_notice"


def test_refuse_needs_reasons_and_keeps_the_legal_basis(cast: Any, licence: Any) -> None:
    with time_machine.travel(at(2017, 9, 28), tick=False):
        with pytest.raises(InvalidInput) as raised:
            take_in(cast, licence, "refuse")
        case = take_in(cast, licence, "refuse", reasons="不属于本机关职权范围")
    assert raised.value.details["field"] == "reasons"
    assert case.status == CaseStatus.REFUSED
    assert case.refusal_basis == "《旅馆业治安管理办法》第四条"


def test_accept_with_gaps_gives_each_gap_a_due_date_and_blocks_the_decision(cast: Any, licence: Any) -> None:
    from minxin.cases.services import MaterialCheck, case_decide, case_materials_supply

    photo = licence.materials.get(name="近期照片")
    with time_machine.travel(at(2017, 9, 28), tick=False):
        case = take_in(
            cast, licence, "accept_with_gaps", materials=all_ok(licence, except_names=("近期照片",))
        )
        gap = case.materials.get(material=photo)
        assert gap.gap_due == dt.date(2017, 10, 11)  # five working days
        with pytest.raises(Conflict) as blocked:
            case_decide(case=case, actor=cast.erin, decision="approve")
        case_materials_supply(
            case=case, actor=cast.bob, materials=[MaterialCheck(material=photo.pk, presented=True, ok=True)]
        )
        case_decide(case=case, actor=cast.erin, decision="approve")
    assert blocked.value.code == "gaps_outstanding"
    case.refresh_from_db()
    assert case.status == CaseStatus.DECIDED


def test_accept_with_gaps_refuses_a_missing_key_material(cast: Any, licence: Any) -> None:
    with time_machine.travel(at(2017, 9, 28), tick=False), pytest.raises(InvalidInput) as raised:
        take_in(cast, licence, "accept_with_gaps", materials=all_ok(licence, except_names=("申请表",)))
    assert raised.value.code == "key_material_missing"


def test_the_applicant_is_stored_hashed_encrypted_and_masked_and_found_again(cast: Any, licence: Any) -> None:
    with time_machine.travel(at(2017, 9, 28), tick=False):
        take_in(cast, licence)
        take_in(cast, licence, applicant=PERSON | {"phone": "13700137000"})
    applicant = Applicant.objects.get()
    assert applicant.id_masked == "130***********7572"
    assert applicant.phone_masked == "137****7000"
    assert "130302199003077572" not in (applicant.id_encrypted + applicant.id_hash)
    assert Case.objects.filter(applicant=applicant).count() == 2


def test_a_company_needs_a_valid_credit_code(cast: Any, licence: Any) -> None:
    company = {
        "kind": "company",
        "name": "秦皇岛海港酒店有限公司",
        "id_number": "91350100M000100Y43",
        "phone": "13800138000",
    }
    with time_machine.travel(at(2017, 9, 28), tick=False):
        case = take_in(cast, licence, applicant=company)
        with pytest.raises(InvalidInput) as raised:
            take_in(cast, licence, applicant=company | {"id_number": "91350100M000100Y44"})
    assert case.applicant.kind == "company"
    assert raised.value.details["field"] == "applicant.credit_code"


def test_a_clerk_of_another_hall_cannot_take_in(cast: Any, licence: Any) -> None:
    from minxin.cases.services import ApplicantData, case_intake
    from minxin.core.errors import Forbidden

    with time_machine.travel(at(2017, 9, 28), tick=False), pytest.raises(Forbidden):
        case_intake(
            hall=cast.hall,
            clerk=cast.charlie,
            item=str(licence.item.public_id),
            applicant=ApplicantData(**PERSON),
            materials=all_ok(licence),
            outcome="accept",
        )


def test_the_full_path_to_completion_by_mail_saves_the_pickup_trip(cast: Any, licence: Any) -> None:
    from minxin.cases.services import case_complete, case_decide, case_deliver, case_step_advance

    with time_machine.travel(at(2017, 9, 28), tick=False):
        case = take_in(cast, licence)
        case_step_advance(case=case, actor=cast.erin)
        case_step_advance(case=case, actor=cast.erin)
        case_decide(case=case, actor=cast.erin, decision="approve")
        case_deliver(case=case, actor=cast.bob, method="mail", tracking="EMS1234567890", carrier="EMS")
        case_complete(case=case, actor=cast.bob)
    case.refresh_from_db()
    assert case.status == CaseStatus.COMPLETED
    assert (case.trips_made, case.baseline_trips) == (1, 2)
    actions = list(case.history.values_list("action", flat=True))
    assert actions == [
        "intake_accept",
        "step_accept_done",
        "step_review_done",
        "decide_approve",
        "deliver_mail",
        "complete",
    ]


def test_mail_without_a_tracking_number_is_refused(cast: Any, licence: Any) -> None:
    from minxin.cases.services import case_decide, case_deliver

    with time_machine.travel(at(2017, 9, 28), tick=False):
        case = take_in(cast, licence)
        case_decide(case=case, actor=cast.erin, decision="approve")
        with pytest.raises(InvalidInput) as raised:
            case_deliver(case=case, actor=cast.bob, method="mail")
    assert raised.value.details["field"] == "tracking"


def test_a_rejection_needs_reasons(cast: Any, licence: Any) -> None:
    from minxin.cases.services import case_decide

    with time_machine.travel(at(2017, 9, 28), tick=False):
        case = take_in(cast, licence)
        with pytest.raises(InvalidInput):
            case_decide(case=case, actor=cast.erin, decision="reject")
