"""Cases are rated once per item (一事一评) like tickets, and a completed case left unrated for three days
gets one SMS invitation, however many workers run."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from minxin.feedback.models import CaseInvitation, Rating
from minxin.feedback.tests.conftest import rate

pytestmark = pytest.mark.django_db
PERSON = {"kind": "person", "name": "张三", "id_number": "130302199003077572", "phone": "13800138000"}


def completed_case(cast: Any) -> Any:
    from minxin.cases.services import (
        ApplicantData,
        MaterialCheck,
        case_complete,
        case_decide,
        case_deliver,
        case_intake,
    )

    version = cast.item
    materials = [
        MaterialCheck(material=m.pk, presented=True, ok=True, original=True)
        for m in version.materials.order_by("position", "id")
    ]
    case = case_intake(
        hall=cast.hall,
        clerk=cast.bob,
        item=str(version.item.public_id),
        applicant=ApplicantData(**PERSON),
        outcome="accept",
        window=cast.window1,
        materials=materials,
    ).case
    case = case_decide(case=case, actor=cast.alice, decision="approve")
    case = case_deliver(case=case, actor=cast.bob, method="window")
    return case_complete(case=case, actor=cast.bob)


@pytest.fixture
def case(served: Any) -> Any:
    return completed_case(served.cast)


def test_a_completed_case_is_rated_once(client, case) -> None:
    first = rate(client, {"case": str(case.public_id), "score": 4, "channel": "qr"})
    assert first.status_code == 201, first.content
    again = rate(client, {"case": str(case.public_id), "score": 5, "channel": "sms"})
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "already_rated"
    rating = Rating.objects.get()
    assert (rating.case, rating.ticket, rating.department, rating.clerk) == (
        case,
        None,
        case.department,
        case.clerk,
    )
    assert rating.phone_masked == case.applicant.phone_masked


def test_a_case_still_open_cannot_be_rated(client, served) -> None:
    from minxin.cases.models import Case

    case = completed_case(served.cast)
    Case.objects.filter(pk=case.pk).update(status="in_review")
    response = rate(client, {"case": str(case.public_id), "score": 4, "channel": "qr"})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "case_not_completed"


def test_the_invitation_waits_three_days_and_is_sent_once(case, at_open_hall, sms_outbox) -> None:
    from minxin.feedback.services import cases_invite

    at_open_hall.move_to(dt.datetime(2026, 12, 3, 1, 0, tzinfo=dt.UTC))  # 2 days 23 hours later
    assert cases_invite() == 0
    at_open_hall.move_to(dt.datetime(2026, 12, 3, 2, 1, tzinfo=dt.UTC))
    assert cases_invite() == 1
    assert cases_invite() == 0
    [message] = sms_outbox
    assert message.phone == "13800138000"
    assert case.number in message.text
    assert "/rate/" in message.text


def test_a_rated_case_gets_no_invitation(client, case, at_open_hall, sms_outbox) -> None:
    from minxin.feedback.services import cases_invite

    rate(client, {"case": str(case.public_id), "score": 5, "channel": "qr"})
    at_open_hall.move_to(dt.datetime(2026, 12, 4, 2, 0, tzinfo=dt.UTC))
    assert cases_invite() == 0
    assert sms_outbox == []


@pytest.mark.django_db(transaction=True)
def test_two_workers_send_each_invitation_once(served, at_open_hall) -> None:
    from minxin.core.tests.procs import run_workers

    for _ in range(5):
        completed_case(served.cast)
    code = (
        "import time_machine\n"
        "time_machine.travel('2026-12-04T02:00:00+00:00', tick=True).start()\n"
        "from django.conf import settings\n"
        "settings.SMS_BACKEND = 'minxin.accounts.sms.LocmemSmsBackend'\n"
        "settings.NOTICE_BACKEND = 'minxin.queueing.notices.SmsNoticeBackend'\n"
        "from minxin.accounts.sms import LocmemSmsBackend\n"
        "from minxin.feedback.services import cases_invite\n"
        "sent = cases_invite()\n"
        "print(json.dumps([sent, len(LocmemSmsBackend.outbox)]))\n"
    )
    results = run_workers(code, processes=2)
    assert sum(sent for sent, _outbox in results) == 5  # type: ignore[misc]
    assert sum(box for _sent, box in results) == 5  # type: ignore[misc]
    assert CaseInvitation.objects.filter(sent_at__isnull=False).count() == 5
