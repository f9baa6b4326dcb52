"""16 clients rate the same ticket at once on different channels, over HTTP against gunicorn with two
workers on the real database: exactly one rating, the others 409 already_rated."""

from __future__ import annotations

import http.client
import json
import subprocess
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from threading import Barrier
from typing import Any

import pytest

from minxin.core.tests.procs import free_port, start_server
from minxin.feedback.models import Rating, Rectification

pytestmark = pytest.mark.django_db(transaction=True)

GUNICORN_CONFIG = (
    "import time_machine\n"
    "def post_fork(server, worker):\n"
    "    time_machine.travel('2026-11-30T02:00:00+00:00', tick=True).start()\n"
)


@pytest.fixture
def gunicorn_port(tmp_path: Path) -> Iterator[int]:
    config = tmp_path / "gunicorn.conf.py"
    config.write_text(GUNICORN_CONFIG)
    port = free_port()
    args = ["-m", "gunicorn", "minxin.wsgi", "-w", "2", "-b", f"127.0.0.1:{port}", "-c", str(config)]
    server = start_server([*args, "--log-level", "warning"], port)
    yield port
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:  # a loaded machine: do not leave it behind
        server.kill()
        server.wait(timeout=10)


def post(port: int, body: dict[str, Any], headers: dict[str, str]) -> tuple[int, Any]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request(
            "POST", "/api/v1/ratings", json.dumps(body), {"Content-Type": "application/json"} | headers
        )
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"null")
    finally:
        connection.close()


def test_16_clients_on_4_channels_rate_one_ticket_once(served, device, token_for, gunicorn_port) -> None:
    ticket = served.ticket()
    integration = {"Authorization": token_for(served.cast.alice)["HTTP_AUTHORIZATION"]}
    rater = {"Authorization": device["HTTP_AUTHORIZATION"]}
    channels = [("device", rater), ("api", integration), ("qr", {}), ("sms", {})] * 4
    start = Barrier(len(channels))

    def one(index: int) -> tuple[int, Any]:
        channel, headers = channels[index]
        start.wait()
        body = {"ticket": str(ticket.public_id), "score": 1 + index % 5, "channel": channel}
        return post(gunicorn_port, body, headers)

    with ThreadPoolExecutor(len(channels)) as pool:
        answers = list(pool.map(one, range(len(channels))))
    statuses = Counter(status for status, _body in answers)
    assert statuses == Counter({201: 1, 409: 15}), answers
    assert {body["error"]["code"] for status, body in answers if status == 409} == {"already_rated"}
    rating = Rating.objects.get()
    winner = next(body for status, body in answers if status == 201)
    assert str(rating.public_id) == winner["id"]
    assert Rectification.objects.count() == (1 if rating.score <= 2 else 0)
