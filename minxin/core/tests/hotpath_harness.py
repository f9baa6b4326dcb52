"""Sending one request to Django alone and through the hot path in front of it (minxin/core/hotpath.py),
as the hot-path tests of each app that has hot routes do: Django's WSGI application as minxin/wsgi.py
builds it, and the hot path for the given routes in front of it, its hand-offs to Django counted."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Apps:
    routes: Sequence[Any]
    handed_on: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        from django.core.wsgi import get_wsgi_application

        from minxin.core.hotpath import HotPath

        django_application = get_wsgi_application()

        def counted(environ: dict[str, Any], start_response: Any) -> Any:
            self.handed_on.append(environ["PATH_INFO"])
            return django_application(environ, start_response)

        self.hot = HotPath(counted, tuple(self.routes))
        self.django = django_application

    def post(
        self, app: Any, path: str, body: Any = None, *, raw: bytes | None = None, **headers: str
    ) -> Answer:
        content = raw if raw is not None else json.dumps(body or {}).encode()
        environ = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": path,
            "SCRIPT_NAME": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(content),
            "wsgi.errors": sys.stderr,
            "CONTENT_LENGTH": str(len(content)),
            "CONTENT_TYPE": "application/json",
            "HTTP_HOST": "127.0.0.1",
            "REMOTE_ADDR": "127.0.0.1",
        }
        environ.update(headers)
        started: list[Any] = []
        chunks = app(
            environ,
            lambda status, response_headers, exc_info=None: started.append((status, response_headers)),
        )
        payload = b"".join(chunks)
        if hasattr(chunks, "close"):
            chunks.close()
        status, response_headers = started[0]
        return Answer(int(status.split()[0]), {k.lower(): v for k, v in response_headers}, payload)

    def both(
        self, path: str, body: Any = None, *, raw: bytes | None = None, **headers: str
    ) -> tuple[Answer, Answer]:
        """The same request to Django alone, then through the hot path."""
        return (
            self.post(self.django, path, body, raw=raw, **headers),
            self.post(self.hot, path, body, raw=raw, **headers),
        )
