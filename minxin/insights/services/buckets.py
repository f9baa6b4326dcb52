"""The counting of one hour bucket: what each ticket adds to its hall's hour (issued, served, waits and
their histogram, remote channels, windows), which hour it counts in, and the sums of many rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from minxin.insights.figures import FIGURE_FIELDS, WAIT_BINS, Figures, wait_bin
from minxin.insights.models import HallHourStats
from minxin.queueing.models import Channel, TicketStatus

REMOTE = frozenset((Channel.WEB, Channel.APP, Channel.API))
TICKET_COLUMNS = (
    "hall_id",
    "service_date",
    "issued_at",
    "checked_in_at",
    "called_at",
    "started_at",
    "finished_at",
    "status",
    "channel",
    "window_id",
    "wait_mean_minutes",
)


@dataclass(slots=True)
class HourFigures:
    """The figures of one hour bucket while it is being counted."""

    issued: int = 0
    served: int = 0
    no_show: int = 0
    cancelled: int = 0
    transferred: int = 0
    remote: int = 0
    waited: int = 0
    wait_seconds: int = 0
    wait_max_seconds: int = 0
    forecast_count: int = 0
    forecast_seconds: int = 0
    service_count: int = 0
    service_seconds: int = 0
    hist: list[int] = field(default_factory=lambda: [0] * WAIT_BINS)
    window_ids: set[int] = field(default_factory=set)

    def add(self, ticket: dict[str, Any]) -> None:
        self.issued += 1
        status = ticket["status"]
        if status == TicketStatus.DONE:
            self.served += 1
        elif status == TicketStatus.NO_SHOW:
            self.no_show += 1
        elif status in (TicketStatus.CANCELLED, TicketStatus.LAPSED):
            self.cancelled += 1
        elif status == TicketStatus.TRANSFERRED:
            self.transferred += 1
        if ticket["channel"] in REMOTE:
            self.remote += 1
        called = ticket["called_at"]
        if called is not None and ticket["window_id"] is not None:
            self.window_ids.add(ticket["window_id"])
        if called is not None and status != TicketStatus.NO_SHOW:
            present = ticket["checked_in_at"] or ticket["issued_at"]
            wait = max(0, round((called - present).total_seconds()))
            self.waited += 1
            self.wait_seconds += wait
            self.wait_max_seconds = max(self.wait_max_seconds, wait)
            self.hist[wait_bin(wait)] += 1
        if ticket["wait_mean_minutes"] is not None:
            self.forecast_count += 1
            self.forecast_seconds += round(ticket["wait_mean_minutes"] * 60)
        start = ticket["started_at"] or called
        if status == TicketStatus.DONE and ticket["finished_at"] is not None and start is not None:
            self.service_count += 1
            self.service_seconds += max(0, round((ticket["finished_at"] - start).total_seconds()))

    def row(self, *, hall_id: int, service_date: dt.date, hour: int, at: dt.datetime) -> HallHourStats:
        values = {name: getattr(self, name) for name in FIGURE_FIELDS}
        return HallHourStats(
            hall_id=hall_id,
            service_date=service_date,
            hour=hour,
            wait_max_seconds=self.wait_max_seconds,
            wait_hist=hist_trim(self.hist),
            windows=len(self.window_ids),
            computed_at=at,
            **values,
        )


def hist_trim(hist: list[int]) -> list[int]:
    """Histograms are stored without their empty tail (most waits sit in the first bins)."""
    end = len(hist)
    while end and hist[end - 1] == 0:
        end -= 1
    return hist[:end]


def hour_of(instant: dt.datetime, zone: ZoneInfo, service_date: dt.date) -> int:
    """The local hour a number counts in: the hour it was issued, on its service date. A number whose
    issue falls outside its date (a clock set wrong, a number kept across midnight) counts in the first
    or last hour of the date, so every ticket lands in exactly one bucket of its own day."""
    local = instant.astimezone(zone)
    if local.date() < service_date:
        return 0
    if local.date() > service_date:
        return 23
    return local.hour


def sum_row(model: Any, rows: list[Any], at: dt.datetime, **fields: Any) -> Any:
    total = Figures.of(rows)
    values = {name: getattr(total, name) for name in FIGURE_FIELDS}
    return model(
        **values,
        wait_max_seconds=total.wait_max_seconds,
        wait_hist=hist_trim(total.wait_hist),
        computed_at=at,
        **fields,
    )
