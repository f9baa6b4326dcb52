"""A citizen's full phone: only for a hall manager of a hall where the citizen took a number (or filed
a case), with a reason from the list, audited with the requester's address; refused otherwise in the
API's error shape. Runs on both databases."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from minxin.core.models import AuditEntry

NOW = dt.datetime(2026, 11, 30, 2, 0, tzinfo=dt.UTC)
PHONE = "13812345678"


@pytest.fixture
def citizen(db):
    from minxin.accounts.services import citizen_get_or_create

    return citizen_get_or_create(phone=PHONE)


def take_number(hall, citizen, *, at=NOW) -> None:
    from minxin.queueing.models import Queue, Service, Ticket

    queue = Queue.objects.create(hall=hall, code="huji", prefix="A", name="户籍", position=1)
    service = Service.objects.create(hall=hall, code="huji", name="户籍业务", queue=queue)
    Ticket.objects.create(
        hall=hall,
        queue=queue,
        service=service,
        service_date=at.date(),
        seq=1,
        number="A001",
        channel="web",
        status="done",
        phone_hash=citizen.phone_hash,
        phone_masked=citizen.phone_masked,
        issued_at=at,
    )


def reveal(client, hall_code, citizen, body=None, **extra):
    return client.post(
        f"/api/v1/halls/{hall_code}/citizens/{citizen.public_id}/phone",
        body if body is not None else {"reason": "callback", "note": "他问材料"},
        content_type="application/json",
        **extra,
    )


@pytest.mark.django_db
def test_the_manager_of_the_hall_where_the_citizen_took_a_number_sees_it(cast, citizen, client) -> None:
    take_number(cast.hall, citizen)
    client.force_login(cast.alice)
    with time_machine.travel(NOW + dt.timedelta(days=1)):
        response = reveal(client, "qhd", citizen, REMOTE_ADDR="198.51.100.23")
    assert response.status_code == 200
    assert response.json() == {"phone": PHONE, "phone_masked": "138****5678"}
    entry = AuditEntry.objects.get(action="citizen.phone_revealed")
    assert entry.actor_id == cast.alice.pk
    assert entry.ip == "198.51.100.23"
    assert entry.details == {"hall": "qhd", "reason": "callback", "note": "他问材料", "because_of": "ticket"}


@pytest.mark.django_db
def test_no_number_or_case_in_the_hall_is_a_404_in_the_error_shape(cast, citizen, client) -> None:
    take_number(cast.other_hall, citizen)  # business elsewhere does not count here
    client.force_login(cast.alice)
    response = reveal(client, "qhd", citizen)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "no_business_in_hall"
    assert not AuditEntry.objects.filter(action="citizen.phone_revealed").exists()


@pytest.mark.django_db
def test_a_number_taken_long_ago_no_longer_counts(cast, citizen, client, settings) -> None:
    settings.PHONE_REVEAL_WITHIN_DAYS = 30
    take_number(cast.hall, citizen, at=NOW)
    with time_machine.travel(NOW + dt.timedelta(days=31)):
        client.force_login(cast.alice)
        assert reveal(client, "qhd", citizen).status_code == 404


@pytest.mark.django_db
def test_staff_of_another_hall_or_a_clerk_get_403(cast, citizen, client) -> None:
    take_number(cast.hall, citizen)
    for user in (cast.charlie, cast.bob):
        client.force_login(user)
        response = reveal(client, "qhd", citizen)
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "out_of_scope"


@pytest.mark.django_db
def test_a_reason_off_the_list_or_other_without_a_note_is_422(cast, citizen, client) -> None:
    take_number(cast.hall, citizen)
    client.force_login(cast.alice)
    assert reveal(client, "qhd", citizen, {"reason": "curious"}).status_code == 422
    response = reveal(client, "qhd", citizen, {"reason": "other", "note": " "})
    assert response.status_code == 422
    assert response.json()["error"]["details"]["field"] == "note"


@pytest.mark.django_db
def test_an_unknown_citizen_is_404_and_anonymous_is_401(cast, citizen, client) -> None:
    import uuid

    response = client.post(
        f"/api/v1/halls/qhd/citizens/{uuid.uuid4()}/phone",
        {"reason": "callback"},
        content_type="application/json",
    )
    assert response.status_code == 401
    client.force_login(cast.alice)
    response = client.post(
        f"/api/v1/halls/qhd/citizens/{uuid.uuid4()}/phone",
        {"reason": "callback"},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "citizen_not_found"


@pytest.mark.django_db
def test_every_declared_link_is_a_valid_lookup(cast, settings) -> None:
    from minxin.core.citizen_links import citizen_hall_link

    assert {link["model"] for link in settings.CITIZEN_HALL_LINKS} == {"queueing.Ticket", "cases.Case"}
    # Runs every declared query (none matches): a wrong field path would raise FieldError here.
    assert citizen_hall_link(phone_hash="0" * 64, hall_id=cast.hall.pk) is None
