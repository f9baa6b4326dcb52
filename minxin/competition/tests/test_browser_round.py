"""In a real Chromium: an assessor inspects on a phone, the officer computes and freezes the round, the
honour board shows the new red flag and the unit's page its history."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest

from conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def open_round(contest: Any) -> Any:
    from minxin.competition.services.evidence import FindingData, document_review, inspection_submit
    from minxin.competition.services.rounds import round_assign, round_open

    c = contest
    round = round_open(
        officer=c.olga,
        rubric=c.rubric,
        region=c.cast.province,
        category="administration",
        period_start=dt.date(2026, 11, 1),
        period_end=dt.date(2026, 11, 30),
    )
    for unit, lose in ((c.qhd, 6), (c.sjz, 3), (c.sjz_b, 5), (c.sjz_c, 20), (c.qhd_b, 0)):
        round_assign(officer=c.olga, round=round, unit=unit, assessor=c.adam)
        for code in ("refined", "utmost"):
            document_review(assessor=c.adam, round=round, unit=unit, indicator_code=code, points=Decimal(11))
        if lose:
            inspection_submit(
                assessor=c.adam,
                round=round,
                unit=unit,
                findings=[
                    FindingData("environment", Decimal(min(lose, 11))),
                    FindingData("culture", Decimal(max(lose - 11, 0))),
                ],
            )
    return round


def sign_in(page: Any, username: str, next_url: str) -> None:
    page.goto(f"{page.base_url}/staff/login/?next={next_url}")
    page.get_by_label(re.compile("Username|用户名")).fill(username)
    page.get_by_label(re.compile("Password|密码")).fill(f"{username}-pass-123")
    page.get_by_role("button", name=re.compile("Sign in|登录")).click()
    page.wait_for_url(re.compile(re.escape(next_url) + "$"))


def test_inspect_on_a_phone_compute_freeze_and_the_board(
    chromium: Any, live_server: Any, contest: Any, open_round: Any, page: Any
) -> None:
    phone = chromium.new_context(
        bypass_csp=True,
        viewport={"width": 390, "height": 844},
        locale="zh-CN",
        geolocation={"latitude": 39.9354, "longitude": 119.6005},
        permissions=["geolocation"],
        is_mobile=True,
        has_touch=True,
    )
    phone.set_default_timeout(10_000)
    assessor = phone.new_page()
    assessor.base_url = live_server.url
    sign_in(assessor, "adam", "/staff/competition/")
    assessor.get_by_role("link", name=re.compile(contest.qhd_b.name)).click()
    assessor.wait_for_selector("[data-testid=inspection-form]")
    assessor.wait_for_function("document.getElementById('latitude').value !== ''")
    plus = assessor.locator("button[data-for=count-culture][data-step='1']")
    assert plus.bounding_box()["height"] >= 44  # a thumb's target
    plus.click()
    assert assessor.locator("#deduction-total").inner_text() == "2.00"
    assessor.fill("textarea[name=note-culture]", "未设志愿服务岗")
    assessor.set_input_files(
        "input[name=photos]",
        files=[{"name": "a.png", "mimeType": "image/png", "buffer": b"\x89PNG\r\n\x1a\n" + b"0" * 64}],
    )
    screenshot(assessor, "competition-inspect", {"phone": (390, 844)})
    assessor.get_by_role("button", name=re.compile("提交|Submit")).click()
    assessor.wait_for_selector(".message-success")
    phone.close()

    from minxin.competition.models import Inspection

    inspection = Inspection.objects.get(unit=contest.qhd_b)
    assert inspection.latitude == Decimal("39.935400")
    assert inspection.photos.count() == 1
    assert [(f.indicator.code, f.deduction) for f in inspection.findings.all()] == [("culture", Decimal(2))]

    sign_in(page, "olga", f"/staff/competition/rounds/{open_round.public_id}/")
    page.get_by_role("button", name=re.compile("计算|Compute")).click()
    page.wait_for_selector(".message-success")
    assert "98.00" in page.content()
    page.get_by_role("button", name=re.compile("定稿|Freeze")).click()
    page.wait_for_selector(".message-success")
    screenshot(page, "competition-round")

    page.goto(f"{page.base_url}/honour/")
    holders = page.locator("[data-testid=red-holders]")
    assert contest.qhd_b.name in holders.inner_text()
    screenshot(page, "competition-honour")
    holders.get_by_role("link", name=contest.qhd_b.name).click()
    history = page.locator("[data-testid=flag-history]")
    assert "2026-11" in history.inner_text()
    assert history.locator(".flag-red").count() == 1
    screenshot(page, "competition-unit")
