"""The deployed layout scaled out (docs/deploy.md): two app processes (gunicorn, the hot path in front
of Django) and the events process (uvicorn) on one PostgreSQL database. Numbers taken through both app
processes are exact, and a call made through either reaches a watcher of the events process."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.db import connection  # noqa: F401 - read by the skipif condition

from minxin.core.tests.procs import free_port, start_server
from minxin.queueing.tests.test_asgi_events import Stream, start_uvicorn
from minxin.queueing.tests.test_concurrency import GUNICORN_CONFIG, TAKE, post

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("at_open_hall"),
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the production layout is PostgreSQL's"),
]


@pytest.fixture
def app_processes(tmp_path: Path) -> Iterator[list[int]]:
    config = tmp_path / "gunicorn.conf.py"
    config.write_text(GUNICORN_CONFIG)
    servers, ports = [], []
    for _ in range(2):
        port = free_port()
        args = ["-m", "gunicorn", "minxin.wsgi", "-w", "2", "-b", f"127.0.0.1:{port}", "-c", str(config)]
        servers.append(start_server([*args, "--log-level", "warning", "--graceful-timeout", "1"], port))
        ports.append(port)
    yield ports
    for server in servers:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def events_process() -> Iterator[int]:
    server, port = start_uvicorn()
    yield port
    server.terminate()
    server.wait(timeout=10)


def test_numbers_are_exact_across_processes_and_calls_reach_the_events_process(
    cast, line, token_for, app_processes, events_process
) -> None:
    kiosk = token_for(cast.alice)["HTTP_AUTHORIZATION"]
    watcher = Stream(events_process)
    assert watcher.response.status == 200

    def take(client: int) -> list[str]:
        port = app_processes[client % 2]
        numbers = []
        for _ in range(6):
            status, ticket = post(port, "/api/v1/halls/qhd/tickets", kiosk, TAKE)
            assert status == 201, ticket
            numbers.append(ticket["number"])
        return numbers

    with ThreadPoolExecutor(16) as pool:
        numbers = [number for chunk in pool.map(take, range(16)) for number in chunk]
    assert sorted(numbers) == [f"A{index:03d}" for index in range(1, 97)]

    called = []
    for port in app_processes:
        status, ticket = post(port, "/api/v1/halls/qhd/windows/1/call-next?finish_current=true", kiosk)
        assert status == 200, ticket
        called.append(ticket["number"])
    seen = []
    while len(seen) < len(called):
        frame = watcher.next()
        if frame.event == "called":
            assert frame.id is not None
            seen.append(frame.data["number"])
    watcher.close()
    assert seen == called
    assert len(set(called)) == 2
