"""The embedded default server: the ASGI application `make demo` serves through one uvicorn process.

Hall event streams (GET /api/v1/halls/{hall}/events) are coroutines on the event loop, as in the events
process (minxin/asgi.py). Every other request goes to the production WSGI application (minxin/wsgi.py:
Django, with the hot path in front) on one thread of this process, one request at a time in the order they
came, as a gunicorn sync worker serves them.

Why not Django's ASGI handler for those requests (minxin/asgi.py serves them so, and the events process of
production never receives them): it runs each request's middleware and view on a new thread (asgiref's
ThreadSensitiveContext), so each request also opens and closes its own database connection, and it hands
the request between the loop and that thread several times; one uvicorn process answered GET /healthz at
under 200/s so (bench/README.md). Here one thread keeps its connection, and writers never wait for each
other on SQLite's busy timeout, whose polling sleeps let a newcomer take the lock first (the multi-second
tails of call-next).
"""

from __future__ import annotations

import asyncio
import io
import os
import sys
from collections.abc import Awaitable, Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

# One request thread: its SQLite connection is kept between requests (settings: SQLITE_CONN_MAX_AGE).
os.environ.setdefault("SQLITE_CONN_MAX_AGE", "600")

from minxin.wsgi import application as wsgi_application  # sets Django up first

# isort: split
from minxin.queueing.live import EVENTS_PATH, hall_events_asgi  # needs Django set up first

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


@dataclass(slots=True)
class WsgiReply:
    """What the WSGI application answered: its status line, headers and whole body."""

    status: int = 500
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    body: list[bytes] = field(default_factory=list)


def wsgi_environ(scope: Scope, body: bytes) -> dict[str, Any]:
    """The WSGI environ of an ASGI HTTP request (PEP 3333 from the ASGI spec's fields)."""
    script_name = scope.get("root_path", "").encode("utf8").decode("latin1")
    path_info = scope["path"].encode("utf8").decode("latin1")
    if script_name and path_info.startswith(script_name):
        path_info = path_info[len(script_name) :]
    server = scope.get("server") or ("localhost", 80)
    environ: dict[str, Any] = {
        "REQUEST_METHOD": scope["method"],
        "SCRIPT_NAME": script_name,
        "PATH_INFO": path_info,
        "QUERY_STRING": scope.get("query_string", b"").decode("latin1"),
        "SERVER_NAME": server[0],
        "SERVER_PORT": str(server[1]),
        "SERVER_PROTOCOL": f"HTTP/{scope.get('http_version', '1.1')}",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scope.get("scheme", "http"),
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        # One request at a time on one thread: a WSGI event stream holds it for a second at most
        # (minxin/queueing/live.py), as on a gunicorn sync worker.
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    if scope.get("client"):
        environ["REMOTE_ADDR"] = scope["client"][0]
    for raw_name, raw_value in scope.get("headers", ()):
        name = raw_name.decode("latin1").upper().replace("-", "_")
        key = name if name in ("CONTENT_TYPE", "CONTENT_LENGTH") else f"HTTP_{name}"
        value = raw_value.decode("latin1")
        environ[key] = f"{environ[key]},{value}" if key in environ else value
    return environ


def run_wsgi(app: WsgiApp, environ: dict[str, Any]) -> WsgiReply:
    """Call `app` and read its whole answer (on the WSGI thread)."""
    reply = WsgiReply()

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        reply.status = int(status.split(" ", 1)[0])
        # Django writes a cookie as `Set-Cookie: " name=value; …"` (SimpleCookie's output with an empty
        # header): the leading space is not part of the value.
        reply.headers = [
            (name.lower().encode("latin1"), value.strip().encode("latin1")) for name, value in headers
        ]
        return reply.body.append

    chunks = app(environ, start_response)
    try:
        reply.body.extend(chunk for chunk in chunks if chunk)
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()
    return reply


async def read_body(receive: Receive) -> bytes:
    parts = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        parts.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(parts)


class Embedded:
    """ASGI: hall event streams on the loop, everything else to `wsgi` on one thread."""

    def __init__(self, wsgi: WsgiApp) -> None:
        self.wsgi = wsgi
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="wsgi")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.lifespan(receive, send)
            return
        if scope["type"] != "http":
            raise ValueError(f"the embedded server answers HTTP only, not {scope['type']!r}")
        if scope["method"] == "GET" and (match := EVENTS_PATH.match(scope["path"])):
            await hall_events_asgi(match.group("hall"), scope, receive, send)
            return
        environ = wsgi_environ(scope, await read_body(receive))
        loop = asyncio.get_running_loop()
        reply = await loop.run_in_executor(self.executor, run_wsgi, self.wsgi, environ)
        await send({"type": "http.response.start", "status": reply.status, "headers": reply.headers})
        await send({"type": "http.response.body", "body": b"".join(reply.body)})

    async def lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                self.executor.shutdown(wait=True, cancel_futures=True)
                await send({"type": "lifespan.shutdown.complete"})
                return


application = Embedded(wsgi_application)
