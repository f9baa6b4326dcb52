"""The API's hottest calls answered without Django's request machinery.

A kiosk taking a number or a clerk calling the next one is about a millisecond of the service's own
work, and Django's middleware stack and django-ninja's request handling around it cost as much again
(measured: bench/README.md). `HotPath` wraps the WSGI application (minxin/wsgi.py) and answers a POST
to a registered route itself: it reads the bearer token and the JSON body, runs the *same* function the
django-ninja view runs (the token check included) and sends its result with the same status, body and
headers. Every request it cannot answer exactly as Django would goes to Django unchanged, body and all:
no bearer token (a browser session, which needs the CSRF check), a host Django would refuse, a
plain-HTTP request Django would redirect, a body that is not JSON or does not validate (django-ninja
words the 422), or one too large. So the two paths differ in speed only; tests compare their answers.

The routes are the calls that carry the load (minxin/queueing/hotpath.py: taking a number, and a
clerk's call-next, start, finish, recall and no-show).
"""

from __future__ import annotations

import functools
import io
import json
import logging
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl

from django.conf import settings
from django.core.handlers.wsgi import get_script_name
from django.db import connections
from django.http import HttpRequest
from django.http.cookie import parse_cookie
from django.http.request import split_domain_port, validate_host
from django.urls import set_script_prefix
from django.utils import translation
from ninja.responses import NinjaJSONEncoder
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from minxin.accounts.models import User
from minxin.accounts.services import api_token_authenticate
from minxin.core.errors import DomainError, Throttled
from minxin.core.headers import CONTENT_SECURITY_POLICY, PERMISSIONS_POLICY
from minxin.core.middleware import (
    BUSY_RETRY_AFTER,
    database_busy_body,
    database_unavailable_body,
    is_busy_error,
    is_connection_error,
)
from minxin.core.views import server_error_body

logger = logging.getLogger(__name__)

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]
JSON_TYPE = "application/json; charset=utf-8"  # what django-ninja sends with a result
ERROR_TYPE = "application/json"  # what the API's error handlers (JsonResponse) send


@dataclass(frozen=True, slots=True)
class HotCall:
    """What a route's function gets: the authenticated staff user, the path's named groups, the
    validated body and query (None for a route without them) and the request headers (lower-case
    names)."""

    user: User
    params: dict[str, str]
    payload: BaseModel | None
    headers: dict[str, str]
    query: BaseModel | None = None


@dataclass(frozen=True, slots=True)
class HotRoute:
    """POST `pattern` (matched against the whole path) answered by `call` with (status, result): None
    for an empty 204, else a schema, sent as django-ninja sends it. `body` and `query` validate the
    JSON body and the query string (a route without `query` ignores it, as django-ninja ignores
    parameters it does not declare)."""

    pattern: re.Pattern[str]
    call: Callable[[HotCall], tuple[int, BaseModel | None]]
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None


class HotPath:
    """WSGI application: the routed calls answered here, everything else by `django` (Django's WSGI
    handler), which also answers a routed call whenever this could not answer exactly as it would."""

    def __init__(self, django: WsgiApp, routes: Iterable[HotRoute]) -> None:
        self.django = django
        self.routes = tuple(routes)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        # A NUL anywhere in the query goes to Django, which refuses it in one place (core.refusals).
        plain = "%00" not in environ.get("QUERY_STRING", "")
        found = self._route(environ) if environ.get("REQUEST_METHOD") == "POST" and plain else None
        if found is None:
            return self.django(environ, start_response)
        route, params = found
        headers = _headers(environ)
        secret = _bearer(headers.get("authorization", ""))
        if secret is None or not _host_allowed(headers) or _redirects_to_https(environ, headers):
            return self.django(environ, start_response)
        body = _read_body(environ)
        if body is None:
            return self.django(environ, start_response)
        environ["wsgi.input"] = io.BytesIO(body)  # Django may still have to read it
        payload = None
        if route.body is not None:
            payload = _payload(route.body, body, headers)
            if payload is None:
                return self.django(environ, start_response)
        query = None
        if route.query is not None:
            query = _query(route.query, environ.get("QUERY_STRING", ""))
            if query is None:
                return self.django(environ, start_response)
        set_script_prefix(get_script_name(environ))
        language = _language(headers.get("cookie", ""), headers.get("accept-language", ""))
        status, content, content_type, extra = _answer(
            route,
            params=params,
            payload=payload,
            query=query,
            headers=headers,
            secret=secret,
            language=language,
        )
        response_headers = [
            ("Content-Type", content_type),
            ("Content-Length", str(len(content))),
            *_common_headers(language, environ, headers),
            *extra,
        ]
        start_response(f"{status} {HTTPStatus(status).phrase}", response_headers)
        return [content]

    def _route(self, environ: dict[str, Any]) -> tuple[HotRoute, dict[str, str]] | None:
        path = environ.get("PATH_INFO", "")
        for route in self.routes:
            if match := route.pattern.fullmatch(path):
                return route, match.groupdict()
        return None


