"""Real processes and threads against the real database: no duplicate numbers, no ticket called twice."""

from __future__ import annotations

import http.client
import json
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from minxin.catalog.services import window_create
from minxin.core.tests.procs import free_port, run_workers, start_server
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


# gunicorn runs the workers' clock where the test's is (the cast's hall is open then).
GUNICORN_CONFIG = (
    "import time_machine\n"
    "def post_fork(server, worker):\n"
    "    time_machine.travel('2026-11-30T02:00:00+00:00', tick=True).start()\n"
)


@pytest.fixture
def gunicorn_port(tmp_path: Path) -> Iterator[int]:
    """minxin.wsgi (the hot path in front of Django) in gunicorn with two sync workers, as deployed."""
    config = tmp_path / "gunicorn.conf.py"
    config.write_text(GUNICORN_CONFIG)
    port = free_port()
    args = ["-m", "gunicorn", "minxin.wsgi", "-w", "2", "-b", f"127.0.0.1:{port}", "-c", str(config)]
    server = start_server([*args, "--log-level", "warning"], port)
    yield port
    server.terminate()
    server.wait(timeout=10)


def post(
    port: int, path: str, token: str, body: dict[str, str] | None = None, **headers: str
) -> tuple[int, Any]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(
            "POST",
            path,
            json.dumps(body or {}),
            {"Content-Type": "application/json", "Authorization": token} | headers,
        )
        response = connection.getresponse()
        payload = response.read()
        return response.status, json.loads(payload) if payload else None
    finally:
        connection.close()


def test_32_http_clients_and_8_windows_on_2_gunicorn_workers(cast, line, token_for, gunicorn_port) -> None:
    """Through HTTP and the hot path: 256 numbers from 32 clients are distinct, a retry with the same
    Idempotency-Key gets its first ticket back, and 8 windows calling at once never call one twice."""
    kiosk = token_for(cast.alice)["HTTP_AUTHORIZATION"]
    for n in range(3, 9):
        window_create(hall=cast.hall, number=str(n), name=f"窗口{n}", kind="comprehensive")

    def take(client: int) -> list[str]:
        numbers = []
        for n in range(8):
            key = {"Idempotency-Key": f"client-{client}-{n}"}
            status, ticket = post(gunicorn_port, "/api/v1/halls/qhd/tickets", kiosk, TAKE, **key)
            assert status == 201, ticket
            numbers.append(ticket["number"])
            if n == 0:
                again, same = post(gunicorn_port, "/api/v1/halls/qhd/tickets", kiosk, TAKE, **key)
                assert (again, same["id"]) == (200, ticket["id"])
        return numbers

    with ThreadPoolExecutor(32) as pool:
        numbers = [n for chunk in pool.map(take, range(32)) for n in chunk]
    assert sorted(numbers) == [f"A{i:03d}" for i in range(1, 257)]

    def serve(window: int) -> list[str]:
        """Odd windows finish each number, then call; even ones call with finish_current (one request
        per citizen), which finishes the last number with the 204."""
        one_request = window % 2 == 0
        served, path = [], f"/api/v1/halls/qhd/windows/{window}/call-next"
        path += "?finish_current=true" if one_request else ""
        while True:
            status, ticket = post(gunicorn_port, path, kiosk)
            if status == 204:
                return served
            assert status == 200, ticket
            served.append(ticket["number"])
            if not one_request:
                done, finished = post(gunicorn_port, f"/api/v1/tickets/{ticket['id']}/finish", kiosk)
                assert (done, finished["status"]) == (200, "done")

    with ThreadPoolExecutor(8) as pool:
        served = [n for chunk in pool.map(serve, range(1, 9)) for n in chunk]
    assert sorted(served) == sorted(numbers)
    calls = Counter(TicketEvent.objects.filter(kind="called").values_list("ticket_id", flat=True))
    assert len(calls) == 256
    assert set(calls.values()) == {1}
    finishes = Counter(TicketEvent.objects.filter(kind="finished").values_list("ticket_id", flat=True))
    assert (len(finishes), set(finishes.values())) == (256, {1})
    assert Ticket.objects.filter(status="done").count() == 256


TAKE = {"service": "huji", "channel": "kiosk"}
