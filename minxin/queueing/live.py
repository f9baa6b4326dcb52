"""Server-Sent Events for a hall: GET /api/v1/halls/{hall}/events.

Under ASGI (the production events process, and `make demo`) each stream is an async generator: ten
thousand open streams are ten thousand idle coroutines, not threads. Under WSGI (a plain runserver) the
same view streams with a blocking generator that ends after a minute; EventSource reconnects by itself
and resumes with Last-Event-ID semantics being unnecessary (each event carries the full state change).
"""

from __future__ import annotations

import asyncio
import json
import queue
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.utils.translation import gettext as _

from minxin.core.errors import error_body
from minxin.core.live import hub
from minxin.orgs.selectors import hall_get

KEEPALIVE_SECONDS = 15.0
WSGI_STREAM_SECONDS = 60.0


def _frame(message: dict[str, Any]) -> str:
    event = str(message.get("type", "message"))
    seq = message.get("seq")
    head = f"id: {seq}\n" if seq is not None else ""
    return f"{head}event: {event}\ndata: {json.dumps(message, ensure_ascii=False)}\n\n"


async def _async_stream(topic: str) -> AsyncIterator[str]:
    loop = asyncio.get_running_loop()
    inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize=1000)

    def deliver(message: dict[str, Any]) -> None:
        loop.call_soon_threadsafe(_put_nowait, inbox, message)

    unsubscribe = hub.subscribe(topic, deliver)
    try:
        yield "retry: 3000\n: connected\n\n"
        while True:
            try:
                message = await asyncio.wait_for(inbox.get(), timeout=KEEPALIVE_SECONDS)
            except TimeoutError:
                yield ": keep-alive\n\n"
                continue
            yield _frame(message)
    finally:
        unsubscribe()


def _put_nowait(inbox: asyncio.Queue[dict[str, Any]], message: dict[str, Any]) -> None:
    if not inbox.full():  # a watcher that stopped reading loses messages, never the process's memory
        inbox.put_nowait(message)


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


async def hall_events(request: HttpRequest, hall: str) -> HttpResponse | StreamingHttpResponse:
    found = await sync_to_async(hall_get)(code=hall)
    if found is None:
        return JsonResponse(
            error_body("hall_not_found", _("No hall with the code %(code)s.") % {"code": hall}),
            status=404,
            json_dumps_params={"ensure_ascii": False},
        )
    topic = f"hall:{found.code}"
    stream: Any = _async_stream(topic) if isinstance(request, ASGIRequest) else _sync_stream(topic)
    response = StreamingHttpResponse(stream, content_type="text/event-stream; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx: pass events through at once
    return response
