"""The pages: citizens book and see their code; staff see the day, book for a phone, plan windows, visits."""

from __future__ import annotations

import datetime as dt

import pytest

from minxin.appointments.models import Booking, HomeVisit, StaffingPlan
from minxin.appointments.services import booking_create
from minxin.appointments.tests.conftest import local

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("morning")]


def test_a_citizen_books_on_the_page_and_sees_the_code_and_qr(desk, client, citizen) -> None:
    page = client.get("/halls/qhd/appointments/?service=huji&date=2026-12-01")
    assert page.status_code == 200
    assert "09:00" in page.content.decode()
    response = client.post(
        "/halls/qhd/appointments/?service=huji&date=2026-12-01",
        {"service": "huji", "slot_start": local(1, 9).isoformat()},
    )
    booking = Booking.objects.get()
    assert response["Location"] == f"/appointments/{booking.public_id}/"
    detail = client.get(response["Location"]).content.decode()
    assert booking.code in detail
    assert "<svg" in detail


def test_the_booking_page_asks_an_anonymous_visitor_to_sign_in(desk, client) -> None:
    page = client.get("/halls/qhd/appointments/").content.decode()
    assert "/me/login/" in page


def test_a_booking_page_is_not_shown_to_strangers(desk, client, cast) -> None:
    booking = booking_create(
        hall=desk.hall, service_code="huji", slot_start=local(1, 9), phone="13900001111", channel="desk"
    )
    assert client.get(f"/appointments/{booking.public_id}/").status_code == 404
    client.force_login(cast.charlie)
    assert client.get(f"/appointments/{booking.public_id}/").status_code == 404
    client.force_login(cast.bob)
    assert client.get(f"/appointments/{booking.public_id}/").status_code == 200


def test_the_citizen_cancels_on_the_page(desk, client, citizen) -> None:
    booking = booking_create(
        hall=desk.hall, service_code="huji", slot_start=local(1, 9), phone="13812345678", channel="web"
    )
    client.post(f"/appointments/{booking.public_id}/cancel/")
    booking.refresh_from_db()
    assert booking.status == "cancelled"


def test_the_forecast_page_shows_a_heatmap_and_its_table(desk, client) -> None:
    page = client.get("/halls/qhd/forecast/").content.decode()
    assert 'data-chart="forecast-heat"' in page
    assert "appt-heat-table" in page


def test_a_clerk_books_for_a_phone_on_the_desk_page(desk, client, cast) -> None:
    client.force_login(cast.bob)
    assert client.get("/staff/halls/qhd/appointments/").status_code == 200
    client.post(
        "/staff/halls/qhd/appointments/book/",
        {"service": "huji", "slot_start": local(1, 9).isoformat(), "phone": "13900002222"},
    )
    assert Booking.objects.get().phone_masked == "139****2222"
    export = client.get("/staff/halls/qhd/appointments/export.csv?date=2026-12-01")
    assert "139****2222" in export.content.decode("utf-8-sig")


def test_staff_of_another_hall_may_not_open_the_desk_pages(desk, client, cast) -> None:
    client.force_login(cast.charlie)
    for url in (
        "/staff/halls/qhd/appointments/",
        "/staff/halls/qhd/staffing/",
        "/staff/halls/qhd/home-visits/",
    ):
        assert client.get(url).status_code == 403


def test_the_manager_adopts_the_suggested_staffing_plan(desk, client, cast) -> None:
    client.force_login(cast.alice)
    assert client.get("/staff/halls/qhd/staffing/").status_code == 200
    client.post("/staff/halls/qhd/staffing/", {"adopt": "1"})
    assert StaffingPlan.objects.filter(hall=desk.hall).exists()
    client.force_login(cast.bob)
    assert client.get("/staff/halls/qhd/staffing/").status_code == 403  # managers only


def test_a_home_visit_is_requested_scheduled_and_completed_with_zero_trips(
    desk, client, cast, citizen
) -> None:
    client.post(
        "/halls/qhd/home-visits/request/",
        {
            "requester": "elderly",
            "matter": "居民身份证换领",
            "name": "王大爷",
            "address": "海港区建设大街1号",
        },
    )
    visit = HomeVisit.objects.get()
    client.force_login(cast.bob)
    client.post(
        f"/staff/halls/qhd/home-visits/{visit.public_id}/schedule/",
        {"staff": cast.bob.pk, "when": "2026-12-01T15:00"},
    )
    client.post(
        f"/staff/halls/qhd/home-visits/{visit.public_id}/complete/", {"outcome": "已上门采集照片并受理"}
    )
    visit.refresh_from_db()
    assert visit.status == "done"
    assert visit.trips == 0
    assert [event.status for event in visit.events.all()] == ["requested", "scheduled", "done"]


def test_a_clerk_checks_a_booking_in_at_the_desk(desk, client, cast, morning) -> None:
    booking = booking_create(
        hall=desk.hall, service_code="huji", slot_start=local(30, 10), phone="13900003333", channel="desk"
    )
    morning.move_to(local(30, 10, 2))
    client.force_login(cast.bob)
    assert "check-in" in client.get(f"/appointments/{booking.public_id}/").content.decode()
    client.post(f"/appointments/{booking.public_id}/check-in/")
    booking.refresh_from_db()
    assert booking.status == "checked_in"
    assert booking.ticket is not None


def test_the_forecast_of_a_hall_open_until_midnight_is_answered(desk, client, cast) -> None:
    """A day open until 23:59:59 (the demo's halls) used to ask for hour 24: a 500 (found by fuzzing)."""
    from minxin.orgs.services import hall_set_opening_hours

    all_day = [(day, dt.time(0), dt.time(23, 59, 59)) for day in range(7)]
    hall_set_opening_hours(hall=cast.hall, periods=all_day)
    assert client.get("/api/v1/halls/qhd/forecast?days=2").status_code == 200
    assert client.get("/halls/qhd/forecast/").status_code == 200
