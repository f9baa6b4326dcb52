"""The citizen's ticket page and the clerk's desk in a real Chromium, with live updates."""

from __future__ import annotations

import re

import pytest

from conftest import screenshot
from minxin.queueing.services import (
    ticket_call_next,
    ticket_check_in,
    ticket_finish,
    ticket_issue,
    window_set_state,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("at_open_hall"),
]


def test_a_remote_ticket_page_updates_live_when_the_line_moves(cast, line, page) -> None:
    ticket_issue(hall=line.hall, service_code="huji", channel="kiosk")
    mine = ticket_issue(hall=line.hall, service_code="huji", channel="web", phone="13812345678").ticket
    page.goto(f"{page.base_url}/tickets/{mine.public_id}/")
    facts = page.locator(".key-facts")
    assert facts.locator("dd").first.inner_text() == "1 人"
    screenshot(page, "ticket-waiting")
    page.wait_for_timeout(600)  # the stream subscribes before the call
    first = ticket_call_next(window=cast.window1, clerk=cast.bob)
    page.wait_for_function(
        "(document.querySelector('.key-facts dd') || {textContent: ''}).textContent.trim() === '0 人'",
        timeout=5000,
    )
    assert "A001" in page.locator(".key-facts").inner_text()
    # Later refreshes reach the region too (it replaces itself on every refresh).
    ticket_finish(ticket=first, clerk=cast.bob)
    ticket_check_in(ticket=mine)
    ticket_call_next(window=cast.window1, clerk=cast.bob)
    page.wait_for_selector(".ticket-callout[role=alert]", timeout=5000)
    assert "1" in page.locator(".ticket-callout[role=alert]").inner_text()


def _open_bobs_desk(page) -> None:
    page.goto(f"{page.base_url}/staff/login/")
    page.get_by_label(re.compile("Username|用户名")).fill("bob")
    page.get_by_label(re.compile("Password|密码")).fill("bob-pass-123")
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("Sign in|登录")).click()
    page.goto(f"{page.base_url}/staff/halls/qhd/windows/1/")


def test_a_clerk_calls_with_the_keyboard(cast, line, page) -> None:
    window_set_state(window=cast.window1, clerk=cast.bob, status="open")
    ticket_issue(hall=line.hall, service_code="huji", channel="kiosk")
    _open_bobs_desk(page)
    page.keyboard.press("Space")
    page.wait_for_selector(".desk-number")
    assert page.locator(".desk-number").inner_text() == "A001"
    screenshot(page, "window-desk")
    page.keyboard.press("s")
    page.wait_for_function(
        "document.querySelector('.desk-current').textContent.includes('Being served') || "
        "document.querySelector('.desk-current').textContent.includes('办理中')"
    )
    page.keyboard.press("f")
    page.wait_for_function("!document.querySelector('.desk-number')")


def test_the_no_show_button_counts_down_the_halls_grace(cast, line, page) -> None:
    from minxin.queueing.models import QueueRules

    QueueRules.objects.update_or_create(hall=line.hall, defaults={"no_show_grace_seconds": 3})
    window_set_state(window=cast.window1, clerk=cast.bob, status="open")
    ticket_issue(hall=line.hall, service_code="huji", channel="kiosk")
    _open_bobs_desk(page)
    page.keyboard.press("Space")
    page.wait_for_selector(".desk-number")
    no_show = page.locator('#desk [data-key="x"]')
    assert no_show.is_disabled()
    assert "秒后" in no_show.inner_text()
    screenshot(page, "window-desk-no-show-grace")
    page.wait_for_function("!document.querySelector('#desk [data-key=\"x\"]').disabled", timeout=6000)
    assert "秒后" not in no_show.inner_text()


def test_the_desk_counts_the_line_live_and_asks_for_a_window_when_it_is_long(cast, line, page) -> None:
    from minxin.queueing.models import QueueRules

    QueueRules.objects.update_or_create(hall=line.hall, defaults={"crowd_alert_waiting": 2})
    window_set_state(window=cast.window1, clerk=cast.bob, status="open")
    _open_bobs_desk(page)
    assert page.locator("#waiting-title").inner_text() == "本窗口等候 0 人"
    assert page.locator(".crowd-alert").count() == 0
    page.wait_for_timeout(600)  # the stream subscribes
    for _ in range(3):
        ticket_issue(hall=line.hall, service_code="huji", channel="kiosk")
    page.wait_for_selector(".crowd-alert", timeout=5000)
    assert page.locator("#waiting-title").inner_text() == "本窗口等候 3 人"
    assert "A 户籍：3 人等候" in page.locator(".crowd-alert").inner_text()
    screenshot(page, "window-desk-crowded")
    page.keyboard.press("u")  # the desk's own refresh still swaps the whole desk, once
    page.wait_for_timeout(500)
    assert page.locator("#desk").count() == 1
    page.keyboard.press("Space")
    page.wait_for_selector(".desk-number")
    page.wait_for_function("!document.querySelector('.crowd-alert')", timeout=5000)  # 2 left: not more than 2
    assert page.locator("#waiting-title").inner_text() == "本窗口等候 2 人"


def test_a_refused_desk_action_shows_its_reason(cast, line, page) -> None:
    window_set_state(window=cast.window1, clerk=cast.bob, status="open")
    ticket_issue(hall=line.hall, service_code="huji", channel="kiosk")
    _open_bobs_desk(page)
    window_set_state(window=cast.window1, clerk=cast.bob, status="paused")  # from another tab, say
    page.keyboard.press("Space")
    page.wait_for_selector("#desk .form-errors[role=alert]", timeout=5000)  # the 409, shown with the desk
    assert page.locator("#desk .status").inner_text() == "暂停服务"  # the desk now shows the real state
    assert page.locator(".desk-number").count() == 0


def test_enter_on_a_focused_control_does_what_the_control_does_not_a_shortcut(cast, line, page) -> None:
    window_set_state(window=cast.window1, clerk=cast.bob, status="open")
    ticket_issue(hall=line.hall, service_code="huji", channel="kiosk")
    ticket_issue(hall=line.hall, service_code="huji", channel="kiosk")
    _open_bobs_desk(page)
    page.keyboard.press("Space")
    page.wait_for_selector(".desk-number")
    page.locator("details.transfer summary").focus()
    page.keyboard.press("Enter")  # opens the transfer form; "finish and call next" is Enter elsewhere
    page.wait_for_selector("details.transfer[open]")
    page.wait_for_timeout(300)
    assert page.locator(".desk-number").inner_text() == "A001"