def _answer(
    route: HotRoute,
    *,
    params: dict[str, str],
    payload: BaseModel | None,
    query: BaseModel | None,
    headers: dict[str, str],
    secret: str,
    language: str,
) -> tuple[int, bytes, str, list[tuple[str, str]]]:
    """Authenticate, run the route and render it: (status, body, content type, extra headers)."""
    translation.activate(language)
    try:
        try:
            user = api_token_authenticate(secret=secret)
            call = HotCall(user=user, params=params, payload=payload, headers=headers, query=query)
            status, result = route.call(call)
        except DomainError as error:
            extra = [("Retry-After", str(error.retry_after))] if isinstance(error, Throttled) else []
            return error.status, _json(error.as_dict()), ERROR_TYPE, extra
        except Exception as error:
            if is_busy_error(error):
                logger.warning("database busy: %s", type(error).__name__)
                return 503, _json(database_busy_body()), ERROR_TYPE, [("Retry-After", BUSY_RETRY_AFTER)]
            if not is_connection_error(error):
                logger.exception("hot path %s failed", route.pattern.pattern)
                return 500, _json(server_error_body()), ERROR_TYPE, []
            logger.error("database unavailable: %s", type(error).__name__)
            return 503, _json(database_unavailable_body()), ERROR_TYPE, [("Retry-After", "5")]
        if result is None:
            return status, b"", JSON_TYPE, []
        return status, _json(result.model_dump()), JSON_TYPE, []
    finally:
        translation.deactivate()
        _tidy_connections()


def _json(data: Any) -> bytes:
    return json.dumps(data, cls=NinjaJSONEncoder, ensure_ascii=False).encode()


def _tidy_connections() -> None:
    """What Django does for a connection between two requests (close_old_connections), without the
    per-request health check: close it after an error it cannot recover from, or past CONN_MAX_AGE."""
    for connection in connections.all(initialized_only=True):
        if connection.connection is None:
            continue
        if connection.in_atomic_block or not connection.get_autocommit():
            connection.close()
        elif connection.errors_occurred:
            if connection.is_usable():
                connection.errors_occurred = False
            else:
                connection.close()
        elif connection.close_at is not None and time.monotonic() >= connection.close_at:
            connection.close()


def _bearer(authorization: str) -> str | None:
    """The token of `Authorization: Bearer <token>`, split as django-ninja's HttpBearer splits it."""
    scheme, _space, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not _space:
        return None
    return token


def _host_allowed(headers: dict[str, str]) -> bool:
    """Whether Django would accept the request's host (HttpRequest.get_host); if not, Django answers."""
    if settings.USE_X_FORWARDED_HOST and "x-forwarded-host" in headers:
        return False
    host = headers.get("host")
    if not host:
        return False
    allowed = settings.ALLOWED_HOSTS
    if settings.DEBUG and not allowed:
        allowed = [".localhost", "127.0.0.1", "[::1]"]
    domain, _port = split_domain_port(host)
    return bool(domain) and validate_host(domain, allowed)


def _is_secure(environ: dict[str, Any], headers: dict[str, str]) -> bool:
    if settings.SECURE_PROXY_SSL_HEADER:
        name, secure_value = settings.SECURE_PROXY_SSL_HEADER
        header = name.removeprefix("HTTP_").replace("_", "-").lower()
        if header in headers:
            return headers[header].split(",", 1)[0].strip() == secure_value
    return environ.get("wsgi.url_scheme") == "https"


