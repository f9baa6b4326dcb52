"""The wait of a number in line or taken now, for a queue, a ticket and each of a hall's services."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from minxin.core import clock
from minxin.orgs.models import Hall
from minxin.queueing.estimates import Estimate, WaitForecast, forecast_wait
from minxin.queueing.forecasting.capacity import _servers
from minxin.queueing.forecasting.dispersion import hall_wait_dispersion
from minxin.queueing.forecasting.history import _no_show_rate, _queue_service_stats
from minxin.queueing.forecasting.wait_models import ticket_wait_model_record
from minxin.queueing.models import IN_LINE, Queue, Ticket
from minxin.queueing.rules import Issued, queue_rules
from minxin.queueing.selectors import ServiceLine, service_lines


def queue_forecast(*, queue: Queue, ahead_present: int, ahead_remote: int) -> WaitForecast | None:
    """How long a ticket with these tickets ahead will wait, with an 80 % range and the model behind it;
    None when no window serving the queue is open or the queue has no service history yet.

    Service times are taken at the hour halfway through the expected wait, not the hour of issue: a
    number taken at 11:40 is served after lunch (bench/bench_estimates.py: bias +4.0 % → +2.1 %). The
    range's width is the hall's learned dispersion (`hall_wait_dispersion`).
    """
    rules = queue_rules(queue.hall)
    grace = float(rules.no_show_grace_seconds)
    local = clock.local_now(queue.hall.time_zone)
    no_show_rate = _no_show_rate(queue)
    dispersion = hall_wait_dispersion(queue.hall)
    forecast: WaitForecast | None = None
    hour = local.hour
    for _pass in range(2):
        stats = _queue_service_stats(queue, hour)
        if stats.mean_seconds <= 0:
            return None
        servers, free = _servers(queue, stats.mean_seconds, no_show_rate, grace)
        forecast = forecast_wait(
            ahead_present=max(ahead_present, 0),
            ahead_remote=max(ahead_remote, 0),
            no_show_rate=no_show_rate,
            grace_seconds=grace,
            mean_service_seconds=stats.mean_seconds,
            servers=servers,
            free_windows=free,
            dispersion=dispersion,
        )
        if forecast is None:
            return None
        mid_wait_hour = (local + dt.timedelta(minutes=forecast.estimate.minutes / 2)).hour
        if mid_wait_hour == hour:
            break
        hour = mid_wait_hour
    return forecast


def queue_estimate(*, queue: Queue, ahead_present: int, ahead_remote: int) -> Estimate | None:
    """`queue_forecast` without the model: what boards and pages show."""
    forecast = queue_forecast(queue=queue, ahead_present=ahead_present, ahead_remote=ahead_remote)
    return None if forecast is None else forecast.estimate


def ticket_forecast(*, ticket: Ticket, ahead: int, ahead_reserved: int) -> WaitForecast | None:
    """The wait of a ticket still in line, with `ahead` tickets before it of which `ahead_reserved` are
    remote ones not yet checked in, and the model behind its range; None once it has left the line."""
    if ticket.status not in IN_LINE:
        return None
    return queue_forecast(
        queue=ticket.queue, ahead_present=ahead - ahead_reserved, ahead_remote=ahead_reserved
    )


def ticket_estimate(*, ticket: Ticket, ahead: int, ahead_reserved: int) -> Estimate | None:
    """`ticket_forecast` without the model: what the ticket's pages show."""
    forecast = ticket_forecast(ticket=ticket, ahead=ahead, ahead_reserved=ahead_reserved)
    return None if forecast is None else forecast.estimate


def issued_estimate(issued: Issued) -> Estimate | None:
    """The estimate for a number just taken (`services.ticket_issue`), its model stored on the ticket.

    A replayed request (same Idempotency-Key) gets a fresh estimate but stores nothing: the ticket keeps
    the model it was first shown.
    """
    forecast = ticket_forecast(ticket=issued.ticket, ahead=issued.ahead, ahead_reserved=issued.ahead_reserved)
    if forecast is None:
        return None
    if not issued.replayed:
        ticket_wait_model_record(issued.ticket.pk, forecast.model)
    return forecast.estimate


@dataclass(frozen=True, slots=True)
class LineEstimate:
    """A service's line with what a number taken now for it faces: the whole queue ahead (a queue may
    carry several services) and the wait estimate."""

    line: ServiceLine
    queue_waiting: int
    queue_reserved: int
    estimate: Estimate | None


def service_line_estimates(*, hall: Hall) -> list[LineEstimate]:
    lines = service_lines(hall=hall)
    per_queue: dict[int, tuple[int, int]] = {}
    for line in lines:
        waiting, reserved = per_queue.get(line.service.queue_id, (0, 0))
        per_queue[line.service.queue_id] = (waiting + line.waiting, reserved + line.reserved)
    estimates: dict[int, Estimate | None] = {}
    for line in lines:
        queue_id = line.service.queue_id
        if queue_id not in estimates:
            waiting, reserved = per_queue[queue_id]
            estimates[queue_id] = queue_estimate(
                queue=line.service.queue, ahead_present=waiting, ahead_remote=reserved
            )
    return [
        LineEstimate(
            line=line,
            queue_waiting=per_queue[line.service.queue_id][0],
            queue_reserved=per_queue[line.service.queue_id][1],
            estimate=estimates[line.service.queue_id],
        )
        for line in lines
    ]
