"""Check-in: the appointment ticket is called at its booked time before walk-ins; late arrivals, no-shows,
the bar and its override, reminders."""

from __future__ import annotations

import datetime as dt

import pytest

from minxin.appointments.models import BookingBar, BookingStatus
from minxin.appointments.services import (
    booking_check_in,
    booking_create,
    bookings_mark_no_shows,
    bookings_promote,
    bookings_remind,
)
from minxin.appointments.tests.conftest import local
from minxin.core.errors import Conflict, Forbidden
from minxin.queueing.models import Priority
from minxin.queueing.services import ticket_call_next, ticket_issue

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("morning")]


def book(desk, start, phone="13900001111"):
    return booking_create(hall=desk.hall, service_code="huji", slot_start=start, phone=phone, channel="desk")


def test_an_on_time_booking_is_called_before_walk_ins(desk, cast, morning) -> None:
    booking = book(desk, local(30, 10))
    morning.move_to(local(30, 9, 50))
    walk_ins = [ticket_issue(hall=desk.hall, service_code="huji", channel="kiosk").ticket for _ in range(3)]
    morning.move_to(local(30, 10, 2))
    done = booking_check_in(booking=booking)
    assert not done.late
    assert done.ticket.priority == Priority.APPOINTMENT
    assert done.ticket.channel == "booking"
    called = ticket_call_next(window=cast.window1, clerk=cast.bob)
    assert called is not None
    assert called.pk == done.ticket.pk
    assert walk_ins[0].number == "A001"


def test_an_early_arrival_waits_as_a_walk_in_until_its_time(desk, cast, morning) -> None:
    booking = book(desk, local(30, 10))
    morning.move_to(local(30, 9, 40))
    done = booking_check_in(booking=booking)
    assert done.ticket.priority == Priority.NORMAL
    assert "09:40" not in done.message
    assert "10:00" in done.message
    walk_in = ticket_issue(hall=desk.hall, service_code="huji", channel="kiosk").ticket
    assert bookings_promote() == 0  # not yet
    morning.move_to(local(30, 10, 1))
    assert bookings_promote() == 1
    assert bookings_promote() == 0  # claimed once
    called = ticket_call_next(window=cast.window1, clerk=cast.bob)
    assert called is not None
    assert called.pk == done.ticket.pk
    assert walk_in.pk != called.pk


def test_check_in_opens_at_the_early_limit(desk, morning) -> None:
    booking = book(desk, local(30, 11))
    morning.move_to(local(30, 10, 20))
    with pytest.raises(Conflict) as early:
        booking_check_in(booking=booking)
    assert early.value.code == "too_early"


def test_checking_in_twice_returns_the_same_ticket(desk, morning) -> None:
    booking = book(desk, local(30, 10))
    morning.move_to(local(30, 10, 1))
    first = booking_check_in(booking=booking)
    second = booking_check_in(booking=booking)
    assert first.ticket.pk == second.ticket.pk


def test_a_late_arrival_joins_the_normal_queue_with_a_message(desk, morning) -> None:
    booking = book(desk, local(30, 10))
    morning.move_to(local(30, 10, 40))
    done = booking_check_in(booking=booking)
    assert done.late
    assert done.ticket.priority == Priority.NORMAL
    assert "10:15" in done.message  # the latest check-in it missed
    assert done.ticket.number in done.message
    booking.refresh_from_db()
    assert booking.status == BookingStatus.LATE


def test_a_booking_not_checked_in_by_the_late_limit_is_a_no_show(desk, morning) -> None:
    booking = book(desk, local(30, 10))
    morning.move_to(local(30, 10, 14))
    assert bookings_mark_no_shows() == 0
    morning.move_to(local(30, 10, 16))
    assert bookings_mark_no_shows() == 1
    assert bookings_mark_no_shows() == 0
    booking.refresh_from_db()
    assert booking.status == BookingStatus.NO_SHOW


