"""32 real clients (4 processes × 8 threads) booking the last seats of one slot at once."""

from __future__ import annotations

from collections import Counter

import pytest

from minxin.appointments.models import Booking, Slot
from minxin.appointments.services import booking_cancel, booking_create, slots_for_day
from minxin.core.tests.procs import run_workers

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("morning")]

FROZEN = "import time_machine\ntime_machine.travel('2026-11-30T00:00:00+00:00', tick=True).start()\n"


def test_32_clients_never_book_more_seats_than_the_slot_has(desk) -> None:
    import datetime as dt

    slot = slots_for_day(hall=desk.hall, service=desk.huji, day=dt.date(2026, 12, 1))[0]
    Slot.objects.filter(pk=slot.pk).update(capacity=5)
    first = booking_create(
        hall=desk.hall, service_code="huji", slot_start=slot.starts_at, phone="13700000000", channel="desk"
    )
    booking_create(
        hall=desk.hall, service_code="huji", slot_start=slot.starts_at, phone="13700000001", channel="desk"
    )
    code = FROZEN + (
        "from concurrent.futures import ThreadPoolExecutor\n"
        "from django.db import connection\n"
        "from minxin.core.errors import Conflict\n"
        "from minxin.orgs.models import Hall\n"
        "from minxin.appointments.models import Slot\n"
        "from minxin.appointments.services import booking_create\n"
        "hall = Hall.objects.get(code='qhd')\n"
        f"slot = Slot.objects.get(pk={slot.pk})\n"
        "def take(n):\n"
        "    phone = f'1380000{int(sys.argv[1]):02d}{n:02d}'\n"
        "    try:\n"
        "        booking_create(hall=hall, service_code='huji', slot_start=slot.starts_at, phone=phone,\n"
        "                       channel='desk')\n"
        "        return 'booked'\n"
        "    except Conflict as error:\n"
        "        return error.code\n"
        "    finally:\n"
        "        connection.close()\n"
        "with ThreadPoolExecutor(8) as pool:\n"
        "    print(json.dumps(list(pool.map(take, range(8)))))\n"
    )
    outcomes = Counter(o for chunk in run_workers(code, processes=4) for o in chunk)  # type: ignore[attr-defined]
    assert outcomes == {"booked": 3, "slot_full": 29}
    slot.refresh_from_db()
    assert slot.booked == 5
    assert Booking.objects.filter(slot=slot, status="booked").count() == 5
    booking_cancel(booking=first)
    again = booking_create(
        hall=desk.hall, service_code="huji", slot_start=slot.starts_at, phone="13700000009", channel="desk"
    )
    assert again.status == "booked"
    slot.refresh_from_db()
    assert slot.booked == 5
