"""The pages as their users see them: intake from a called number, the case page's actions, the
printable notice, inbox, supervision, metrics and exports, the citizen's list and the public lookup."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine

from minxin.cases.models import Case
from minxin.cases.tests.conftest import PERSON, at, take_in


@pytest.fixture
def case(cast: Any, licence: Any) -> Case:
    with time_machine.travel(at(2017, 9, 28), tick=False):
        return take_in(cast, licence)


def test_the_intake_page_proposes_the_hall_items(cast: Any, licence: Any, client: Any) -> None:
    client.force_login(cast.bob)
    with time_machine.travel(at(2017, 9, 28), tick=False):
        page = client.get("/staff/halls/qhd/cases/new/")
    assert page.status_code == 200
    assert "旅馆业特种行业许可证核发" in page.content.decode()


def test_intake_by_form_issues_a_correction_notice_and_prints_it(
    cast: Any, licence: Any, client: Any
) -> None:
    client.force_login(cast.bob)
    form = {"item": str(licence.item.public_id), "window": "1", "outcome": "correct"} | PERSON
    for material in licence.materials.all():
        form[f"m{material.pk}"] = "missing" if material.name == "申请表" else "original"
    with time_machine.travel(at(2017, 9, 28), tick=False):
        response = client.post("/staff/halls/qhd/cases/new/", form)
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith("?notice=correction")
    notice = client.get(f"/staff/cases/{case.public_id}/notice/correction/")
    body = notice.content.decode()
    assert case.number in body
    assert "申请表" in body
    assert "<svg" in body  # the QR code


def test_an_intake_form_error_names_the_problem(cast: Any, licence: Any, client: Any) -> None:
    client.force_login(cast.bob)
    form = {"item": str(licence.item.public_id), "outcome": "refuse"} | PERSON
    with time_machine.travel(at(2017, 9, 28), tick=False):
        response = client.post("/staff/halls/qhd/cases/new/", form)
    assert response.status_code == 422
    assert 'aria-invalid="true"' in response.content.decode()


def test_a_clerk_of_another_hall_cannot_open_the_intake_page(cast: Any, client: Any) -> None:
    client.force_login(cast.charlie)
    assert client.get("/staff/halls/qhd/cases/new/").status_code == 403


def test_the_officer_decides_on_the_case_page(cast: Any, case: Case, client: Any) -> None:
    client.force_login(cast.erin)
    page = client.get(f"/staff/cases/{case.public_id}/")
    assert "decide-submit" in page.content.decode()
    with time_machine.travel(at(2017, 10, 9), tick=False):
        client.post(f"/staff/cases/{case.public_id}/action/", {"do": "decide", "decision": "approve"})
    case.refresh_from_db()
    assert case.status == "decided"


def test_the_case_page_is_404_out_of_scope(cast: Any, case: Case, client: Any) -> None:
    client.force_login(cast.charlie)
    assert client.get(f"/staff/cases/{case.public_id}/").status_code == 404


def test_the_inbox_lists_the_department_cases(
    cast: Any, case: Case, client: Any, django_assert_max_num_queries: Any
) -> None:
    client.force_login(cast.erin)
    with django_assert_max_num_queries(25):
        page = client.get("/staff/halls/qhd/cases/inbox/")
    assert case.number in page.content.decode()


def test_supervision_and_metrics_pages_for_the_manager(cast: Any, case: Case, client: Any) -> None:
    client.force_login(cast.alice)
    assert client.get("/staff/halls/qhd/cases/supervision/").status_code == 200
    page = client.get("/staff/halls/qhd/cases/metrics/?from=2017-09-01&to=2017-10-31")
    assert page.status_code == 200
    assert 'data-chart="rates-option"' in page.content.decode()
    export = client.get("/staff/halls/qhd/cases/metrics.xlsx?from=2017-09-01&to=2017-10-31")
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    csv = client.get("/staff/halls/qhd/cases/metrics.csv?from=2017-09-01&to=2017-10-31")
    assert "on_time_rate" in csv.content.decode("utf-8-sig")


def test_a_clerk_may_not_see_supervision(cast: Any, client: Any) -> None:
    client.force_login(cast.bob)
    assert client.get("/staff/halls/qhd/cases/supervision/").status_code == 403


def test_the_citizen_sees_their_cases_with_the_timeline(case: Case, client: Any) -> None:
    from minxin.accounts.services import citizen_get_or_create

    session = client.session
    session["citizen_id"] = citizen_get_or_create(phone=PERSON["phone"]).pk
    session.save()
    body = client.get("/me/cases/").content.decode()
    assert case.number in body
    assert "2017-10-18" in body


def test_the_lookup_finds_a_case_by_number_and_last_four_digits(case: Case, client: Any) -> None:
    wrong = client.post("/cases/lookup/", {"number": case.number, "last4": "0000"})
    right = client.post("/cases/lookup/", {"number": case.number.lower(), "last4": "8000"})
    assert wrong.status_code == 404
    assert right.status_code == 302
    assert client.get(right["Location"]).status_code == 200


def test_the_lookup_is_rate_limited(case: Case, client: Any, settings: Any) -> None:
    settings.CASES_LOOKUPS_PER_HOUR = 3
    codes = [
        client.post("/cases/lookup/", {"number": case.number, "last4": f"{n:04d}"}).status_code
        for n in range(5)
    ]
    assert codes[-1] == 429


def test_the_staff_home_shows_the_cases_panel_and_the_calendar_warning(cast: Any, client: Any) -> None:
    from minxin.core.workdays import calendar_seed

    calendar_seed(first_year=2026, last_year=2026)
    client.force_login(cast.alice)
    with time_machine.travel(at(2026, 12, 6), tick=False):
        body = client.get("/staff/").content.decode()
    assert "/staff/halls/qhd/cases/supervision/" in body
    assert "2026-12-31" in body
