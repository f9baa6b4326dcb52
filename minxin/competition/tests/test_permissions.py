"""The exact API with its error shape, scoped: a unit's own staff never edits its scores (per endpoint),
an assessor never assesses their own unit, an officer acts only in their region."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest

from minxin.competition.models import DocumentReview, Finding, Inspection, Objection, UnitScore, VetoFinding

D = Decimal


def post(client: Any, path: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(path, json.dumps(body or {}), content_type="application/json")


def round_body(contest: Any, **overrides: Any) -> dict[str, Any]:
    return {
        "rubric": str(contest.rubric.public_id),
        "region": "130000",
        "category": "administration",
        "period_start": "2026-11-01",
        "period_end": "2026-11-30",
    } | overrides


@pytest.fixture
def open_round(contest: Any) -> Any:
    from minxin.competition.services.rounds import round_assign, round_open

    round = round_open(
        officer=contest.olga,
        rubric=contest.rubric,
        region=contest.cast.province,
        category="administration",
        period_start=dt.date(2026, 11, 1),
        period_end=dt.date(2026, 11, 30),
    )
    round_assign(officer=contest.olga, round=round, unit=contest.qhd, assessor=contest.adam)
    return round


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"]
    return dict(error)


def test_rubrics_are_listed_with_their_tree(client: Any, contest: Any) -> None:
    [rubric] = client.get("/api/v1/rubrics").json()
    assert rubric["code"] == "sanbi-administration"
    assert D(rubric["base_points"]) == 100
    tree = client.get(f"/api/v1/rubrics/{rubric['id']}").json()
    assert [d["name"] for d in tree["dimensions"]] == ["比三办", "比三致", "比三优", "加分项"]
    prompt = tree["dimensions"][0]["indicators"][1]
    assert prompt["formula"] == "queue_called_within_15"
    assert prompt["formula_definition"]
    assert len(tree["veto_items"]) == 3
    assert_error(client.get("/api/v1/rubrics/00000000-0000-0000-0000-000000000000"), 404, "rubric_not_found")


def test_the_campaign_officer_opens_a_round(client: Any, contest: Any) -> None:
    client.force_login(contest.olga)
    response = post(client, "/api/v1/rounds", round_body(contest))
    assert response.status_code == 201
    assert response.json()["status"] == "open"
    assert_error(post(client, "/api/v1/rounds", round_body(contest)), 409, "round_exists")
    contest.rubric.refresh_from_db()
    assert contest.rubric.frozen_at is not None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"region": "999999"}, "region"),
        ({"rubric": "00000000-0000-0000-0000-000000000000"}, "rubric"),
        ({"period_end": "2026-10-01"}, "period_end"),
        ({"category": "sport"}, "category"),
    ],
)
def test_bad_round_input_names_the_field(
    client: Any, contest: Any, change: dict[str, str], field: str
) -> None:
    client.force_login(contest.olga)
    response = post(client, "/api/v1/rounds", round_body(contest, **change))
    assert response.status_code == 422
    assert field in json.dumps(response.json()["error"]["details"])


def test_an_officer_of_another_region_cannot_open_a_round_here(client: Any, contest: Any) -> None:
    client.force_login(contest.oscar)  # Shijiazhuang's officer, not Hebei's
    assert_error(post(client, "/api/v1/rounds", round_body(contest)), 403, "not_campaign_officer")


def test_without_signing_in_nothing_is_written(client: Any, contest: Any, open_round: Any) -> None:
    assert post(client, "/api/v1/rounds", round_body(contest)).status_code == 401
    assert post(client, f"/api/v1/rounds/{open_round.public_id}/compute").status_code == 401


# A unit's own staff: alice manages hall qhd, paul is an assessor who also manages it.


def test_own_staff_cannot_open_compute_or_freeze(client: Any, contest: Any, open_round: Any) -> None:
    client.force_login(contest.cast.alice)
    assert_error(
        post(
            client, "/api/v1/rounds", round_body(contest, period_start="2026-12-01", period_end="2026-12-31")
        ),
        403,
        "not_campaign_officer",
    )
    assert_error(post(client, f"/api/v1/rounds/{open_round.public_id}/compute"), 403, "not_campaign_officer")
    assert_error(post(client, f"/api/v1/rounds/{open_round.public_id}/freeze"), 403, "not_campaign_officer")
    assert not UnitScore.objects.exists()


def test_own_staff_cannot_be_assigned_to_their_unit(client: Any, contest: Any, open_round: Any) -> None:
    client.force_login(contest.olga)
    body = {"unit": contest.qhd.pk, "assessor": "paul"}
    assert_error(post(client, f"/api/v1/rounds/{open_round.public_id}/assignments", body), 403, "own_unit")
    body = {"unit": contest.qhd_b.pk, "assessor": "paul"}
    assert post(client, f"/api/v1/rounds/{open_round.public_id}/assignments", body).status_code == 201


def test_own_staff_cannot_inspect_their_unit(client: Any, contest: Any, open_round: Any) -> None:
    client.force_login(contest.paul)
    body = {"unit": contest.qhd.pk, "findings": [{"indicator": "environment", "deduction": "2", "note": "x"}]}
    assert_error(post(client, f"/api/v1/rounds/{open_round.public_id}/inspections", body), 403, "own_unit")
    client.force_login(contest.cast.alice)
    assert_error(post(client, f"/api/v1/rounds/{open_round.public_id}/inspections", body), 403, "own_unit")
    assert not Inspection.objects.exists()


def test_the_assigned_assessor_inspects(client: Any, contest: Any, open_round: Any) -> None:
    client.force_login(contest.adam)
    body = {
        "unit": contest.qhd.pk,
        "kind": "announced",
        "latitude": "39.935",
        "longitude": "119.6",
        "findings": [
            {"indicator": "environment", "note": "地面有积水"},
            {"indicator": "culture", "deduction": "1.5"},
        ],
    }
    response = post(client, f"/api/v1/rounds/{open_round.public_id}/inspections", body)
    assert response.status_code == 201
    assert [(f["indicator"], D(f["deduction"])) for f in response.json()["findings"]] == [
        ("environment", D(2)),
        ("culture", D("1.5")),
    ]
    assert_error(
        post(client, f"/api/v1/rounds/{open_round.public_id}/inspections", body | {"unit": contest.qhd_b.pk}),
        403,
        "not_assigned",
    )


@pytest.mark.parametrize(
    ("finding", "field"),
    [
        ({"indicator": "nope"}, "findings[0].indicator"),
        ({"indicator": "environment", "deduction": "12"}, "findings[0].deduction"),
    ],
)
def test_bad_findings_name_the_field(
    client: Any, contest: Any, open_round: Any, finding: dict[str, Any], field: str
) -> None:
    client.force_login(contest.adam)
    response = post(
        client,
        f"/api/v1/rounds/{open_round.public_id}/inspections",
        {"unit": contest.qhd.pk, "findings": [finding]},
    )
    assert response.status_code == 422
    assert response.json()["error"]["details"]["field"] == field


def test_scores_are_hidden_from_units_until_frozen(client: Any, contest: Any, open_round: Any) -> None:
    client.force_login(contest.cast.alice)
    assert_error(client.get(f"/api/v1/rounds/{open_round.public_id}/scores"), 403, "scores_not_published")


def test_own_staff_cannot_edit_scores_through_the_pages(client: Any, contest: Any, open_round: Any) -> None:
    """Even holding the officer's or the assessor's role, a unit's staff changes nothing of its score."""
    from minxin.orgs.services import membership_grant

    membership_grant(user=contest.paul, role="campaign_officer", region=contest.cast.province)
    client.force_login(contest.paul)
    base = f"/staff/competition/rounds/{open_round.public_id}/units/{contest.qhd.pk}"
    client.post(f"{base}/review/", {"indicator": "refined", "points": "11"})
    client.post(f"{base}/veto/", {"item": "criminal-case", "note": "x"})
    assert client.post(f"{base}/inspect/", {"count-environment": "3"}).status_code == 403
    assert not DocumentReview.objects.exists()
    assert not VetoFinding.objects.exists()
    assert not Finding.objects.exists()


