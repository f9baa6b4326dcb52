"""The wire shapes of the queue's API (`queueing.api`): what a ticket, a hall's line and its report look
like in JSON, and what the calls take."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from django.urls import get_script_prefix, reverse
from ninja import Schema
from pydantic import Field

from minxin.orgs.models import Hall
from minxin.queueing import reports
from minxin.queueing.estimates import Estimate
from minxin.queueing.forecasting import LineEstimate, ticket_estimate
from minxin.queueing.models import Ticket
from minxin.queueing.rules import Issued
from minxin.queueing.selectors import queue_last_called, ticket_ahead

_PLACEHOLDER = str(uuid.UUID(int=0))
_TICKET_PAGE_PATHS: dict[str, str] = {}


def ticket_page_path(public_id: uuid.UUID) -> str:
    """reverse("queueing:ticket", args=[public_id]), resolved once per script prefix: every ticket
    answer carries it, and reversing cost a sixth of the app's time for a number taken."""
    prefix = get_script_prefix()
    path = _TICKET_PAGE_PATHS.get(prefix)
    if path is None:
        path = _TICKET_PAGE_PATHS[prefix] = reverse("queueing:ticket", args=[_PLACEHOLDER])
    return path.replace(_PLACEHOLDER, str(public_id))


class EstimateOut(Schema):
    minutes: int
    low: int
    high: int

    @staticmethod
    def of(estimate: Estimate | None) -> EstimateOut | None:
        if estimate is None:
            return None
        return EstimateOut.model_construct(minutes=estimate.minutes, low=estimate.low, high=estimate.high)


class TicketOut(Schema):
    id: uuid.UUID
    number: str
    service: str
    service_name: str
    status: str
    channel: str
    priority: int
    ahead: int
    estimate: EstimateOut | None
    window: str | None
    issued_at: dt.datetime
    called_at: dt.datetime | None
    last_called: str | None
    status_url: str

    @staticmethod
    def of(
        ticket: Ticket,
        *,
        ahead: int | None = None,
        ahead_reserved: int | None = None,
        latest_call: str | None = None,
    ) -> TicketOut:
        """`latest_call`: the queue's last called number when the caller knows it ("" for none yet)."""
        if ahead is None or ahead_reserved is None:
            ahead, ahead_reserved = ticket_ahead(ticket)
        estimate = ticket_estimate(ticket=ticket, ahead=ahead, ahead_reserved=ahead_reserved)
        if latest_call is None:
            latest_call = ticket.last_called_in_queue  # a step's statement may have read it
        if latest_call is None:
            latest_call = queue_last_called(queue_id=ticket.queue_id, service_date=ticket.service_date)
        return TicketOut.build(ticket, ahead=ahead, estimate=estimate, latest_call=latest_call)

    @staticmethod
    def of_issued(issued: Issued) -> TicketOut:
        """A number just taken: place, estimate and last call all came with it."""
        latest_call = issued.last_called
        if latest_call is None:
            ticket = issued.ticket
            latest_call = queue_last_called(queue_id=ticket.queue_id, service_date=ticket.service_date)
        return TicketOut.build(
            issued.ticket, ahead=issued.ahead, estimate=issued.estimate, latest_call=latest_call
        )

    @staticmethod
    def build(ticket: Ticket, *, ahead: int, estimate: Estimate | None, latest_call: str | None) -> TicketOut:
        # Built from the database's own values, so without validation (a third of the cost of an answer).
        return TicketOut.model_construct(
            id=ticket.public_id,
            number=ticket.number,
            service=ticket.service.code,
            service_name=ticket.service.name,
            status=ticket.status,
            channel=ticket.channel,
            priority=ticket.priority,
            ahead=ahead,
            estimate=EstimateOut.of(estimate),
            window=ticket.window.number if ticket.window else None,
            issued_at=ticket.issued_at,
            called_at=ticket.called_at,
            last_called=latest_call or None,
            status_url=ticket_page_path(ticket.public_id),
        )


class TicketIn(Schema):
    service: str = Field(min_length=1, max_length=32)
    channel: Literal["kiosk", "counter", "web", "app", "api"]
    phone: str | None = Field(None, max_length=20)
    priority: Literal[0, 1, 2] | None = Field(None, description="Staff only: 2 = green channel")
    priority_reason: str = Field("", max_length=64)


