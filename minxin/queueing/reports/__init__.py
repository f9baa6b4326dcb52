"""The hall's queue report (`log`: what happened to a range of days' numbers), its exports (`exports`:
tables, CSV, XLSX) and the hall right now (`floor`). The public names are re-exported here."""

from minxin.queueing.reports.exports import (
    SUMMARY_COLUMNS,
    TICKET_COLUMNS,
    summary_table,
    ticket_table,
    write_csv,
    write_xlsx,
)
from minxin.queueing.reports.floor import HallNow, QueueNow, WindowNow, hall_now
from minxin.queueing.reports.log import (
    CSV_CONTENT_TYPE,
    MAX_DAYS,
    REMOTE,
    REPORT_ROLES,
    XLSX_CONTENT_TYPE,
    LoggedTicket,
    QueueReport,
    Row,
    parse_range,
    queue_report,
)

__all__ = [
    "CSV_CONTENT_TYPE",
    "MAX_DAYS",
    "REMOTE",
    "REPORT_ROLES",
    "SUMMARY_COLUMNS",
    "TICKET_COLUMNS",
    "XLSX_CONTENT_TYPE",
    "HallNow",
    "LoggedTicket",
    "QueueNow",
    "QueueReport",
    "Row",
    "WindowNow",
    "hall_now",
    "parse_range",
    "queue_report",
    "summary_table",
    "ticket_table",
    "write_csv",
    "write_xlsx",
]
