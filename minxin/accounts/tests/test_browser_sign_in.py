"""In a real browser, in Chinese and in English: the phone sign-in asks for consent once, the code step
shows the masked phone, a live 60-second countdown and "change number", and asking again too soon says
how long to wait."""

from __future__ import annotations

import re

import pytest

from conftest import screenshot
from minxin.accounts.models import Citizen

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = "13812345678"
TEXTS = {
    "zh-CN": {
        "consent": "隐私政策",
        "sent": "验证码已发送至 138****5678",
        "wait": re.compile(r"没收到？(\d+) 秒后可重新获取"),
        "change": "更换手机号",
        "too_soon": re.compile(r"请 \d+ 秒后再试"),
        "send": re.compile("获取验证码|发送验证码"),
    },
    "en-US": {
        "consent": "privacy policy",
        "sent": "We sent a code to 138****5678",
        "wait": re.compile(r"No code\? You can ask for a new one in (\d+) seconds"),
        "change": "Change number",
        "too_soon": re.compile(r"Try again in \d+ seconds"),
        "send": re.compile("Send code"),
    },
}


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_phone_sign_in_conventions(chromium, live_server, sms_outbox, locale) -> None:
    texts = TEXTS[locale]
    context = chromium.new_context(viewport={"width": 390, "height": 844}, locale=locale)
    context.set_default_timeout(30_000)  # the first page of a fresh server on a shared machine is slow
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/me/login/")
        assert page.locator(".consent").get_by_text(texts["consent"]).is_visible()
        page.fill("input[name=phone]", PHONE)
        page.get_by_role("button", name=texts["send"]).click()
        page.wait_for_selector("input[name=code]")
        assert page.get_by_text(texts["sent"]).is_visible()
        first = int(texts["wait"].search(page.locator(".otp-wait").inner_text()).group(1))
        page.wait_for_timeout(2500)
        later = int(texts["wait"].search(page.locator(".otp-wait").inner_text()).group(1))
        assert first == 60
        assert later <= 58  # it counts down
        screenshot(page, f"citizen-code-step-{locale}", {"phone": (390, 844)})
        change = page.get_by_role("link", name=texts["change"])
        assert change.is_visible()

        change.click()  # change number, then ask for a code for the same number again too soon
        page.fill("input[name=phone]", PHONE)
        page.get_by_role("button", name=texts["send"]).click()
        page.get_by_role("alert").wait_for()
        assert texts["too_soon"].search(page.get_by_role("alert").inner_text())

        page.goto(f"{live_server.url}/me/login/")
        page.fill("input[name=phone]", "13900001111")
        page.get_by_role("button", name=texts["send"]).click()
        page.wait_for_selector("input[name=code]")
        code = "".join(c for c in sms_outbox[-1].text if c.isdigit())[:6]
        page.fill("input[name=code]", code)
        with page.expect_navigation():
            page.locator("#login-form button[type=submit]").first.click()
        assert Citizen.objects.get(phone_masked="139****1111").consent_version
        page.goto(f"{live_server.url}/me/login/")
        assert page.locator(".consent").count() == 0  # asked once: not again on this browser
    finally:
        context.close()