class CheckInIn(Schema):
    code: str = Field(
        "", max_length=200, description="The hall's current check-in code (its QR), unless staff"
    )


class TransferIn(Schema):
    service: str | None = Field(None, max_length=32, description="Move to this service's queue")
    window: str | None = Field(None, max_length=8, description="…or to this window only")
    raise_priority: bool = False


class ServiceLineOut(Schema):
    service: str
    name: str
    queue: str
    waiting: int
    reserved: int
    estimate: EstimateOut | None


class CallOut(Schema):
    number: str
    service: str
    window: str | None
    window_name: str | None
    called_at: dt.datetime


class QueueOut(Schema):
    hall: str
    services: list[ServiceLineOut]
    recent_calls: list[CallOut]

    @staticmethod
    def of(hall: Hall, rows: list[LineEstimate], calls: list[Ticket]) -> QueueOut:
        """The hall's lines with their estimates, and its latest calls."""
        return QueueOut(
            hall=hall.code,
            services=[
                ServiceLineOut(
                    service=row.line.service.code,
                    name=row.line.service.name,
                    queue=row.line.service.queue.prefix,
                    waiting=row.line.waiting,
                    reserved=row.line.reserved,
                    estimate=EstimateOut.of(row.estimate),
                )
                for row in rows
            ],
            recent_calls=[
                CallOut(
                    number=t.number,
                    service=t.service.name,
                    window=t.window.number if t.window else None,
                    window_name=t.window.name if t.window else None,
                    called_at=t.called_at,
                )
                for t in calls
                if t.called_at is not None
            ],
        )


class ReportRangeIn(Schema):
    first: str | None = Field(
        None,
        alias="from",
        max_length=10,
        description="First day, YYYY-MM-DD, the hall's local date (default: six days before `to`)",
    )
    last: str | None = Field(
        None, alias="to", max_length=10, description="Last day, YYYY-MM-DD (default: today in the hall)"
    )


class ReportRowOut(Schema):
    key: str = Field(description="`all`, a date, a service code, a window number or an hour (0–23)")
    label: str
    issued: int
    served: int
    no_show: int
    lapsed: int
    cancelled: int
    transferred: int
    open: int = Field(description="Still reserved, waiting or at a window")
    remote: int
    priority: int
    wait_mean_minutes: float | None
    wait_median_minutes: float | None
    wait_p90_minutes: float | None
    wait_max_minutes: float | None
    service_mean_minutes: float | None

    @staticmethod
    def of(row: reports.Row) -> ReportRowOut:
        def minutes(value: float | None) -> float | None:
            return round(value, 2) if value is not None else None

        return ReportRowOut(
            key=row.key,
            label=row.label,
            issued=row.issued,
            served=row.served,
            no_show=row.no_show,
            lapsed=row.lapsed,
            cancelled=row.cancelled,
            transferred=row.transferred,
            open=row.open,
            remote=row.remote,
            priority=row.priority,
            wait_mean_minutes=minutes(row.wait_mean),
            wait_median_minutes=minutes(row.wait_p50),
            wait_p90_minutes=minutes(row.wait_p90),
            wait_max_minutes=minutes(row.wait_max),
            service_mean_minutes=minutes(row.service_mean),
        )


class QueueReportOut(Schema):
    hall: str
    first_day: dt.date
    last_day: dt.date
    total: ReportRowOut
    by_service: list[ReportRowOut]
    by_window: list[ReportRowOut]
    by_day: list[ReportRowOut]
    by_hour: list[ReportRowOut]

    @staticmethod
    def of(hall: Hall, first: dt.date, last: dt.date, report: reports.QueueReport) -> QueueReportOut:
        return QueueReportOut(
            hall=hall.code,
            first_day=first,
            last_day=last,
            total=ReportRowOut.of(report.total),
            by_service=[ReportRowOut.of(row) for row in report.by_service],
            by_window=[ReportRowOut.of(row) for row in report.by_window],
            by_day=[ReportRowOut.of(row) for row in report.by_day],
            by_hour=[ReportRowOut.of(row) for row in report.by_hour],
        )
