"""The public API: exact paths, the answer's shape, the error shape and the scope of each caller."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine

from minxin.cases.tests.conftest import OTHER_PERSON, PERSON, at, take_in


def _body(version: Any, outcome: str = "accept", **extra: Any) -> dict[str, Any]:
    return {
        "item": str(version.item.public_id),
        "applicant": PERSON,
        "materials": [{"material": m.pk, "presented": True, "ok": True} for m in version.materials.all()],
        "outcome": outcome,
        "window": "1",
    } | extra


def _post(client: Any, path: str, body: dict[str, Any], headers: dict[str, str]) -> Any:
    return client.post(path, body, content_type="application/json", **headers)


def test_intake_answers_201_with_dates_in_iso(cast: Any, licence: Any, client: Any, token_for: Any) -> None:
    with time_machine.travel(at(2017, 9, 28), tick=False):
        response = _post(client, "/api/v1/halls/qhd/cases", _body(licence), token_for(cast.bob))
    assert response.status_code == 201
    data = response.json()
    assert data["number"] == "QHD-2017-000001"
    assert (data["accepted_on"], data["promised_due"], data["statutory_due"]) == (
        "2017-09-28",
        "2017-10-18",
        "2017-11-01",
    )
    assert data["status"] == "accepted"
    assert data["light"] == "none"
    assert data["applicant"]["phone_masked"] == "138****8000"
    assert [h["action"] for h in data["history"]] == ["intake_accept"]


def test_unknown_material_is_a_422_naming_the_field(
    cast: Any, licence: Any, client: Any, token_for: Any
) -> None:
    body = _body(licence, materials=[{"material": 999999, "presented": True, "ok": True}])
    with time_machine.travel(at(2017, 9, 28), tick=False):
        response = _post(client, "/api/v1/halls/qhd/cases", body, token_for(cast.bob))
    assert response.status_code == 422
    assert response.json()["error"]["details"]["field"] == "materials"


def test_a_bad_id_number_is_a_422_naming_the_field(
    cast: Any, licence: Any, client: Any, token_for: Any
) -> None:
    body = _body(licence, applicant=PERSON | {"id_number": "130302199003077571"})
    with time_machine.travel(at(2017, 9, 28), tick=False):
        response = _post(client, "/api/v1/halls/qhd/cases", body, token_for(cast.bob))
    assert response.status_code == 422
    assert response.json()["error"]["details"]["field"] == "applicant.id_number"


def test_intake_without_credentials_is_401(cast: Any, licence: Any, client: Any) -> None:
    response = _post(client, "/api/v1/halls/qhd/cases", _body(licence), {})
    assert response.status_code == 401


def test_a_clerk_of_another_hall_gets_403_on_intake(
    cast: Any, licence: Any, client: Any, token_for: Any
) -> None:
    with time_machine.travel(at(2017, 9, 28), tick=False):
        response = _post(client, "/api/v1/halls/qhd/cases", _body(licence), token_for(cast.charlie))
    assert response.status_code == 403


@pytest.fixture
def case(cast: Any, licence: Any) -> Any:
    with time_machine.travel(at(2017, 9, 28), tick=False):
        return take_in(cast, licence)


@pytest.mark.parametrize("who", ["charlie", "other_officer"])
def test_staff_out_of_scope_get_404(cast: Any, case: Any, client: Any, token_for: Any, who: str) -> None:
    from minxin.accounts.models import Role, User
    from minxin.catalog.services import department_assign_officer
    from minxin.orgs.services import membership_grant

    if who == "other_officer":
        user = User.objects.create_user(username="fay", password="fay-pass-123")
        membership_grant(user=user, role=Role.DEPARTMENT_OFFICER, hall=cast.hall)
        department_assign_officer(department=cast.amr, officer=user)
    else:
        user = cast.charlie
    response = client.get(f"/api/v1/cases/{case.public_id}", **token_for(user))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "case_not_found"
    decided = _post(
        client, f"/api/v1/cases/{case.public_id}/decide", {"decision": "approve"}, token_for(user)
    )
    assert decided.status_code == 404


@pytest.mark.parametrize("who", ["bob", "erin", "alice", "dora"])
def test_staff_in_scope_see_the_case(cast: Any, case: Any, client: Any, token_for: Any, who: str) -> None:
    response = client.get(f"/api/v1/cases/{case.public_id}", **token_for(getattr(cast, who)))
    assert response.status_code == 200
    assert response.json()["number"] == case.number


def _citizen_client(client: Any, phone: str) -> Any:
    from minxin.accounts.services import citizen_get_or_create

    citizen = citizen_get_or_create(phone=phone)
    session = client.session
    session["citizen_id"] = citizen.pk
    session.save()
    return citizen


def test_the_applicant_sees_the_case_and_another_citizen_gets_404(case: Any, client: Any) -> None:
    _citizen_client(client, PERSON["phone"])
    assert client.get(f"/api/v1/cases/{case.public_id}").status_code == 200
    _citizen_client(client, OTHER_PERSON["phone"])
    response = client.get(f"/api/v1/cases/{case.public_id}")
    assert response.status_code == 404


def test_a_window_clerk_may_see_but_not_decide(cast: Any, case: Any, client: Any, token_for: Any) -> None:
    response = _post(
        client, f"/api/v1/cases/{case.public_id}/decide", {"decision": "approve"}, token_for(cast.bob)
    )
    assert response.status_code == 403


def test_the_department_moves_the_case_through_the_api(
    cast: Any, case: Any, client: Any, token_for: Any
) -> None:
    erin, bob = token_for(cast.erin), token_for(cast.bob)
    base = f"/api/v1/cases/{case.public_id}"
    with time_machine.travel(at(2017, 9, 29), tick=False):
        assert (
            _post(client, f"{base}/suspend", {"kind": "inspection", "reason": "现场核查"}, erin).json()[
                "status"
            ]
            == "suspended"
        )
    with time_machine.travel(at(2017, 10, 10), tick=False):
        resumed = _post(client, f"{base}/resume", {}, erin).json()
        assert (resumed["promised_due"], resumed["statutory_due"]) == ("2017-10-23", "2017-11-06")
        extended = _post(client, f"{base}/extend", {"reason": "需专家评审"}, erin).json()
        assert extended["statutory_due"] == "2017-11-20"
        decided = _post(
            client, f"{base}/decide", {"decision": "reject", "reasons": "不符合消防要求"}, erin
        ).json()
        assert decided["decision"] == "reject"
        assert decided["on_time"] is True
        delivered = _post(client, f"{base}/deliver", {"method": "window"}, bob).json()
        assert delivered["status"] == "delivering"
        done = _post(client, f"{base}/complete", {}, bob).json()
    assert done["status"] == "completed"
    assert done["trips_made"] == 2


def test_a_wrong_transition_is_a_409_with_the_current_status(
    cast: Any, case: Any, client: Any, token_for: Any
) -> None:
    response = _post(client, f"/api/v1/cases/{case.public_id}/complete", {}, token_for(cast.bob))
    assert response.status_code == 409
    assert response.json()["error"]["details"]["status"] == "accepted"


def test_an_unknown_suspension_kind_is_a_422(cast: Any, case: Any, client: Any, token_for: Any) -> None:
    response = _post(
        client,
        f"/api/v1/cases/{case.public_id}/suspend",
        {"kind": "lunch", "reason": "x"},
        token_for(cast.erin),
    )
    assert response.status_code == 422


def test_the_correction_return_through_the_api(cast: Any, licence: Any, client: Any, token_for: Any) -> None:
    materials = [
        {"material": m.pk, "presented": m.name != "申请表", "ok": m.name != "申请表"}
        for m in licence.materials.all()
    ]
    form = licence.materials.get(name="申请表")
    with time_machine.travel(at(2017, 9, 28), tick=False):
        created = _post(
            client,
            "/api/v1/halls/qhd/cases",
            _body(licence, "correct", materials=materials),
            token_for(cast.bob),
        ).json()
        assert created["status"] == "correction"
        assert created["promised_due"] is None
        back = _post(
            client,
            f"/api/v1/cases/{created['id']}/materials",
            {"materials": [{"material": form.pk, "presented": True, "ok": True}]},
            token_for(cast.bob),
        ).json()
    assert back["status"] == "accepted"
    assert back["statutory_due"] == "2017-11-01"
