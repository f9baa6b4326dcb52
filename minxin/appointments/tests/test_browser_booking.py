"""In a real Chromium: a citizen books and gets the code, checks in at the kiosk, and is called before the
walk-ins who came earlier. Run with `pytest -m browser`; SCREENSHOT_DIR=dir keeps screenshots."""

from __future__ import annotations

import re

import pytest
import time_machine

from conftest import screenshot
from minxin.appointments.models import Booking
from minxin.appointments.tests.conftest import local
from minxin.queueing.services import ticket_call_next, ticket_issue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in_staff(page, username: str, next_url: str) -> None:
    page.goto(f"{page.base_url}/staff/login/?next={next_url}")
    page.get_by_label(re.compile("Username|用户名")).fill(username)
    page.get_by_label(re.compile("Password|密码")).fill(f"{username}-pass-123")
    page.get_by_role("button", name=re.compile("Sign in|登录")).click()
    page.wait_for_url(re.compile(re.escape(next_url) + "$"))


def test_book_get_the_code_check_in_at_the_kiosk_and_be_called_before_walk_ins(desk, cast, page) -> None:
    from minxin.accounts.services import citizen_get_or_create

    citizen = citizen_get_or_create(phone="13812345678")
    with time_machine.travel(local(30, 9, 20), tick=True) as traveller:
        # The citizen's browser carries a phone sign-in (the OTP flow is accounts' own, tested there).
        page.goto(f"{page.base_url}/halls/qhd/appointments/")
        from django.contrib.sessions.backends.db import SessionStore

        session = SessionStore()
        session["citizen_id"] = citizen.pk
        session.create()
        page.context.add_cookies([{"name": "sessionid", "value": session.session_key, "url": page.base_url}])
        page.goto(f"{page.base_url}/halls/qhd/appointments/?service=huji")
        screenshot(page, "appointments-book")
        page.locator('.appt-slot[data-slot="10:00"]').click()
        page.wait_for_url(re.compile(r"/appointments/[0-9a-f-]+/$"))
        code = page.locator("[data-booking-code]").inner_text().strip()
        booking = Booking.objects.get()
        assert code == booking.code
        assert page.locator(".appt-qr svg").count() == 1
        screenshot(page, "appointments-booking")

        walk_ins = [
            ticket_issue(hall=desk.hall, service_code="huji", channel="kiosk").ticket for _ in range(2)
        ]
        traveller.move_to(local(30, 10, 1))
        page.context.clear_cookies()
        page.add_init_script("window.print = () => { window.__printed = true }")
        sign_in_staff(page, "bob", "/halls/qhd/kiosk/")
        page.locator("#booking-code").click()
        for letter in code:
            page.locator(f'.kiosk-booking-keypad [data-key="{letter}"]').click()
        assert page.locator("#booking-code").input_value() == code
        screenshot(page, "kiosk-booking", {"landscape": (1920, 1080), "portrait": (1080, 1920)})
        page.locator(".kiosk-booking-submit").click()
        page.wait_for_url(re.compile(r"/halls/qhd/kiosk/ticket/[0-9a-f-]+/$"))
        number = page.locator("#ticket-number").inner_text()
        booking.refresh_from_db()
        assert booking.ticket is not None
        assert number == booking.ticket.number == "A003"

        called = ticket_call_next(window=cast.window1, clerk=cast.bob)
        assert called is not None
        assert called.number == "A003"  # before A001 and A002, who walked in earlier
        assert [t.number for t in walk_ins] == ["A001", "A002"]
