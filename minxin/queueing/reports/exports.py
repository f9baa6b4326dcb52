"""The queue report as tables, CSV and XLSX (summary sheets and the ticket log)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minxin.catalog import tabular
from minxin.queueing.models import Channel, TicketStatus
from minxin.queueing.reports.log import QueueReport, Row

# Exports --------------------------------------------------------------------------------------------

SUMMARY_COLUMNS: tuple[tuple[str, Any], ...] = (
    ("label", gettext_lazy("Group")),
    ("issued", gettext_lazy("Numbers")),
    ("served", gettext_lazy("Served")),
    ("no_show", gettext_lazy("No-shows")),
    ("lapsed", gettext_lazy("Lapsed")),
    ("cancelled", gettext_lazy("Cancelled")),
    ("transferred", gettext_lazy("Transferred")),
    ("open", gettext_lazy("Still open")),
    ("remote", gettext_lazy("Remote")),
    ("priority", gettext_lazy("Priority")),
    ("wait_mean", gettext_lazy("Mean wait (min)")),
    ("wait_p50", gettext_lazy("Median wait (min)")),
    ("wait_p90", gettext_lazy("9 in 10 waited at most (min)")),
    ("wait_max", gettext_lazy("Longest wait (min)")),
    ("service_mean", gettext_lazy("Mean service (min)")),
)

TICKET_COLUMNS: tuple[Any, ...] = (
    gettext_lazy("Date"),
    gettext_lazy("Number"),
    gettext_lazy("Service"),
    gettext_lazy("Channel"),
    gettext_lazy("Priority"),
    gettext_lazy("Status"),
    gettext_lazy("Time taken"),
    gettext_lazy("Check-in time"),
    gettext_lazy("Call time"),
    gettext_lazy("Start time"),
    gettext_lazy("Finish time"),
    gettext_lazy("Window"),
    gettext_lazy("Clerk"),
    gettext_lazy("Wait (min)"),
    gettext_lazy("Service (min)"),
    gettext_lazy("Recalls"),
    gettext_lazy("Transferred from"),
)


def summary_table(rows: list[Row]) -> list[list[Any]]:
    table: list[list[Any]] = [[str(label) for _key, label in SUMMARY_COLUMNS]]
    for row in rows:
        table.append([_cell(getattr(row, key)) for key, _label in SUMMARY_COLUMNS])
    return table


def ticket_table(report: QueueReport) -> list[list[Any]]:
    channels = dict(Channel.choices)
    statuses = dict(TicketStatus.choices)
    table: list[list[Any]] = [[str(label) for label in TICKET_COLUMNS]]
    for t in report.tickets:
        table.append(
            [
                t.service_date.isoformat(),
                t.number,
                t.service,
                str(channels.get(t.channel, t.channel)),
                t.priority,
                str(statuses.get(t.status, t.status)),
                _time(t.issued_at),
                _time(t.checked_in_at),
                _time(t.called_at),
                _time(t.started_at),
                _time(t.finished_at),
                t.window,
                t.clerk,
                _cell(t.wait_minutes),
                _cell(t.service_minutes),
                t.recalls,
                t.transferred_from,
            ]
        )
    return table


def _cell(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 1)
    return "" if value is None else value


def _time(moment: dt.datetime | None) -> str:
    return moment.strftime("%H:%M:%S") if moment is not None else ""


def write_csv(report: QueueReport) -> bytes:
    return tabular.write_csv(ticket_table(report))


def write_xlsx(report: QueueReport) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)  # streams rows: a quarter of a busy hall is ~100,000 of them
    sheets: list[tuple[str, list[list[Any]]]] = [
        (_("By day"), summary_table([*report.by_day, report.total])),
        (_("By service"), summary_table([*report.by_service, report.total])),
        (_("By window"), summary_table(report.by_window)),
        (_("By hour"), summary_table(report.by_hour)),
        (_("Ticket log"), ticket_table(report)),
    ]
    for title, table in sheets:
        sheet = workbook.create_sheet(title=title[:31])
        sheet.freeze_panes = "B2"  # before the first row: a write-only sheet writes its view then
        for row in table:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