def test_own_staff_object_and_the_officer_answers(client: Any, contest: Any, open_round: Any) -> None:
    from minxin.competition.services.rounds import round_compute

    round_compute(officer=contest.olga, round=open_round)
    client.force_login(contest.cast.alice)
    base = f"/staff/competition/rounds/{open_round.public_id}/units/{contest.qhd.pk}"
    client.post(f"{base}/object/", {"text": "暗访当日系停电检修", "indicator": "environment"})
    objection = Objection.objects.get()
    assert objection.raised_by == contest.cast.alice
    client.post(f"{base}/answer/", {"objection": str(objection.public_id), "answer": "自己答复"})
    objection.refresh_from_db()
    assert objection.status == "open"  # alice is no officer
    client.force_login(contest.olga)
    assert_error(post(client, f"/api/v1/rounds/{open_round.public_id}/freeze"), 409, "objections_open")
    client.post(
        f"{base}/answer/", {"objection": str(objection.public_id), "answer": "经核实，维持", "upheld": ""}
    )
    objection.refresh_from_db()
    assert objection.status == "rejected"
    assert post(client, f"/api/v1/rounds/{open_round.public_id}/freeze").status_code == 200


def test_compute_and_freeze_through_the_api(client: Any, contest: Any, open_round: Any) -> None:
    client.force_login(contest.olga)
    assert_error(post(client, f"/api/v1/rounds/{open_round.public_id}/freeze"), 409, "round_status")
    response = post(client, f"/api/v1/rounds/{open_round.public_id}/compute")
    assert response.status_code == 200
    assert response.json()["units"] == 5
    assert post(client, f"/api/v1/rounds/{open_round.public_id}/freeze").json()["status"] == "frozen"
    assert_error(post(client, f"/api/v1/rounds/{open_round.public_id}/compute"), 409, "round_status")
    client.logout()
    client.force_login(contest.cast.alice)  # frozen: public
    assert client.get(f"/api/v1/rounds/{open_round.public_id}/scores").status_code == 200


def test_the_scores_list_is_bounded_in_queries(
    client: Any, contest: Any, open_round: Any, django_assert_max_num_queries: Any
) -> None:
    from minxin.competition.services.rounds import round_compute

    round_compute(officer=contest.olga, round=open_round)
    client.force_login(contest.olga)
    with django_assert_max_num_queries(12):
        assert client.get(f"/api/v1/rounds/{open_round.public_id}/scores").status_code == 200


def test_a_units_staff_find_their_scores_and_not_others(client: Any, contest: Any, open_round: Any) -> None:
    client.force_login(contest.cast.alice)
    home = client.get("/staff/competition/")
    assert home.status_code == 200
    own = f"/staff/competition/rounds/{open_round.public_id}/units/{contest.qhd.pk}/"
    assert own in home.content.decode()
    assert client.get(own).status_code == 200
    client.force_login(contest.cast.charlie)  # the tax bureau's clerk
    assert client.get(own).status_code == 403
    assert client.get(f"/staff/competition/rounds/{open_round.public_id}/").status_code == 403
