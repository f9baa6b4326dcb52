"""Who reaches what: each kind of staff member (a clerk, a manager, a city office, a department officer,
a unit's lookout staff) inside and outside their scope, for halls, windows, departments and units; the
one lookup every app uses (`hall_for`: 404 first, then 403); and revoking a role from the admin."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from minxin.accounts.models import Role, User
from minxin.catalog.selectors import clerk_may_act_at_window, departments_for_officer
from minxin.catalog.services import window_create
from minxin.core.errors import Forbidden, NotFound
from minxin.core.models import AuditEntry
from minxin.orgs.models import StaffMembership
from minxin.orgs.selectors import (
    HallNotFound,
    HallOutOfScope,
    hall_for,
    halls_for_staff,
    staff_may_act_in_hall,
)
from minxin.orgs.services import membership_grant

pytestmark = pytest.mark.django_db

ANY_STAFF = [Role.WINDOW_CLERK, Role.HALL_MANAGER, Role.CITY_OFFICE, Role.DEPARTMENT_OFFICER]


@pytest.mark.parametrize(
    ("who", "roles", "in_own_hall"),
    [
        ("bob", [Role.WINDOW_CLERK], True),
        ("bob", [Role.HALL_MANAGER], False),  # a clerk is not a manager, even in their hall
        ("alice", [Role.HALL_MANAGER], True),
        ("alice", [Role.WINDOW_CLERK], False),
        ("dora", [Role.CITY_OFFICE], True),  # through the city's region
        ("dora", [Role.HALL_MANAGER], False),
        ("erin", [Role.DEPARTMENT_OFFICER], True),
        ("erin", [Role.WINDOW_CLERK, Role.HALL_MANAGER], False),
    ],
)
def test_each_role_reaches_its_own_hall_and_never_the_other_city(cast, who, roles, in_own_hall) -> None:
    user = getattr(cast, who)
    assert staff_may_act_in_hall(user=user, hall=cast.hall, roles=roles) is in_own_hall
    assert not staff_may_act_in_hall(user=user, hall=cast.other_hall, roles=ANY_STAFF)


@pytest.mark.parametrize("who", ["alice", "bob", "dora", "erin"])
def test_the_halls_listed_for_staff_are_those_of_their_scope(cast, who) -> None:
    assert list(halls_for_staff(user=getattr(cast, who))) == [cast.hall]


def test_a_charlie_of_the_other_city_reaches_only_the_other_hall(cast) -> None:
    assert list(halls_for_staff(user=cast.charlie)) == [cast.other_hall]
    assert not staff_may_act_in_hall(user=cast.charlie, hall=cast.hall, roles=ANY_STAFF)


def test_a_unit_role_reaches_the_units_halls_and_no_other(cast) -> None:
    lookout = User.objects.create_user(username="lena", password="lena-pass-123")
    membership_grant(user=lookout, role=Role.LOOKOUT_STAFF, unit=cast.hall.unit)
    assert staff_may_act_in_hall(user=lookout, hall=cast.hall, roles=[Role.LOOKOUT_STAFF])
    assert not staff_may_act_in_hall(user=lookout, hall=cast.other_hall, roles=[Role.LOOKOUT_STAFF])
    assert not staff_may_act_in_hall(user=lookout, hall=cast.hall, roles=[Role.HALL_MANAGER])
    assert list(halls_for_staff(user=lookout)) == [cast.hall]


def test_a_clerk_acts_at_their_window_only_and_a_manager_at_every_window_of_the_hall(cast) -> None:
    far = window_create(hall=cast.other_hall, number="1", name="办税窗口", kind="comprehensive")
    assert clerk_may_act_at_window(user=cast.bob, window=cast.window1)
    assert not clerk_may_act_at_window(user=cast.bob, window=cast.window2)
    assert not clerk_may_act_at_window(user=cast.bob, window=far)
    assert clerk_may_act_at_window(user=cast.alice, window=cast.window2)
    assert not clerk_may_act_at_window(user=cast.alice, window=far)
    assert clerk_may_act_at_window(user=cast.charlie, window=far) is False  # not assigned to it
    for outsider in (cast.dora, cast.erin):  # a city office or an officer calls at no window
        assert not clerk_may_act_at_window(user=outsider, window=cast.window1)


def test_a_department_officer_sees_their_department_only(cast) -> None:
    assert list(departments_for_officer(user=cast.erin, hall=cast.hall)) == [cast.psb]
    assert list(departments_for_officer(user=cast.erin, hall=cast.other_hall)) == []
    assert list(departments_for_officer(user=cast.bob, hall=cast.hall)) == []


def test_hall_for_says_404_before_403_and_for_everyone(cast) -> None:
    with pytest.raises(HallNotFound) as unknown:
        hall_for(code="nowhere", user=cast.alice, roles=[Role.HALL_MANAGER])
    assert isinstance(unknown.value, NotFound)
    assert isinstance(unknown.value, Http404)  # a page answers 404 as well as the API
    assert unknown.value.code == "hall_not_found"
    with pytest.raises(HallOutOfScope) as outside:
        hall_for(code=cast.other_hall.code, user=cast.alice, roles=[Role.HALL_MANAGER])
    assert isinstance(outside.value, Forbidden)
    assert isinstance(outside.value, PermissionDenied)
    assert outside.value.code == "out_of_scope"
    assert hall_for(code=cast.hall.code, user=cast.alice, roles=[Role.HALL_MANAGER]) == cast.hall
    assert hall_for(code=cast.hall.code) == cast.hall  # no roles asked: anyone, signed in or not
    with pytest.raises(HallOutOfScope):
        hall_for(code=cast.hall.code, user=None, roles=[Role.HALL_MANAGER])


def test_a_disabled_account_is_out_of_every_scope(cast) -> None:
    cast.bob.is_active = False
    cast.bob.save(update_fields=["is_active"])
    with pytest.raises(HallOutOfScope):
        hall_for(code=cast.hall.code, user=cast.bob, roles=[Role.WINDOW_CLERK])


@pytest.fixture
def admin_client_of(client):
    root = User.objects.create_superuser(username="root", password="root-pass-123")
    client.force_login(root)
    return client


def test_the_admin_revokes_a_role_through_the_service_with_its_audit_entry(cast, admin_client_of) -> None:
    membership = StaffMembership.objects.get(user=cast.bob, role=Role.WINDOW_CLERK)
    response = admin_client_of.post(f"/admin/orgs/staffmembership/{membership.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not StaffMembership.objects.filter(pk=membership.pk).exists()
    entry = AuditEntry.objects.get(action="membership.revoked")
    assert entry.details == {"user": "bob", "role": Role.WINDOW_CLERK}
    assert entry.target_id == str(membership.pk)


def test_the_admins_bulk_delete_audits_every_role_revoked(cast, admin_client_of) -> None:
    doomed = list(StaffMembership.objects.filter(user__in=[cast.bob, cast.erin]).values_list("pk", flat=True))
    response = admin_client_of.post(
        "/admin/orgs/staffmembership/",
        {"action": "delete_selected", "_selected_action": doomed, "post": "yes"},
    )
    assert response.status_code == 302
    assert not StaffMembership.objects.filter(pk__in=doomed).exists()
    revoked = AuditEntry.objects.filter(action="membership.revoked")
    assert sorted(int(entry.target_id) for entry in revoked) == sorted(doomed)
