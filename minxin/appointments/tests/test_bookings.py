"""Slots and bookings: seats, the one-booking rule, cancel and move, the API's answers."""

from __future__ import annotations

import datetime as dt

import pytest

from minxin.appointments.models import Booking, BookingStatus, Slot
from minxin.appointments.services import (
    bookable_days,
    booking_cancel,
    booking_create,
    booking_move,
    slots_for_day,
)
from minxin.appointments.tests.conftest import local
from minxin.core.errors import Conflict, InvalidInput

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("morning")]


def book(desk, start, phone="13900001111", service="huji"):
    return booking_create(hall=desk.hall, service_code=service, slot_start=start, phone=phone, channel="desk")


def test_slots_follow_opening_hours_and_capacity_is_derived_from_windows(desk) -> None:
    slots = slots_for_day(hall=desk.hall, service=desk.huji, day=dt.date(2026, 11, 30))
    starts = [slot.starts_at.astimezone(local(30, 0).tzinfo).strftime("%H:%M") for slot in slots]
    assert starts[:6] == ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30"]
    assert starts[6:] == ["13:30", "14:00", "14:30", "15:00", "15:30", "16:00", "16:30"]
    assert {slot.capacity for slot in slots} == {3}  # 2 windows × 30 ÷ 10 = 6, 40 % kept for walk-ins


def test_the_horizon_is_five_working_days_and_skips_the_weekend(desk) -> None:
    days = bookable_days(desk.hall)
    assert days == [dt.date(2026, 11, 30), *(dt.date(2026, 12, d) for d in (1, 2, 3, 4, 7))]


def test_a_holiday_has_no_slots(desk) -> None:
    from minxin.core.models import CalendarDay

    CalendarDay.objects.create(date=dt.date(2026, 12, 2), is_working_day=False, name="测试假日")
    assert slots_for_day(hall=desk.hall, service=desk.huji, day=dt.date(2026, 12, 2)) == []


def test_a_booking_takes_a_seat_and_a_cancelled_seat_can_be_booked_again(desk) -> None:
    start = local(1, 9)
    first = book(desk, start, "13900000001")
    book(desk, start, "13900000002")
    book(desk, start, "13900000003")
    with pytest.raises(Conflict) as full:
        book(desk, start, "13900000004")
    assert full.value.code == "slot_full"
    booking_cancel(booking=first)
    assert Slot.objects.get(starts_at=start, service=desk.huji).booked == 2
    again = book(desk, start, "13900000004")
    assert again.status == BookingStatus.BOOKED
    assert Slot.objects.get(starts_at=start, service=desk.huji).booked == 3


def test_one_active_booking_per_phone_service_and_day(desk) -> None:
    book(desk, local(1, 9))
    with pytest.raises(Conflict) as twice:
        book(desk, local(1, 14))
    assert twice.value.code == "already_booked"
    assert Slot.objects.get(starts_at=local(1, 14), service=desk.huji).booked == 0  # the seat came back
    book(desk, local(2, 9))  # another day is fine
    book(desk, local(1, 14), service="qiye")  # so is another service


def test_a_booking_cannot_be_cancelled_within_the_change_limit(desk, morning) -> None:
    booking = book(desk, local(30, 10))
    morning.move_to(local(30, 9, 30))
    with pytest.raises(Conflict) as late:
        booking_cancel(booking=booking)
    assert late.value.code == "too_late_to_change"


def test_moving_takes_the_new_seat_and_frees_the_old(desk) -> None:
    booking = book(desk, local(1, 9))
    moved = booking_move(booking=booking, slot_start=local(1, 10))
    assert moved.starts_at == local(1, 10)
    booked = dict(Slot.objects.filter(service=desk.huji).values_list("starts_at", "booked"))
    assert booked[local(1, 9)] == 0
    assert booked[local(1, 10)] == 1


def test_a_time_that_is_not_a_slot_is_refused_naming_the_field(desk) -> None:
    with pytest.raises(InvalidInput) as wrong:
        book(desk, local(1, 9, 10))
    assert wrong.value.details == {"field": "slot_start"}
    with pytest.raises(InvalidInput):
        book(desk, local(8, 9))  # beyond 5 working days


