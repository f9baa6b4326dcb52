"""QR check-in from WeChat (issue 20, point 3), in a real Chromium: a browser that did not take the number
(WeChat's own browser carries no session) signs in with a phone code right on the check-in page, comes
back to the check-in with its number, and checks in; in the three languages, on a phone and a desktop."""

from __future__ import annotations

from urllib.parse import unquote

import pytest

from minxin.accounts.services import citizen_get_or_create
from minxin.queueing import services
from minxin.queueing.models import Ticket
from minxin.queueing.tests.test_browser_kiosk_locked import DESKTOP, LANGUAGES, PHONE, shot, use_language

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_NUMBER = "13812345678"
CHECK_IN_BUTTON = {
    "zh-hans": "我已到达，签到",
    "zh-hant": "我已到達，簽到",
    "en": "I have arrived — check in",
}


def sms_code(outbox) -> str:
    return "".join(c for c in outbox[-1].text if c.isdigit())[:6]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_browser_without_the_number_signs_in_by_code_and_checks_in(
    line, at_open_hall, page, sms_outbox, language, size
) -> None:
    citizen = citizen_get_or_create(phone=PHONE_NUMBER)
    ticket = services.citizen_ticket_issue(
        hall=line.hall, service_code="huji", citizen=citizen, ip=None
    ).ticket
    assert ticket.status == "reserved"
    use_language(page, language)
    page.set_viewport_size(size)
    url = f"{page.base_url}/halls/qhd/check-in/?t={services.hall_check_in_code(line.hall)}"
    page.goto(url)  # as WeChat opens the scanned code: no session, no number held
    form = page.locator("#check-in-sign-in")
    assert form.get_attribute("data-step") == "phone"
    page.locator("#check-in-phone").fill(PHONE_NUMBER)
    shot(page, f"check-in-sign-in-{language}-{size['width']}")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("#check-in-sign-in[data-step=code]")
    assert "138****5678" in page.locator(".otp-sent").inner_text()
    page.locator("#check-in-code").fill(sms_code(sms_outbox))
    page.locator("#check-in-sign-in button[type=submit]").click()
    page.wait_for_selector(".call-list")
    assert unquote(page.url) == unquote(url)  # back on the check-in, with the number taken with that phone
    assert ticket.number in page.locator(".call-list").inner_text()
    button = page.get_by_role("button", name=CHECK_IN_BUTTON[language])
    shot(page, f"check-in-found-{language}-{size['width']}")
    button.click()
    page.wait_for_selector(".message[role=status]")
    ticket.refresh_from_db()
    assert ticket.status == "waiting"


def test_a_wrong_code_is_said_and_the_page_stays_on_the_code_step(
    line, at_open_hall, page, sms_outbox
) -> None:
    citizen = citizen_get_or_create(phone=PHONE_NUMBER)
    services.citizen_ticket_issue(hall=line.hall, service_code="huji", citizen=citizen, ip=None)
    use_language(page, "en")
    page.goto(f"{page.base_url}/halls/qhd/check-in/?t={services.hall_check_in_code(line.hall)}")
    page.locator("#check-in-phone").fill(PHONE_NUMBER)
    page.locator("#check-in-sign-in button[type=submit]").click()
    page.wait_for_selector("#check-in-sign-in[data-step=code]")
    wrong = "000000" if sms_code(sms_outbox) != "000000" else "111111"
    page.locator("#check-in-code").fill(wrong)
    page.locator("#check-in-sign-in button[type=submit]").click()
    page.wait_for_selector(".form-errors[role=alert]")
    assert page.locator("#check-in-sign-in[data-step=code]").count() == 1
    assert Ticket.objects.get().status == "reserved"


def test_without_the_halls_code_no_sign_in_is_offered(line, page) -> None:
    page.goto(f"{page.base_url}/halls/qhd/check-in/")
    assert page.locator("#check-in-sign-in").count() == 0
