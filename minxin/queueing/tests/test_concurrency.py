"""Real processes and threads against the real database: no duplicate numbers, no ticket called twice."""

from __future__ import annotations

from collections import Counter

import pytest

from minxin.catalog.services import window_create
from minxin.core.tests.procs import run_workers
from minxin.queueing.models import Ticket, TicketEvent
from minxin.queueing.services import ticket_issue

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("at_open_hall")]

FROZEN = "import time_machine\ntime_machine.travel('2026-11-30T02:00:00+00:00', tick=True).start()\n"


def test_32_concurrent_clients_in_4_processes_get_distinct_numbers(line) -> None:
    code = FROZEN + (
        "from concurrent.futures import ThreadPoolExecutor\n"
        "from django.db import connection\n"
        "from minxin.orgs.models import Hall\n"
        "from minxin.queueing.services import ticket_issue\n"
        "hall = Hall.objects.get(code='qhd')\n"
        "def take(_):\n"
        "    try:\n"
        "        issue = lambda: ticket_issue(hall=hall, service_code='huji', channel='kiosk')\n"
        "        return [issue().ticket.number for _ in range(8)]\n"
        "    finally:\n"
        "        connection.close()\n"
        "with ThreadPoolExecutor(8) as pool:\n"
        "    print(json.dumps([n for chunk in pool.map(take, range(8)) for n in chunk]))\n"
    )
    numbers = [n for chunk in run_workers(code, processes=4) for n in chunk]  # type: ignore[attr-defined]
    assert len(numbers) == 256
    assert sorted(numbers) == [f"A{i:03d}" for i in range(1, 257)]
    assert Ticket.objects.filter(queue=line.queue_a).count() == 256


def test_8_windows_in_2_processes_never_call_a_ticket_twice(cast, line) -> None:
    windows = [cast.window1, cast.window2] + [
        window_create(hall=cast.hall, number=str(n), name=f"窗口{n}", kind="comprehensive")
        for n in range(3, 9)
    ]
    for _ in range(60):
        ticket_issue(hall=line.hall, service_code="huji", channel="kiosk")
    numbers = ",".join(w.number for w in windows)
    code = FROZEN + (
        "from concurrent.futures import ThreadPoolExecutor\n"
        "from django.db import connection\n"
        "from minxin.accounts.models import User\n"
        "from minxin.catalog.models import Window\n"
        "from minxin.queueing.services import ticket_call_next, ticket_finish\n"
        "alice = User.objects.get(username='alice')\n"
        f"mine = '{numbers}'.split(',')[int(sys.argv[1]) * 4:(int(sys.argv[1]) + 1) * 4]\n"
        "def serve(number):\n"
        "    try:\n"
        "        window = Window.objects.select_related('hall').get(hall__code='qhd', number=number)\n"
        "        served = []\n"
        "        while (ticket := ticket_call_next(window=window, clerk=alice)) is not None:\n"
        "            served.append(ticket.number)\n"
        "            ticket_finish(ticket=ticket, clerk=alice)\n"
        "        return served\n"
        "    finally:\n"
        "        connection.close()\n"
        "with ThreadPoolExecutor(4) as pool:\n"
        "    print(json.dumps([n for chunk in pool.map(serve, mine) for n in chunk]))\n"
    )
    served = [n for chunk in run_workers(code, processes=2) for n in chunk]  # type: ignore[attr-defined]
    assert sorted(served) == [f"A{i:03d}" for i in range(1, 61)]
    calls = Counter(TicketEvent.objects.filter(kind="called").values_list("ticket_id", flat=True))
    assert len(calls) == 60
    assert set(calls.values()) == {1}
    assert Ticket.objects.filter(status="done").count() == 60
