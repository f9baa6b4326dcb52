from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from minxin.accounts.models import Role
from minxin.orgs.models import StaffMembership
from minxin.orgs.selectors import halls_for_staff, staff_may_act_in_hall, staff_roles_in_hall
from minxin.orgs.services import membership_grant


@pytest.mark.django_db
def test_a_clerk_acts_in_their_own_hall_only(cast) -> None:
    assert staff_may_act_in_hall(user=cast.bob, hall=cast.hall, roles=[Role.WINDOW_CLERK])
    assert not staff_may_act_in_hall(user=cast.bob, hall=cast.other_hall, roles=[Role.WINDOW_CLERK])
    assert not staff_may_act_in_hall(user=cast.charlie, hall=cast.hall, roles=[Role.WINDOW_CLERK])


@pytest.mark.django_db
def test_a_city_office_reaches_the_halls_of_its_city_and_no_other(cast) -> None:
    assert staff_roles_in_hall(user=cast.dora, hall=cast.hall) == {Role.CITY_OFFICE}
    assert staff_roles_in_hall(user=cast.dora, hall=cast.other_hall) == set()
    assert list(halls_for_staff(user=cast.dora)) == [cast.hall]


@pytest.mark.django_db
def test_a_province_office_reaches_every_city_below_it(cast) -> None:
    membership_grant(user=cast.charlie, role=Role.CITY_OFFICE, region=cast.province)
    assert set(halls_for_staff(user=cast.charlie, roles=[Role.CITY_OFFICE])) == {cast.hall, cast.other_hall}


@pytest.mark.django_db
def test_a_role_without_a_scope_or_with_the_wrong_scope_is_refused(cast) -> None:
    with pytest.raises(ValidationError):
        membership_grant(user=cast.bob, role=Role.WINDOW_CLERK)
    with pytest.raises(ValidationError):
        membership_grant(user=cast.bob, role=Role.CITY_OFFICE, hall=cast.hall)
    # and the database holds the rule too, for any code path that skips validation
    with pytest.raises(IntegrityError), transaction.atomic():
        StaffMembership.objects.create(user=cast.bob, role=Role.HALL_MANAGER, region=cast.qhd_city)


@pytest.mark.django_db
def test_the_same_role_twice_in_the_same_hall_is_refused(cast) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        StaffMembership.objects.create(user=cast.bob, role=Role.WINDOW_CLERK, hall=cast.hall)


@pytest.mark.django_db
def test_a_disabled_account_holds_no_role(cast) -> None:
    cast.alice.is_active = False
    cast.alice.save(update_fields=["is_active"])
    assert staff_roles_in_hall(user=cast.alice, hall=cast.hall) == set()
