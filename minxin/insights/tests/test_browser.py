"""The dashboards in a real Chromium: the figures shown equal the hand-computed ones, charts draw, and the
wall screen keeps its figures when the network drops."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine

from conftest import screenshot
from minxin.insights.modules import modules_refresh
from minxin.insights.services.aggregates import aggregates_run
from minxin.insights.tests.conftest import Floor, local, ticket_make

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DAY = dt.date(2026, 11, 30)  # a Monday
NOW = local(DAY, 15, 0)
WALL_KEY = "wall-key-for-tests"


@pytest.fixture
def figures(floor: Floor, settings: Any) -> Any:
    """qhd today: waits 4, 10 and 16 min (2 served, 1 at a window), and 2 min on 2 November;
    sjz-tax today: one number, 6 min. By hand: November qhd 4 issued, 3 served, mean 8.0 min;
    province today 4 issued, 3 served, mean 9.0 min."""
    settings.INSIGHTS_WALL_KEY = WALL_KEY
    settings.INSIGHTS_WALL_REFRESH_SECONDS = 1
    hall, other = floor.cast.hall, floor.cast.other_hall
    ticket_make(floor, hall, issued=local(DAY, 9, 0), wait=240, window=floor.cast.window1, forecast_minutes=5)
    ticket_make(
        floor, hall, issued=local(DAY, 9, 30), wait=600, window=floor.cast.window2, forecast_minutes=9
    )
    ticket_make(floor, hall, issued=local(DAY, 14, 10), wait=960, status="called", window=floor.cast.window1)
    ticket_make(floor, hall, issued=local(dt.date(2026, 11, 2), 10, 0), wait=120)
    ticket_make(floor, other, issued=local(DAY, 10, 0), wait=360)
    with time_machine.travel(NOW + dt.timedelta(minutes=30), tick=False):
        aggregates_run()
    with time_machine.travel(NOW, tick=True) as traveller:
        modules_refresh()
        yield traveller


def _sign_in(page: Any, username: str) -> None:
    page.goto(f"{page.base_url}/staff/login/")
    page.get_by_label(re.compile("Username|用户名")).fill(username)
    page.get_by_label(re.compile("Password|密码")).fill(f"{username}-pass-123")
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("Sign in|登录")).click()


def test_city_view_shows_the_hand_computed_month(figures: Any, page: Any) -> None:
    _sign_in(page, "dora")
    page.goto(f"{page.base_url}/staff/insights/regions/130300/?month=2026-11")
    assert page.locator('[data-fact="issued"]').inner_text() == "4"
    assert page.locator('[data-fact="served"]').inner_text() == "3"
    assert page.locator('[data-fact="wait_mean"]').inner_text().startswith("8.0")
    row = page.locator('tr[data-hall="qhd"]')
    assert row.locator('[data-col="wait_mean"]').inner_text() == "8.0"
    assert row.locator('[data-col="forecast_mean"]').inner_text() == "7.0"  # (5 + 9) / 2
    page.wait_for_selector('[data-chart="chart-trend"] svg')
    assert "8.0" in page.locator("#summary").inner_text()
    screenshot(page, "insights-city")


def test_wall_shows_today_and_survives_a_network_drop(figures: Any, page: Any) -> None:
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(f"{page.base_url}/wall/130000/?key={WALL_KEY}")
    assert page.locator('[data-w="issued"]').inner_text() == "4"
    assert page.locator('[data-w="served"]').inner_text() == "3"
    assert page.locator('[data-w="wait_mean"]').inner_text() == "9.0"
    cities = page.locator('[data-w="cities"] tbody tr')
    assert cities.count() == 2  # the cast's province has two cities
    page.wait_for_selector("#wall-map-chart canvas")
    page.wait_for_selector('[data-w="status"]:not(.offline)')
    page.route("**/data.json*", lambda route: route.abort())
    page.wait_for_selector('[data-w="status"].offline', timeout=5000)
    assert page.locator('[data-w="issued"]').inner_text() == "4"  # the last figures stay
    assert page.locator('[data-w="cities"] tbody tr').count() == 2
    page.unroute("**/data.json*")
    page.wait_for_selector('[data-w="status"]:not(.offline)', timeout=5000)


def test_public_page_shows_last_month(floor: Floor, figures: Any, page: Any) -> None:
    figures.move_to(local(dt.date(2026, 12, 3), 10))
    page.goto(f"{page.base_url}/figures/130300/")
    row = page.locator('tr[data-hall="qhd"]')
    assert row.locator('[data-col="served"]').inner_text() == "3"
    assert row.locator('[data-col="wait_mean"]').inner_text() == "8.0"
