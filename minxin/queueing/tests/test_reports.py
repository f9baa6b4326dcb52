"""The hall's queue report: counts, waits and service times of a range of days, its page and exports."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from minxin.core.models import AuditEntry
from minxin.queueing.models import WindowState
from minxin.queueing.reports import queue_report
from minxin.queueing.services import (
    ticket_call_next,
    ticket_cancel,
    ticket_check_in,
    ticket_finish,
    ticket_issue,
    ticket_no_show,
    ticket_start,
    window_set_state,
)

pytestmark = [pytest.mark.django_db]
REPORT = "/staff/halls/qhd/queue-report/"
MONDAY = dt.date(2026, 11, 30)  # at_open_hall's day


@pytest.fixture
def day(cast, line, at_open_hall):
    """A morning at window 1 from 10:00: A001 waits 6 min and is served 4; A002, taken on the web and
    checked in at 10:02, waits 8 and is served 7 (no start marked: from its call); A003 is called after
    17 minutes and does not come; B001 is given up. A week earlier A001 was taken and served too."""
    minute = dt.timedelta(minutes=1)
    at_open_hall.shift(-7 * 24 * 60 * minute)
    window_set_state(window=cast.window1, clerk=cast.bob, status=WindowState.Status.OPEN)
    ticket_issue(hall=line.hall, service_code="huji", channel="kiosk")
    at_open_hall.shift(2 * minute)
    ticket_finish(ticket=ticket_call_next(window=cast.window1, clerk=cast.bob), clerk=cast.bob)
    at_open_hall.move_to(dt.datetime(2026, 11, 30, 2, 0, tzinfo=dt.UTC))

    a1 = ticket_issue(hall=line.hall, service_code="huji", channel="kiosk").ticket
    a2 = ticket_issue(hall=line.hall, service_code="huji", channel="web", phone="13812345678").ticket
    ticket_issue(hall=line.hall, service_code="huji", channel="kiosk")
    b1 = ticket_issue(hall=line.hall, service_code="qiye", channel="kiosk").ticket
    ticket_cancel(ticket=b1)
    at_open_hall.shift(2 * minute)
    ticket_check_in(ticket=a2)
    at_open_hall.shift(4 * minute)
    called = ticket_call_next(window=cast.window1, clerk=cast.bob)
    assert called is not None
    assert called.pk == a1.pk
    ticket_start(ticket=called, clerk=cast.bob)
    at_open_hall.shift(4 * minute)
    ticket_finish(ticket=called, clerk=cast.bob)
    second = ticket_call_next(window=cast.window1, clerk=cast.bob)
    assert second is not None
    assert second.pk == a2.pk
    at_open_hall.shift(7 * minute)
    ticket_finish(ticket=second, clerk=cast.bob)
    third = ticket_call_next(window=cast.window1, clerk=cast.bob)
    assert third is not None
    at_open_hall.shift(3 * minute)
    ticket_no_show(ticket=third, clerk=cast.bob)
    return line


def test_the_report_counts_outcomes_and_times_waits_and_services(day) -> None:
    report = queue_report(hall=day.hall, start=MONDAY, end=MONDAY)
    total = report.total

    assert (total.issued, total.served, total.no_show, total.cancelled, total.open) == (4, 2, 1, 1, 0)
    assert total.remote == 1
    # A002's wait runs from its check-in; A003's does not count: its holder did not come
    assert sorted(total.waits) == pytest.approx([6.0, 8.0], abs=0.05)
    assert total.wait_mean == pytest.approx(7.0, abs=0.05)
    assert total.wait_p50 == pytest.approx(7.0, abs=0.05)
    assert total.wait_p90 == pytest.approx(7.8, abs=0.05)  # between 6 and 8, 90 % of the way
    assert total.wait_max == pytest.approx(8.0, abs=0.05)
    assert total.service_mean == pytest.approx(5.5, abs=0.05)  # 4 from the start, 7 from the call
    assert total.no_show_percent == pytest.approx(100.0 / 3)

    assert [(row.label, row.issued, row.served, row.cancelled) for row in report.by_service] == [
        ("A · 户籍业务", 3, 2, 0),
        ("B · 企业开办", 1, 0, 1),
    ]
    assert [(row.label, row.issued, row.served, row.no_show) for row in report.by_window] == [
        ("1 公安窗口", 3, 2, 1)
    ]
    assert [(row.label, row.issued) for row in report.by_day] == [("2026-11-30", 4)]
    assert [(row.label, row.issued) for row in report.by_hour] == [("10:00–11:00", 4)]

    week = queue_report(hall=day.hall, start=MONDAY - dt.timedelta(days=7), end=MONDAY)
    assert [(row.label, row.issued, row.served) for row in week.by_day] == [
        ("2026-11-23", 1, 1),
        ("2026-11-30", 4, 2),
    ]


def test_managers_and_the_city_office_see_the_report_clerks_and_strangers_do_not(cast, day, client) -> None:
    assert client.get(REPORT).status_code == 302  # to the sign-in page
    for user, status in ((cast.alice, 200), (cast.dora, 200), (cast.bob, 403), (cast.charlie, 403)):
        client.force_login(user)
        assert client.get(REPORT).status_code == status, user
        assert client.get(REPORT + "export.csv").status_code == status, user


def test_the_page_shows_the_last_seven_days_by_default(cast, day, client) -> None:
    client.force_login(cast.alice)
    page = client.get(REPORT).content.decode()
    assert 'name="from" value="2026-11-24"' in page
    assert 'name="to" value="2026-11-30"' in page
    assert "A · 户籍业务" in page
    assert "1 公安窗口" in page
    assert "2026-11-23" not in page.split("</form>", 1)[1]  # last week's number is outside the range
    assert "7.8" in page  # nine in ten waited at most


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("from=2026-13-01&to=2026-11-30", "不是日期"),
        ("from=2026-11-30&to=2026-11-01", "晚于"),
        ("from=2026-01-01&to=2026-11-30", "最多"),
        ("from=2026-11-30&to=2026-12-01", "今天"),
    ],
)
def test_a_bad_range_is_refused_with_its_reason(cast, day, client, query, message) -> None:
    client.force_login(cast.alice)
    page = client.get(f"{REPORT}?{query}")
    assert page.status_code == 400
    assert message in page.content.decode()
    export = client.get(f"{REPORT}export.xlsx?{query}")
    assert export.status_code == 400
    assert message in export.content.decode()
    assert not AuditEntry.objects.filter(action="queue_report.exported").exists()


def test_the_csv_lists_every_number_and_the_xlsx_adds_a_sheet_per_grouping(cast, day, client) -> None:
    client.force_login(cast.alice)
    response = client.get(REPORT + "export.csv?from=2026-11-23&to=2026-11-30")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="qhd-queue-2026-11-23-2026-11-30.csv"'
    body = response.content
    assert body.startswith(b"\xef\xbb\xbf")  # a BOM, so Excel reads the Chinese
    lines = body.decode("utf-8-sig").strip().splitlines()
    assert lines[0].startswith("日期,号码,业务,取号渠道,")
    assert len(lines) == 1 + 5
    assert lines[1].startswith("2026-11-23,A001,户籍业务,")
    no_show = next(line for line in lines if ",A003," in line)
    assert "未到" in no_show or "过号" in no_show
    assert "13812345678" not in body.decode("utf-8-sig")  # no phone numbers leave the system

    xlsx = client.get(REPORT + "export.xlsx?from=2026-11-30&to=2026-11-30")
    workbook = load_workbook(io.BytesIO(xlsx.content))
    assert workbook.sheetnames == ["按日", "按服务", "按窗口", "按时段", "号码明细"]
    by_service = [row for row in workbook["按服务"].iter_rows(values_only=True)]
    assert by_service[1][:3] == ("A · 户籍业务", 3, 2)
    assert by_service[-1][:2] == ("全部", 4)
    assert workbook["号码明细"].max_row == 1 + 4
    assert workbook["号码明细"].freeze_panes == "B2"  # the header and the number stay in view
    exports = AuditEntry.objects.filter(action="queue_report.exported", actor_id=cast.alice.pk)
    assert sorted(exports.values_list("details__format", flat=True)) == ["csv", "xlsx"]


def test_an_unknown_export_format_is_a_404(cast, day, client) -> None:
    client.force_login(cast.alice)
    assert client.get(REPORT + "export.pdf").status_code == 404


def test_the_halls_staff_page_links_the_report_for_those_who_may_see_it(cast, line, client) -> None:
    for user, shown in ((cast.alice, True), (cast.dora, True), (cast.bob, False)):
        client.force_login(user)
        page = client.get("/staff/halls/qhd/").content.decode()
        assert (REPORT in page) is shown, user


API = "/api/v1/halls/qhd/queue-report"


def test_the_api_gives_the_report_to_managers_and_the_city_office(cast, day, client, token_for) -> None:
    answer = client.get(f"{API}?from=2026-11-23&to=2026-11-30", **token_for(cast.dora))
    assert answer.status_code == 200
    body = answer.json()
    assert (body["hall"], body["first_day"], body["last_day"]) == ("qhd", "2026-11-23", "2026-11-30")
    total = body["total"]
    assert (total["key"], total["issued"], total["served"], total["no_show"], total["cancelled"]) == (
        "all",
        5,
        3,
        1,
        1,
    )
    assert [(row["key"], row["issued"]) for row in body["by_service"]] == [("huji", 4), ("qiye", 1)]
    assert [(row["key"], row["served"]) for row in body["by_window"]] == [("1", 3)]
    assert [row["key"] for row in body["by_day"]] == ["2026-11-23", "2026-11-30"]
    assert [row["key"] for row in body["by_hour"]] == ["10"]
    today = client.get(API, **token_for(cast.alice)).json()  # the last seven days by default
    assert today["first_day"] == "2026-11-24"
    assert today["by_day"][0]["wait_p90_minutes"] == pytest.approx(7.8, abs=0.05)


def test_the_api_refuses_clerks_strangers_and_bad_ranges(cast, day, client, token_for) -> None:
    assert client.get(API).status_code == 401
    assert client.get(API, **token_for(cast.bob)).status_code == 403
    assert client.get(API, **token_for(cast.charlie)).status_code == 403
    auth = token_for(cast.alice)
    assert client.get(API, **token_for(cast.bob)).json()["error"]["code"] == "out_of_scope"
    for query, code in (
        ("from=2026-11-30&to=2026-11-01", "invalid"),
        ("from=yesterday", "invalid"),
        ("from=1764547200", "invalid"),  # a timestamp is not a date
        ("from=2026-11-01T00:00:00", "invalid"),
    ):
        answer = client.get(f"{API}?{query}", **auth)
        assert answer.status_code == 422, query
        assert answer.json()["error"]["code"] == code


OVERVIEW = "/staff/halls/qhd/overview/"


def test_the_hall_now_page_shows_windows_and_queues_to_managers_only(
    cast, line, client, at_open_hall
) -> None:
    from minxin.queueing.models import QueueRules
    from minxin.queueing.reports import hall_now

    QueueRules.objects.update_or_create(hall=line.hall, defaults={"crowd_alert_waiting": 2})
    window_set_state(window=cast.window1, clerk=cast.bob, status=WindowState.Status.OPEN)
    window_set_state(window=cast.window2, clerk=cast.bob, status=WindowState.Status.PAUSED)
    for _ in range(4):
        ticket_issue(hall=line.hall, service_code="huji", channel="kiosk")
    ticket_issue(hall=line.hall, service_code="qiye", channel="web", phone="13812345678")
    at_open_hall.shift(dt.timedelta(minutes=5))
    ticket_call_next(window=cast.window1, clerk=cast.bob)
    at_open_hall.shift(dt.timedelta(minutes=2))

    now = hall_now(hall=line.hall)
    assert (now.waiting, now.open_windows, now.served_today) == (3, 1, 0)
    a, b = now.queues
    assert (a.prefix, a.waiting, a.reserved, a.crowded) == ("A", 3, 0, True)
    assert a.longest_wait_minutes == pytest.approx(7.0, abs=0.1)
    assert (b.prefix, b.waiting, b.reserved, b.crowded, b.longest_wait_minutes) == ("B", 0, 1, False, None)
    first, second = now.windows
    assert (first.number, first.state, first.clerk, first.ticket) == ("1", "open", "Bob", "A001")
    assert first.at_window_minutes == pytest.approx(2.0, abs=0.1)
    assert (second.number, second.state, second.ticket) == ("2", "paused", "")

    client.force_login(cast.alice)
    page = client.get(OVERVIEW).content.decode()
    assert 'data-live-hall="qhd"' in page
    assert "A001" in page
    assert "超过 2 人，请增开窗口" in page
    for user, status in ((cast.dora, 200), (cast.bob, 403), (cast.charlie, 403)):
        client.force_login(user)
        assert client.get(OVERVIEW).status_code == status, user
