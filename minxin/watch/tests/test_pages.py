"""Pages: the post's phone page, the desk, the board, incidents, reports and the duty log."""

from __future__ import annotations

import pytest

from minxin.watch.models import CheckIn
from minxin.watch.services import Report, check_in_record

pytestmark = pytest.mark.django_db


def test_the_post_page_has_the_big_button_and_is_installable(client, watch) -> None:
    client.force_login(watch.lena)
    page = client.get(f"/watch/posts/{watch.tower.public_id}/").content.decode()
    assert 'id="all-normal"' in page
    assert 'rel="manifest"' in page
    manifest = client.get("/watch/manifest.webmanifest").json()
    assert manifest["scope"] == "/watch/"


def test_the_service_worker_is_served_with_a_scope_over_the_post_pages(client) -> None:
    response = client.get("/watch/sw.js")
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/watch/"


def test_another_regions_command_centre_gets_404_on_the_post_page(client, watch) -> None:
    client.force_login(watch.olga)
    assert client.get(f"/watch/posts/{watch.tower.public_id}/").status_code == 404


def test_the_desk_records_a_radio_report_with_channel_and_officer(client, watch) -> None:
    client.force_login(watch.carl)
    response = client.post(
        "/watch/desk/",
        {"post": str(watch.tower.public_id), "status": "normal", "channel": "radio", "reported_by": "张师傅"},
    )
    assert response.status_code == 302
    check_in = CheckIn.objects.get(post=watch.tower)
    assert (check_in.channel, check_in.reported_by, check_in.entered_by) == ("radio", "张师傅", watch.carl)


def test_lookout_staff_cannot_open_the_desk(client, watch) -> None:
    client.force_login(watch.lena)
    assert client.get("/watch/desk/").status_code == 403


def test_the_board_page_and_the_desk_render(client, watch) -> None:
    client.force_login(watch.carl)
    assert 'id="board-map"' in client.get("/watch/board/").content.decode()
    assert "大光顶子山望海楼" in client.get("/watch/desk/").content.decode()


def test_reports_count_expected_received_and_export(client, watch, at_season_day) -> None:
    import datetime as dt

    from minxin.watch.tests.conftest import SEASON_DAY

    check_in_record(post=watch.tower, report=Report(status="observation", note="东北方向有雾"), channel="app")
    at_season_day.move_to(SEASON_DAY + dt.timedelta(hours=1))
    client.force_login(watch.carl)
    page = client.get("/watch/reports/?from=2026-04-15&to=2026-04-15").content.decode()
    assert "大光顶子山望海楼" in page
    csv = client.get("/watch/reports/export.csv?from=2026-04-15&to=2026-04-15").content.decode("utf-8-sig")
    line = next(row for row in csv.splitlines() if row.startswith("大光顶子山望海楼"))
    assert line.split(",")[1:3] == ["4", "1"]  # 10:00–11:00 expected 4 slots, 1 reported
    xlsx = client.get("/watch/reports/export.xlsx?from=2026-04-15&to=2026-04-15")
    assert xlsx.content[:2] == b"PK"


def test_the_monthly_duty_log_lists_observations(client, watch) -> None:
    check_in_record(post=watch.tower, report=Report(status="observation", note="东北方向有雾"), channel="app")
    client.force_login(watch.carl)
    page = client.get(f"/watch/posts/{watch.tower.public_id}/log/2026/4/").content.decode()
    assert "东北方向有雾" in page
    assert "2026-04-30" in page


def test_the_home_list_shows_posts_with_few_queries(client, watch, django_assert_max_num_queries) -> None:
    client.force_login(watch.carl)
    client.get("/watch/")
    with django_assert_max_num_queries(12):
        assert client.get("/watch/").status_code == 200
