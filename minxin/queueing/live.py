"""Server-Sent Events for a hall: GET /api/v1/halls/{hall}/events.

Under ASGI (the production events process, and `make demo`) `hall_events_asgi` answers the path before
Django's middleware (minxin/asgi.py): each stream is a coroutine, not a thread, and holds no database
connection. Under WSGI the Django view `hall_events` streams from a blocking generator: on a threaded
server (runserver, the test server) for a minute, on a single-threaded worker (gunicorn's sync workers,
when a proxy rule for the events process is missing) for a second at most, so streams can never take
the whole pool; EventSource reconnects by itself and is sent what it missed (below).

Each frame's `id:` is its LiveMessage id (with the database broker). A client that reconnects with
`Last-Event-ID` (EventSource sends it by itself) is first sent the messages of its hall after that id
that the table still holds, then the live ones, each once. Through Redis, frames carry no id and a
reconnecting client gets only what happens after it reconnects.
"""

from __future__ import annotations

import asyncio
import json
import logging
import queue
import re
import time
from collections.abc import Iterable, Iterator
from typing import Any

from asgiref.sync import sync_to_async
from django.db import connection
from django.db.models import Max
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from minxin.core.errors import error_body
from minxin.core.events import broker
from minxin.core.live import hub
from minxin.core.memo import memo
from minxin.core.models import LiveMessage
from minxin.orgs.selectors import hall_get
from minxin.queueing.rules import hall_code_topic, hall_topic

logger = logging.getLogger(__name__)
KEEPALIVE_SECONDS = 15.0
WSGI_STREAM_SECONDS = 60.0
RETRY_MILLISECONDS = 3000  # how long EventSource waits before it reconnects
WSGI_RETRY_MILLISECONDS = 1000  # the WSGI stream ends by itself: come back at once
# A single-threaded worker serves one request at a time: hold it this long at most, then let the client
# come back after SYNC_WORKER_RETRY_MILLISECONDS (long polling, in effect).
SYNC_WORKER_STREAM_SECONDS = 1.0
SYNC_WORKER_RETRY_MILLISECONDS = 2000
MAX_PENDING = 1000  # frames one stream may have unsent; past that it is closed, and replayed on reconnect
KEEPALIVE = b": keep-alive\n\n"


def _frame(message: dict[str, Any]) -> bytes:
    event = str(message.get("type", "message"))
    seq = message.get("seq")
    head = f"id: {seq}\n" if seq is not None else ""
    return f"{head}event: {event}\ndata: {json.dumps(message, ensure_ascii=False)}\n\n".encode()


def _opening(retry_milliseconds: int = RETRY_MILLISECONDS, last_id: int | None = None) -> bytes:
    # An `id:` with no event sets the client's Last-Event-ID, so its reconnect is sent what it missed.
    head = f"id: {last_id}\n" if last_id is not None else ""
    return f"{head}retry: {retry_milliseconds}\n: connected\n\n".encode()


def _latest_id() -> int | None:
    """The newest live message's id, when reconnecting clients can be sent what came after it."""
    if not broker().replayable:
        return None
    return LiveMessage.objects.aggregate(latest=Max("id"))["latest"] or 0


def last_event_id(value: str | bytes | None) -> int | None:
    """The id a reconnecting client last received, if it is one of ours (and a replay is possible)."""
    if value is None or not broker().replayable:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    return int(text) if text.strip().isdigit() else None


def _sync_stream(topic: str, after: int | None, *, short: bool = False) -> Iterator[bytes]:
    inbox: queue.SimpleQueue[dict[str, Any]] = queue.SimpleQueue()
    unsubscribe = hub.subscribe(topic, inbox.put)
    seconds, retry = (
        (SYNC_WORKER_STREAM_SECONDS, SYNC_WORKER_RETRY_MILLISECONDS)
        if short
        else (WSGI_STREAM_SECONDS, WSGI_RETRY_MILLISECONDS)
    )
    deadline = time.monotonic() + seconds
    try:
        yield _opening(retry, _latest_id() if short and after is None else None)
        replayed: set[int] = set()
        if after is not None:
            for message in hub.replay(topic, after):
                replayed.add(message["seq"])
                yield _frame(message)
        while time.monotonic() < deadline:
            try:
                message = inbox.get(timeout=min(KEEPALIVE_SECONDS, max(deadline - time.monotonic(), 0.1)))
            except queue.Empty:
                yield KEEPALIVE
                continue
            if message.get("seq") in replayed:
                replayed.discard(message["seq"])  # sent from the table already
                continue
            yield _frame(message)
    finally:
        unsubscribe()


