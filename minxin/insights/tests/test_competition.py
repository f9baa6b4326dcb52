"""The competition on the dashboards (flag holders per category and city, the latest frozen round's
ranking), the monthly competition report (PDF with the font embedded and the fixture's figures, XLSX,
the worker's job, scope) and the week-ahead forecast panel — against hand-computed figures."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import pytest
import time_machine
from django.test import Client

from minxin.insights.models import Report
from minxin.insights.tests.competition_fixture import Competition, competition_make
from minxin.insights.tests.conftest import Floor, local, ticket_make
from minxin.insights.tests.pdftext import pdf_text

DAY = dt.date(2026, 11, 30)  # a Monday
NOW = local(DAY, 15, 0)
NOVEMBER = dt.date(2026, 11, 1)


@pytest.fixture
def competition(cast: Any) -> Competition:
    return competition_make(cast)


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_province_honours_by_hand(competition: Competition) -> None:
    from minxin.insights.honours import city_flag_text, honours_compute
    from minxin.orgs.models import Region

    figures = honours_compute(region=Region.objects.get(code="130000"))
    holders = [(row["shape"], row["unit"], row["city"], row["rank"]) for row in figures["holders"]]
    assert holders == [
        ("■", "秦皇岛市政务服务管理办公室", "秦皇岛市", 1),
        ("▲", "秦皇岛市市场监管综合执法支队", "秦皇岛市", 1),
    ]
    assert figures["by_city"] == {"130300": {"administration": 1, "enforcement": 1}}
    assert city_flag_text(figures["by_city"]["130300"]) == "■1 ▲1"
    assert figures["black_held"] == 1  # sjz's; the hotline's was removed
    assert figures["titles_live"] == 1
    ranking = figures["ranking"]
    assert ranking["round"] == str(competition.admin_october.public_id)
    assert [(row["rank"], row["unit"], row["total"]) for row in ranking["rows"]] == [
        (1, "秦皇岛市政务服务管理办公室", "95.50"),
        (2, "国家税务总局石家庄市税务局", "88.00"),
    ]


@pytest.mark.django_db
def test_city_view_shows_flags_and_ranking_with_links(
    competition: Competition, django_assert_max_num_queries: Any
) -> None:
    from minxin.insights.modules import modules_refresh

    with time_machine.travel(NOW, tick=False):
        modules_refresh()
        client = _client(_dora())
        with django_assert_max_num_queries(18):
            html = client.get("/staff/insights/regions/130300/").content.decode()
    flags = html[html.index('data-table="flags"') :]
    assert "秦皇岛市市场监管综合执法支队" in flags
    assert "石家庄" not in flags.split("</table>")[0]  # Shijiazhuang's units are not the city's
    ranking = html[html.index('data-table="ranking"') :].split("</table>")[0]
    assert re.search(r'data-col="total"[^>]*>95.50<', ranking)
    assert "88.00" not in ranking  # the province round's ranking, cut to the city's units
    assert f"/honour/rounds/{competition.admin_october.public_id}/" in html
    assert "/honour/?city=130300" in html


def _dora() -> Any:
    from minxin.accounts.models import User

    return User.objects.get(username="dora")


@pytest.mark.django_db
def test_public_page_shows_the_honour_board(
    competition: Competition, django_assert_max_num_queries: Any
) -> None:
    from minxin.insights.modules import modules_refresh

    with time_machine.travel(NOW, tick=False):
        modules_refresh()
        with django_assert_max_num_queries(13):
            html = Client().get("/figures/130000/").content.decode()
    assert 'data-table="flags"' in html
    assert "■" in html
    assert "▲" in html
    assert f"/honour/units/{competition.enforcement_unit.pk}/" in html


@pytest.mark.django_db
def test_flags_and_ranking_export(competition: Competition) -> None:
    from minxin.accounts.models import User

    province = User.objects.create_user(username="pat", password="pat-pass-123")
    from minxin.accounts.models import Role
    from minxin.orgs.services import membership_grant

    membership_grant(user=province, role=Role.CITY_OFFICE, region=competition.admin_october.region)
    client = _client(province)
    with time_machine.travel(NOW, tick=False):
        csv = client.get("/staff/insights/regions/130000/export/ranking.csv").content.decode("utf-8-sig")
        by_city = client.get("/staff/insights/regions/130000/export/flags-by-city.csv").content.decode(
            "utf-8-sig"
        )
    assert csv.splitlines()[1:] == [
        "1,秦皇岛市政务服务管理办公室,秦皇岛市,95.50",
        "2,国家税务总局石家庄市税务局,石家庄市,88.00",
    ]
    assert by_city.splitlines()[1] == "秦皇岛市,1,1,0"


@pytest.mark.django_db
def test_wall_payload_has_flags_per_city_and_the_ranking(competition: Competition) -> None:
    from minxin.insights.services.wall import wall_payload
    from minxin.orgs.models import Region

    with time_machine.travel(NOW, tick=False):
        payload = wall_payload(region=Region.objects.get(code="130000"))
    assert payload["competition"]["by_city"]["130300"] == {"administration": 1, "enforcement": 1}
    assert payload["competition"]["ranking"]["rows"][0]["total"] == "95.50"


# --- the monthly competition report ------------------------------------------------------------------


@pytest.mark.django_db
def test_competition_report_pdf_has_the_font_and_the_figures(competition: Competition) -> None:
    from openpyxl import load_workbook

    from minxin.insights.services.competition_reports import competition_report_generate
    from minxin.orgs.models import Region

    with time_machine.travel(local(dt.date(2026, 12, 1), 9), tick=False):
        pdf, xlsx = competition_report_generate(
            region=Region.objects.get(code="130000"), month=NOVEMBER, by="pat"
        )
    content = bytes(pdf.content)
    assert content.startswith(b"%PDF")
    assert re.search(rb"/FontName /[A-Z]{6}\+Noto-Sans-CJK-SC", content + _inflated(content))
    text = pdf_text(content)
    assert "河北省" in text
    for figure in (
        "95.50",
        "45.50",
        "50.00",
        "88.00",
        "92.00",
        "秦皇岛市政务服务管理办公室",
        "石家庄12345热线",
        "省级文明单位",
    ):
        assert figure in text, figure
    book = load_workbook(io.BytesIO(bytes(xlsx.content)))
    rounds, ranking, flags, titles = (list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets)
    assert [row[2:5] for row in rounds[1:]] == [(2, 1, 1), (1, 1, 0)]  # units, red, black per round
    assert [row[1:5] for row in ranking[1:]] == [
        (1, "秦皇岛市政务服务管理办公室", "秦皇岛市", 95.5),
        (2, "国家税务总局石家庄市税务局", "石家庄市", 88.0),
        (1, "秦皇岛市市场监管综合执法支队", "秦皇岛市", 92.0),
    ]
    units = sorted(row[2] for row in flags[1:])
    # awarded: qhd red, sjz black, the squad red; moved: qhd in, sjz out; removed: the hotline's black
    assert units == sorted(
        ["秦皇岛市政务服务管理办公室", "国家税务总局石家庄市税务局", "秦皇岛市市场监管综合执法支队"] * 1
        + ["秦皇岛市政务服务管理办公室", "国家税务总局石家庄市税务局", "石家庄12345热线"]
    )
    assert len(titles) == 2


def _inflated(content: bytes) -> bytes:
    import zlib

    parts = []
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", content, re.S):
        try:
            parts.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return b"\n".join(parts)


@pytest.mark.django_db
def test_worker_makes_competition_reports_on_the_first_working_day(competition: Competition) -> None:
    from minxin.insights.services.reports import reports_monthly_job

    with time_machine.travel(local(dt.date(2026, 12, 1), 9), tick=False):
        assert reports_monthly_job() == 3  # the province, Qinhuangdao and Shijiazhuang
        assert reports_monthly_job() == 0  # once
    regions = Report.objects.filter(kind="competition", month=NOVEMBER, fmt="pdf")
    assert sorted(regions.values_list("region_code", flat=True)) == ["130000", "130100", "130300"]


@pytest.mark.django_db
def test_city_office_prepares_its_report_and_not_the_provinces(competition: Competition) -> None:
    from minxin.insights.services.competition_reports import competition_report_generate
    from minxin.orgs.models import Region

    dora = _client(_dora())
    with time_machine.travel(local(dt.date(2026, 12, 3), 10), tick=False):
        assert dora.post("/staff/insights/regions/130300/reports/", {"month": "2026-11"}).status_code == 302
        page = dora.get("/staff/insights/regions/130300/reports/").content.decode()
        province_pdf, _xlsx = competition_report_generate(
            region=Region.objects.get(code="130000"), month=NOVEMBER, by="worker"
        )
    mine = Report.objects.get(region_code="130300", fmt="pdf", kind="competition")
    assert f"/staff/insights/reports/{mine.public_id}/" in page
    assert "2026-12-03 10:00" in page  # the generation time
    assert dora.get(f"/staff/insights/reports/{mine.public_id}/")["Content-Type"] == "application/pdf"
    assert dora.get(f"/staff/insights/reports/{province_pdf.public_id}/").status_code == 403
    assert dora.get("/staff/insights/regions/130000/reports/").status_code == 403


# --- the week ahead --------------------------------------------------------------------------------------


def fake_forecast(monkeypatch: Any) -> None:
    """qhd: today 10 arrivals at 9:00 (6 min) and 30 at 10:00 (10 min) → 40, 9.0 min; tomorrow 20 at
    9:00 (4 min). Other halls: no forecast."""
    from minxin.appointments import selectors
    from minxin.appointments.forecast import HourWait
    from minxin.appointments.selectors import HallForecast, HourForecast

    def forecast(*, hall: Any, days: int = 7) -> HallForecast:
        result = HallForecast(
            hall_code=hall.code,
            days=[DAY + dt.timedelta(days=n) for n in range(days)],
            hours=[9, 10],
            services=[],
        )
        if hall.code == "qhd":
            for day, hour, arrivals, wait in (
                (DAY, 9, 10.0, 6.0),
                (DAY, 10, 30.0, 10.0),
                (DAY + dt.timedelta(days=1), 9, 20.0, 4.0),
            ):
                result.rows.append(HourForecast(day, hour, "a", arrivals, 2, HourWait(wait, wait, wait), 2))
        return result

    monkeypatch.setattr(selectors, "hall_forecast", forecast)


@pytest.mark.django_db
def test_city_view_waits_against_the_forecast_and_the_week_ahead(floor: Floor, monkeypatch: Any) -> None:
    from minxin.insights.modules import modules_refresh
    from minxin.insights.outlook import forecast_refresh_next
    from minxin.insights.services.aggregates import aggregates_run

    fake_forecast(monkeypatch)
    hall = floor.cast.hall
    for hour, wait in ((9, 240), (10, 600), (11, 960)):  # today: 4, 10 and 16 min → 10.0
        ticket_make(floor, hall, issued=local(DAY, hour), wait=wait, window=floor.cast.window1)
    with time_machine.travel(NOW + dt.timedelta(minutes=30), tick=False):
        aggregates_run()
    with time_machine.travel(NOW, tick=False):
        modules_refresh()
        assert forecast_refresh_next(limit=5) == 2  # both cities (Shijiazhuang's hall has no forecast)
        assert forecast_refresh_next(limit=5) == 0  # fresh
        html = _client(floor.cast.dora).get("/staff/insights/regions/130300/").content.decode()
        outlook = _client(floor.cast.dora).get("/staff/insights/regions/130300/export/outlook.csv")
    row = html[html.index('<tr data-hall="qhd">', html.index('data-table="against"')) :].split("</tr>")[0]
    assert re.search(r'data-col="actual"[^>]*>10.0<', row)
    assert re.search(r'data-col="forecast"[^>]*>9.0<', row)
    assert "▲ +1.0" in row
    city = html[html.index('data-table="outlook-city"') :].split("</table>")[0]
    assert re.search(
        r'<tr data-day="2026-11-30"><th scope="row">2026-11-30</th>'
        r'<td class="num" data-col="arrivals"[^>]*>40</td><td class="num" data-col="wait"[^>]*>9.0</td>',
        city,
    )
    assert re.search(r'data-col="arrivals"[^>]*>20</td><td class="num" data-col="wait"[^>]*>4.0</td>', city)
    assert "2026-11-30" in html[html.index('id="outlook-summary"') :].split("</p>")[0]
    assert (
        outlook.content.decode("utf-8-sig")
        .splitlines()[1]
        .startswith("秦皇岛市政务服务中心,40,9.0,20,4.0,0,")
    )
