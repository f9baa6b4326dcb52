"""PIPL: a booking's phone serves the reminder and the check-in; it goes APPOINTMENTS_PERSONAL_DAYS
after the day, or at the citizen's request once the booking is over (one still to come is kept)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from minxin.accounts import personal
from minxin.appointments.models import Booking
from minxin.appointments.personal_data import appointments_erase, appointments_export, appointments_retention
from minxin.appointments.services import booking_cancel, booking_create
from minxin.core.personal_data import Subject

from .conftest import local

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("morning")]
PHONE = "13812345678"


def subject() -> Subject:
    return Subject(citizen_id=0, public_id="", phone_hash=personal.keyed_hash(PHONE, purpose="phone"))


def book(desk: Any, day: int) -> Booking:
    return booking_create(
        hall=desk.hall, service_code="huji", slot_start=local(day, 9), phone=PHONE, channel="desk"
    )


def test_a_past_bookings_phone_goes_after_the_period(desk: Any, settings: Any) -> None:
    settings.APPOINTMENTS_PERSONAL_DAYS = 30
    booking = booking_cancel(booking=book(desk, 1))
    with time_machine.travel(dt.datetime(2026, 12, 30, 2, tzinfo=dt.UTC), tick=False):
        assert appointments_retention() == 0
    with time_machine.travel(dt.datetime(2027, 1, 2, 2, tzinfo=dt.UTC), tick=False):
        assert appointments_retention() == 1
    booking.refresh_from_db()
    assert (booking.phone_hash, booking.phone_masked, booking.phone_encrypted) == ("", "", "")


def test_erasure_clears_a_cancelled_booking_and_keeps_one_to_come(desk: Any) -> None:
    cancelled = booking_cancel(booking=book(desk, 1))
    to_come = book(desk, 2)
    assert len(appointments_export(subject())["bookings"]) == 2

    erasure = appointments_erase(subject())

    cancelled.refresh_from_db()
    to_come.refresh_from_db()
    assert (erasure.erased, cancelled.phone_masked) == (1, "")
    assert to_come.phone_masked == "138****5678"
    assert len(erasure.kept) == 1
