"""Scores reproduce hand-computed fixtures exactly (Decimal): bands, deductions capped at the indicator's
points, weights, bonus cap, veto before ranking, ties."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine

from minxin.competition.formulas import Measure
from minxin.competition.scoring import Evidence, IndicatorSpec, band_share, indicator_score, validate_bands
from minxin.core.errors import InvalidInput

from .conftest import AFTER_NOVEMBER, tickets

D = Decimal


def spec(**overrides: Any) -> IndicatorSpec:
    values: dict[str, Any] = {
        "code": "x",
        "dimension": "d",
        "points": D(10),
        "weight": D(1),
        "is_bonus": False,
        "method": "inspection",
        "formula": "",
        "bands": {},
        "fallback": "",
        "deduction": D(2),
    }
    return IndicatorSpec(**(values | overrides))


def test_linear_bands_rise_from_zero_to_full_and_clamp() -> None:
    bands = {"linear": {"zero": "0.5", "full": "0.95"}}
    assert band_share(bands, D("0.5")) == 0
    assert band_share(bands, D("0.95")) == 1
    assert band_share(bands, D("0.725")) == D("0.5")
    assert band_share(bands, D("0.2")) == 0
    assert band_share(bands, D("1")) == 1


def test_linear_bands_where_lower_is_better() -> None:
    bands = {"linear": {"zero": "60", "full": "15"}}
    assert band_share(bands, D("15")) == 1
    assert band_share(bands, D("37.5")) == D("0.5")
    assert band_share(bands, D("90")) == 0


def test_step_bands_take_the_first_step_reached() -> None:
    bands = {"steps": [["0", "1"], ["0.05", "0.8"], ["0.1", "0.5"]], "better": "lower"}
    assert band_share(bands, D("0")) == 1
    assert band_share(bands, D("0.05")) == D("0.8")
    assert band_share(bands, D("0.07")) == D("0.5")
    assert band_share(bands, D("0.2")) == 0


def test_bad_bands_are_refused_naming_the_field() -> None:
    with pytest.raises(InvalidInput) as error:
        validate_bands({"linear": {"zero": "x", "full": "1"}})
    assert error.value.details["field"] == "bands.linear.zero"


def test_deductions_are_capped_at_the_indicators_points() -> None:
    line = indicator_score(spec(), Evidence(deductions=D(14), findings=7))
    assert (line["base"], line["deductions"], line["points"]) == ("10.00", "10.00", "0.00")


def test_a_formula_without_data_falls_back() -> None:
    line = indicator_score(
        spec(method="formula", formula="f", fallback="inspection"), Evidence(deductions=D(3))
    )
    assert line["no_data"]
    assert line["method"] == "inspection"
    assert line["points"] == "7.00"


def test_weight_multiplies_the_points_after_deductions() -> None:
    line = indicator_score(
        spec(method="formula", bands={"linear": {"zero": "0", "full": "1"}}, weight=D("1.5")),
        Evidence(measure=Measure(D("0.8"), {}), deductions=D(1)),
    )
    assert (line["base"], line["points"]) == ("8.00", "10.50")


def _fixture_rubric() -> Any:
    from minxin.competition.services.rubrics import DimensionData, IndicatorData, rubric_create

    within = {"linear": {"zero": "0.5", "full": "1"}}
    return rubric_create(
        code="fixture",
        name="Fixture",
        category="administration",
        veto_items=[("crime", "刑事案件")],
        dimensions=[
            DimensionData(
                "service",
                "服务",
                [
                    IndicatorData(
                        "wait",
                        "等候",
                        D(20),
                        "formula",
                        formula="queue_called_within_15",
                        bands=within,
                        fallback="inspection",
                    ),
                    IndicatorData("env", "环境", D(10), "inspection", deduction=D(2)),
                ],
            ),
            DimensionData(
                "docs",
                "材料",
                [
                    IndicatorData("docs", "材料", D(30), "document"),
                    IndicatorData("survey", "问卷", D(40), "questionnaire"),
                ],
            ),
            DimensionData(
                "bonus",
                "加分",
                [
                    IndicatorData("b1", "创新", D(6), "document", is_bonus=True),
                    IndicatorData("b2", "典型", D(6), "document", is_bonus=True),
                ],
            ),
        ],
    )


def _citizen(n: int) -> Any:
    from minxin.accounts.models import Citizen

    return Citizen.objects.create(
        phone_hash=f"h{n}", phone_masked="138****0000", phone_encrypted="x", created_at=AFTER_NOVEMBER
    )


@pytest.fixture
def computed(contest: Any) -> Any:
    """The hand-computed fixture (docs/competition.md works it through):

    qhd   wait 8/10 within 15 → 20×(0.8−0.5)/0.5 = 12, −1.5 finding = 10.50; env 3×2 → 4; docs 25.5;
          survey 5,4,4 → mean 4.3333 → 40×0.8333 = 33.33; bonus 6 + 5.5 = 11.5 → cap 10: total 83.33
    qhd_b wait (no hall, inspection) findings 12+13 → capped 20 → 0; env 6×2 → capped 10 → 0; docs 30;
          survey none → 40: total 70, deductions 30
    sjz_b same as qhd_b by another road (one finding of 20, 5×2 on env): total 70, deductions 30: tied
    sjz_c wait 20, env 10, docs 14, survey 3 → 20, bonus 6: total 70 but 64 without bonus: after them
    sjz   vetoed (criminal case): not scored, not ranked, although it would have 100.
    """
    from minxin.competition.services.evidence import (
        FindingData,
        answer_submit,
        document_review,
        inspection_submit,
        veto_record,
    )
    from minxin.competition.services.rounds import round_assign, round_compute, round_open

    c = contest
    rubric = _fixture_rubric()
    tickets(c.cast.hall, dt.date(2026, 11, 10), [5, 5, 5, 5, 5, 5, 10, 15, 16, 30])
    tickets(c.cast.hall, dt.date(2026, 12, 1), [90, 90])  # outside the period: not counted
    with time_machine.travel(AFTER_NOVEMBER, tick=False):
        round = round_open(
            officer=c.olga,
            rubric=rubric,
            region=c.cast.province,
            category="administration",
            period_start=dt.date(2026, 11, 1),
            period_end=dt.date(2026, 11, 30),
        )
        for unit in (c.qhd, c.qhd_b, c.sjz_b, c.sjz_c, c.sjz):
            round_assign(officer=c.olga, round=round, unit=unit, assessor=c.adam)

        def inspect(unit: Any, *findings: FindingData) -> None:
            inspection_submit(assessor=c.adam, round=round, unit=unit, findings=list(findings))

        inspect(c.qhd, FindingData("wait", D("1.5")), *[FindingData("env")] * 3)
        inspect(c.qhd_b, FindingData("wait", D(12)), FindingData("wait", D(13)), *[FindingData("env")] * 6)
        inspect(c.sjz_b, FindingData("wait", D(20)), *[FindingData("env")] * 5)
        for unit, code, points in (
            (c.qhd, "docs", "25.5"),
            (c.qhd, "b1", "6"),
            (c.qhd, "b2", "5.5"),
            (c.qhd_b, "docs", "30"),
            (c.sjz_b, "docs", "30"),
            (c.sjz_c, "docs", "14"),
            (c.sjz_c, "b1", "6"),
            (c.sjz, "docs", "30"),
        ):
            document_review(assessor=c.adam, round=round, unit=unit, indicator_code=code, points=D(points))
        for n, level in enumerate((5, 4, 4)):
            answer_submit(citizen=_citizen(n), round=round, unit=c.qhd, answers={"survey": level})
        answer_submit(citizen=_citizen(9), round=round, unit=c.sjz_c, answers={"survey": 3})
        veto_record(officer=c.olga, round=round, unit=c.sjz, item_code="crime", note="2026年11月干部刑事案件")
        round_compute(officer=c.olga, round=round)
    return round


def _score(round: Any, unit: Any) -> Any:
    from minxin.competition.models import UnitScore

    return UnitScore.objects.get(round=round, unit=unit)


def test_the_fixture_scores_exactly(contest: Any, computed: Any) -> None:
    qhd = _score(computed, contest.qhd)
    assert (qhd.standard_points, qhd.bonus_points, qhd.total, qhd.deductions) == (
        D("73.33"),
        D("10.00"),
        D("83.33"),
        D("7.50"),
    )
    lines = qhd.breakdown["indicators"]
    assert lines["wait"] == {
        "value": "0.8000",
        "inputs": {"called": 10, "called_within_15": 8},
        "method": "formula",
        "base": "12.00",
        "findings": 1,
        "deductions": "1.50",
        "points": "10.50",
    }
    assert (lines["env"]["points"], lines["docs"]["points"], lines["survey"]["points"]) == (
        "4.00",
        "25.50",
        "33.33",
    )
    assert qhd.breakdown["bonus_claimed"] == "11.50"
    assert qhd.breakdown["dimensions"] == {"service": "14.50", "docs": "58.83"}


def test_deductions_never_spill_past_an_indicator(contest: Any, computed: Any) -> None:
    qhd_b = _score(computed, contest.qhd_b)
    assert qhd_b.breakdown["indicators"]["wait"]["deductions"] == "20.00"
    assert qhd_b.breakdown["indicators"]["env"]["deductions"] == "10.00"
    assert (qhd_b.total, qhd_b.deductions) == (D("70.00"), D("30.00"))


def test_veto_is_checked_before_scoring_and_ranking(contest: Any, computed: Any) -> None:
    sjz = _score(computed, contest.sjz)
    assert sjz.vetoed
    assert sjz.total is None
    assert sjz.rank is None
    assert sjz.breakdown == {}
    assert sjz.veto_reasons == ["刑事案件"]


def test_ranking_breaks_ties_as_stated(contest: Any, computed: Any) -> None:
    ranks = {s.unit_id: s.rank for s in computed.scores.all()}
    c = contest
    assert ranks == {c.qhd.pk: 1, c.qhd_b.pk: 2, c.sjz_b.pk: 2, c.sjz_c.pk: 4, c.sjz.pk: None}


def test_the_scores_api_gives_each_platform_indicators_inputs(
    client: Any, contest: Any, computed: Any
) -> None:
    client.force_login(contest.olga)
    response = client.get(f"/api/v1/rounds/{computed.public_id}/scores")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 5
    first = body["units"][0]
    assert (first["unit"], D(first["total"]), first["rank"]) == (contest.qhd.pk, D("83.33"), 1)
    assert D(first["dimensions"]["service"]) == D("14.50")
    wait = next(line for line in first["indicators"] if line["indicator"] == "wait")
    assert wait["inputs"] == {"called": 10, "called_within_15": 8}
    assert D(wait["points"]) == D("10.50")
    vetoed = next(u for u in body["units"] if u["vetoed"])
    assert vetoed["total"] is None
    assert vetoed["veto_reasons"] == ["刑事案件"]


def test_rubric_points_must_add_up(contest: Any) -> None:
    from minxin.competition.services.rubrics import DimensionData, IndicatorData, rubric_create

    with pytest.raises(InvalidInput) as error:
        rubric_create(
            code="bad",
            name="Bad",
            category="",
            veto_items=[],
            dimensions=[DimensionData("d", "D", [IndicatorData("x", "X", D(90), "inspection")])],
        )
    assert error.value.code == "points_do_not_add_up"


def test_a_frozen_rubric_version_is_not_edited(contest: Any, computed: Any) -> None:
    from minxin.competition.services.rubrics import rubric_indicator_set_bands
    from minxin.core.errors import Conflict

    with pytest.raises(Conflict):
        rubric_indicator_set_bands(indicator=computed.rubric.indicators.get(code="wait"), bands={})
