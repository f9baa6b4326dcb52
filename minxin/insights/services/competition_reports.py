"""The monthly competition report of a region (the province or a city) as PDF (WeasyPrint, Noto Sans
CJK SC embedded, like the hall report) and XLSX: the rounds frozen in the month per category, their
ranking with the points per dimension, the flags awarded, red flags that moved, black flags removed and
titles that changed. The worker makes last month's on the first working day; officers on demand."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from minxin.core import clock
from minxin.insights.honours_month import CompetitionMonth, competition_month
from minxin.insights.models import Report
from minxin.insights.selectors import month_add, month_start
from minxin.insights.services.sheets import sheet_add
from minxin.orgs.models import Region


def competition_report_html(report: CompetitionMonth) -> str:
    return render_to_string("insights/report_competition.html", {"report": report})


def competition_report_pdf(report: CompetitionMonth) -> bytes:
    from weasyprint import HTML

    pdf: bytes = HTML(string=competition_report_html(report)).write_pdf()
    return pdf


def _num(value: Any) -> Any:
    if value is None or value == "":
        return None
    return float(value)


def _flag_label(colour: str) -> str:
    return {"red": _("Red flag"), "black": _("Black flag")}.get(colour, "")


def _ranking_rows(report: CompetitionMonth) -> tuple[list[str], list[list[Any]]]:
    names = sorted({name for block in report.rounds for _code, name in block.dimensions})
    header = [_("Round"), _("Rank"), _("Unit"), _("Region"), _("Total"), _("Indicator points")]
    header += [_("Bonus"), _("Deductions"), *names, _("Flag"), _("Vetoed")]
    rows = []
    for block in report.rounds:
        by_name = {name: index for index, (_code, name) in enumerate(block.dimensions)}
        for row in block.rows:
            rows.append(
                [
                    block.label,
                    row["rank"],
                    row["unit"],
                    row["city"],
                    _num(row["total"]),
                    _num(row["standard"]),
                    _num(row["bonus"]),
                    _num(row["deductions"]),
                    *[_num(row["dimensions"][by_name[n]]) if n in by_name else None for n in names],
                    _flag_label(row["flag"]),
                    _("yes") if row["vetoed"] else "",
                ]
            )
    return header, rows


def competition_report_xlsx(report: CompetitionMonth) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    assert workbook.active is not None
    workbook.remove(workbook.active)
    sheet_add(
        workbook,
        _("Rounds"),
        [_("Round"), _("Category"), _("Units ranked"), _("Red flags"), _("Black flags"), _("Frozen")],
        [
            [
                b.label,
                b.round.get_category_display(),
                b.units,
                len(b.red),
                len(b.black),
                f"{b.round.frozen_at:%Y-%m-%d}",
            ]
            for b in report.rounds
        ],
    )
    header, rows = _ranking_rows(report)
    sheet_add(workbook, _("Ranking"), header, rows)
    sheet_add(workbook, _("Flags"), [_("Round"), _("Flag"), _("Unit"), _("Change")], _flag_rows(report))
    sheet_add(
        workbook,
        _("Titles"),
        [_("Date"), _("Unit"), _("Title"), _("Step"), _("Decision")],
        [
            [f"{e.decided_on:%Y-%m-%d}", e.title.unit.name, e.title.name, e.get_step_display(), e.decision]
            for e in report.titles
        ],
    )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _flag_rows(report: CompetitionMonth) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for block in report.rounds:
        rows += [[block.label, _("Red flag"), flag.unit.name, _("awarded")] for flag in block.red]
        rows += [[block.label, _("Black flag"), flag.unit.name, _("awarded")] for flag in block.black]
        rows += [[block.label, _("Red flag"), name, _("moved in")] for name in block.moved_in]
        rows += [[block.label, _("Red flag"), name, _("moved out")] for name in block.moved_out]
    for flag in report.removed:
        rows.append([_label_of(flag.round), _("Black flag"), flag.unit.name, _("removed")])
    return rows


def _label_of(round: Any) -> str:
    from minxin.insights.honours import _round_label

    return _round_label(round)


def competition_report_generate(
    *, region: Region, month: dt.date, by: str, language: str | None = None
) -> list[Report]:
    """Generate (or generate again) a region's monthly competition report in both formats."""
    month = month_start(month)
    language = language or settings.LANGUAGE_CODE
    with translation.override(language):
        data = competition_month(region=region, month=month)
        contents = {
            Report.Format.PDF: competition_report_pdf(data),
            Report.Format.XLSX: competition_report_xlsx(data),
        }
    saved = []
    for fmt, content in contents.items():
        with transaction.atomic():
            report, _created = Report.objects.update_or_create(
                kind=Report.Kind.COMPETITION,
                fmt=fmt,
                hall=None,
                region_code=region.code,
                month=month,
                language=language,
                defaults={
                    "content": content,
                    "size": len(content),
                    "generated_at": clock.now(),
                    "generated_by": by,
                },
            )
        saved.append(report)
    return saved


def competition_reports_job(*, today: dt.date) -> int:
    """Last month's competition report of the province and of every city where something happened
    (a round frozen, a flag removed, a title changed) and no report exists yet."""
    month = month_add(month_start(today), -1)
    done = set(
        Report.objects.filter(kind=Report.Kind.COMPETITION, month=month, fmt=Report.Format.PDF).values_list(
            "region_code", flat=True
        )
    )
    made = 0
    for region in Region.objects.filter(level__in=[Region.Level.PROVINCE, Region.Level.CITY]).order_by(
        "path"
    ):
        if region.code in done or competition_month(region=region, month=month).is_empty:
            continue
        try:
            competition_report_generate(region=region, month=month, by="worker")
        except IntegrityError:
            continue
        made += 1
    return made
