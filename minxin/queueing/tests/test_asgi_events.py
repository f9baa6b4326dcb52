"""The event stream as production serves it: a real uvicorn process, a real HTTP connection."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time

import pytest

from minxin.core.tests.procs import ROOT, other_process_database_url
from minxin.queueing.services import ticket_call_next, ticket_issue

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("at_open_hall")]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def uvicorn_server():
    port = free_port()
    env = os.environ | {"DATABASE_URL": other_process_database_url(), "DEBUG": "1"}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "minxin.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.2)
    yield port
    server.terminate()
    server.wait(timeout=10)


def test_an_asgi_stream_delivers_calls_and_refuses_unknown_halls(cast, line, uvicorn_server) -> None:
    missing = http.client.HTTPConnection("127.0.0.1", uvicorn_server, timeout=10)
    missing.request("GET", "/api/v1/halls/nowhere/events")
    answer = missing.getresponse()
    assert answer.status == 404
    assert b"hall_not_found" in answer.read()
    stream = http.client.HTTPConnection("127.0.0.1", uvicorn_server, timeout=10)
    stream.request("GET", "/api/v1/halls/qhd/events")
    response = stream.getresponse()
    assert response.status == 200
    assert response.getheader("Content-Type", "").startswith("text/event-stream")
    assert response.readline().startswith(b"retry:")
    time.sleep(0.5)  # the listener starts polling
    ticket_issue(hall=line.hall, service_code="huji", channel="kiosk")
    ticket_call_next(window=cast.window1, clerk=cast.bob)
    received = b""
    deadline = time.monotonic() + 10
    while b"event: called" not in received and time.monotonic() < deadline:
        received += response.readline()
    assert b"event: issued" in received
    assert b"event: called" in received
    assert b'"number": "A001"' in received
    stream.close()
