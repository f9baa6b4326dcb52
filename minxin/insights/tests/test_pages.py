"""Dashboards as their users see them: figures by hand, scope, exports, and query counts that do not grow
with the number of halls."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
import time_machine
from django.test import Client

from minxin.insights.modules import modules_refresh
from minxin.insights.services.aggregates import aggregates_run
from minxin.insights.tests.conftest import Floor, local, ticket_make

DAY = dt.date(2026, 11, 30)  # a Monday
NOW = local(DAY, 15, 0)


def _traffic(floor: Floor) -> None:
    """qhd: 3 numbers today (waits 4, 10, 16 min; 2 served), 1 on 2 November (wait 2 min);
    sjz-tax: 1 number today (wait 6 min)."""
    hall, other = floor.cast.hall, floor.cast.other_hall
    ticket_make(floor, hall, issued=local(DAY, 9, 0), wait=240, window=floor.cast.window1, forecast_minutes=5)
    ticket_make(
        floor, hall, issued=local(DAY, 9, 30), wait=600, window=floor.cast.window2, forecast_minutes=9
    )
    ticket_make(floor, hall, issued=local(DAY, 14, 10), wait=960, status="called", window=floor.cast.window1)
    ticket_make(floor, hall, issued=local(dt.date(2026, 11, 2), 10, 0), wait=120)
    ticket_make(floor, other, issued=local(DAY, 10, 0), wait=360)


@pytest.fixture
def figures(floor: Floor) -> Floor:
    _traffic(floor)
    with time_machine.travel(NOW + dt.timedelta(minutes=30), tick=False):
        aggregates_run()
    with time_machine.travel(NOW, tick=False):
        modules_refresh()  # the worker's module figures, as a running worker keeps them
    return floor


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def province_office(cast: Any) -> Any:
    from minxin.accounts.models import Role, User
    from minxin.orgs.services import membership_grant

    user = User.objects.create_user(username="pat", password="pat-pass-123")
    membership_grant(user=user, role=Role.CITY_OFFICE, region=cast.province)
    return user


@pytest.mark.django_db
def test_city_office_sees_its_halls_month(figures: Floor, django_assert_max_num_queries: Any) -> None:
    client = _client(figures.cast.dora)
    with time_machine.travel(NOW, tick=False), django_assert_max_num_queries(18):
        response = client.get("/staff/insights/regions/130300/?month=2026-11")
    assert response.status_code == 200
    html = response.content.decode()
    # qhd in November: 4 numbers, 3 served; waits 4, 10, 16, 2 min → mean 8.0
    assert 'data-fact="issued">4<' in html
    assert 'data-fact="served">3<' in html
    assert 'data-fact="wait_mean">8.0' in html
    assert "石家庄市办税服务厅" not in html  # another city's hall


@pytest.mark.django_db
def test_province_lists_cities_and_every_hall(figures: Floor, province_office: Any) -> None:
    client = _client(province_office)
    with time_machine.travel(NOW, tick=False):
        response = client.get("/staff/insights/regions/130000/")
    html = response.content.decode()
    assert "秦皇岛市政务服务中心" in html
    assert "石家庄市办税服务厅" in html
    assert 'data-fact="issued">5<' in html


@pytest.mark.django_db
def test_region_page_queries_do_not_grow_with_halls(
    figures: Floor, province_office: Any, django_assert_max_num_queries: Any
) -> None:
    from minxin.orgs.services import hall_create

    for index in range(15):
        hall_create(code=f"extra-{index}", name=f"县政务服务中心{index}", unit=figures.cast.hall.unit)
    client = _client(province_office)
    with time_machine.travel(NOW, tick=False), django_assert_max_num_queries(18):
        assert client.get("/staff/insights/regions/130000/").status_code == 200


@pytest.mark.django_db
def test_other_city_and_clerks_are_refused(figures: Floor) -> None:
    assert _client(figures.cast.dora).get("/staff/insights/regions/130100/").status_code == 403
    assert _client(figures.cast.bob).get("/staff/insights/regions/130300/").status_code == 403
    assert Client().get("/staff/insights/regions/130300/").status_code == 302


@pytest.mark.django_db
def test_halls_table_exports_as_csv_and_xlsx(figures: Floor) -> None:
    from openpyxl import load_workbook

    client = _client(figures.cast.dora)
    with time_machine.travel(NOW, tick=False):
        csv_response = client.get("/staff/insights/regions/130300/export/halls.csv?month=2026-11")
        xlsx_response = client.get("/staff/insights/regions/130300/export/trend.xlsx?month=2026-11")
    lines = csv_response.content.decode("utf-8-sig").splitlines()
    assert lines[1].startswith("秦皇岛市政务服务中心,4,3,8.0")
    sheet = load_workbook(io.BytesIO(xlsx_response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[-1][:4] == ("2026-11", 4, 3, 8.0)
    assert _client(figures.cast.dora).get("/staff/insights/regions/130300/export/nope.csv").status_code == 404


@pytest.mark.django_db
def test_wall_data_has_today_by_city(
    figures: Floor, province_office: Any, django_assert_max_num_queries: Any
) -> None:
    client = _client(province_office)
    with time_machine.travel(NOW, tick=False):
        with django_assert_max_num_queries(24):  # computed afresh (no snapshot yet)
            data = client.get("/wall/130000/data.json").json()
        with django_assert_max_num_queries(6):  # the precomputed snapshot
            assert client.get("/wall/130000/data.json").json() == data
    # today: qhd 3 numbers (waits 4, 10, 16), sjz 1 (wait 6): mean 9.0 over 4 waits
    assert data["totals"]["issued"] == 4
    assert data["totals"]["wait_mean"] == "9.0"
    cities = {city["code"]: city for city in data["cities"]}
    assert cities["130300"]["served"] == 2
    assert cities["130100"]["wait_mean"] == "6.0"
    assert data["longest_waits"][0]["code"] == "qhd"  # 16 min in the 14:00 hour


@pytest.mark.django_db
def test_wall_opens_with_its_display_key_and_not_without(figures: Floor, settings: Any) -> None:
    settings.INSIGHTS_WALL_KEY = "k3y-for-the-wall"
    with time_machine.travel(NOW, tick=False):
        assert Client().get("/wall/130000/?key=k3y-for-the-wall").status_code == 200
        assert Client().get("/wall/130000/?key=wrong").status_code == 403
        assert Client().get("/wall/130000/data.json").status_code == 403


@pytest.mark.django_db
def test_public_page_shows_last_month_per_hall(figures: Floor, django_assert_max_num_queries: Any) -> None:
    with time_machine.travel(local(dt.date(2026, 12, 3), 10), tick=False):
        modules_refresh()  # the worker keeps the competition's figures current
        with django_assert_max_num_queries(13):
            response = Client().get("/figures/130300/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<td class="num" data-col="served">3</td>' in html
    assert '<td class="num" data-col="wait_mean">8.0</td>' in html
