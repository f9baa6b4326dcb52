"""Django's test client with the hot path in front of Django (minxin/core/hotpath.py), so that every API test
run with MINXIN_TEST_THROUGH_WSGI=1 (root conftest.py's `client`, `make test`) tests both paths.

Each request goes through `HotPath` wrapped around Django's test `ClientHandler`. A request the hot path
hands on gets Django's response object untouched (`response.context`, templates, cookies keep working); a
request it answers gets an `HttpResponse` built from what it sent over WSGI: its status line, headers
(cookies included) and body. As Django's test handler does, `close_old_connections` is kept off the
request signals, which would otherwise close the test's connection inside its transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.core.handlers.wsgi import WSGIRequest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.test import Client
from django.test.client import ClientHandler

from minxin.core.hotpath import HotPath


class HotPathClientHandler(ClientHandler):
    def __init__(self, routes: Iterable[Callable[..., Any]], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.routes = tuple(routes)
        self.hot: HotPath | None = None
        self.passed: HttpResponseBase | None = None
        self.answered = 0  # requests the hot path answered (the others were Django's)

    def _to_django(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        self.passed = ClientHandler.__call__(self, environ)
        return []

    def __call__(self, environ: dict[str, Any]) -> HttpResponseBase:  # type: ignore[override]
        if self.hot is None:
            self.hot = HotPath(self._to_django, self.routes)
        self.passed = None
        started: list[tuple[str, list[tuple[str, str]]]] = []
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            chunks = self.hot(
                environ, lambda status, headers, exc_info=None: started.append((status, headers))
            )
            if self.passed is not None:
                return self.passed
            body = b"".join(chunks)
            chunks.close()  # request_finished, as the WSGI server sends it
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)
        self.answered += 1
        return _response(environ, *started[0], body)


def _response(
    environ: dict[str, Any], status: str, headers: list[tuple[str, str]], body: bytes
) -> HttpResponse:
    """The hot path's answer as it left over WSGI, as an HttpResponse for the test client."""
    code, _space, reason = status.partition(" ")
    response = HttpResponse(body, status=int(code), reason=reason)
    for name in list(response.headers):
        del response.headers[name]
    for name, value in headers:
        if name.lower() == "set-cookie":
            response.cookies.load(value)
        else:
            response.headers[name] = value
    response.wsgi_request = WSGIRequest(environ)  # type: ignore[attr-defined]
    return response


class HotPathClient(Client):
    """`django.test.Client` whose requests go through the hot path in front of Django."""

    def __init__(
        self, routes: Iterable[Callable[..., Any]], enforce_csrf_checks: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(enforce_csrf_checks, **kwargs)
        self.handler = HotPathClientHandler(routes, enforce_csrf_checks)
