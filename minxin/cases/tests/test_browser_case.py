"""A case end to end in a real Chromium: the clerk calls a number, opens a case and issues a one-time
correction notice; the citizen comes back and the case is accepted; the department decides; the
result is mailed; the citizen sees every step."""

from __future__ import annotations

import re
from typing import Any

import pytest

from conftest import screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("at_open_hall", "calendar"),
]
PHONE = "13800138000"


def _sign_in(page: Any, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{page.base_url}/staff/login/")
    page.get_by_label(re.compile("Username|用户名")).fill(username)
    page.get_by_label(re.compile("Password|密码")).fill(f"{username}-pass-123")
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("Sign in|登录")).click()


def test_correction_return_decision_mail_and_the_citizen_sees_every_step(
    cast: Any, page: Any, sms_outbox: Any
) -> None:
    from minxin.catalog.models import Material
    from minxin.queueing.models import Queue, Service
    from minxin.queueing.services import ticket_issue, window_set_state

    queue = Queue.objects.create(hall=cast.hall, code="huji", prefix="A", name="户籍", position=1)
    service = Service.objects.create(hall=cast.hall, code="huji", name="户籍业务", queue=queue)
    service.items.add(cast.item.item)
    window_set_state(window=cast.window1, clerk=cast.bob, status="open")
    ticket_issue(hall=cast.hall, service_code="huji", channel="kiosk", phone=PHONE)
    form = Material.objects.get(version=cast.item, name="申请表")

    # the clerk calls the number and opens a case for it (key C)
    _sign_in(page, "bob")
    page.goto(f"{page.base_url}/staff/halls/qhd/windows/1/")
    page.keyboard.press("Space")
    page.wait_for_selector("#open-case")
    with page.expect_navigation():
        page.keyboard.press("c")
    page.get_by_role("link", name=re.compile("居民身份证换领")).click()
    page.wait_for_selector("#intake-form")
    assert page.input_value("input[name=phone]") == PHONE  # from the number taken at the kiosk
    page.fill("input[name=name]", "张三")
    page.fill("input[name=id_number]", "130302199003077572")
    page.select_option(f"select[name=m{form.pk}]", "missing")
    screenshot(page, "cases-intake")
    with page.expect_navigation():
        page.locator("button[value=correct]").click()
    assert "?notice=correction" in page.url
    number = page.locator("h1").inner_text().split()[0]
    page.locator("#print-notice").click()
    page.wait_for_selector(".notice-sheet svg")
    assert "申请表" in page.locator(".notice-sheet").inner_text()
    screenshot(page, "cases-correction-notice")

    # the citizen comes back with the form: the same case is accepted
    page.go_back()
    page.select_option(f"form:has(#materials-submit) select[name=m{form.pk}]", "original")
    with page.expect_navigation():
        page.locator("#materials-submit").click()
    assert page.locator(".status").first.inner_text() in ("已受理", "Accepted")

    # the department decides
    _sign_in(page, "erin")
    page.goto(f"{page.base_url}/staff/halls/qhd/cases/inbox/")
    with page.expect_navigation():
        page.get_by_role("link", name=number).click()
    with page.expect_navigation():
        page.locator("#decide-submit").click()
    screenshot(page, "cases-decided")

    # the result goes out by mail
    page.select_option("form:has(#deliver-submit) select[name=method]", "mail")
    page.fill("form:has(#deliver-submit) input[name=tracking]", "EMS1234567890")
    with page.expect_navigation():
        page.locator("#deliver-submit").click()
    assert "EMS1234567890" in page.content()

    # the citizen signs in with their phone and sees every step
    page.context.clear_cookies()
    page.goto(f"{page.base_url}/me/login/?next=/me/cases/")
    page.fill("input[name=phone]", PHONE)
    page.locator("#login-form button[type=submit]").click()
    page.wait_for_selector("input[name=code]")
    code = "".join(c for c in sms_outbox[-1].text if c.isdigit())[:6]
    page.fill("input[name=code]", code)
    with page.expect_navigation():
        page.locator("#login-form button[type=submit]").first.click()
    page.wait_for_url("**/me/cases/")
    timeline = page.locator(".timeline").inner_text()
    for step in ("一次性告知", "补正后受理", "批准", "已邮寄"):
        assert step in timeline, step
    assert "EMS1234567890" in timeline
    screenshot(page, "cases-citizen")
