"""Event streams cannot take gunicorn's sync workers away from the API (a missing proxy rule for the
events process must not take the API down)."""

from __future__ import annotations

import http.client
import socket
import time
from collections.abc import Iterator

import pytest

from minxin.core.tests.procs import free_port, start_server

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def two_sync_workers(cast) -> Iterator[int]:
    port = free_port()
    args = [
        "-m",
        "gunicorn",
        "minxin.wsgi",
        "-w",
        "2",
        "-b",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        "--graceful-timeout",
        "1",
    ]
    server = start_server(args, port)
    yield port
    server.terminate()
    server.wait(timeout=10)


def open_stream(port: int) -> socket.socket:
    stream = socket.create_connection(("127.0.0.1", port), timeout=60)  # a worker may still be booting
    stream.sendall(b"GET /api/v1/halls/qhd/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    return stream


def read_all(stream: socket.socket) -> bytes:
    chunks = []
    while chunk := stream.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def test_two_streams_leave_the_api_answering_and_end_with_a_reconnect_point(two_sync_workers) -> None:
    streams = [open_stream(two_sync_workers) for _ in range(2)]
    openings = [stream.recv(65536) for stream in streams]  # both workers now hold a stream
    started = time.monotonic()
    api = http.client.HTTPConnection("127.0.0.1", two_sync_workers, timeout=10)
    api.request("GET", "/api/v1/halls/qhd/queue")
    assert api.getresponse().status == 200
    assert time.monotonic() - started < 5  # not the minute a threaded server's stream lasts
    for stream, opening in zip(streams, openings, strict=True):
        answer = (opening + read_all(stream)).decode()
        stream.close()
        assert "text/event-stream" in answer
        assert "retry: 2000" in answer
        assert "\r\nid: " in answer or "\nid: " in answer  # the reconnect asks for what it missed
    assert time.monotonic() - started < 8  # each stream ended after about a second
