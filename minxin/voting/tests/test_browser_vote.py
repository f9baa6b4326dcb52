"""A citizen votes on a phone-sized Chromium: verifies the phone with the SMS code, picks projects while
the ballot shows its rule, submits, keeps the receipt; after close the results page shows the count."""

from __future__ import annotations

import pytest
import time_machine

from conftest import screenshot
from minxin.voting.services import campaign_close
from minxin.voting.tests.conftest import AFTER, id_number

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("during")]


def test_verify_by_phone_code_vote_see_the_receipt_then_the_results(open_campaign, page, sms_outbox) -> None:
    campaign = open_campaign.campaign
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{page.base_url}/voting/{campaign.public_id}/")
    page.fill("#verify-box input[name=phone]", "13800000077")
    page.locator("#verify-box button[type=submit]").click()
    page.wait_for_selector("#verify-box input[name=code]")
    code = "".join(ch for ch in sms_outbox[-1].text if ch.isdigit())[:6]
    page.fill("#verify-box input[name=code]", code)
    with page.expect_navigation():
        page.locator("#verify-box button[type=submit]").click()
    page.wait_for_selector(".vote-ok")
    assert "138****0077" in page.content()

    page.check("input[name=choice][value='1']")
    page.check("input[name=choice][value='3']")
    assert page.locator("[data-count]").inner_text() == "2"
    assert page.locator("input[name=choice][value='2']").is_disabled()  # at the most allowed (2)
    page.fill("input[name=id_number]", id_number(77))
    screenshot(page, "voting-ballot-filled", {"phone": (390, 844)})
    with page.expect_navigation():
        page.locator(".vote-submit button[type=submit]").click()
    receipt = page.locator("[data-receipt]").inner_text()
    assert len(receipt) == 12  # XXXX-XXXX-XX
    assert "人民公园改造" in page.content()
    assert "和平路路灯" in page.content()
    screenshot(page, "voting-receipt", {"phone": (390, 844)})

    with time_machine.travel(AFTER, tick=True):
        campaign_close(campaign=campaign, actor=open_campaign.olga)
        page.goto(f"{page.base_url}/voting/{campaign.public_id}/results/")
        page.wait_for_selector("[data-chart=chart-votes] svg")
        assert page.locator("[data-participants]").inner_text() == "1"
        screenshot(page, "voting-results")
