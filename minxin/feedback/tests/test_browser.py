"""In a real Chromium: a clerk finishes a number at the desk, the window's rating device shows the faces,
a bad rating opens a rectification, the department replies, the manager rechecks, and the public page
shows it closed."""

from __future__ import annotations

import re
from typing import Any

import pytest

from conftest import screenshot
from minxin.feedback.models import Rating, Rectification
from minxin.queueing.services import ticket_issue, window_set_state

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TABLET = {"tablet": (1280, 800), "portrait": (800, 1280)}


def sign_out(tab: Any) -> None:
    """Leave the page first, so that none of its requests still in flight (the desk's live updates) sets a
    cookie after the cookies are cleared, then clear them."""
    tab.goto("about:blank")
    tab.context.clear_cookies()


def sign_in(tab: Any, username: str) -> None:
    tab.goto(f"{tab.base_url}/staff/login/")
    tab.get_by_label(re.compile("Username|用户名")).fill(username)
    tab.get_by_label(re.compile("Password|密码")).fill(f"{username}-pass-123")
    with tab.expect_navigation():
        tab.get_by_role("button", name=re.compile("Sign in|登录")).click()


def staff_tab(chromium: Any, base_url: str) -> Any:
    context = chromium.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN", bypass_csp=True)
    context.set_default_timeout(10_000)
    tab = context.new_page()
    tab.base_url = base_url
    return tab


def test_a_bad_rating_on_the_device_runs_the_whole_loop(served, device, chromium, page) -> None:
    cast = served.cast
    window_set_state(window=cast.window1, clerk=cast.bob, status="open")
    ticket_issue(hall=cast.hall, service_code="huji", channel="kiosk")

    # The tablet beside window 1 signs in once with its device token and shows the idle screen.
    page.goto(f"{page.base_url}/devices/sign-in/?next=/halls/qhd/rating-device/1/")
    page.locator("input[name=token]").fill(device["HTTP_AUTHORIZATION"].removeprefix("Bearer "))
    with page.expect_navigation():
        page.locator("button.btn-block").click()
    page.wait_for_selector("#fb-idle:not([hidden])")
    assert "Bob" in page.locator(".fb-clerk-name").inner_text()
    screenshot(page, "feedback-device-idle", TABLET)
    page.wait_for_timeout(800)  # the stream subscribes

    # Bob calls and finishes the number at his desk.
    desk = staff_tab(chromium, page.base_url)
    sign_in(desk, "bob")
    desk.goto(f"{desk.base_url}/staff/halls/qhd/windows/1/")
    desk.keyboard.press("Space")
    desk.wait_for_selector(".desk-number")
    desk.keyboard.press("f")
    desk.wait_for_function("!document.querySelector('.desk-number')")

    # The device turns to the faces for that number.
    page.wait_for_selector("#fb-faces:not([hidden])", timeout=8000)
    assert "A001" in page.locator("#fb-faces").inner_text()
    screenshot(page, "feedback-device-faces", TABLET)
    page.locator(".fb-face-button[data-score='1']").click()
    page.wait_for_selector("#fb-why:not([hidden])")
    page.locator(".fb-why-button[data-indicator='attitude']").click()
    screenshot(page, "feedback-device-why", TABLET)
    page.locator("[data-send]").click()
    page.wait_for_selector("#fb-thanks:not([hidden])")
    rating = Rating.objects.get()
    assert (rating.score, rating.channel, rating.indicators) == (1, "device", ["attitude"])
    rectification = Rectification.objects.get()

    # The department (erin) verifies, rectifies and replies.
    sign_out(desk)
    sign_in(desk, "erin")
    desk.goto(f"{desk.base_url}/staff/feedback/")
    with desk.expect_navigation():
        desk.locator(f"a[href='/staff/feedback/{rectification.public_id}/']").click()
    form = desk.locator("form[data-action=verify]")
    form.locator("textarea[name=clerk_account]").fill("当时系统卡顿，语气急躁")
    form.locator("textarea[name=text]").fill("情况属实")
    with desk.expect_navigation():
        form.locator("button[type=submit]").click()
    form = desk.locator("form[data-action=rectify]")
    form.locator("textarea[name=text]").fill("已对窗口人员进行服务规范培训")
    with desk.expect_navigation():
        form.locator("button[type=submit]").click()
    form = desk.locator("form[data-action=reply]")
    form.locator("textarea[name=text]").fill("您反映的问题已整改，感谢监督。")
    with desk.expect_navigation():
        form.locator("button[type=submit]").click()
    screenshot(desk, "feedback-rectification")

    # The hall manager (alice) rechecks and closes it.
    sign_out(desk)
    sign_in(desk, "alice")
    desk.goto(f"{desk.base_url}/staff/feedback/{rectification.public_id}/")
    with desk.expect_navigation():
        desk.locator("form[data-action=recheck] button[value=recheck-pass]").click()
    assert "已办结" in desk.locator("#rectification-status").inner_text()

    # The public page shows it closed, with the reply.
    page.goto(f"{page.base_url}/halls/qhd/ratings/")
    row = page.locator(f"tr[data-rectification='{rectification.public_id}']")
    assert "已办结" in row.inner_text()
    assert "您反映的问题已整改" in row.inner_text()
    screenshot(page, "feedback-disclosure")
    desk.context.close()