EVENTS_PATH = re.compile(r"^/api/v1/halls/(?P<hall>[-a-zA-Z0-9_]+)/events$")


def _hall_code(code: str) -> str | None:
    """The hall's code if it exists, cached; runs in a worker thread and gives its connection back."""
    try:
        return memo(("events-hall", code), 60, lambda: getattr(hall_get(code=code), "code", None))
    finally:
        connection.close()


def _replay(topic: str, after: int) -> list[dict[str, Any]]:
    try:
        return hub.replay(topic, after)
    finally:
        connection.close()


async def hall_events_asgi(code: str, scope: dict[str, Any], receive: Any, send: Any) -> None:
    """The event stream as a bare ASGI app (see minxin/asgi.py): no thread, no database connection per
    stream; the process's one listener (core.live.hub) feeds every stream through its outbox."""
    hall = await sync_to_async(_hall_code, thread_sensitive=False)(code)
    if hall is None:
        body = json.dumps(
            error_body("hall_not_found", _("No hall with the code %(code)s.") % {"code": code}),
            ensure_ascii=False,
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 404,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": body})
        return
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-type", b"text/event-stream; charset=utf-8"),
                (b"cache-control", b"no-cache"),
                (b"x-accel-buffering", b"no"),
            ],
        }
    )
    topic = hall_code_topic(hall)
    after = last_event_id(dict(scope["headers"]).get(b"last-event-id"))
    outbox = _Outbox()
    streams = _LoopTopic.join(topic, outbox)  # before the replay: what commits meanwhile is kept
    gone = asyncio.ensure_future(_disconnected(receive))
    gone.add_done_callback(lambda _gone: outbox.close())
    try:
        await send({"type": "http.response.body", "body": _opening(), "more_body": True})
        if after is not None:
            outbox.replay(await sync_to_async(_replay, thread_sensitive=False)(topic, after))
        while (chunk := await outbox.take()) is not None:
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        if not gone.done():  # the stream fell too far behind: end it, the client reconnects and catches up
            await send({"type": "http.response.body", "body": b"", "more_body": False})
    except OSError:
        logger.debug("event stream of %s closed while writing", hall)  # the client went away mid-write
    finally:
        streams.leave(outbox)
        gone.cancel()


class _Outbox:
    """The frames one stream still has to send, and the ids it sent from the table (a live copy of one
    of those is dropped). Filled by its topic's fan-out, emptied by the stream's coroutine."""

    __slots__ = ("closed", "frames", "quiet", "sent_from_table", "waiter")

    def __init__(self) -> None:
        self.frames: list[tuple[int | None, bytes]] = []
        self.sent_from_table: set[int] = set()
        self.waiter: asyncio.Future[None] | None = None
        self.closed = False
        self.quiet = True  # nothing sent since the last keep-alive round

    def put(self, seq: int | None, frame: bytes) -> None:
        if self.closed:
            return
        if seq is not None and seq in self.sent_from_table:
            self.sent_from_table.discard(seq)
            return
        if len(self.frames) >= MAX_PENDING:
            self.close()  # a client that stopped reading costs us no more memory; it is replayed later
            return
        self.frames.append((seq, frame))
        self._wake()

    def replay(self, messages: Iterable[dict[str, Any]]) -> None:
        """Put `messages` (from the table) before the live frames gathered meanwhile, each id once."""
        replayed = [(int(message["seq"]), _frame(message)) for message in messages]
        ids = {seq for seq, _frame_bytes in replayed}
        live = [(seq, frame) for seq, frame in self.frames if seq not in ids]
        self.sent_from_table = ids - {seq for seq, _frame_bytes in self.frames}
        self.frames = [*replayed, *live]
        self._wake()

    def close(self) -> None:
        self.closed = True
        self._wake()

    async def take(self) -> bytes | None:
        """Everything queued, as one chunk, once there is something; None once closed."""
        while not self.frames and not self.closed:
            self.waiter = asyncio.get_running_loop().create_future()
            await self.waiter
        if self.closed:
            return None
        body = b"".join(frame for _seq, frame in self.frames)
        self.frames.clear()
        self.quiet = False
        return body

    def _wake(self) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(None)


