"""The event stream as production serves it: a real uvicorn process, a real HTTP connection; with the
database broker every frame has an id, and a client that reconnects with Last-Event-ID is sent what it
missed, then the live events, each once."""

from __future__ import annotations

import http.client
import json
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.test import Client, override_settings

from minxin.core.events import DatabaseBroker, RedisBroker, broker
from minxin.core.live import hub
from minxin.core.models import LiveMessage
from minxin.core.tests.procs import free_port, start_server
from minxin.queueing.live import last_event_id
from minxin.queueing.services import ticket_call_next, ticket_issue

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("at_open_hall")]
TOPIC = "hall:qhd"


def start_uvicorn(**env: str) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    command = ["-m", "uvicorn", "minxin.asgi:application", "--host", "127.0.0.1", "--port", str(port)]
    return start_server([*command, "--log-level", "warning"], port, **env), port


@pytest.fixture
def uvicorn_server() -> Iterator[int]:
    server, port = start_uvicorn()
    yield port
    server.terminate()
    server.wait(timeout=10)


@dataclass(frozen=True)
class Frame:
    id: int | None
    event: str
    data: dict[str, Any]


class Stream:
    """One SSE connection, read frame by frame."""

    def __init__(self, port: int, *, last_event_id: int | None = None, hall: str = "qhd") -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        headers = {} if last_event_id is None else {"Last-Event-ID": str(last_event_id)}
        self.connection.request("GET", f"/api/v1/halls/{hall}/events", headers=headers)
        self.response = self.connection.getresponse()
        self.opening = self._block() if self.response.status == 200 else []

    def _block(self) -> list[bytes]:
        lines = []
        while (line := self.response.readline()) not in (b"\n", b""):
            lines.append(line.rstrip(b"\n"))
        return lines

    def next(self) -> Frame:
        """The next event frame (comments such as keep-alives are skipped)."""
        while True:
            fields: dict[str, str] = {}
            for line in self._block():
                name, _colon, value = line.decode().partition(": ")
                if name:
                    fields[name] = value
            if "event" in fields:
                raw_id = fields.get("id")
                return Frame(int(raw_id) if raw_id else None, fields["event"], json.loads(fields["data"]))

    def close(self) -> None:
        self.connection.close()


def send(kind: str, **details: Any) -> int:
    """Publish on the hall's topic as the services do; the new message's id."""
    DatabaseBroker().send(TOPIC, {"type": kind, **details})
    return LiveMessage.objects.filter(topic=TOPIC).order_by("-id").values_list("id", flat=True)[0]


def ids_after(after: int) -> list[int]:
    return list(
        LiveMessage.objects.filter(topic=TOPIC, id__gt=after).order_by("id").values_list("id", flat=True)
    )


def test_an_asgi_stream_delivers_calls_with_ids_and_refuses_unknown_halls(cast, line, uvicorn_server) -> None:
    missing = http.client.HTTPConnection("127.0.0.1", uvicorn_server, timeout=10)
    missing.request("GET", "/api/v1/halls/nowhere/events")
    answer = missing.getresponse()
    assert answer.status == 404
    assert b"hall_not_found" in answer.read()
    marker = send("marker")
    stream = Stream(uvicorn_server, last_event_id=marker - 1)  # once the marker is replayed, all is live
    assert stream.response.getheader("Content-Type", "").startswith("text/event-stream")
    assert stream.opening[0].startswith(b"retry: ")
    assert stream.next().id == marker
    ticket_issue(hall=line.hall, service_code="huji", channel="kiosk")
    ticket_call_next(window=cast.window1, clerk=cast.bob)
    issued, called = stream.next(), stream.next()
    assert (issued.event, called.event, called.data["number"]) == ("issued", "called", "A001")
    ids = list(
        LiveMessage.objects.filter(topic=TOPIC, id__gt=marker).order_by("id").values_list("id", flat=True)
    )
    assert [issued.id, called.id] == ids
    stream.close()


