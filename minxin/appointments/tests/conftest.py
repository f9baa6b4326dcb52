from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine

# Monday 2026-11-30, 08:00 in Shanghai (00:00 UTC): the cast's halls open at 9 (9–12, 13:30–17).
MORNING = dt.datetime(2026, 11, 30, 0, 0, tzinfo=dt.UTC)
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def local(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """A moment in Shanghai in the week of 2026-11-30 (day = day of November/December 2026)."""
    month = 11 if day >= 30 else 12
    return dt.datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


@dataclass
class Desk:
    hall: Any
    huji: Any
    qiye: Any


@pytest.fixture
def morning() -> Any:
    with time_machine.travel(MORNING, tick=True) as traveller:
        yield traveller


@pytest.fixture
def desk(cast: Any) -> Desk:
    from minxin.appointments.models import SlotPlan
    from minxin.queueing.models import Queue, Service

    queue_a = Queue.objects.create(hall=cast.hall, code="huji", prefix="A", name="户籍", position=1)
    queue_b = Queue.objects.create(hall=cast.hall, code="qiye", prefix="B", name="企业", position=2)
    huji = Service.objects.create(hall=cast.hall, code="huji", name="户籍业务", queue=queue_a)
    qiye = Service.objects.create(hall=cast.hall, code="qiye", name="企业开办", queue=queue_b)
    # 2 windows × 30 min ÷ 10 min = 6 servable, 40 % kept for walk-ins → 3 seats a slot
    SlotPlan.objects.create(hall=cast.hall, service=huji, slot_minutes=30, windows=2, service_minutes=10)
    return Desk(hall=cast.hall, huji=huji, qiye=qiye)


@pytest.fixture
def citizen(client: Any) -> Any:
    from minxin.accounts.services import citizen_get_or_create

    person = citizen_get_or_create(phone="13812345678")
    session = client.session
    session["citizen_id"] = person.pk
    session.save()
    return person