def test_the_phone_is_kept_hashed_and_masked(desk) -> None:
    booking = book(desk, local(1, 9), "13912345678")
    assert booking.phone_masked == "139****5678"
    assert "13912345678" not in booking.phone_hash + booking.phone_encrypted


# --- the API ---------------------------------------------------------------------------------------


def test_slots_api_lists_capacity_and_seats_left(desk, client) -> None:
    book(desk, local(1, 9))
    body = client.get("/api/v1/halls/qhd/slots", {"service": "huji", "date": "2026-12-01"}).json()
    assert body[0]["capacity"] == 3
    assert body[0]["seats_left"] == 2
    assert body[1]["seats_left"] == 3


def test_a_signed_in_citizen_books_for_their_own_phone(desk, client, citizen) -> None:
    response = client.post(
        "/api/v1/halls/qhd/appointments",
        {"service": "huji", "slot_start": local(1, 9).isoformat(), "phone": "13900009999"},
        content_type="application/json",
    )
    assert response.status_code == 201
    body = response.json()
    assert len(body["code"]) == 6
    assert body["phone"] == "138****5678"  # the verified phone, not the one in the body


def test_booking_anonymously_is_refused(desk, client) -> None:
    response = client.post(
        "/api/v1/halls/qhd/appointments",
        {"service": "huji", "slot_start": local(1, 9).isoformat(), "phone": "13900009999"},
        content_type="application/json",
    )
    assert response.status_code == 401
    assert "error" in response.json()


def test_a_full_slot_and_a_second_booking_are_409_with_their_codes(desk, client, citizen) -> None:
    for n in range(3):
        book(desk, local(1, 9), f"1390000000{n}")
    payload = {"service": "huji", "slot_start": local(1, 9).isoformat()}
    full = client.post("/api/v1/halls/qhd/appointments", payload, content_type="application/json")
    assert full.status_code == 409
    assert full.json()["error"]["code"] == "slot_full"
    payload["slot_start"] = local(1, 10).isoformat()
    assert (
        client.post("/api/v1/halls/qhd/appointments", payload, content_type="application/json").status_code
        == 201
    )
    payload["slot_start"] = local(1, 11).isoformat()
    again = client.post("/api/v1/halls/qhd/appointments", payload, content_type="application/json")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "already_booked"


def test_a_clerk_books_for_a_phone_and_another_halls_clerk_may_not(desk, client, cast) -> None:
    payload = {"service": "huji", "slot_start": local(1, 9).isoformat(), "phone": "13900001234"}
    client.force_login(cast.charlie)
    refused = client.post("/api/v1/halls/qhd/appointments", payload, content_type="application/json")
    assert refused.status_code == 403
    client.force_login(cast.bob)
    made = client.post("/api/v1/halls/qhd/appointments", payload, content_type="application/json")
    assert made.status_code == 201
    assert Booking.objects.get().channel == "desk"
    client.force_login(cast.dora)  # the city office answers the 12345 hotline
    payload["phone"] = "13900004321"
    assert (
        client.post("/api/v1/halls/qhd/appointments", payload, content_type="application/json").status_code
        == 201
    )
    assert set(Booking.objects.values_list("channel", flat=True)) == {"desk", "hotline"}


def test_a_booking_is_cancelled_through_the_api_by_its_citizen_only(desk, client, citizen, cast) -> None:
    booking = book(desk, local(1, 9), "13812345678")
    client.force_login(cast.charlie)
    assert client.post(f"/api/v1/appointments/{booking.public_id}/cancel").status_code == 404
    client.logout()
    session = client.session
    session["citizen_id"] = citizen.pk
    session.save()
    response = client.post(f"/api/v1/appointments/{booking.public_id}/cancel")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"


def test_booking_list_pages_use_few_queries(desk, client, cast, django_assert_max_num_queries) -> None:
    for n in range(9):
        book(desk, local(30, 14 + n // 3), f"1390000010{n}")
    client.force_login(cast.bob)
    with django_assert_max_num_queries(30):
        response = client.get("/staff/halls/qhd/appointments/")
    assert response.status_code == 200


def test_a_booking_takes_few_statements_once_the_day_is_made(desk, django_assert_max_num_queries) -> None:
    book(desk, local(1, 9), "13900000100")  # makes the day's slots and the plan
    with django_assert_max_num_queries(12):
        book(desk, local(1, 9, 30), "13900000101")
