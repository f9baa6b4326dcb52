"""Seed for bench_feedback.py, run in its own process with Django set up on the bench database.

python bench/feedback_seed.py tickets N      -> one hall, N finished tickets; prints their ids
python bench/feedback_seed.py stats HALLS PER_HALL -> ratings over HALLS halls; prints query times
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import sys
import time
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minxin.settings")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import django

django.setup()

from minxin.accounts.models import Role, User  # noqa: E402
from minxin.catalog.models import Window  # noqa: E402
from minxin.catalog.services import department_station, window_assign_clerk, window_create  # noqa: E402
from minxin.core import clock  # noqa: E402
from minxin.orgs.models import Hall, Region  # noqa: E402
from minxin.orgs.services import hall_create, membership_grant, region_create, unit_create  # noqa: E402
from minxin.queueing.models import Channel, Queue, Service, Ticket, TicketStatus  # noqa: E402

TODAY = dt.date(2026, 11, 30)


def _region() -> Region:
    province = Region.objects.filter(code="130000").first() or region_create(
        code="130000", name="河北省", level="province"
    )
    return Region.objects.filter(code="130300").first() or region_create(
        code="130300", name="秦皇岛市", level="city", parent=province
    )


def _hall(index: int, city: Region) -> tuple[Hall, list[Window], list[User], Service]:
    code = f"bench-{index}"
    hall = Hall.objects.filter(code=code).first()
    if hall is None:
        unit = unit_create(name=f"单位{index}", kind="organ", flag_category="service", region=city)
        hall = hall_create(code=code, name=f"大厅{index}", unit=unit)
    department = department_station(hall=hall, code="d", name="部门", stationed_on=TODAY)
    windows, clerks = [], []
    for number in range(1, 9):
        window = window_create(
            hall=hall, number=str(number), name=f"窗口{number}", kind="department", department=department
        )
        clerk = User.objects.create_user(username=f"c{index}-{number}")
        membership_grant(user=clerk, role=Role.WINDOW_CLERK, hall=hall)
        window_assign_clerk(window=window, clerk=clerk)
        windows.append(window)
        clerks.append(clerk)
    queue = Queue.objects.create(hall=hall, code="q", prefix="A", name="综合")
    service = Service.objects.create(hall=hall, code="s", name="综合业务", queue=queue)
    return hall, windows, clerks, service


def _tickets(
    hall: Hall, windows: list[Window], clerks: list[User], service: Service, count: int, day: dt.date
) -> list[Ticket]:
    at = clock.local_midnight(day, hall.time_zone) + dt.timedelta(hours=9)
    rows = []
    for seq in range(1, count + 1):
        slot = seq % len(windows)
        rows.append(
            Ticket(
                hall=hall,
                queue=service.queue,
                service=service,
                service_date=day,
                seq=seq,
                number=f"A{seq:05d}",
                channel=Channel.KIOSK,
                status=TicketStatus.DONE,
                issued_at=at,
                called_at=at,
                started_at=at,
                finished_at=at + dt.timedelta(minutes=5),
                window=windows[slot],
                clerk=clerks[slot],
            )
        )
    return Ticket.objects.bulk_create(rows, batch_size=2000)


def seed_tickets(count: int) -> dict[str, Any]:
    hall, windows, clerks, service = _hall(0, _region())
    tickets = _tickets(hall, windows, clerks, service, count, TODAY)
    return {"hall": hall.code, "tickets": [str(ticket.public_id) for ticket in tickets]}


def seed_stats(halls: int, per_hall: int) -> dict[str, Any]:
    from minxin.feedback.selectors import hall_summary, rating_figures
    from minxin.feedback.services.ratings import HistoricRating, ratings_import, ticket_rating_fields

    rng = random.Random(7)
    city = _region()
    started = time.perf_counter()
    hall_ids = []
    for index in range(1, halls + 1):
        hall, windows, clerks, service = _hall(index, city)
        hall_ids.append(hall.pk)
        rows = []
        for day_offset in range(30):
            day = TODAY - dt.timedelta(days=day_offset)
            tickets = _tickets(hall, windows, clerks, service, per_hall // 30, day)
            for ticket in tickets:
                if rng.random() < 0.7:
                    ticket.hall = hall
                    rows.append(
                        HistoricRating(
                            fields=ticket_rating_fields(ticket),
                            score=rng.choices((5, 4, 3), weights=(80, 15, 5))[0],
                            channel="device",
                            rated_at=ticket.finished_at or clock.now(),
                        )
                    )
        ratings_import(rows)
    seeded = time.perf_counter() - started
    first = TODAY - dt.timedelta(days=29)
    timings: dict[str, float] = {}
    for label, call in (
        ("clerk", lambda: rating_figures(by="clerk", date_from=first, date_to=TODAY, hall_ids=hall_ids)),
        ("hall", lambda: rating_figures(by="hall", date_from=first, date_to=TODAY, region=city)),
        (
            "city_by_day",
            lambda: rating_figures(by="city", date_from=first, date_to=TODAY, region=city, period="day"),
        ),
        (
            "one_hall_summary",
            lambda: hall_summary(hall=Hall.objects.get(pk=hall_ids[0]), date_from=first, date_to=TODAY),
        ),
    ):
        best = float("inf")
        for _ in range(3):
            tick = time.perf_counter()
            call()
            best = min(best, time.perf_counter() - tick)
        timings[label] = round(best * 1000, 1)
    from minxin.feedback.models import Rating

    return {"ratings": Rating.objects.count(), "seed_seconds": round(seeded, 1), "ms": timings}


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "tickets":
        print(json.dumps(seed_tickets(int(sys.argv[2]))))
    else:
        print(json.dumps(seed_stats(int(sys.argv[2]), int(sys.argv[3]))))
