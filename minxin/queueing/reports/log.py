"""The hall's queue report: what happened to the numbers of a range of days, by day, service, window and
hour, and the ticket log behind it as CSV or XLSX.

Waits run from the moment the citizen was in the hall (the number's issue, or its check-in for a remote
number) to its call, for the numbers whose holder came to the window; service times from the start of
service (the call when the clerk did not mark a start) to its finish. A number transferred to another
service appears twice, once as "transferred" and once under the service it moved to, as on the board.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from minxin.accounts.models import Role
from minxin.catalog import tabular
from minxin.core.errors import InvalidInput
from minxin.orgs.models import Hall
from minxin.queueing.models import Channel, Ticket, TicketStatus

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


_LOG_FIELDS = (
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


def _logged_tickets(hall: Hall, start: dt.date, end: dt.date) -> Iterable[LoggedTicket]:
    zone = ZoneInfo(hall.time_zone)
    clerks: dict[int, str] = {}
    rows = (
        Ticket.objects.filter(hall=hall, service_date__range=(start, end))
        .order_by("service_date", "issued_at", "seq")
        .values_list(*_LOG_FIELDS)
    )
    for row in rows.iterator(chunk_size=2000):
        yield _logged(dict(zip(_LOG_FIELDS, row, strict=True)), zone, clerks)


def _logged(values: dict[str, Any], zone: ZoneInfo, clerks: dict[int, str]) -> LoggedTicket:
    """One row of `_LOG_FIELDS` as a LoggedTicket, its times in the hall's zone; `clerks` keeps the
    clerks' names already seen."""

    def local(name: str) -> dt.datetime | None:
        moment: dt.datetime | None = values[name]
        return moment.astimezone(zone) if moment is not None else None

    clerk_id = values["clerk_id"]
    if clerk_id is not None and clerk_id not in clerks:
        clerks[clerk_id] = values["clerk__display_name"] or values["clerk__username"]
    window_number = values["window__number"]
    issued = local("issued_at")
    assert issued is not None
    return LoggedTicket(
        service_date=values["service_date"],
        number=values["number"],
        service_code=values["service__code"],
        service=values["service__name"],
        queue=values["queue__prefix"],
        channel=values["channel"],
        priority=values["priority"],
        status=values["status"],
        issued_at=issued,
        checked_in_at=local("checked_in_at"),
        called_at=local("called_at"),
        started_at=local("started_at"),
        finished_at=local("finished_at"),
        window_number=window_number or "",
        window=f"{window_number} {values['window__name']}" if window_number else "",
        clerk=clerks.get(clerk_id, "") if clerk_id is not None else "",
        recalls=values["recalls"],
        transferred_from=values["transferred_from__number"] or "",
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
