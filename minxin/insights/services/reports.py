"""Monthly hall reports as PDF (WeasyPrint, Noto Sans CJK SC embedded) and XLSX (openpyxl).

The worker generates last month's reports on the first working day of the month (and on any later day
when one is missing, so a worker that was down catches up); a manager can generate one on demand. Both
read the aggregate tables only.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from minxin.core import clock
from minxin.core.workdays import exceptions_between, is_working_day
from minxin.insights.figures import Figures
from minxin.insights.models import HallDayStats, HallHourStats, HallMonthStats, Report
from minxin.insights.selectors import month_add, month_start, province_today
from minxin.insights.services.competition_reports import competition_reports_job
from minxin.insights.services.sheets import sheet_add
from minxin.orgs.models import Hall

PDF_CONTENT_TYPE = "application/pdf"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(slots=True)
class HallMonth:
    hall: Hall
    month: dt.date
    figures: Figures
    previous: Figures
    days: list[tuple[dt.date, Figures]]
    hours: list[tuple[int, Figures]]
    generated_at: dt.datetime

    @property
    def busiest_hour(self) -> int | None:
        return max(self.hours, key=lambda item: item[1].issued)[0] if self.hours else None


def hall_month(*, hall: Hall, month: dt.date) -> HallMonth:
    """The figures of a hall's month from its aggregate rows (four queries)."""
    month = month_start(month)
    following = month_add(month, 1)
    rows = {
        row.month: row
        for row in HallMonthStats.objects.filter(hall=hall, month__in=[month, month_add(month, -1)])
    }
    days = [
        (row.service_date, Figures().add(row))
        for row in HallDayStats.objects.filter(
            hall=hall, service_date__gte=month, service_date__lt=following
        ).order_by("service_date")
    ]
    hours: dict[int, Figures] = {}
    for row in HallHourStats.objects.filter(hall=hall, service_date__gte=month, service_date__lt=following):
        hours.setdefault(row.hour, Figures()).add(row)
    return HallMonth(
        hall=hall,
        month=month,
        figures=Figures.of([rows[month]] if month in rows else []),
        previous=Figures.of([rows[prev]] if (prev := month_add(month, -1)) in rows else []),
        days=days,
        hours=sorted(hours.items()),
        generated_at=clock.now(),
    )


def hall_report_html(report: HallMonth) -> str:
    return render_to_string("insights/report_hall.html", {"report": report})


def hall_report_pdf(report: HallMonth) -> bytes:
    """The report printed by WeasyPrint from its HTML template (A4, print CSS); fontconfig embeds the
    subset of Noto Sans CJK SC the text uses."""
    from weasyprint import HTML  # imported here: loading Pango costs a second at start-up

    pdf: bytes = HTML(string=hall_report_html(report)).write_pdf()
    return pdf


def _num(value: Any) -> Any:
    return None if value is None else float(value)


def figure_header() -> list[str]:
    return [
        _("Issued"),
        _("Served"),
        _("No-shows"),
        _("Mean wait (min)"),
        _("P90 wait (min)"),
        _("Forecast wait (min)"),
        _("Mean service (min)"),
        _("Windows"),
    ]


def figure_cells(figures: Figures) -> list[Any]:
    return [
        figures.issued,
        figures.served,
        figures.no_show,
        _num(figures.wait_mean),
        _num(figures.wait_p90),
        _num(figures.forecast_mean),
        _num(figures.service_mean),
        figures.windows,
    ]


def hall_report_xlsx(report: HallMonth) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    assert workbook.active is not None
    workbook.remove(workbook.active)
    sheet_add(
        workbook,
        _("Summary"),
        [_("Hall"), _("Month"), *figure_header()],
        [
            [report.hall.name, f"{report.month:%Y-%m}", *figure_cells(report.figures)],
            [report.hall.name, f"{month_add(report.month, -1):%Y-%m}", *figure_cells(report.previous)],
        ],
    )
    sheet_add(
        workbook,
        _("By day"),
        [_("Date"), *figure_header()],
        [[day.isoformat(), *figure_cells(figures)] for day, figures in report.days],
    )
    sheet_add(
        workbook,
        _("By hour"),
        [_("Hour"), *figure_header()],
        [[f"{hour:02d}:00", *figure_cells(figures)] for hour, figures in report.hours],
    )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def report_generate(*, hall: Hall, month: dt.date, by: str, language: str | None = None) -> list[Report]:
    """Generate (or generate again) a hall's monthly report in both formats; returns the two rows."""
    month = month_start(month)
    language = language or settings.LANGUAGE_CODE
    with translation.override(language):
        data = hall_month(hall=hall, month=month)
        contents = {Report.Format.PDF: hall_report_pdf(data), Report.Format.XLSX: hall_report_xlsx(data)}
    saved = []
    for fmt, content in contents.items():
        with transaction.atomic():
            report, _created = Report.objects.update_or_create(
                kind=Report.Kind.HALL,
                fmt=fmt,
                hall=hall,
                month=month,
                language=language,
                defaults={
                    "content": content,
                    "size": len(content),
                    "generated_at": clock.now(),
                    "generated_by": by,
                    "region_code": hall.unit.region.code,
                },
            )
        saved.append(report)
    return saved


def first_working_day(month: dt.date) -> dt.date:
    month = month_start(month)
    exceptions = exceptions_between(month, month + dt.timedelta(days=27))
    day = month
    while not is_working_day(day, exceptions):
        day += dt.timedelta(days=1)
    return day


def reports_monthly_job() -> int:
    """From the first working day of a month on, generate last month's missing hall reports (a hall
    with figures and no report yet) and competition reports (`competition_reports_job`). Idempotent:
    the unique constraint keeps one report per hall (or region), month, format and language; a second
    worker that races loses the insert and moves on."""
    today = province_today()
    if today < first_working_day(today):
        return 0
    month = month_add(month_start(today), -1)
    done_halls = set(
        Report.objects.filter(kind=Report.Kind.HALL, month=month, fmt=Report.Format.PDF).values_list(
            "hall_id", flat=True
        )
    )
    halls = Hall.objects.filter(
        pk__in=HallMonthStats.objects.filter(month=month).values("hall_id"), is_active=True
    ).select_related("unit__region")
    made = 0
    for hall in halls:
        if hall.pk in done_halls:
            continue
        try:
            report_generate(hall=hall, month=month, by="worker")
        except IntegrityError:
            continue
        made += 1
    return made + competition_reports_job(today=today)
