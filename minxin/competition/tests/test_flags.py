"""Flags move across rounds (award rules as data, no holding for life), black flags are removed after a
verified rectification and three black flags suspend the title; the public board and API follow."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine

from minxin.core.errors import Conflict, Forbidden

D = Decimal


def _findings(total: int) -> list[Any]:
    """Findings worth `total` points over environment, culture and care (11 points each)."""
    from minxin.competition.services.evidence import FindingData

    rows = []
    for code in ("environment", "culture", "careful"):
        take = min(total, 11)
        if take:
            rows.append(FindingData(code, D(take)))
        total -= take
    return rows


def play_round(contest: Any, month: int, deductions: dict[str, int]) -> Any:
    """A frozen round of 2026-`month` in which each unit loses `deductions[name]` points (documents
    reviewed at full points, so a unit without deductions scores 100)."""
    from minxin.competition.services.evidence import document_review, inspection_submit
    from minxin.competition.services.rounds import round_assign, round_compute, round_freeze, round_open

    c = contest
    start = dt.date(2026, month, 1)
    end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    with time_machine.travel(
        dt.datetime.combine(end + dt.timedelta(days=3), dt.time(2), tzinfo=dt.UTC), tick=False
    ):
        round = round_open(
            officer=c.olga,
            rubric=c.rubric,
            region=c.cast.province,
            category="administration",
            period_start=start,
            period_end=end,
        )
        for name in ("qhd", "qhd_b", "sjz", "sjz_b", "sjz_c"):
            unit = getattr(c, name)
            round_assign(officer=c.olga, round=round, unit=unit, assessor=c.adam)
            for code in ("refined", "utmost"):
                document_review(assessor=c.adam, round=round, unit=unit, indicator_code=code, points=D(11))
            inspection_submit(
                assessor=c.adam, round=round, unit=unit, findings=_findings(deductions.get(name, 0))
            )
        round_compute(officer=c.olga, round=round)
        round_freeze(officer=c.olga, round=round)
    return round


@pytest.fixture
def three_rounds(contest: Any) -> list[Any]:
    from minxin.competition.models import FlagRule
    from minxin.competition.services.flags import title_grant

    c = contest
    FlagRule.objects.create(
        region=c.cast.province,
        category="administration",
        red_min_score=D(90),
        red_top_k=1,
        red_max_consecutive=2,
        black_bottom_k=1,
        black_max_score=D(80),
        suspend_after_black=3,
        black_window_rounds=6,
    )
    title_grant(
        officer=c.olga,
        unit=c.sjz_c,
        granted_by=c.cast.province,
        name="河北省文明单位",
        decision="冀文明〔2025〕3号",
        decided_on=dt.date(2025, 12, 20),
    )
    return [
        play_round(c, 9, {"qhd_b": 4, "sjz": 6, "sjz_b": 10, "sjz_c": 30}),
        play_round(c, 10, {"qhd_b": 2, "sjz": 6, "sjz_b": 10, "sjz_c": 28}),
        play_round(c, 11, {"qhd_b": 2, "sjz": 6, "sjz_b": 10, "sjz_c": 26}),
    ]


def _holders(round: Any, colour: str) -> list[str]:
    return list(round.flags.filter(colour=colour).values_list("unit__name", flat=True))


def test_the_red_flag_moves_and_is_not_held_for_life(contest: Any, three_rounds: list[Any]) -> None:
    september, october, november = three_rounds
    assert _holders(september, "red") == [contest.qhd.name]
    assert _holders(october, "red") == [contest.qhd.name]
    # qhd is first again with 100, but held the flag two rounds in a row: it passes to the next best
    assert november.scores.get(unit=contest.qhd).rank == 1
    assert _holders(november, "red") == [contest.qhd_b.name]


def test_black_flags_go_to_the_worst_below_the_threshold(contest: Any, three_rounds: list[Any]) -> None:
    for round in three_rounds:
        assert _holders(round, "black") == [contest.sjz_c.name]
    award = three_rounds[0].flags.get(colour="black")
    assert award.total == D("70.00")
    assert "70.00" in award.reason


def test_three_black_flags_suspend_the_title(contest: Any, three_rounds: list[Any]) -> None:
    title = contest.sjz_c.civilised_titles.get()
    assert title.status == "yellow_card"
    steps = list(title.events.values_list("step", flat=True))
    assert steps == ["granted", "yellow_card"]
    event = title.events.get(step="yellow_card")
    assert event.round == three_rounds[2]
    assert "3" in event.decision


def test_two_black_flags_do_not_suspend(contest: Any) -> None:
    from minxin.competition.services.flags import title_grant

    title_grant(
        officer=contest.olga,
        unit=contest.sjz_c,
        granted_by=contest.cast.province,
        name="河北省文明单位",
        decision="冀文明〔2025〕3号",
        decided_on=dt.date(2025, 12, 20),
    )
    play_round(contest, 9, {"sjz_c": 30})
    play_round(contest, 10, {"sjz_c": 30})
    assert contest.sjz_c.civilised_titles.get().status == "granted"


def test_a_black_flag_is_removed_after_a_verified_rectification(
    contest: Any, three_rounds: list[Any]
) -> None:
    from minxin.competition.services.flags import flag_rectification_report, flag_remove

    award = three_rounds[0].flags.get(colour="black")
    with pytest.raises(Conflict):
        flag_remove(officer=contest.olga, award=award)  # nothing reported yet
    from minxin.orgs.services import membership_grant

    membership_grant(user=contest.cast.charlie, role="hall_manager", hall=contest.cast.other_hall)
    with pytest.raises(Forbidden):  # charlie works for the tax bureau, not for sjz_c
        flag_rectification_report(user=contest.cast.charlie, award=award, text="已整改")
    staff = _unit_staff(contest.sjz_c)
    flag_rectification_report(user=staff, award=award, text="更换破损座椅，增设引导员")
    flag_remove(officer=contest.olga, award=award, note="2026-10-12 实地复查")
    award.refresh_from_db()
    assert award.removed_at is not None
    assert award.removed_by == contest.olga
    with pytest.raises(Conflict):
        flag_remove(officer=contest.olga, award=award)
    # removed, yet history: the streak rule still counted it
    assert contest.sjz_c.civilised_titles.get().status == "yellow_card"


def _unit_staff(unit: Any) -> Any:
    from minxin.accounts.models import User
    from minxin.orgs.services import hall_create, membership_grant

    hall = hall_create(code=f"h{unit.pk}", name=f"{unit.name}大厅", unit=unit)
    user = User.objects.create_user(username=f"staff{unit.pk}", password="x-pass-123")
    membership_grant(user=user, role="hall_manager", hall=hall)
    return user


def test_the_title_lifecycle_takes_only_allowed_steps(contest: Any) -> None:
    from minxin.competition.services.flags import title_grant, title_step

    c = contest
    title = title_grant(
        officer=c.olga,
        unit=c.qhd_b,
        granted_by=c.cast.province,
        name="河北省文明单位",
        decision="冀文明〔2024〕1号",
        decided_on=dt.date(2024, 12, 1),
    )
    for step, status in (
        ("recheck", "rechecking"),
        ("yellow_card", "yellow_card"),
        ("restored", "restored"),
        ("recheck", "rechecking"),
        ("retained", "retained"),
        ("terminated", "terminated"),
    ):
        title = title_step(
            officer=c.olga, title=title, step=step, decision=f"决定 {step}", decided_on=dt.date(2025, 6, 1)
        )
        assert title.status == status
    with pytest.raises(Conflict):
        title_step(officer=c.olga, title=title, step="restored", decision="x", decided_on=dt.date(2025, 7, 1))


def test_the_flags_api_lists_current_holders_with_history_links(
    client: Any, contest: Any, three_rounds: list[Any]
) -> None:
    response = client.get("/api/v1/flags", {"region": "130000", "category": "administration"})
    assert response.status_code == 200
    [group] = response.json()
    assert group["round"] == str(three_rounds[2].public_id)
    assert [h["unit_name"] for h in group["red"]] == [contest.qhd_b.name]
    assert [h["unit_name"] for h in group["black"]] == [contest.sjz_c.name] * 3
    assert group["red"][0]["history"] == f"/honour/units/{contest.qhd_b.pk}/"
    by_city = client.get("/api/v1/flags", {"region": "130100"}).json()
    assert [h["unit_name"] for h in by_city[0]["red"]] == []
    assert client.get("/api/v1/flags", {"region": "999999"}).json()["error"]["details"]["field"] == "region"


def test_the_honour_board_and_unit_page_show_flags(
    client: Any, contest: Any, three_rounds: list[Any]
) -> None:
    board = client.get("/honour/").content.decode()
    assert contest.qhd_b.name in board
    assert contest.sjz_c.name in board
    page = client.get(f"/honour/units/{contest.qhd.pk}/").content.decode()
    assert page.count("flag flag-red") == 2
    award = three_rounds[0].flags.get(colour="red")
    certificate = client.get(f"/honour/flags/{award.public_id}/certificate/")
    assert certificate.status_code == 200
    assert contest.qhd.name in certificate.content.decode()
    ranking = client.get(f"/honour/rounds/{three_rounds[2].public_id}/")
    assert ranking.status_code == 200
