"""The embedded default server (minxin/embedded.py), as `make demo` serves it: one uvicorn process, the hall
event streams on its event loop, every other request through the production WSGI application (the hot
path in front of Django) on one thread."""

from __future__ import annotations

import asyncio
import http.client
import importlib
import re
import sys
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from minxin.core.tests.procs import free_port, start_server
from minxin.embedded import Embedded, wsgi_environ
from minxin.queueing.tests.test_asgi_events import Stream
from minxin.queueing.tests.test_concurrency import TAKE, post

ROOT = Path(__file__).resolve().parents[3]
# The server's clock at the cast's open hall (conftest.OPEN), as the gunicorn tests' post_fork sets it.
SERVE = (
    "import sys, time_machine, uvicorn\n"
    "time_machine.travel('2026-11-30T02:00:00+00:00', tick=True).start()\n"
    "uvicorn.run('minxin.embedded:application', host='127.0.0.1', port=int(sys.argv[1]), "
    "log_level='warning')\n"
)


@pytest.fixture
def embedded_port() -> Iterator[int]:
    port = free_port()
    server = start_server(["-c", SERVE, str(port)], port)
    yield port
    server.terminate()
    server.wait(timeout=10)


def get(port: int, path: str) -> tuple[int, bytes, http.client.HTTPResponse]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read(), response
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("at_open_hall")
def test_numbers_taken_at_once_through_the_demo_server_are_exact(
    cast, line, token_for, embedded_port
) -> None:
    kiosk = token_for(cast.alice)["HTTP_AUTHORIZATION"]

    def take(_client: int) -> list[tuple[int, str]]:
        answers = [post(embedded_port, "/api/v1/halls/qhd/tickets", kiosk, TAKE) for _ in range(4)]
        return [(status, ticket["number"] if status == 201 else ticket) for status, ticket in answers]

    with ThreadPoolExecutor(8) as pool:
        taken = [answer for answers in pool.map(take, range(8)) for answer in answers]
    assert {status for status, _number in taken} == {201}
    assert sorted(number for _status, number in taken) == [f"A{n:03d}" for n in range(1, 33)]


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("at_open_hall")
def test_a_call_through_the_demo_server_reaches_its_stream_and_pages_get_all_of_django(
    cast, line, token_for, embedded_port
) -> None:
    kiosk, clerk = (token_for(user)["HTTP_AUTHORIZATION"] for user in (cast.alice, cast.bob))
    stream = Stream(embedded_port)
    assert stream.response.status == 200
    status, ticket = post(embedded_port, "/api/v1/halls/qhd/tickets", kiosk, TAKE)
    assert status == 201
    window = cast.window1.number
    status, called = post(embedded_port, f"/api/v1/halls/qhd/windows/{window}/call-next", clerk)
    assert (status, called["number"]) == (200, ticket["number"])
    frames = [stream.next(), stream.next()]
    assert [(frame.event, frame.data["number"]) for frame in frames] == [
        ("issued", ticket["number"]),
        ("called", ticket["number"]),
    ]
    stream.close()
    assert_pages_and_forms_go_through_all_of_django(embedded_port)


def assert_pages_and_forms_go_through_all_of_django(port: int) -> None:
    assert get(port, "/healthz")[0] == 200
    status, page, response = get(port, "/staff/login/")
    assert status == 200
    assert b"csrfmiddlewaretoken" in page
    assert "csrftoken=" in (response.getheader("Set-Cookie") or "")
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request(
        "POST",
        "/staff/login/",
        "username=bob&password=x",
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert connection.getresponse().status == 403  # no CSRF token: Django's middleware refused it
    connection.close()


def test_the_demo_target_and_the_benchmark_serve_the_embedded_application() -> None:
    demo = re.search(r"^demo:.*?(?=^\S)", (ROOT / "Makefile").read_text(), re.M | re.S)
    assert demo is not None
    assert "uvicorn minxin.embedded:application --host 127.0.0.1 --port 8000" in demo.group(0)
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        options = importlib.import_module("queuebench.options")
    finally:
        sys.path.remove(str(ROOT / "bench"))
    assert options.parse_options(["--layout", "demo"]).demo_app == "minxin.embedded:application"


class Recorded:
    """A WSGI application that records its environ and answers with two cookies in two chunks."""

    def __init__(self) -> None:
        self.environ: dict[str, Any] = {}
        self.body = b""
        self.closed = False

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        self.environ = environ
        self.body = environ["wsgi.input"].read()
        start_response("201 Created", [("Set-Cookie", " a=1"), ("Set-Cookie", "b=2"), ("X-Test", "é")])
        recorded = self

        class Answer:
            def __iter__(self) -> Iterator[bytes]:
                yield b"hello, "
                yield b""
                yield b"world"

            def close(self) -> None:
                recorded.closed = True

        return Answer()


def serve_once(app: Embedded, scope: dict[str, Any], chunks: list[bytes]) -> list[dict[str, Any]]:
    messages = [
        {"type": "http.request", "body": chunk, "more_body": i < len(chunks) - 1}
        for i, chunk in enumerate(chunks)
    ]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    return sent


def test_a_request_reaches_the_wsgi_application_whole_and_its_answer_comes_back_whole() -> None:
    recorded = Recorded()
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/api/v1/x/é",
        "query_string": b"a=1&b=2",
        "http_version": "1.1",
        "scheme": "http",
        "server": ("127.0.0.1", 8000),
        "client": ("10.0.0.7", 5555),
        "headers": [
            (b"host", b"127.0.0.1:8000"),
            (b"content-type", b"application/json"),
            (b"content-length", b"11"),
            (b"accept", b"text/html"),
            (b"accept", b"application/json"),
        ],
    }
    sent = serve_once(Embedded(recorded), scope, [b'{"a":', b" 1, ", b'"b":2}'])
    assert recorded.body == b'{"a": 1, "b":2}'
    environ = recorded.environ
    assert environ["PATH_INFO"] == "/api/v1/x/é".encode().decode("latin1")
    assert (environ["QUERY_STRING"], environ["REMOTE_ADDR"], environ["SERVER_PORT"]) == (
        "a=1&b=2",
        "10.0.0.7",
        "8000",
    )
    assert (environ["CONTENT_TYPE"], environ["CONTENT_LENGTH"]) == ("application/json", "11")
    assert environ["HTTP_ACCEPT"] == "text/html,application/json"
    assert environ["HTTP_HOST"] == "127.0.0.1:8000"
    assert environ["wsgi.multithread"] is False
    assert sent[0] == {
        "type": "http.response.start",
        "status": 201,
        "headers": [(b"set-cookie", b"a=1"), (b"set-cookie", b"b=2"), (b"x-test", "é".encode("latin1"))],
    }
    assert sent[1] == {"type": "http.response.body", "body": b"hello, world"}
    assert recorded.closed


def test_the_lifespan_starts_and_stops_the_request_thread() -> None:
    app = Embedded(Recorded())
    messages = [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return messages.pop(0)

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app({"type": "lifespan"}, receive, send))
    assert [message["type"] for message in sent] == [
        "lifespan.startup.complete",
        "lifespan.shutdown.complete",
    ]
    assert app.executor._shutdown


def test_the_environ_of_a_bare_scope_has_what_wsgi_requires() -> None:
    environ = wsgi_environ({"type": "http", "method": "GET", "path": "/"}, b"")
    assert (environ["SERVER_NAME"], environ["SERVER_PORT"], environ["SERVER_PROTOCOL"]) == (
        "localhost",
        "80",
        "HTTP/1.1",
    )
    assert environ["wsgi.input"].read() == b""
