"""Seed a province for the insights benchmark and the wall-screen screenshots.

`province_seed` builds Hebei's 11 cities with `halls_per_city` halls each (one queue, one service and a
few windows per hall, some of them open) through the apps' services. `tickets_seed_sql` fills a month of
tickets and their events with set-based SQL (PostgreSQL: one INSERT … SELECT per table), scaled to a
number of tickets; `tickets_seed_orm` does a smaller history through the ORM for SQLite.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass
class Province:
    province: Any
    cities: list[Any]
    halls: list[Any]


def province_seed(
    *, halls_per_city: int, windows_per_hall: int = 6, open_share: float = 0.7, competition: bool = True
) -> Province:
    """Regions and units through their services; halls, queues, services, windows and window states in
    bulk (a benchmark's thousands of halls would take minutes one by one); with `competition`, two
    frozen rounds per flag category (insights_competition_seed)."""
    from minxin.catalog.models import Window
    from minxin.insights.geo import CITIES
    from minxin.orgs.models import Hall, Region
    from minxin.orgs.services import region_create, unit_create
    from minxin.queueing.models import Queue, Service, WindowState

    province = Region.objects.filter(code="130000").first() or region_create(
        code="130000", name="河北省", level="province"
    )
    rng = random.Random(19)
    cities, new_halls = [], []
    for code, name, _lon, _lat in CITIES:
        city = Region.objects.filter(code=code).first() or region_create(
            code=code, name=name, level="city", parent=province
        )
        cities.append(city)
        unit = unit_create(
            name=f"{name}行政审批局", kind="organ", flag_category="administration", region=city
        )
        for index in range(halls_per_city):
            label = "政务服务中心" if index == 0 else f"第{index + 1}政务服务大厅"
            new_halls.append(
                Hall(code=f"h{code}-{index}", name=f"{name.removesuffix('市')}{label}", unit=unit)
            )
    halls = Hall.objects.bulk_create(new_halls, batch_size=1000)
    queues = Queue.objects.bulk_create(
        [Queue(hall=hall, code="a", prefix="A", name="综合", position=1) for hall in halls], batch_size=1000
    )
    Service.objects.bulk_create(
        [Service(hall=queue.hall, code="a", name="综合业务", queue=queue) for queue in queues],
        batch_size=1000,
    )
    windows = Window.objects.bulk_create(
        [
            Window(hall=hall, number=str(number), name=f"{number}号窗口", kind="comprehensive")
            for hall in halls
            for number in range(1, windows_per_hall + 1)
        ],
        batch_size=2000,
    )
    now = dt.datetime.now(dt.UTC)
    WindowState.objects.bulk_create(
        [
            WindowState(
                window=window,
                status=WindowState.Status.OPEN if rng.random() < open_share else WindowState.Status.CLOSED,
                since=now,
            )
            for window in windows
        ],
        batch_size=2000,
    )
    from minxin.orgs.models import OpeningHours

    OpeningHours.objects.bulk_create(
        [
            OpeningHours(hall=hall, weekday=weekday, opens=dt.time(9), closes=dt.time(17))
            for hall in halls
            for weekday in range(5)
        ],
        batch_size=5000,
    )  # Monday to Friday 9:00-17:00, as the tickets are seeded (and the forecast reads)
    if competition:
        from insights_competition_seed import competition_seed

        from minxin.core import clock

        competition_seed(province=province, cities=cities, today=clock.local_today("Asia/Shanghai"))
    return Province(
        province=province, cities=cities, halls=list(Hall.objects.filter(unit__region__parent=province))
    )


def tickets_seed_orm(
    *, halls: list[Any], now: dt.datetime, days: int, per_hall_day: int, seed: int = 5
) -> int:
    """Tickets and their events for `days` working days up to `now`'s date (that day until `now`)."""
    from minxin.queueing.models import Queue, QueueDay, Service, Ticket, TicketEvent

    rng = random.Random(seed)
    services = {service.hall_id: service for service in Service.objects.filter(hall__in=halls)}
    queues = {queue.hall_id: queue for queue in Queue.objects.filter(hall__in=halls)}
    today = now.astimezone(SHANGHAI).date()
    made = 0
    day = today
    count = 0
    while count < days:
        if day.weekday() < 5:
            count += 1
            tickets, plans = [], []
            for hall in halls:
                busy = 0.5 + rng.random() * (1.5 if hall.name.endswith("中心") else 0.8)
                slow = 0.5 + rng.random() * 2.5
                for seq in range(1, int(per_hall_day * busy) + 1):
                    minute = rng.randint(0, 8 * 60 - 1)
                    issued = dt.datetime.combine(day, dt.time(9 + minute // 60, minute % 60), tzinfo=SHANGHAI)
                    if issued > now:
                        continue
                    wait = dt.timedelta(seconds=rng.expovariate(1 / (600 * slow)))
                    called = issued + wait
                    finished = called + dt.timedelta(seconds=rng.uniform(120, 900))
                    status = "done" if finished <= now else ("waiting" if called > now else "serving")
                    if status == "done" and rng.random() < 0.04:
                        status = "no_show"
                    tickets.append(
                        Ticket(
                            hall=hall,
                            queue=queues[hall.pk],
                            service=services[hall.pk],
                            service_date=day,
                            seq=seq,
                            number=f"A{seq:03d}",
                            channel="web" if rng.random() < 0.2 else "kiosk",
                            status=status,
                            issued_at=issued,
                            called_at=called if status != "waiting" else None,
                            finished_at=finished if status == "done" else None,
                            wait_mean_minutes=(wait.total_seconds() / 60) * rng.uniform(0.7, 1.3),
                        )
                    )
                    plans.append(
                        (
                            issued,
                            called if status != "waiting" else None,
                            finished if status == "done" else None,
                        )
                    )
            created = Ticket.objects.bulk_create(tickets, batch_size=2000)
            events = []
            for ticket, (issued, called, finished) in zip(created, plans, strict=True):
                events.append(TicketEvent(ticket=ticket, kind="issued", at=issued))
                if called:
                    events.append(TicketEvent(ticket=ticket, kind="called", at=called))
                if finished:
                    events.append(TicketEvent(ticket=ticket, kind="finished", at=finished))
            TicketEvent.objects.bulk_create(events, batch_size=5000)
            if day == today:
                per_queue: dict[int, list[Any]] = {}
                for ticket in created:
                    per_queue.setdefault(ticket.queue_id, []).append(ticket)
                QueueDay.objects.bulk_create(
                    [
                        QueueDay(
                            queue_id=queue_id,
                            service_date=day,
                            issued=len(rows),
                            departed=sum(row.status != "waiting" for row in rows),
                        )
                        for queue_id, rows in per_queue.items()
                    ]
                )
            made += len(created)
        day -= dt.timedelta(days=1)
    return made


TICKETS_SQL = """
INSERT INTO queueing_ticket (public_id, hall_id, queue_id, service_id, service_date, seq, number, channel,
    status, priority, priority_reason, phone_hash, phone_masked, phone_encrypted, idempotency_key,
    issued_at, called_at, finished_at, recalls, wait_mean_minutes)
SELECT gen_random_uuid(), s.hall_id, s.queue_id, s.id, d.day::date, n.seq, 'A' || lpad(n.seq::text, 4, '0'),
    CASE WHEN random() < 0.2 THEN 'web' ELSE 'kiosk' END,
    CASE WHEN random() < 0.04 THEN 'no_show' ELSE 'done' END, 0, '', '', '', '', '',
    t.issued, t.issued + t.wait, t.issued + t.wait + make_interval(secs => 120 + random() * 780), 0,
    extract(epoch FROM t.wait) / 60 * (0.7 + random() * 0.6)
FROM queueing_service s
CROSS JOIN generate_series(%(start)s::date, %(end)s::date, interval '1 day') AS d(day)
CROSS JOIN generate_series(1, %(per_hall_day)s) AS n(seq)
CROSS JOIN LATERAL (
    SELECT (d.day::date + time '09:00' + make_interval(mins => %(first_minute)s + (random() * %(span)s)::int,
                                                  secs => (random() * 59)::int)) AT TIME ZONE 'Asia/Shanghai'
               AS issued,
           make_interval(secs => -ln(1 - random()) * 600 * (1 + (s.hall_id %% 5) / 2.0)) AS wait
) t
WHERE extract(isodow FROM d.day) < 6 AND s.hall_id = ANY(%(halls)s)
ON CONFLICT DO NOTHING
"""

EVENTS_SQL = """
INSERT INTO queueing_ticketevent (ticket_id, kind, at, channel, details)
SELECT t.id, e.kind, e.at, '', '{}'::jsonb
FROM queueing_ticket t
CROSS JOIN LATERAL (
    VALUES ('issued', t.issued_at), ('called', t.called_at), ('finished', t.finished_at)
) e(kind, at)
WHERE t.service_date BETWEEN %(start)s AND %(end)s AND t.hall_id = ANY(%(halls)s)
"""


def tickets_seed_sql(
    *,
    hall_ids: list[int],
    start: dt.date,
    end: dt.date,
    per_hall_day: int,
    first_minute: int = 0,
    span_minutes: int = 479,
) -> int:
    """A span of tickets (every working day, `per_hall_day` per hall, issued between 09:00 +
    `first_minute` and `span_minutes` later) and three events each, in two set-based statements
    (PostgreSQL)."""
    from django.db import connection

    params = {
        "start": start,
        "end": end,
        "per_hall_day": per_hall_day,
        "halls": hall_ids,
        "first_minute": first_minute,
        "span": span_minutes,
    }
    with connection.cursor() as cursor:
        cursor.execute(TICKETS_SQL, params)
        made: int = cursor.rowcount
        cursor.execute(EVENTS_SQL, params)
    return made
