"""The demo's moving part: today's bookings check in as the simulator runs."""

from __future__ import annotations

import pytest

from minxin.appointments.models import Booking, SlotPlan
from minxin.appointments.services import booking_create
from minxin.appointments.tests.conftest import local

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("morning")]


def test_the_simulator_checks_todays_bookings_in_through_the_services(cast, morning) -> None:
    from minxin.accounts.models import User
    from minxin.demo.appointments import simulate_step
    from minxin.queueing.models import Queue, Service

    User.objects.create_user(username="admin", password="x")
    queue = Queue.objects.create(hall=cast.other_hall, code="filing", prefix="B", name="申报缴税")
    service = Service.objects.create(hall=cast.other_hall, code="filing", name="申报缴税", queue=queue)
    SlotPlan.objects.create(hall=cast.other_hall, service=service, windows=4, service_minutes=5)
    for n in range(5):
        booking_create(
            hall=cast.other_hall,
            service_code="filing",
            slot_start=local(30, 10),
            phone=f"1390000555{n}",
            channel="web",
        )
    morning.move_to(local(30, 10, 6))
    assert simulate_step() >= 1
    checked_in = Booking.objects.filter(status="checked_in")
    assert checked_in.exists()
    assert all(booking.ticket is not None and booking.ticket.channel == "booking" for booking in checked_in)