def _redirects_to_https(environ: dict[str, Any], headers: dict[str, str]) -> bool:
    return bool(settings.SECURE_SSL_REDIRECT) and not _is_secure(environ, headers)


def _common_headers(language: str, environ: dict[str, Any], headers: dict[str, str]) -> list[tuple[str, str]]:
    """The headers Django's middleware adds to an API response (SecurityMiddleware, XFrameOptions,
    LocaleMiddleware), so a client cannot tell the two paths apart."""
    # Vary: LocaleMiddleware's Accept-Language, and SessionMiddleware's Cookie (DeviceSessionMiddleware
    # reads the session on every request).
    out = [("Vary", "Accept-Language, Cookie"), ("Content-Language", language)]
    if settings.SECURE_CONTENT_TYPE_NOSNIFF:
        out.append(("X-Content-Type-Options", "nosniff"))
    if settings.SECURE_REFERRER_POLICY:
        policy = settings.SECURE_REFERRER_POLICY
        value = policy if isinstance(policy, str) else ",".join(policy)
        out.append(("Referrer-Policy", value))
    if settings.SECURE_CROSS_ORIGIN_OPENER_POLICY:
        out.append(("Cross-Origin-Opener-Policy", settings.SECURE_CROSS_ORIGIN_OPENER_POLICY))
    if settings.SECURE_HSTS_SECONDS and _is_secure(environ, headers):
        value = f"max-age={settings.SECURE_HSTS_SECONDS}"
        if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS:
            value += "; includeSubDomains"
        if settings.SECURE_HSTS_PRELOAD:
            value += "; preload"
        out.append(("Strict-Transport-Security", value))
    out.append(("X-Frame-Options", getattr(settings, "X_FRAME_OPTIONS", "DENY").upper()))
    out.append(("Content-Security-Policy", CONTENT_SECURITY_POLICY))  # core.headers
    out.append(("Permissions-Policy", PERMISSIONS_POLICY))
    return out


@functools.lru_cache(maxsize=256)
def _language(cookie: str, accept_language: str) -> str:
    """The language LocaleMiddleware would pick for an API path (no language prefix in it)."""
    request = HttpRequest()
    request.COOKIES = parse_cookie(cookie) if cookie else {}
    if accept_language:
        request.META["HTTP_ACCEPT_LANGUAGE"] = accept_language
    return translation.get_language_from_request(request, check_path=False)


def _payload(schema: type[BaseModel], body: bytes, headers: dict[str, str]) -> BaseModel | None:
    """The body as django-ninja would validate it (json.loads, then the schema), or None for Django
    to answer: not declared as JSON, not JSON, or invalid."""
    if headers.get("content-type", "").split(";", 1)[0].strip().lower() != "application/json":
        return None
    if b"\x00" in body or b"\\u0000" in body.lower():
        return None  # Django refuses NUL characters (core.refusals)
    try:
        data = json.loads(body)
        return schema.model_validate(data) if isinstance(data, dict) else None
    except (ValueError, RecursionError, PydanticValidationError):
        return None


def _query(schema: type[BaseModel], query_string: str) -> BaseModel | None:
    """The query string validated by `schema`, or None for Django to answer (django-ninja words the
    422)."""
    try:
        return schema.model_validate(dict(parse_qsl(query_string, keep_blank_values=True)))
    except PydanticValidationError:
        return None


def _read_body(environ: dict[str, Any]) -> bytes | None:
    """The request body, or None for Django to answer: a length it would refuse or could not read."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if length < 0 or (limit is not None and length > limit):
        return None
    body: bytes = environ["wsgi.input"].read(length) if length else b""
    return body if len(body) == length else None


def _headers(environ: dict[str, Any]) -> dict[str, str]:
    """The request headers by lower-case name, as WSGI gives them (HTTP_* plus the content ones)."""
    headers = {
        key[5:].replace("_", "-").lower(): value for key, value in environ.items() if key.startswith("HTTP_")
    }
    for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        if environ.get(key):
            headers[key.replace("_", "-").lower()] = environ[key]
    return headers
