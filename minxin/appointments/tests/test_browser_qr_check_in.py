"""In a real Chromium at phone size: the hall's check-in QR opened in a browser with no session (WeChat's):
the citizen signs in by phone code on the page, comes back to the check-in, checks the booking in and
gets a number that goes before walk-ins; a late arrival is told so and joins the normal queue."""

from __future__ import annotations

import re

import pytest
import time_machine

from conftest import screenshot
from minxin.appointments.models import BookingStatus
from minxin.appointments.services import booking_create
from minxin.appointments.tests.conftest import local
from minxin.queueing.models import Priority
from minxin.queueing.services import hall_check_in_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


def sign_in_on_the_page(page, outbox) -> None:
    page.locator('input[name="phone"]').fill("13812345678")
    page.get_by_role("button", name=re.compile("获取验证码|Send me a code")).click()
    page.wait_for_selector('input[name="otp"]')
    code = re.search(r"\b(\d{6})\b", outbox[-1].text).group(1)
    page.locator('input[name="otp"]').fill(code)
    page.get_by_role("button", name=re.compile("登录并签到|Sign in and check in")).click()
    page.wait_for_selector(".appt-check-in-list")


def test_a_citizen_scans_signs_in_by_code_and_checks_in_on_a_phone(desk, page, sms_outbox) -> None:
    with time_machine.travel(local(30, 9, 0), tick=True) as traveller:
        booking = booking_create(
            hall=desk.hall, service_code="huji", slot_start=local(30, 10), phone="13812345678", channel="desk"
        )
        traveller.move_to(local(30, 9, 55))
        page.set_viewport_size(PHONE)
        url = f"{page.base_url}/halls/qhd/appointments/check-in/?t={hall_check_in_code(desk.hall)}"
        page.goto(url, timeout=60_000)  # the first page of a live server on a shared machine is slow
        screenshot(page, "appointments-qr-sign-in", {"phone": (390, 844)})
        sign_in_on_the_page(page, sms_outbox)
        assert "/appointments/check-in/?t=" in page.url
        screenshot(page, "appointments-qr-found", {"phone": (390, 844)})
        page.get_by_role("button", name=re.compile("我已到达，签到|I have arrived")).click()
        page.wait_for_selector(".appt-number strong")
        booking.refresh_from_db()
        assert booking.status == BookingStatus.CHECKED_IN
        assert page.locator(".appt-number strong").inner_text() == booking.ticket.number
        assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
        screenshot(page, "appointments-qr-done", {"phone": (390, 844)})


def test_a_late_citizen_is_told_and_joins_the_normal_queue(desk, page, sms_outbox) -> None:
    with time_machine.travel(local(30, 9, 0), tick=True) as traveller:
        booking = booking_create(
            hall=desk.hall, service_code="huji", slot_start=local(30, 10), phone="13812345678", channel="desk"
        )
        traveller.move_to(local(30, 10, 40))
        page.set_viewport_size(PHONE)
        url = f"{page.base_url}/halls/qhd/appointments/check-in/?t={hall_check_in_code(desk.hall)}"
        page.goto(url, timeout=60_000)  # the first page of a live server on a shared machine is slow
        sign_in_on_the_page(page, sms_outbox)
        page.get_by_role("button", name=re.compile("我已到达，签到|I have arrived")).click()
        page.wait_for_selector(".appt-late[role=alert]")
        booking.refresh_from_db()
        assert booking.status == BookingStatus.LATE
        assert booking.ticket.priority == Priority.NORMAL
        assert booking.ticket.number in page.locator(".appt-number").inner_text()
        screenshot(page, "appointments-qr-late", {"phone": (390, 844)})
