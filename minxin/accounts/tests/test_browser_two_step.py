"""In a real browser: a hall manager sets up TOTP (QR code and backup codes), signs out, and signs in
again with a password and a code computed from the device's key."""

from __future__ import annotations

import re

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fill_password(page, username: str) -> None:
    page.goto(f"{page.base_url}/staff/login/")
    page.get_by_label(re.compile("Username|用户名")).fill(username)
    page.get_by_label(re.compile("Password|密码")).fill(f"{username}-pass-123")
    page.get_by_role("button", name=re.compile("Sign in|登录")).click()


def current_code(device: TOTPDevice, ahead: int = 0) -> str:
    return f"{totp(device.bin_key, device.step, device.t0 - ahead * device.step, device.digits):06d}"


def test_a_manager_enrols_signs_out_and_signs_in_with_a_totp_code(cast, page, settings) -> None:
    settings.STAFF_OTP_REQUIRED_ROLES = ["system_admin", "hall_manager"]
    fill_password(page, "alice")
    page.wait_for_url(re.compile(r"/staff/2fa/setup/"))
    assert page.locator(".totp-qr svg").count() == 1
    screenshot(page, "two-step-setup")
    device = TOTPDevice.objects.get(user=cast.alice)
    page.get_by_label(re.compile("身份验证器动态码")).fill(current_code(device))
    page.get_by_role("button", name="确认").click()
    page.get_by_role("heading", name="备用码").wait_for()
    assert page.locator(".backup-codes li").count() == 10
    screenshot(page, "two-step-backup-codes")
    page.get_by_role("link", name="继续").click()
    page.wait_for_url(re.compile(r"/staff/$"))
    assert page.get_by_text("已开启：登录时需输入密码和身份验证器动态码。").is_visible()

    page.get_by_role("button", name="退出登录").first.click()
    fill_password(page, "alice")
    page.wait_for_url(re.compile(r"/staff/2fa/\?"))
    screenshot(page, "two-step-verify")
    device.refresh_from_db()
    # The code used at enrolment is never taken twice: use the next time step's (within the tolerance).
    page.get_by_label(re.compile("动态码")).fill(current_code(device, ahead=1))
    page.get_by_role("button", name="验证并继续").click()
    page.wait_for_url(re.compile(r"/staff/$"))
    assert page.get_by_role("heading", name=re.compile("您好")).is_visible()
