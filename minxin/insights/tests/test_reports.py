"""Monthly hall reports: PDF with the Chinese font embedded, XLSX, the worker's first-working-day job,
on-demand generation and downloads scoped to the hall."""

from __future__ import annotations

import datetime as dt
import io
import re
import zlib
from typing import Any

import pytest
import time_machine
from django.test import Client

from minxin.insights.models import Report
from minxin.insights.services.aggregates import aggregates_run
from minxin.insights.services.reports import first_working_day, reports_monthly_job
from minxin.insights.tests.conftest import Floor, local, ticket_make

NOVEMBER = dt.date(2026, 11, 1)


def _pdf_text(content: bytes) -> bytes:
    """The PDF's objects with their compressed streams inflated (WeasyPrint packs objects in streams)."""
    parts = [content]
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", content, re.S):
        try:
            parts.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return b"\n".join(parts)


@pytest.fixture
def november(floor: Floor) -> Floor:
    hall = floor.cast.hall
    for day, wait in ((dt.date(2026, 11, 2), 300), (dt.date(2026, 11, 3), 900), (dt.date(2026, 11, 3), 60)):
        ticket_make(floor, hall, issued=local(day, 10, 0), wait=wait, window=floor.cast.window1)
    with time_machine.travel(local(dt.date(2026, 11, 30), 20), tick=False):
        aggregates_run()
    return floor


@pytest.mark.django_db
def test_first_working_day_skips_weekends_and_holidays() -> None:
    from minxin.core.models import CalendarDay

    assert first_working_day(dt.date(2026, 11, 1)) == dt.date(2026, 11, 2)  # 1 November is a Sunday
    CalendarDay.objects.create(date=dt.date(2026, 12, 1), is_working_day=False, name="test")
    assert first_working_day(dt.date(2026, 12, 15)) == dt.date(2026, 12, 2)


@pytest.mark.django_db
def test_worker_makes_last_months_reports_on_the_first_working_day(november: Floor) -> None:
    with time_machine.travel(local(dt.date(2026, 11, 30), 10), tick=False):
        assert reports_monthly_job() == 0  # still November: October had no figures
    with time_machine.travel(local(dt.date(2026, 12, 1), 9), tick=False):
        assert reports_monthly_job() == 1
        assert reports_monthly_job() == 0  # once
    reports = Report.objects.filter(hall=november.cast.hall, month=NOVEMBER)
    assert sorted(reports.values_list("fmt", flat=True)) == ["pdf", "xlsx"]
    assert set(reports.values_list("generated_by", flat=True)) == {"worker"}


@pytest.mark.django_db
def test_pdf_embeds_noto_sans_cjk_and_xlsx_has_the_days(november: Floor) -> None:
    from openpyxl import load_workbook

    from minxin.insights.services.reports import report_generate

    pdf, xlsx = report_generate(hall=november.cast.hall, month=NOVEMBER, by="alice")
    content = bytes(pdf.content)
    assert content.startswith(b"%PDF")
    fonts = _pdf_text(content)
    assert re.search(rb"/FontName /[A-Z]{6}\+Noto-Sans-CJK-SC", fonts)  # a subset of the font, embedded
    assert b"/FontFile" in fonts
    book = load_workbook(io.BytesIO(bytes(xlsx.content)))
    days = list(book.worksheets[1].iter_rows(values_only=True))
    assert [row[:3] for row in days[1:]] == [("2026-11-02", 1, 1), ("2026-11-03", 2, 2)]
    summary = list(book.worksheets[0].iter_rows(values_only=True))
    assert summary[1][2:4] == (3, 3)
    assert summary[1][5] == 7.0  # mean wait: (5 + 15 + 1) / 3 min


@pytest.mark.django_db
def test_manager_prepares_and_downloads_and_others_cannot(november: Floor) -> None:
    alice = Client()
    alice.force_login(november.cast.alice)
    with time_machine.travel(local(dt.date(2026, 12, 3), 10), tick=False):
        response = alice.post("/staff/insights/halls/qhd/reports/", {"month": "2026-11"})
        assert response.status_code == 302
        page = alice.get("/staff/insights/halls/qhd/reports/").content.decode()
    report = Report.objects.get(hall=november.cast.hall, fmt="pdf")
    assert f"/staff/insights/reports/{report.public_id}/" in page
    download = alice.get(f"/staff/insights/reports/{report.public_id}/")
    assert download["Content-Type"] == "application/pdf"
    charlie = Client()
    charlie.force_login(november.cast.charlie)
    assert charlie.get(f"/staff/insights/reports/{report.public_id}/").status_code == 403
    assert charlie.get("/staff/insights/halls/qhd/reports/").status_code == 403


@pytest.mark.django_db
def test_reports_list_query_count(november: Floor, django_assert_max_num_queries: Any) -> None:
    alice = Client()
    alice.force_login(november.cast.alice)
    with django_assert_max_num_queries(12):
        assert alice.get("/staff/insights/halls/qhd/reports/").status_code == 200
