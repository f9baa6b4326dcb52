"""The new panels in a real Chromium, against hand-computed figures: the competition on the wall (flags
per category and city, told by shape; the ranking) and on the city and public pages; the week-ahead
forecast on the city view; the monthly competition reports page."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine

from conftest import screenshot
from minxin.insights.modules import modules_refresh
from minxin.insights.outlook import forecast_refresh_next
from minxin.insights.services.aggregates import aggregates_run
from minxin.insights.tests.competition_fixture import competition_make
from minxin.insights.tests.conftest import Floor, local, ticket_make
from minxin.insights.tests.test_competition import fake_forecast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DAY = dt.date(2026, 11, 30)  # a Monday
NOW = local(DAY, 15, 0)
WALL_KEY = "wall-key-for-tests"
WALL_SIZES = {"1920x1080": (1920, 1080), "3840x2160": (3840, 2160)}


@pytest.fixture
def scene(floor: Floor, settings: Any, monkeypatch: Any) -> Any:
    """qhd today: waits 4, 10 and 16 min (mean 10.0); the forecast (fake_forecast) says 9.0 today with
    40 arrivals, 4.0 tomorrow with 20; the competition of competition_fixture."""
    settings.INSIGHTS_WALL_KEY = WALL_KEY
    settings.INSIGHTS_WALL_REFRESH_SECONDS = 1
    fake_forecast(monkeypatch)
    competition = competition_make(floor.cast)
    for hour, wait in ((9, 240), (10, 600), (11, 960)):
        ticket_make(floor, floor.cast.hall, issued=local(DAY, hour), wait=wait, window=floor.cast.window1)
    with time_machine.travel(NOW + dt.timedelta(minutes=30), tick=False):
        aggregates_run()
    with time_machine.travel(NOW, tick=True) as traveller:
        modules_refresh()
        forecast_refresh_next(limit=5)
        yield competition, traveller


def _sign_in(page: Any, username: str) -> None:
    page.goto(f"{page.base_url}/staff/login/")
    page.get_by_label(re.compile("Username|用户名")).fill(username)
    page.get_by_label(re.compile("Password|密码")).fill(f"{username}-pass-123")
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("Sign in|登录")).click()


def test_wall_shows_flags_by_shape_and_the_ranking(scene: Any, page: Any) -> None:
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(f"{page.base_url}/wall/130000/?key={WALL_KEY}")
    page.wait_for_selector("#wall-map-chart canvas")
    flags = page.locator('[data-w="flags"] tbody tr')
    assert flags.nth(0).inner_text().split() == ["■", "文明行政", "1", "秦皇岛"]
    assert flags.nth(1).inner_text().split() == ["▲", "文明执法", "1", "秦皇岛"]
    assert flags.nth(2).inner_text().split()[-1] == "—"  # no service red flag
    qhd = page.locator('[data-w="cities"] tbody tr', has_text="秦皇岛市")
    assert qhd.locator("td").last.inner_text() == "■1 ▲1"
    ranking = page.locator('[data-w="ranking"] tbody tr')
    assert ranking.count() == 2
    assert ranking.nth(0).inner_text().split() == ["1", "秦皇岛市政务服务管理办公室", "95.50"]
    assert not page.locator("body.no-honours").count()
    page.route("**/data.json*", lambda route: route.abort())
    page.wait_for_selector('[data-w="status"].offline', timeout=5000)
    assert page.locator('[data-w="ranking"] tbody tr').count() == 2  # the figures stay
    page.unroute("**/data.json*")
    screenshot(page, "insights-wall-competition", WALL_SIZES)


def test_city_view_shows_forecast_and_honours(scene: Any, page: Any) -> None:
    competition, _traveller = scene
    _sign_in(page, "dora")
    page.goto(f"{page.base_url}/staff/insights/regions/130300/")
    against = page.locator('[data-table="against"] tr[data-hall="qhd"]')
    assert against.locator('[data-col="actual"]').inner_text() == "10.0"
    assert against.locator('[data-col="forecast"]').inner_text() == "9.0"
    assert against.locator('[data-col="change"]').inner_text() == "▲ +1.0"
    today = page.locator('[data-table="outlook-city"] tr[data-day="2026-11-30"]')
    assert today.locator('[data-col="arrivals"]').inner_text() == "40"
    assert today.locator('[data-col="wait"]').inner_text() == "9.0"
    page.wait_for_selector('[data-chart="chart-outlook"] svg, [data-chart="chart-outlook"] canvas')
    assert "2026-11-30" in page.locator("#outlook-summary").inner_text()
    holders = page.locator('[data-table="flags"] tbody tr')
    assert holders.count() == 2
    assert holders.nth(0).locator('[data-col="total"]').inner_text() == "95.50"
    page.get_by_role("link", name=re.compile("查看完整排名|The whole ranking")).click()
    page.wait_for_url(f"**/honour/rounds/{competition.admin_october.public_id}/")
    page.go_back()
    screenshot(page, "insights-city-forecast-honours")


def test_public_page_shows_flag_holders(scene: Any, page: Any) -> None:
    page.goto(f"{page.base_url}/figures/130000/")
    holders = page.locator('[data-table="flags"] tbody tr')
    assert holders.count() == 2
    assert "秦皇岛市市场监管综合执法支队" in holders.nth(1).inner_text()
    assert page.locator('[data-table="ranking"] tbody tr').count() == 2
    screenshot(page, "insights-public-honours")


def test_city_office_prepares_the_competition_report(scene: Any, page: Any) -> None:
    _competition, traveller = scene
    traveller.move_to(local(dt.date(2026, 12, 3), 10))
    _sign_in(page, "dora")
    page.goto(f"{page.base_url}/staff/insights/regions/130300/reports/")
    assert page.locator("h1").inner_text() in ("创建测评月度报告", "Monthly competition reports")
    page.locator("select[name=month]").select_option("2026-11")
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("Prepare|生成")).click()
    rows = page.locator('[data-table="reports"] tbody tr')
    assert rows.count() == 2  # PDF and XLSX
    assert "2026-12-03 10:0" in rows.nth(0).inner_text()
    assert rows.nth(0).locator("a").inner_text() in ("PDF", "XLSX")
