"""In Chromium: the tower's "all normal" online, and offline then back online; two towers report a fire
and the board shows the estimated spot."""

from __future__ import annotations

import re
from typing import Any

import pytest

from minxin.watch.models import CheckIn, FireIncident
from minxin.watch.tests.conftest import build_watch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Any, username: str, next_url: str) -> None:
    page.goto(f"{page.base_url}/staff/login/?next={next_url}")
    page.get_by_label(re.compile("Username|用户名")).fill(username)
    page.get_by_label(re.compile("Password|密码")).fill(f"{username}-pass-123")
    page.get_by_role("button", name=re.compile("Sign in|登录")).click()
    page.wait_for_url(re.compile(re.escape(next_url) + "$"))


@pytest.fixture
def towers() -> Any:
    return build_watch()


def test_all_normal_is_sent_online(towers: Any, page: Any) -> None:
    sign_in(page, "lena", f"/watch/posts/{towers.tower.public_id}/")
    page.locator("#all-normal").click()
    page.wait_for_function("document.getElementById('net-status').className.includes('ok')")
    check_in = CheckIn.objects.get(post=towers.tower)
    assert check_in.channel == "app"
    assert check_in.client_id is not None


def test_all_normal_made_offline_is_sent_when_the_signal_returns(towers: Any, page: Any) -> None:
    sign_in(page, "lena", f"/watch/posts/{towers.tower.public_id}/")
    page.context.set_offline(True)
    page.locator("#all-normal").click()
    page.wait_for_function("document.getElementById('net-status').className.includes('warn')")
    assert page.locator(".watch-pending").count() == 1
    assert not CheckIn.objects.filter(post=towers.tower).exists()
    page.wait_for_timeout(1500)  # the report was made before the signal came back
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_function("document.querySelectorAll('.watch-pending').length === 0")
    check_in = CheckIn.objects.get(post=towers.tower)
    assert (check_in.received_at - check_in.made_at).total_seconds() >= 1
    assert check_in.slot_start <= check_in.made_at < check_in.slot_end


def test_two_towers_report_a_fire_and_the_board_shows_the_spot(towers: Any, page: Any) -> None:
    from minxin.watch.geo import Point, inverse

    fire = Point(42.47, 117.30)
    sign_in(page, "lena", f"/watch/posts/{towers.tower.public_id}/")
    for post in (towers.tower, towers.tower2):
        page.goto(f"{page.base_url}/watch/posts/{post.public_id}/")
        page.locator(".watch-fire-panel summary").click()
        bearing = round(inverse(Point(post.lat, post.lon), fire)[1], 1)
        page.locator(".watch-fire-panel input[name=bearing_deg]").fill(str(bearing))
        page.locator(".watch-fire-panel select[name=smoke_colour]").select_option("grey")
        page.locator(".watch-fire-button").click()
        page.wait_for_function("document.getElementById('net-status').className.includes('ok')")
    incident = FireIncident.objects.get()
    assert incident.method == "intersection"
    assert inverse(Point(incident.lat, incident.lon), fire)[0] < 100
    page.context.clear_cookies()
    sign_in(page, "carl", "/watch/board/")
    card = page.locator(".watch-fire-card")
    card.wait_for()
    assert incident.number in card.inner_text()
    assert f"{incident.lat:.4f}° N" in card.inner_text()
    page.wait_for_function("document.querySelectorAll('#board-map svg path').length > 10")
    assert incident.number in page.locator("#board-map").inner_text()
    # The network drops: the board keeps its picture and says since when it is old.
    page.context.set_offline(True)
    page.locator("#board-offline").wait_for(state="visible", timeout=15_000)
    assert incident.number in page.locator("#board-map").inner_text()
    assert page.locator("#board-rows tr").count() == 2


def test_the_desk_enters_a_radio_fire_report_from_the_keyboard(towers: Any, page: Any) -> None:
    sign_in(page, "carl", "/watch/desk/")
    assert page.evaluate("document.activeElement.id") == "desk-post"
    assert page.locator(".watch-fire-fields").is_hidden()
    page.locator("#desk-post").select_option(str(towers.tower2.public_id))
    page.keyboard.press("Alt+3")
    assert page.locator(".watch-fire-fields").is_visible()
    page.locator("input[name=bearing_deg]").fill("200")
    page.locator("input[name=channel][value=radio]").check()
    page.locator("input[name=reported_by]").fill("王建")
    page.locator("input[name=reported_by]").press("Enter")
    page.wait_for_url(re.compile("/watch/desk/$"))
    report = CheckIn.objects.get(post=towers.tower2)
    assert (report.status, report.channel, report.reported_by, report.bearing_deg) == (
        "fire",
        "radio",
        "王建",
        200.0,
    )
