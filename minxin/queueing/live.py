"""Server-Sent Events for a hall: GET /api/v1/halls/{hall}/events.

Under ASGI (the production events process, and `make demo`) `hall_events_asgi` answers the path before
Django's middleware (minxin/asgi.py): each stream is a coroutine, not a thread, and holds no database
connection. Under WSGI (runserver, the test server) the Django view `hall_events` streams from a
blocking generator that ends after a minute; EventSource reconnects by itself, and each event carries
the whole state change, so nothing needs replaying.
"""

from __future__ import annotations

import asyncio
import json
import logging
import queue
import re
import time
from collections.abc import Callable, Iterator
from typing import Any

from asgiref.sync import sync_to_async
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.utils.translation import gettext as _

from minxin.core.errors import error_body
from minxin.core.live import hub
from minxin.core.memo import memo
from minxin.orgs.selectors import hall_get

logger = logging.getLogger(__name__)
KEEPALIVE_SECONDS = 15.0
WSGI_STREAM_SECONDS = 60.0


def _frame(message: dict[str, Any]) -> str:
    event = str(message.get("type", "message"))
    seq = message.get("seq")
    head = f"id: {seq}\n" if seq is not None else ""
    return f"{head}event: {event}\ndata: {json.dumps(message, ensure_ascii=False)}\n\n"


def _sync_stream(topic: str) -> Iterator[str]:
    inbox: queue.SimpleQueue[dict[str, Any]] = queue.SimpleQueue()
    unsubscribe = hub.subscribe(topic, inbox.put)
    deadline = time.monotonic() + WSGI_STREAM_SECONDS
    try:
        yield "retry: 1000\n: connected\n\n"
        while time.monotonic() < deadline:
            try:
                message = inbox.get(timeout=min(KEEPALIVE_SECONDS, max(deadline - time.monotonic(), 0.1)))
            except queue.Empty:
                yield ": keep-alive\n\n"
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


async def hall_events_asgi(code: str, receive: Any, send: Any) -> None:
    """The event stream as a bare ASGI app (see minxin/asgi.py): no thread, no database connection per
    stream; the process's one listener (core.live.hub) feeds every stream through an asyncio queue."""
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
    inbox: asyncio.Queue[bytes] = asyncio.Queue(maxsize=1000)
    unsubscribe = _loop_fanout(f"hall:{hall}", inbox)
    gone = asyncio.ensure_future(_disconnected(receive))
    try:
        await _send_chunk(send, "retry: 3000\n: connected\n\n")
        while not gone.done():
            getter = asyncio.ensure_future(inbox.get())
            done, _pending = await asyncio.wait(
                {getter, gone}, timeout=KEEPALIVE_SECONDS, return_when="FIRST_COMPLETED"
            )
            if getter not in done:
                getter.cancel()
                if not gone.done():
                    await _send_chunk(send, ": keep-alive\n\n")
                continue
            await send({"type": "http.response.body", "body": getter.result(), "more_body": True})
    except OSError:
        logger.debug("event stream of %s closed while writing", hall)  # the client went away mid-write
    finally:
        unsubscribe()
        gone.cancel()


_loop_inboxes: dict[tuple[int, str], set[asyncio.Queue[bytes]]] = {}


def _loop_fanout(topic: str, inbox: asyncio.Queue[bytes]) -> Callable[[], None]:
    """Add `inbox` to the streams of `topic` on this event loop. The hub's thread hands each message to the
    loop once (one wake-up); the loop encodes the frame once and copies the bytes to every stream's inbox.
    Waking the loop and encoding once per stream made 2,000 watchers lag by seconds."""
    loop = asyncio.get_running_loop()
    key = (id(loop), topic)
    streams = _loop_inboxes.get(key)
    if streams is None:
        streams = _loop_inboxes[key] = set()

        def fan_out(message: dict[str, Any]) -> None:
            frame = _frame(message).encode()
            for each in list(_loop_inboxes.get(key, ())):
                if not each.full():  # a watcher that stopped reading loses frames, not our memory
                    each.put_nowait(frame)

        def deliver(message: dict[str, Any]) -> None:
            loop.call_soon_threadsafe(fan_out, message)

        _loop_unsubscribers[key] = hub.subscribe(topic, deliver)
    streams.add(inbox)

    def unsubscribe() -> None:
        streams.discard(inbox)
        if not streams:
            _loop_inboxes.pop(key, None)
            stop = _loop_unsubscribers.pop(key, None)
            if stop is not None:
                stop()

    return unsubscribe


_loop_unsubscribers: dict[tuple[int, str], Callable[[], None]] = {}


async def _disconnected(receive: Any) -> None:
    """Returns when the client closes the connection (or the server shuts down)."""
    message = await receive()
    while message["type"] != "http.disconnect":
        message = await receive()


async def _send_chunk(send: Any, text: str) -> None:
    await send({"type": "http.response.body", "body": text.encode(), "more_body": True})


async def hall_events(request: HttpRequest, hall: str) -> HttpResponse | StreamingHttpResponse:
    found = await sync_to_async(hall_get)(code=hall)
    if found is None:
        return JsonResponse(
            error_body("hall_not_found", _("No hall with the code %(code)s.") % {"code": hall}),
            status=404,
            json_dumps_params={"ensure_ascii": False},
        )
    topic = f"hall:{found.code}"
    # Under ASGI this path is answered by hall_events_asgi before Django (minxin/asgi.py); this view
    # serves WSGI servers (runserver, the test server), with a stream that ends and is reconnected.
    response = StreamingHttpResponse(_sync_stream(topic), content_type="text/event-stream; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx: pass events through at once
    return response