class _LoopTopic:
    """The streams of one topic on one event loop. The hub's thread hands each message to the loop once
    (one wake-up); the loop encodes the frame once and appends the bytes to every stream's outbox, each
    of which wakes its stream with a bare future. Measured at 2,000 streams: a wake-up per stream and
    an asyncio.Queue get plus asyncio.wait per frame made the streams lag by seconds."""

    _by_loop: dict[tuple[int, str], _LoopTopic] = {}

    def __init__(self, loop: asyncio.AbstractEventLoop, topic: str) -> None:
        self.loop = loop
        self.key = (id(loop), topic)
        self.outboxes: set[_Outbox] = set()
        self.ticker = loop.call_later(KEEPALIVE_SECONDS, self._keep_alive)
        self.unsubscribe = hub.subscribe(topic, self._deliver)

    @classmethod
    def join(cls, topic: str, outbox: _Outbox) -> _LoopTopic:
        loop = asyncio.get_running_loop()
        streams = cls._by_loop.get((id(loop), topic))
        if streams is None:
            streams = cls._by_loop[(id(loop), topic)] = cls(loop, topic)
        streams.outboxes.add(outbox)
        return streams

    def leave(self, outbox: _Outbox) -> None:
        self.outboxes.discard(outbox)
        if not self.outboxes and self._by_loop.get(self.key) is self:
            del self._by_loop[self.key]
            self.ticker.cancel()
            self.unsubscribe()

    def _deliver(self, message: dict[str, Any]) -> None:  # in the hub's thread
        self.loop.call_soon_threadsafe(self._fan_out, message)

    def _fan_out(self, message: dict[str, Any]) -> None:
        frame, seq = _frame(message), message.get("seq")
        for outbox in list(self.outboxes):
            outbox.put(seq, frame)

    def _keep_alive(self) -> None:
        """A comment to every stream that sent nothing for a while, so proxies keep it open."""
        for outbox in list(self.outboxes):
            if outbox.quiet:
                outbox.put(None, KEEPALIVE)
            outbox.quiet = True
        self.ticker = self.loop.call_later(KEEPALIVE_SECONDS, self._keep_alive)


async def _disconnected(receive: Any) -> None:
    """Returns when the client closes the connection (or the server shuts down)."""
    message = await receive()
    while message["type"] != "http.disconnect":
        message = await receive()


@csrf_exempt  # a POST is answered 405 (Allow: GET), not refused as a forged form
@require_GET
async def hall_events(request: HttpRequest, hall: str) -> HttpResponse | StreamingHttpResponse:
    found = await sync_to_async(hall_get)(code=hall)
    if found is None:
        return JsonResponse(
            error_body("hall_not_found", _("No hall with the code %(code)s.") % {"code": hall}),
            status=404,
            json_dumps_params={"ensure_ascii": False},
        )
    topic = hall_topic(found)
    after = last_event_id(request.headers.get("Last-Event-ID"))
    # Under ASGI this path is answered by hall_events_asgi before Django (minxin/asgi.py); this view
    # serves WSGI servers, with a stream that ends and is reconnected: short on a single-threaded worker.
    short = not request.META.get("wsgi.multithread", True)
    response = StreamingHttpResponse(
        _sync_stream(topic, after, short=short), content_type="text/event-stream; charset=utf-8"
    )
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx: pass events through at once
    return response
