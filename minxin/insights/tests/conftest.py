from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import pytest

SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass
class Floor:
    """The cast's two halls with a queue and a service each, and a seq counter per queue and day."""

    cast: Any
    services: dict[int, Any]
    seqs: dict[tuple[int, dt.date], int]


@pytest.fixture
def floor(cast: Any) -> Floor:
    from minxin.queueing.models import Queue, Service

    services = {}
    for hall in (cast.hall, cast.other_hall):
        queue = Queue.objects.create(hall=hall, code="a", prefix="A", name="综合", position=1)
        services[hall.pk] = Service.objects.create(hall=hall, code="a", name="综合业务", queue=queue)
    return Floor(cast=cast, services=services, seqs={})


def local(day: dt.date, hour: int, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute, second), tzinfo=SHANGHAI).astimezone(dt.UTC)


def ticket_make(
    floor: Floor,
    hall: Any,
    *,
    issued: dt.datetime,
    status: str = "done",
    wait: float | None = 300,
    service: float | None = 240,
    window: Any = None,
    channel: str = "kiosk",
    checked_in: dt.datetime | None = None,
    forecast_minutes: float | None = None,
    events: bool = True,
) -> Any:
    """A ticket with the history a real one would have (issued, called, finished events)."""
    from minxin.queueing.models import Ticket, TicketEvent

    day = issued.astimezone(SHANGHAI).date()
    service_row = floor.services[hall.pk]
    key = (service_row.queue_id, day)
    floor.seqs[key] = floor.seqs.get(key, 0) + 1
    present = checked_in or issued
    called = present + dt.timedelta(seconds=wait) if wait is not None else None
    finished = called + dt.timedelta(seconds=service) if (called and service is not None) else None
    ticket = Ticket.objects.create(
        hall=hall,
        queue_id=service_row.queue_id,
        service=service_row,
        service_date=day,
        seq=floor.seqs[key],
        number=f"A{floor.seqs[key]:03d}",
        channel=channel,
        status=status,
        issued_at=issued,
        checked_in_at=checked_in,
        called_at=called,
        finished_at=finished if status == "done" else None,
        window=window if called else None,
        wait_mean_minutes=forecast_minutes,
    )
    if events:
        rows = [TicketEvent(ticket=ticket, kind="issued", at=issued)]
        if called:
            rows.append(TicketEvent(ticket=ticket, kind="called", at=called))
        if status == "done" and finished:
            rows.append(TicketEvent(ticket=ticket, kind="finished", at=finished))
        elif status != "waiting" and called:
            rows.append(TicketEvent(ticket=ticket, kind=status, at=called + dt.timedelta(seconds=60)))
        TicketEvent.objects.bulk_create(rows)
    return ticket


def month_simulate(floor: Floor, *, start: dt.date, days: int, per_day: int, seed: int = 7) -> int:
    """A month of varied traffic in both halls: statuses, channels, waits, forecasts, windows."""
    rng = random.Random(seed)
    made = 0
    statuses = ["done"] * 14 + ["no_show", "cancelled", "lapsed", "transferred"]
    for offset in range(days):
        day = start + dt.timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        for hall in (floor.cast.hall, floor.cast.other_hall):
            windows = [floor.cast.window1, floor.cast.window2] if hall == floor.cast.hall else [None]
            for _ in range(per_day):
                status = rng.choice(statuses)
                issued = local(day, rng.randint(8, 16), rng.randint(0, 59), rng.randint(0, 59))
                remote = rng.random() < 0.2
                ticket_make(
                    floor,
                    hall,
                    issued=issued,
                    status=status,
                    wait=None if status in ("cancelled", "lapsed") else rng.uniform(0, 3600),
                    service=rng.uniform(60, 900),
                    window=rng.choice(windows),
                    channel="web" if remote else "kiosk",
                    checked_in=issued + dt.timedelta(minutes=rng.randint(1, 30)) if remote else None,
                    forecast_minutes=rng.choice([None, rng.uniform(1, 40)]),
                )
                made += 1
    return made


def aggregate_rows() -> dict[str, set[tuple[Any, ...]]]:
    """Every aggregate row as comparable tuples (without the computation time)."""
    from minxin.insights.models import HallDayStats, HallHourStats, HallMonthStats

    skip = {"id", "computed_at"}

    def rows(model: Any) -> set[tuple[Any, ...]]:
        names = [f.attname for f in model._meta.concrete_fields if f.attname not in skip]
        return {
            tuple(str(value) if isinstance(value, list) else value for value in row)
            for row in model.objects.values_list(*names)
        }

    return {
        "hour": rows(HallHourStats),
        "day": rows(HallDayStats),
        "month": rows(HallMonthStats),
    }


def rebuild_reference() -> dict[str, set[tuple[Any, ...]]]:
    """The full recomputation from raw rows, on fresh tables."""
    from minxin.insights.models import HallDayStats, HallHourStats, HallMonthStats
    from minxin.insights.services.aggregates import aggregates_rebuild

    HallHourStats.objects.all().delete()
    HallDayStats.objects.all().delete()
    HallMonthStats.objects.all().delete()
    aggregates_rebuild()
    return aggregate_rows()
