"""A citizen signs in with a phone code in a real Chromium, where htmx swaps the form."""

from __future__ import annotations

import pytest

from conftest import screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("at_open_hall"),
]


def test_a_wrong_code_is_shown_and_the_right_one_returns_to_the_page_the_citizen_came_from(
    line, page, sms_outbox
) -> None:
    page.goto(f"{page.base_url}/me/login/?next=/halls/qhd/status/")
    page.fill("input[name=phone]", "13812345678")
    page.locator("#login-form button[type=submit]").click()
    page.wait_for_selector("input[name=code]")
    code = "".join(c for c in sms_outbox[-1].text if c.isdigit())[:6]
    page.fill("input[name=code]", "000000" if code != "000000" else "111111")
    page.locator("#login-form button[type=submit]").click()
    page.wait_for_selector("#login-form .form-errors[role=alert]", timeout=5000)  # a 422, shown
    screenshot(page, "citizen-login-wrong-code")
    page.fill("input[name=code]", code)
    with page.expect_navigation():
        page.locator("#login-form button[type=submit]").click()
    page.wait_for_url("**/halls/qhd/status/")
    assert page.locator("form[action$='/halls/qhd/take/']").count() == 1  # signed in: may take a number
    assert "138****5678" in page.content()
