"""The hall's queue report: what happened to the numbers of a range of days, by day, service, window and
hour, and the ticket log behind it as CSV or XLSX.

Waits run from the moment the citizen was in the hall (the number's issue, or its check-in for a remote
number) to its call, for the numbers whose holder came to the window; service times from the start of
service (the call when the clerk did not mark a start) to its finish. A number transferred to another
service appears twice, once as "transferred" and once under the service it moved to, as on the board.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, Min
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minxin.accounts.models import Role
from minxin.catalog import tabular
from minxin.catalog.models import Window, window_order
from minxin.core import clock
from minxin.core.errors import InvalidInput
from minxin.orgs.models import Hall
from minxin.queueing.estimates import Estimate
from minxin.queueing.forecasting import service_line_estimates
from minxin.queueing.models import AT_WINDOW, Channel, Ticket, TicketStatus, WindowState
from minxin.queueing.selectors import is_crowded
from minxin.queueing.services import queue_rules

MAX_DAYS = 92
REPORT_ROLES = (Role.HALL_MANAGER, Role.CITY_OFFICE)  # who may see a hall's report (and system admins)
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = tabular.XLSX_CONTENT_TYPE
REMOTE = frozenset((Channel.WEB, Channel.APP, Channel.API))


@dataclass(frozen=True, slots=True)
class LoggedTicket:
    """One number of the report's range, with the times that matter in the hall's local time."""

    service_date: dt.date
    number: str
    service_code: str
    service: str
    queue: str
    channel: str
    priority: int
    status: str
    issued_at: dt.datetime
    checked_in_at: dt.datetime | None
    called_at: dt.datetime | None
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    window_number: str
    window: str
    clerk: str
    recalls: int
    transferred_from: str

    @property
    def present_at(self) -> dt.datetime:
        return self.checked_in_at or self.issued_at

    @property
    def wait_minutes(self) -> float | None:
        """None when never called, or called and not there (a no-show waited for nothing we know)."""
        if self.called_at is None or self.status == TicketStatus.NO_SHOW:
            return None
        return max(0.0, (self.called_at - self.present_at).total_seconds() / 60.0)

    @property
    def service_minutes(self) -> float | None:
        if self.status != TicketStatus.DONE or self.finished_at is None:
            return None
        start = self.started_at or self.called_at
        if start is None:
            return None
        return max(0.0, (self.finished_at - start).total_seconds() / 60.0)


@dataclass(slots=True)
class Row:
    """Counts and times of one group of numbers (a day, a service, a window or an hour): `key` names it
    for machines (a date, a service code, a window number, an hour), `label` for people."""

    key: str
    label: str
    issued: int = 0
    served: int = 0
    no_show: int = 0
    lapsed: int = 0
    cancelled: int = 0
    transferred: int = 0
    open: int = 0  # still reserved, waiting or at a window
    remote: int = 0
    priority: int = 0
    waits: list[float] = field(default_factory=list)
    services: list[float] = field(default_factory=list)

    def add(self, ticket: LoggedTicket) -> None:
        self.issued += 1
        status = ticket.status
        if status == TicketStatus.DONE:
            self.served += 1
        elif status == TicketStatus.NO_SHOW:
            self.no_show += 1
        elif status == TicketStatus.LAPSED:
            self.lapsed += 1
        elif status == TicketStatus.CANCELLED:
            self.cancelled += 1
        elif status == TicketStatus.TRANSFERRED:
            self.transferred += 1
        else:
            self.open += 1
        if ticket.channel in REMOTE:
            self.remote += 1
        if ticket.priority > 0:
            self.priority += 1
        wait = ticket.wait_minutes
        if wait is not None:
            self.waits.append(wait)
        service = ticket.service_minutes
        if service is not None:
            self.services.append(service)

    @property
    def wait_mean(self) -> float | None:
        return _mean(self.waits)

    @property
    def wait_p50(self) -> float | None:
        return _quantile(self.waits, 0.5)

    @property
    def wait_p90(self) -> float | None:
        return _quantile(self.waits, 0.9)

    @property
    def wait_max(self) -> float | None:
        return max(self.waits) if self.waits else None

    @property
    def service_mean(self) -> float | None:
        return _mean(self.services)

    @property
    def no_show_percent(self) -> float | None:
        """No-shows in % of the numbers that were called and came to an end (served or no-show)."""
        called = self.served + self.no_show
        return 100.0 * self.no_show / called if called else None


@dataclass(frozen=True, slots=True)
class QueueReport:
    hall: Hall
    start: dt.date
    end: dt.date
    total: Row
    by_day: list[Row]
    by_service: list[Row]
    by_window: list[Row]
    by_hour: list[Row]
    tickets: list[LoggedTicket]


def parse_range(start: str | None, end: str | None, *, today: dt.date) -> tuple[dt.date, dt.date]:
    """The report's first and last day from `YYYY-MM-DD` strings (defaults: the last seven days to today).

    Raises InvalidInput naming the problem: a date that is not one, a range the wrong way round, longer
    than MAX_DAYS days, or in the future."""
    last = _parse_date(end, "to") if end else today
    first = _parse_date(start, "from") if start else last - dt.timedelta(days=6)
    if first > last:
        raise InvalidInput(_("The first day comes after the last."), details={"field": "from"})
    if last > today:
        raise InvalidInput(_("The report cannot reach past today."), details={"field": "to"})
    if (last - first).days + 1 > MAX_DAYS:
        raise InvalidInput(
            _("A report covers at most %(days)s days.") % {"days": MAX_DAYS},
            details={"field": "from"},
        )
    return first, last


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _parse_date(value: str, name: str) -> dt.date:
    try:
        if not _DATE.fullmatch(value):
            raise ValueError(value)
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(
            _("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": value[:32]}, details={"field": name}
        ) from None


def queue_report(*, hall: Hall, start: dt.date, end: dt.date) -> QueueReport:
    """Every number of `hall` with a service date from `start` to `end`, summed up four ways."""
    tickets = list(_logged_tickets(hall, start, end))
    total = Row(key="all", label=_("All"))
    for ticket in tickets:
        total.add(ticket)
    return QueueReport(
        hall=hall,
        start=start,
        end=end,
        total=total,
        by_day=_group(
            tickets, lambda t: (t.service_date, t.service_date.isoformat(), t.service_date.isoformat())
        ),
        by_service=_group(
            tickets, lambda t: ((t.queue, t.service_code), t.service_code, f"{t.queue} · {t.service}")
        ),
        by_window=_group(
            [t for t in tickets if t.window_number],
            lambda t: (_natural(t.window_number), t.window_number, t.window),
        ),
        by_hour=_group(
            tickets,
            lambda t: (
                t.issued_at.hour,
                str(t.issued_at.hour),
                f"{t.issued_at.hour:02d}:00–{t.issued_at.hour + 1:02d}:00",
            ),
        ),
        tickets=tickets,
    )


def _natural(number: str) -> tuple[int, str]:
    """Windows 2 before 10; numbers that are not numbers after them."""
    return (int(number), number) if number.isdigit() else (10**9, number)


def _group(
    tickets: Iterable[LoggedTicket], group: Callable[[LoggedTicket], tuple[Any, str, str]]
) -> list[Row]:
    """Rows by (sort order, key, label) of each ticket, in sort order."""
    rows: dict[Any, Row] = {}
    for ticket in tickets:
        order, key, label = group(ticket)
        row = rows.get(order)
        if row is None:
            row = rows[order] = Row(key=key, label=label)
        row.add(ticket)
    return [rows[order] for order in sorted(rows)]


def _logged_tickets(hall: Hall, start: dt.date, end: dt.date) -> Iterable[LoggedTicket]:
    zone = ZoneInfo(hall.time_zone)
    clerks: dict[int, str] = {}
    rows = (
        Ticket.objects.filter(hall=hall, service_date__range=(start, end))
        .order_by("service_date", "issued_at", "seq")
        .values_list(
            "service_date",
            "number",
            "service__code",
            "service__name",
            "queue__prefix",
            "channel",
            "priority",
            "status",
            "issued_at",
            "checked_in_at",
            "called_at",
            "started_at",
            "finished_at",
            "window__number",
            "window__name",
            "clerk_id",
            "clerk__display_name",
            "clerk__username",
            "recalls",
            "transferred_from__number",
        )
    )

    def local(moment: dt.datetime | None) -> dt.datetime | None:
        return moment.astimezone(zone) if moment is not None else None

    for (
        service_date,
        number,
        service_code,
        service,
        prefix,
        channel,
        priority,
        status,
        issued_at,
        checked_in_at,
        called_at,
        started_at,
        finished_at,
        window_number,
        window_name,
        clerk_id,
        clerk_display,
        clerk_username,
        recalls,
        transferred_from,
    ) in rows.iterator(chunk_size=2000):
        if clerk_id is not None and clerk_id not in clerks:
            clerks[clerk_id] = clerk_display or clerk_username
        issued = local(issued_at)
        assert issued is not None
        yield LoggedTicket(
            service_date=service_date,
            number=number,
            service_code=service_code,
            service=service,
            queue=prefix,
            channel=channel,
            priority=priority,
            status=status,
            issued_at=issued,
            checked_in_at=local(checked_in_at),
            called_at=local(called_at),
            started_at=local(started_at),
            finished_at=local(finished_at),
            window_number=window_number or "",
            window=f"{window_number} {window_name}" if window_number else "",
            clerk=clerks.get(clerk_id, "") if clerk_id is not None else "",
            recalls=recalls,
            transferred_from=transferred_from or "",
        )


def _mean(values: list[float]) -> float | None:
    return math.fsum(values) / len(values) if values else None


def _quantile(values: list[float], q: float) -> float | None:
    """The q-quantile by linear interpolation between closest ranks (as numpy's default)."""
    if not values:
        return None
    ordered = sorted(values)
    position = q * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


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


# The hall right now ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WindowNow:
    number: str
    name: str
    state: str  # WindowState.Status value
    clerk: str
    ticket: str  # the number at the window, or ""
    ticket_status: str  # its status label, or ""
    at_window_minutes: float | None  # since the call
    served_today: int


@dataclass(frozen=True, slots=True)
class QueueNow:
    prefix: str
    name: str
    waiting: int  # present citizens in line
    reserved: int  # remote numbers not checked in
    longest_wait_minutes: float | None  # the longest a present citizen in line has waited so far
    estimate: Estimate | None  # for a number taken now
    crowded: bool


@dataclass(frozen=True, slots=True)
class HallNow:
    windows: list[WindowNow]
    queues: list[QueueNow]
    open_windows: int
    waiting: int
    served_today: int
    crowd_limit: int

    @property
    def closed_windows(self) -> list[WindowNow]:
        return [window for window in self.windows if window.state == WindowState.Status.CLOSED]


def hall_now(*, hall: Hall) -> HallNow:
    """What a manager watches on the floor: every window with its state, clerk and the number at it,
    every queue with who waits, the longest wait so far and the estimate for a new number. A few
    grouped queries, whatever the size of the day."""
    now = clock.now()
    today = clock.local_today(hall.time_zone)
    statuses = dict(TicketStatus.choices)
    limit = queue_rules(hall).crowd_alert_waiting

    served = dict(
        Ticket.objects.filter(hall=hall, service_date=today, status=TicketStatus.DONE, window__isnull=False)
        .values_list("window_id")
        .annotate(n=Count("pk"))
        .values_list("window_id", "n")
    )
    at_window = {
        ticket.window_id: ticket
        for ticket in Ticket.objects.filter(hall=hall, status__in=AT_WINDOW).only(
            "window_id", "number", "status", "called_at"
        )
    }
    windows: list[WindowNow] = []
    for window in (
        Window.objects.filter(hall=hall, is_active=True)
        .select_related("state__clerk")
        .order_by(*window_order())
    ):
        state = getattr(window, "state", None)
        status = state.status if state is not None else WindowState.Status.CLOSED
        clerk = state.clerk if state is not None and status != WindowState.Status.CLOSED else None
        ticket = at_window.get(window.pk)
        windows.append(
            WindowNow(
                number=window.number,
                name=window.name,
                state=status,
                clerk=(clerk.display_name or clerk.username) if clerk is not None else "",
                ticket=ticket.number if ticket else "",
                ticket_status=str(statuses[ticket.status]) if ticket else "",
                at_window_minutes=(now - ticket.called_at).total_seconds() / 60.0
                if ticket and ticket.called_at
                else None,
                served_today=served.get(window.pk, 0),
            )
        )

    oldest = dict(
        Ticket.objects.filter(hall=hall, service_date=today, status=TicketStatus.WAITING)
        .values_list("queue_id")
        .annotate(first=Min(Coalesce("checked_in_at", "issued_at")))
        .values_list("queue_id", "first")
    )
    queues: list[QueueNow] = []
    seen: set[int] = set()
    for row in service_line_estimates(hall=hall):
        queue = row.line.service.queue
        if queue.pk in seen:
            continue
        seen.add(queue.pk)
        first = oldest.get(queue.pk)
        queues.append(
            QueueNow(
                prefix=queue.prefix,
                name=queue.name,
                waiting=row.queue_waiting,
                reserved=row.queue_reserved,
                longest_wait_minutes=max(0.0, (now - first).total_seconds() / 60.0) if first else None,
                estimate=row.estimate,
                crowded=is_crowded(row.queue_waiting, limit),
            )
        )
    return HallNow(
        windows=windows,
        queues=queues,
        open_windows=sum(1 for w in windows if w.state == WindowState.Status.OPEN),
        waiting=sum(q.waiting for q in queues),
        served_today=sum(served.values()),
        crowd_limit=limit,
    )