def test_more_than_three_no_shows_in_a_month_bar_booking_until_a_manager_lifts_it(
    desk, morning, client, cast
) -> None:
    phone = "13900002222"
    for day in (30, 1, 2, 3):
        day_start = local(day, 10)
        morning.move_to(local(day, 8))
        book(desk, day_start, phone)
        morning.move_to(local(day, 10, 20))
        bookings_mark_no_shows()
    bar = BookingBar.objects.get()
    assert bar.no_shows == 4
    morning.move_to(local(3, 11))
    with pytest.raises(Forbidden) as barred:
        book(desk, local(4, 10), phone)
    assert barred.value.code == "booking_barred"
    client.force_login(cast.bob)
    payload = {"service": "huji", "slot_start": local(4, 10).isoformat(), "phone": phone}
    refused = client.post("/api/v1/halls/qhd/appointments", payload, content_type="application/json")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "booking_barred"
    assert (
        client.post(
            f"/api/v1/appointments/bars/{bar.pk}/lift", {"reason": "x"}, content_type="application/json"
        ).status_code
        == 404
    )
    client.force_login(cast.alice)
    lifted = client.post(
        f"/api/v1/appointments/bars/{bar.pk}/lift",
        {"reason": "家中有急事，已核实"},
        content_type="application/json",
    )
    assert lifted.status_code == 200
    assert book(desk, local(4, 10), phone).status == BookingStatus.BOOKED


def test_three_no_shows_do_not_bar(desk, morning) -> None:
    phone = "13900003333"
    for day in (30, 1, 2):
        morning.move_to(local(day, 8))
        book(desk, local(day, 10), phone)
        morning.move_to(local(day, 10, 20))
        bookings_mark_no_shows()
    assert not BookingBar.objects.exists()


def test_reminders_go_out_the_day_before_and_an_hour_before_once(desk, morning, capsys) -> None:
    book(desk, local(2, 10), "13900004444")
    assert bookings_remind() == 0
    morning.move_to(local(1, 10, 1))
    assert bookings_remind() == 1
    assert bookings_remind() == 0
    morning.move_to(local(2, 9, 1))
    assert bookings_remind() == 1
    out = capsys.readouterr().out
    assert out.count("139****4444") == 2
    assert "13900004444" not in out


def test_the_kiosk_checks_a_booking_in_by_its_code_and_prints_the_ticket(desk, morning, client, cast) -> None:
    booking = book(desk, local(30, 10))
    morning.move_to(local(30, 10, 3))
    client.force_login(cast.bob)
    response = client.post("/halls/qhd/kiosk/appointment/", {"booking_code": booking.code.lower()})
    assert response.status_code == 302
    assert "/kiosk/ticket/" in response["Location"]
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CHECKED_IN


def test_the_kiosk_checks_in_by_the_last_four_digits_of_the_phone(desk, morning, client, cast) -> None:
    booking = book(desk, local(30, 10), "13900005678")
    morning.move_to(local(30, 9, 45))
    client.force_login(cast.bob)
    response = client.post("/halls/qhd/kiosk/appointment/", {"phone_last4": "5678"})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CHECKED_IN


def test_the_kiosk_of_another_hall_may_not_check_in(desk, morning, client, cast) -> None:
    book(desk, local(30, 10))
    morning.move_to(local(30, 10, 3))
    client.force_login(cast.charlie)
    assert client.post("/halls/qhd/kiosk/appointment/", {"phone_last4": "1111"}).status_code == 403


def test_the_check_in_api_returns_the_ticket_for_the_hall_staff(desk, morning, client, cast) -> None:
    booking = book(desk, local(30, 10))
    morning.move_to(local(30, 10, 3))
    client.force_login(cast.charlie)
    url = f"/api/v1/appointments/{booking.public_id}/check-in"
    assert client.post(url, {}, content_type="application/json").status_code == 404
    client.force_login(cast.bob)
    response = client.post(url, {}, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["number"] == "A001"
    assert response.json()["priority"] == Priority.APPOINTMENT


def test_a_bar_ends_by_itself_when_the_clock_passes_its_end(desk, morning, settings) -> None:
    settings.APPOINTMENTS_BAR_DAYS = 2
    phone = "13900004444"
    for day in (30, 1, 2, 3):
        morning.move_to(local(day, 8))
        book(desk, local(day, 10), phone)
        morning.move_to(local(day, 10, 20))
        bookings_mark_no_shows()
    bar = BookingBar.objects.get()
    assert bar.until.date() <= local(5, 23).date()
    morning.move_to(local(4, 8))
    with pytest.raises(Forbidden):
        book(desk, local(7, 10), phone)
    morning.move_to(bar.until + dt.timedelta(minutes=1))
    assert book(desk, local(7, 10), phone).status == BookingStatus.BOOKED
