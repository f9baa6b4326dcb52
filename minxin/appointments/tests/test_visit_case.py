"""A home visit for an item takes the case in at the citizen's home: the case is opened by the cases app's
own intake when the visit is completed, linked from the visit, with no trip for the citizen."""

from __future__ import annotations

import pytest

from minxin.appointments.models import HomeVisit, VisitStatus
from minxin.appointments.services import VisitIntake, visit_complete, visit_request, visit_schedule
from minxin.appointments.tests.conftest import local
from minxin.core.errors import InvalidInput

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("morning")]
ID_NUMBER = "130302199003077572"


@pytest.fixture
def item(cast):
    from minxin.cases.tests.conftest import _licence
    from minxin.core.workdays import calendar_seed

    calendar_seed(first_year=2026, last_year=2026)
    return _licence(cast)


def scheduled_visit(cast, version) -> HomeVisit:
    visit = visit_request(
        hall=cast.hall,
        matter="旅馆业特种行业许可证",
        requester="elderly",
        name="王大爷",
        phone="13812345678",
        address="海港区建设大街1号",
        item=version.item,
    )
    return visit_schedule(visit=visit, staff=cast.bob, when=local(1, 15), actor=cast.bob)


def test_completing_a_visit_for_an_item_opens_its_case_with_zero_trips(cast, item) -> None:
    visit = scheduled_visit(cast, item)
    materials = frozenset(item.materials.values_list("pk", flat=True))
    done = visit_complete(
        visit=visit,
        actor=cast.bob,
        outcome="已上门受理",
        intake=VisitIntake(id_number=ID_NUMBER, materials_ok=materials),
    )
    assert done.status == VisitStatus.DONE
    assert done.case is not None
    assert done.case.status == "accepted"
    assert done.case.trips_made == 0
    assert done.case.applicant.name == "王大爷"
    assert done.case.delivery_method == "home"
    assert done.case.history.filter(action="home_visit").exists()


def test_a_missing_material_opens_the_case_with_a_correction_notice(cast, item) -> None:
    visit = scheduled_visit(cast, item)
    first = item.materials.order_by("position", "id").first()
    done = visit_complete(
        visit=visit,
        actor=cast.bob,
        outcome="缺申请表",
        intake=VisitIntake(id_number=ID_NUMBER, materials_ok=frozenset([first.pk])),
    )
    assert done.case.status == "correction"
    assert done.case.trips_made == 0


def test_a_bad_id_number_leaves_the_visit_scheduled_and_no_case(cast, item) -> None:
    visit = scheduled_visit(cast, item)
    with pytest.raises(InvalidInput) as refused:
        visit_complete(visit=visit, actor=cast.bob, outcome="x", intake=VisitIntake(id_number="123"))
    assert refused.value.details["field"] == "applicant.id_number"
    visit.refresh_from_db()
    assert visit.status == VisitStatus.SCHEDULED
    assert visit.case is None


def test_the_visit_page_shows_the_case_number_and_links_to_it(cast, item, client) -> None:
    visit = scheduled_visit(cast, item)
    client.force_login(cast.bob)
    page = client.get(f"/staff/halls/qhd/home-visits/{visit.public_id}/")
    assert page.status_code == 200
    assert 'name="material"' in page.content.decode()
    materials = [str(pk) for pk in item.materials.values_list("pk", flat=True)]
    client.post(
        f"/staff/halls/qhd/home-visits/{visit.public_id}/complete/",
        {"id_number": ID_NUMBER, "material": materials, "outcome": "已上门受理"},
    )
    visit.refresh_from_db()
    shown = client.get(f"/staff/halls/qhd/home-visits/{visit.public_id}/").content.decode()
    assert visit.case.number in shown
    assert f"/staff/cases/{visit.case.public_id}/" in shown
    listed = client.get("/staff/halls/qhd/home-visits/").content.decode()
    assert visit.case.number in listed


def test_another_halls_clerk_cannot_open_the_visit(cast, item, client) -> None:
    visit = scheduled_visit(cast, item)
    client.force_login(cast.charlie)
    assert client.get(f"/staff/halls/qhd/home-visits/{visit.public_id}/").status_code == 403