def test_a_client_that_reconnects_gets_what_it_missed_then_live_events(cast, uvicorn_server) -> None:
    marker = send("marker")
    first = Stream(uvicorn_server, last_event_id=marker - 1)
    assert first.next().id == marker
    seen = [send("called", number="A001"), send("called", number="A002")]
    assert [first.next().id for _ in seen] == seen
    first.close()
    missed = [send("called", number="A003"), send("finished", number="A001")]
    again = Stream(uvicorn_server, last_event_id=seen[-1])
    replayed = [again.next() for _ in missed]
    assert [(frame.id, frame.event, frame.data["number"]) for frame in replayed] == [
        (missed[0], "called", "A003"),
        (missed[1], "finished", "A001"),
    ]
    live = send("called", number="A004")
    assert again.next().id == live
    again.close()


def test_replayed_and_live_events_meet_without_duplicates_or_gaps(cast, uvicorn_server) -> None:
    """A publisher keeps sending while a client reconnects again and again (the first time with the
    process's listener starting): across its streams the client gets every id exactly once, in order."""
    start = send("called", number="A000")
    stop = threading.Event()

    def publisher() -> None:
        while not stop.is_set():
            send("called", number="A001")
        DatabaseBroker().send(TOPIC, {"type": "end"})
        connection.close()

    thread = threading.Thread(target=publisher)
    thread.start()
    received: list[int | None] = []
    try:
        time.sleep(0.05)
        for _reconnection in range(3):
            stream = Stream(uvicorn_server, last_event_id=received[-1] if received else start)
            published_at_opening = ids_after(start)[-1]
            while (frame := stream.next()).id <= published_at_opening + 50:  # type: ignore[operator]
                received.append(frame.id)  # until well past the seam: replayed frames come first
            received.append(frame.id)
            stream.close()
        stop.set()
        stream = Stream(uvicorn_server, last_event_id=received[-1])
        while (frame := stream.next()).event != "end":
            received.append(frame.id)
        stream.close()
    finally:
        stop.set()
        thread.join()
    expected = ids_after(start)[:-1]  # all but "end"
    assert len(received) == len(set(received)), "an event came twice"
    assert set(received) == set(expected), "an event is missing"
    assert received == expected, "out of order"


def test_the_wsgi_stream_replays_too(cast) -> None:
    first, second, third = (send("called", number=f"A00{n}") for n in (1, 2, 3))
    response = Client().get("/api/v1/halls/qhd/events", HTTP_LAST_EVENT_ID=str(first))
    chunks = iter(response.streaming_content)  # type: ignore[attr-defined]
    assert next(chunks).startswith(b"retry: ")
    frames = [next(chunks), next(chunks)]
    response.close()
    assert hub.watchers() == 0  # the stream let go of the listener
    assert [frame.split(b"\n", 1)[0] for frame in frames] == [
        f"id: {second}".encode(),
        f"id: {third}".encode(),
    ]


def test_through_redis_last_event_id_is_not_honoured() -> None:
    """Redis pub/sub keeps nothing, so there is nothing to replay from."""
    assert last_event_id("41") == 41
    assert last_event_id("not-ours") is None
    broker.cache_clear()
    try:
        with override_settings(REDIS_URL="redis://127.0.0.1:9/0"):  # only asked what it is: no connection
            assert isinstance(broker(), RedisBroker)
            assert last_event_id("41") is None
    finally:
        broker.cache_clear()


def test_through_redis_frames_have_no_id_and_a_reconnect_gets_only_live_events(cast, redis_url) -> None:
    server, port = start_uvicorn(REDIS_URL=redis_url)
    received = threading.Event()

    def publisher() -> None:  # pub/sub drops what is sent before the listener has subscribed: repeat
        through_redis = RedisBroker(redis_url)
        while not received.wait(0.1):
            through_redis.send(TOPIC, {"type": "called", "number": "A002"})

    thread = threading.Thread(target=publisher)
    try:
        old = send("called", number="A001")  # in the table, as if the database broker had sent it
        stream = Stream(port, last_event_id=old - 1)
        thread.start()
        frame = stream.next()
        received.set()
        assert (frame.id, frame.data["number"]) == (None, "A002")  # live, without an id; A001 not replayed
        stream.close()
    finally:
        received.set()
        server.terminate()
        server.wait(timeout=10)
