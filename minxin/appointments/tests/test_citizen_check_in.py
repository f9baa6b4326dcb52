"""The check-in page the hall's QR leads to (phone sign-in on the page, early/late limits) and the
off-peak advice fragment of the take-number form."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine

from minxin.appointments.models import BookingStatus, SlotPlan
from minxin.appointments.services import booking_create
from minxin.appointments.tests.conftest import MORNING, local
from minxin.queueing.models import Priority
from minxin.queueing.services import hall_check_in_code, ticket_issue

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("morning")]


def book(desk, start, phone="13812345678"):
    return booking_create(hall=desk.hall, service_code="huji", slot_start=start, phone=phone, channel="desk")


def page(desk) -> str:
    return f"/halls/qhd/appointments/check-in/?t={hall_check_in_code(desk.hall)}"


def test_a_signed_in_citizen_checks_in_on_time_and_goes_before_walk_ins(
    desk, client, citizen, morning
) -> None:
    booking = book(desk, local(30, 10))
    morning.move_to(local(30, 10, 3))
    shown = client.get(page(desk))
    assert shown.status_code == 200
    assert booking.code not in shown.text  # the page needs no code: the phone is the proof
    answer = client.post(page(desk), {"booking": str(booking.public_id), "t": hall_check_in_code(desk.hall)})
    assert answer.status_code == 200
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CHECKED_IN
    assert booking.ticket.priority == Priority.APPOINTMENT
    assert booking.ticket.number in answer.text
    assert str(booking.ticket.public_id) in client.session["queue_tickets"]


def test_a_late_arrival_is_told_and_joins_the_normal_queue(desk, client, citizen, morning) -> None:
    booking = book(desk, local(30, 10))
    morning.move_to(local(30, 10, 40))
    answer = client.post(page(desk), {"booking": str(booking.public_id), "t": hall_check_in_code(desk.hall)})
    booking.refresh_from_db()
    assert booking.status == BookingStatus.LATE
    assert booking.ticket.priority == Priority.NORMAL
    assert "normal queue" in answer.text or "普通" in answer.text
    assert 'role="alert"' in answer.text


def test_too_early_is_refused_with_the_opening_time(desk, client, citizen, morning) -> None:
    booking = book(desk, local(30, 15))
    morning.move_to(local(30, 10))
    answer = client.post(page(desk), {"booking": str(booking.public_id), "t": hall_check_in_code(desk.hall)})
    assert answer.status_code == 422
    booking.refresh_from_db()
    assert booking.status == BookingStatus.BOOKED


def test_without_the_halls_code_nothing_is_checked_in(desk, client, citizen) -> None:
    booking = book(desk, local(30, 10))
    answer = client.post("/halls/qhd/appointments/check-in/", {"booking": str(booking.public_id), "t": "x"})
    assert answer.status_code == 403
    booking.refresh_from_db()
    assert booking.status == BookingStatus.BOOKED


def test_a_citizen_without_a_session_signs_in_by_phone_on_the_page(desk, client, sms_outbox, morning) -> None:
    booking = book(desk, local(30, 10))
    morning.move_to(local(30, 9, 55))
    t = hall_check_in_code(desk.hall)
    first = client.get(page(desk))
    assert 'name="phone"' in first.text
    sent = client.post(page(desk), {"step": "phone", "phone": "13812345678", "t": t})
    assert 'name="otp"' in sent.text
    code = re.search(r"\b(\d{6})\b", sms_outbox[-1].text).group(1)
    back = client.post(page(desk), {"step": "code", "phone": "13812345678", "otp": code, "t": t})
    assert back.status_code == 302
    assert back.url.startswith("/halls/qhd/appointments/check-in/?t=")
    listed = client.get(back.url)
    assert str(booking.public_id) in listed.text


def test_a_wrong_code_keeps_the_citizen_on_the_sign_in(desk, client, sms_outbox) -> None:
    t = hall_check_in_code(desk.hall)
    client.post(page(desk), {"step": "phone", "phone": "13812345678", "t": t})
    answer = client.post(page(desk), {"step": "code", "phone": "13812345678", "otp": "000000", "t": t})
    assert answer.status_code == 422
    assert "citizen_id" not in client.session


def peak_history(desk) -> None:
    """Last Monday at 10:00, 48 arrivals (6 an hour on an average Monday of the 8 weeks) for a service
    one window serves 2 an hour: a peak today at 10."""
    SlotPlan.objects.filter(service=desk.huji).update(windows=1, service_minutes=30)
    with time_machine.travel(MORNING - dt.timedelta(days=7) + dt.timedelta(hours=2), tick=False):
        for _ in range(48):
            ticket_issue(hall=desk.hall, service_code="huji", channel="kiosk")


def test_the_take_number_form_tells_a_citizen_at_a_peak_a_better_hour(desk, client, citizen, morning) -> None:
    peak_history(desk)
    morning.move_to(local(30, 10, 5))
    assert "/halls/qhd/appointments/advice/" in client.get("/halls/qhd/status/").text
    fragment = client.get("/halls/qhd/appointments/advice/")
    assert fragment.status_code == 200
    assert "户籍业务" in fragment.text
    assert "appt-advice" in fragment.text
    assert re.search(r"\d\d:00", fragment.text)


def test_the_advice_is_empty_off_peak_and_for_strangers(desk, client, morning) -> None:
    peak_history(desk)
    morning.move_to(local(30, 10, 5))
    assert client.get("/halls/qhd/appointments/advice/").content.strip() == b""  # not signed in


def test_the_halls_page_fragment_lists_the_best_times_to_come(desk, client, morning) -> None:
    peak_history(desk)
    fragment = client.get("/halls/qhd/appointments/best-times/")
    assert fragment.status_code == 200
    assert fragment.text.count("<li>") == 3
    assert "/halls/qhd/forecast/" in fragment.text
