"""Faults of the deployed layout (issue 12, point 9), on PostgreSQL: with the live signal through Redis
(REDIS_URL), Redis stopped mid-run must fail no request, and the system should degrade to the
LiveMessage table without losing an event. The slower PostgreSQL restart under load is in
bench/bench_faults.py (with figures)."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.db import connection  # noqa: F401 - read by the skipif condition

from minxin.core.tests.procs import free_port, start_server, wait_for_port
from minxin.queueing.tests.test_asgi_events import Stream, start_uvicorn
from minxin.queueing.tests.test_concurrency import GUNICORN_CONFIG, TAKE, post

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the production layout is PostgreSQL's"),
]
OPEN = dt.datetime(2026, 11, 30, 2, 0, tzinfo=dt.UTC)  # Monday 10:00 in Shanghai: the cast's halls are open
CALL = "/api/v1/halls/qhd/windows/1/call-next?finish_current=true"


@dataclass
class Layout:
    redis: subprocess.Popen[bytes]
    api: int
    events: int
    token: str


@pytest.fixture
def redis_server() -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server not installed (Debian's redis-server)")
    port = free_port()
    server = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    wait_for_port(port, seconds=10)
    yield server, f"redis://127.0.0.1:{port}/0"
    if server.poll() is None:
        server.terminate()
    server.wait(timeout=10)


@pytest.fixture
def layout(cast: Any, token_for: Any, tmp_path: Path, redis_server: Any) -> Iterator[Layout]:
    """Queue A (户籍) at hall qhd, gunicorn (two sync workers) and the events process, both on Redis."""
    from minxin.queueing.models import Queue, Service

    with time_machine.travel(OPEN, tick=True):
        queue = Queue.objects.create(hall=cast.hall, code="huji", prefix="A", name="户籍", position=1)
        Service.objects.create(hall=cast.hall, code="huji", name="户籍业务", queue=queue)
    redis, url = redis_server
    config = tmp_path / "gunicorn.conf.py"
    config.write_text(GUNICORN_CONFIG)
    port = free_port()
    args = ["-m", "gunicorn", "minxin.wsgi", "-w", "2", "-b", f"127.0.0.1:{port}", "-c", str(config)]
    api = start_server([*args, "--log-level", "warning", "--graceful-timeout", "1"], port, REDIS_URL=url)
    events, events_port = start_uvicorn(REDIS_URL=url)
    for listening in (port, events_port):  # start_server waits 30 s; a busy machine may need longer
        wait_for_port(listening, seconds=120)
    yield Layout(redis=redis, api=port, events=events_port, token=token_for(cast.alice)["HTTP_AUTHORIZATION"])
    for server in (api, events):
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()  # an events process may hold a stream open past its graceful exit
            server.wait(timeout=10)


def take_and_call(layout: Layout) -> str:
    status, ticket = post(layout.api, "/api/v1/halls/qhd/tickets", layout.token, TAKE)
    assert status == 201, ticket
    status, called = post(layout.api, CALL, layout.token)
    assert status == 200, called
    return str(called["number"])


def next_called(watcher: Stream) -> str:
    frame = watcher.next()
    while frame.event != "called":  # skip the other events of the hall
        frame = watcher.next()
    return str(frame.data["number"])


def stop(redis: subprocess.Popen[bytes]) -> None:
    redis.terminate()
    redis.wait(timeout=10)


def test_numbers_are_taken_and_called_while_redis_is_down(layout: Layout) -> None:
    stop(layout.redis)

    assert [take_and_call(layout) for _ in range(3)] == ["A001", "A002", "A003"]


def test_a_call_made_while_redis_is_down_reaches_the_watcher(layout: Layout) -> None:
    watcher = Stream(layout.events)
    assert take_and_call(layout) == "A001"
    assert next_called(watcher) == "A001"
    stop(layout.redis)

    number = take_and_call(layout)

    try:
        assert next_called(watcher) == number  # the stream's read times out (10 s) when it never comes
    except TimeoutError:
        pytest.fail("the call made while Redis was down never reached the watcher")
    finally:
        watcher.close()
