"""The bad-review loop: verify → rectify → reply → recheck, its deadlines in working days, escalation,
appeals, the citizen's follow-up, scopes and the audit log."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from minxin.core.models import AuditEntry
from minxin.feedback.models import Appeal, LoopDeadline, Rating, Rectification, RectificationStep
from minxin.feedback.services import RatingInput, rectifications_escalate, ticket_rate

pytestmark = pytest.mark.django_db


def bad_review(served: Any, *, phone: str | None = None) -> Rectification:
    ticket = served.ticket(phone=phone)
    rating = ticket_rate(ticket=ticket, given=RatingInput(score=1, channel="qr", comment="态度差"))
    return Rectification.objects.get(rating=rating)


def act(client: Any, rectification: Rectification, step: str, body: dict[str, Any], user: Any) -> Any:
    client.force_login(user)
    return client.post(
        f"/api/v1/rectifications/{rectification.public_id}/{step}", body, content_type="application/json"
    )


def test_the_first_step_is_due_five_working_days_later_at_the_end_of_that_day(served) -> None:
    rectification = bad_review(served)  # Monday 2026-11-30
    assert rectification.step_due == dt.date(2026, 12, 7)
    assert rectification.escalate_at == dt.datetime(2026, 12, 7, 16, 0, tzinfo=dt.UTC)  # midnight in Shanghai


def test_a_region_sets_its_own_time_limit(served) -> None:
    LoopDeadline.objects.create(region=served.cast.qhd_city, working_days=15)
    assert bad_review(served).step_due == dt.date(2026, 12, 21)


def test_the_deadline_skips_holidays_of_the_calendar(served, at_open_hall) -> None:
    # The day before National Day (Oct 1–7 off; Saturday Oct 10 is a make-up working day): Oct 8, 9,
    # 10, 12, 13.
    at_open_hall.move_to(dt.datetime(2026, 9, 30, 2, 0, tzinfo=dt.UTC))
    assert bad_review(served).step_due == dt.date(2026, 10, 13)


def test_the_whole_loop_through_the_api(
    client, served, sms_outbox, django_capture_on_commit_callbacks
) -> None:
    cast = served.cast
    rectification = bad_review(served, phone="13800138000")
    verified = act(
        client, rectification, "verify", {"clerk_account": "当时系统故障", "finding": "属实"}, cast.erin
    )
    assert verified.status_code == 200, verified.content
    assert verified.json()["status"] == "rectifying"
    assert (
        act(client, rectification, "rectify", {"measures": "已培训"}, cast.erin).json()["status"]
        == "replying"
    )
    with django_capture_on_commit_callbacks(execute=True):
        replied = act(client, rectification, "reply", {"reply": "已整改，感谢监督"}, cast.erin)
    assert replied.json()["status"] == "rechecking"
    assert [message.phone for message in sms_outbox] == ["13800138000"]
    assert "已整改" in sms_outbox[0].text
    closed = act(client, rectification, "recheck", {"passed": True}, cast.alice)
    assert closed.json()["status"] == "closed"
    assert closed.json()["resolution"] == "rectified"
    kinds = list(rectification.steps.values_list("kind", flat=True))
    assert kinds == ["opened", "verified", "rectified", "replied", "rechecked"]
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"feedback.rectification.verified", "feedback.rectification.rechecked"} <= actions


def test_a_step_taken_twice_is_a_conflict(client, served) -> None:
    rectification = bad_review(served)
    body = {"clerk_account": "x", "finding": "y"}
    assert act(client, rectification, "verify", body, served.cast.erin).status_code == 200
    again = act(client, rectification, "verify", body, served.cast.erin)
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "rectification_changed"


def test_an_empty_finding_is_422_naming_the_field(client, served) -> None:
    response = act(
        client, bad_review(served), "verify", {"clerk_account": "x", "finding": " "}, served.cast.erin
    )
    assert response.status_code == 422
    assert response.json()["error"]["details"] == {"field": "finding"}


def test_the_clerk_may_not_handle_the_review_of_his_own_service(client, served) -> None:
    rectification = bad_review(served)
    response = act(client, rectification, "verify", {"clerk_account": "x", "finding": "y"}, served.cast.bob)
    assert response.status_code == 403


def test_another_halls_clerk_does_not_see_the_review(client, served) -> None:
    rectification = bad_review(served)
    response = act(
        client, rectification, "verify", {"clerk_account": "x", "finding": "y"}, served.cast.charlie
    )
    assert response.status_code == 404
    client.force_login(served.cast.charlie)
    assert client.get("/api/v1/rectifications").json() == []


def test_only_the_hall_manager_rechecks(client, served) -> None:
    cast = served.cast
    rectification = bad_review(served)
    act(client, rectification, "verify", {"clerk_account": "x", "finding": "y"}, cast.erin)
    act(client, rectification, "rectify", {"measures": "m"}, cast.erin)
    act(client, rectification, "reply", {"reply": "r"}, cast.erin)
    assert act(client, rectification, "recheck", {"passed": True}, cast.erin).status_code == 403
    returned = act(client, rectification, "recheck", {"passed": False, "note": "措施不具体"}, cast.alice)
    assert returned.json()["status"] == "rectifying"


def test_a_late_step_is_escalated_once_and_the_review_counts_as_late(served, at_open_hall) -> None:
    rectification = bad_review(served)
    at_open_hall.move_to(dt.datetime(2026, 12, 7, 15, 59, tzinfo=dt.UTC))  # 23:59 on the due day
    assert rectifications_escalate() == 0
    at_open_hall.move_to(dt.datetime(2026, 12, 7, 16, 1, tzinfo=dt.UTC))
    assert rectifications_escalate() == 1
    assert rectifications_escalate() == 0
    rectification.refresh_from_db()
    assert (rectification.late, rectification.escalations, rectification.escalate_at) == (True, 1, None)
    assert rectification.steps.filter(kind="escalated").count() == 1


@pytest.mark.django_db(transaction=True)
def test_escalation_fires_once_with_two_workers(served, at_open_hall) -> None:
    from minxin.core.tests.procs import run_workers

    for _ in range(6):
        bad_review(served)
    code = (
        "import time_machine\n"
        "time_machine.travel('2026-12-08T02:00:00+00:00', tick=True).start()\n"
        "from django.db import connection\n"
        "from minxin.feedback.services import rectifications_escalate\n"
        "print(json.dumps(rectifications_escalate()))\n"
    )
    done = run_workers(code, processes=2)
    assert sum(done) == 6  # type: ignore[arg-type]
    assert RectificationStep.objects.filter(kind="escalated").count() == 6
    assert AuditEntry.objects.filter(action="feedback.rectification.escalated").count() == 6


def test_an_escalated_review_appears_for_the_city_office(client, served, at_open_hall) -> None:
    bad_review(served)
    at_open_hall.move_to(dt.datetime(2026, 12, 8, 2, 0, tzinfo=dt.UTC))
    rectifications_escalate()
    client.force_login(served.cast.dora)
    rows = client.get("/api/v1/rectifications?hall=qhd").json()
    assert [row["late"] for row in rows] == [True]


def test_an_upheld_appeal_sets_the_rating_aside_without_deleting_it(client, served) -> None:
    cast = served.cast
    rectification = bad_review(served)
    filed = act(
        client, rectification, "appeal", {"ground": "malicious", "reason": "录像显示未到窗口"}, cast.erin
    )
    assert filed.status_code == 201
    assert (
        act(client, rectification, "decide-appeal", {"upheld": True, "reason": "x"}, cast.alice).status_code
        == 403
    )
    decided = act(client, rectification, "decide-appeal", {"upheld": True, "reason": "证据充分"}, cast.dora)
    assert decided.status_code == 200
    assert decided.json()["status"] == "closed"
    assert decided.json()["resolution"] == "appeal_upheld"
    rating = Rating.objects.get()
    assert rating.excluded_at is not None
    assert Appeal.objects.get().decision_reason == "证据充分"
    assert AuditEntry.objects.filter(action="feedback.appeal.upheld").count() == 1


def test_a_rejected_appeal_leaves_the_loop_where_it_was(client, served) -> None:
    cast = served.cast
    rectification = bad_review(served)
    act(client, rectification, "appeal", {"ground": "mistaken", "reason": "r"}, cast.erin)
    decided = act(client, rectification, "decide-appeal", {"upheld": False, "reason": "理由不足"}, cast.dora)
    assert decided.json()["status"] == "verifying"
    assert Rating.objects.get().excluded_at is None
    second = act(client, rectification, "appeal", {"ground": "mistaken", "reason": "again"}, cast.erin)
    assert second.status_code == 409
    assert second.json()["error"]["code"] == "appeal_exists"


def test_the_citizen_rates_the_reply_once(client, served) -> None:
    from minxin.core.errors import Conflict
    from minxin.feedback.services import (
        rectification_follow_up,
        rectification_rectify,
        rectification_reply,
        rectification_verify,
    )

    cast = served.cast
    rectification = bad_review(served)
    with pytest.raises(Conflict):
        rectification_follow_up(rectification=rectification, score=4)  # nothing replied yet
    rectification_verify(rectification=rectification, actor=cast.erin, clerk_account="a", finding="b")
    rectification_rectify(rectification=rectification, actor=cast.erin, measures="m")
    rectification_reply(rectification=rectification, actor=cast.erin, reply="r")
    assert rectification_follow_up(rectification=rectification, score=4).follow_up_score == 4
    with pytest.raises(Conflict):
        rectification_follow_up(rectification=rectification, score=1)


def test_the_list_is_scoped_and_filtered(client, served, django_assert_max_num_queries) -> None:
    for _ in range(5):
        bad_review(served)
    client.force_login(served.cast.erin)
    with django_assert_max_num_queries(12):
        rows = client.get("/api/v1/rectifications?hall=qhd&status=verifying").json()
    assert len(rows) == 5
    assert client.get("/api/v1/rectifications?status=closed").json() == []


def test_two_officers_verifying_at_once_move_it_once(served) -> None:
    from minxin.core.errors import Conflict
    from minxin.feedback.services import rectification_verify

    rectification = bad_review(served)
    stale = Rectification.objects.get(pk=rectification.pk)
    rectification_verify(rectification=rectification, actor=served.cast.erin, clerk_account="a", finding="b")
    with pytest.raises(Conflict):
        rectification_verify(rectification=stale, actor=served.cast.alice, clerk_account="c", finding="d")
    assert rectification.steps.filter(kind="verified").count() == 1


def test_an_offset_past_every_list_is_an_empty_page(client, served) -> None:
    """An offset beyond the database's integers used to be a 500 (found by fuzzing)."""
    bad_review(served)
    client.force_login(served.cast.alice)
    response = client.get("/api/v1/rectifications", {"offset": 10**19})
    assert (response.status_code, response.json()) == (200, [])
