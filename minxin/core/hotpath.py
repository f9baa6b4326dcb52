"""The API's hottest calls answered by Django without the middleware they do not need.

A kiosk taking a number or a clerk calling the next one is about a millisecond of the service's own work,
and the session, CSRF, sign-in, second-factor and message middleware around it cost as much again for a
call that carries a bearer token and no session. `HotPath` wraps Django's WSGI application (minxin/wsgi.py)
and answers such a call itself, as Django would, with Django's own parts:

- it is a `WSGIHandler`: the script prefix, the `request_started` / `request_finished` signals (and so
  `close_old_connections` with its health check, around every request), `WSGIRequest`, the `django.request`
  log of every 4xx/5xx, Django's handling of an exception (handler400/500) are Django's;
- the path is resolved by Django's URL resolver, and the view run is the django-ninja view Django would
  run: its operation's authentication, its path, query, header and body models, its error handlers and its
  rendering. A route table (minxin/queueing/hotpath.py) names the ninja views that may be answered here;
  a view that is not a django-ninja operation, or whose first authentication is not a bearer token, is
  refused at start-up;
- the middleware is settings.MIDDLEWARE in its order, less LEFT_TO_DJANGO (each with the reason a bearer
  call without a session does not need it). Adding middleware therefore puts it on the hot path too; a test
  pins the list (minxin/core/tests/test_hotpath.py) so that the choice is made each time.

A request is answered here only when it is a routed operation's method, carries `Authorization: Bearer …`
and no session cookie; everything else goes to Django unchanged. HOT_PATH=0 serves Django alone.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, MiddlewareNotUsed
from django.core.handlers.exception import convert_exception_to_response
from django.core.handlers.wsgi import WSGIHandler, get_path_info
from django.http import HttpRequest
from django.http.cookie import parse_cookie
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver
from django.urls.resolvers import ResolverMatch
from django.utils.module_loading import import_string
from ninja.operation import Operation, PathView
from ninja.security import HttpBearer

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]
Middleware = Callable[[Callable[[HttpRequest], Any]], Any]
MATCH = "minxin.hotpath.match"  # the environ key of the ResolverMatch found while choosing the path


# settings.MIDDLEWARE less these is the hot path's middleware, in Django's order; each with the reason a call
# with a bearer token and no session cookie does without it. (SessionMiddleware and DeviceSessionMiddleware
# do run: without a cookie the session is empty and never loaded, and they add the `Vary: Cookie` Django
# sends.)
LEFT_TO_DJANGO: dict[str, str] = {
    "whitenoise.middleware.WhiteNoiseMiddleware": "serves static files; an API path is never one",
    "django.middleware.csrf.CsrfViewMiddleware": "ninja views are CSRF-exempt; a bearer call has no session",
    "django.contrib.auth.middleware.AuthenticationMiddleware": "the operation's bearer sets request.user",
    "django_otp.middleware.OTPMiddleware": "session sign-ins only",
    "minxin.accounts.twofactor.SecondFactorMiddleware": "session sign-ins only (never with a token)",
    "django.contrib.messages.middleware.MessageMiddleware": "pages only",
    "django_htmx.middleware.HtmxMiddleware": "pages only (request.htmx)",
}


class HotPath(WSGIHandler):
    """WSGI application: the routed ninja operations called with a bearer token answered by Django's
    handler with the hot middleware, everything else by `django` (Django's WSGI handler)."""

    def __init__(self, django: WsgiApp, views: Iterable[Callable[..., Any]]) -> None:
        self.django = django
        self.operations = _operations(frozenset(views))
        self.methods = frozenset(method for _callback, method in self.operations)
        super().__init__()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Any:
        match = self._match(environ)
        if match is None:
            return self.django(environ, start_response)
        environ[MATCH] = match
        return super().__call__(environ, start_response)

    def _match(self, environ: dict[str, Any]) -> ResolverMatch | None:
        """Django's resolution of a request the hot path answers, or None for Django to answer it."""
        method = environ.get("REQUEST_METHOD", "")
        if method not in self.methods or not _bearer(environ.get("HTTP_AUTHORIZATION", "")):
            return None
        cookie = environ.get("HTTP_COOKIE")
        if cookie and settings.SESSION_COOKIE_NAME in parse_cookie(cookie):
            return None  # a session: its middleware is Django's
        try:
            match = get_resolver().resolve(get_path_info(environ))
        except Resolver404:
            return None
        return match if (match.func, method) in self.operations else None

    def resolve_request(self, request: HttpRequest) -> ResolverMatch:
        """The match found while choosing the path (Django's resolver, once per request)."""
        match: ResolverMatch = request.environ.pop(MATCH, None) or get_resolver().resolve(request.path_info)  # type: ignore[attr-defined]
        request.resolver_match = match
        return match

    def load_middleware(self, is_async: bool = False) -> None:
        """Django's BaseHandler.load_middleware (synchronous) over hot_middleware()."""
        self._view_middleware: list[Any] = []
        self._template_response_middleware: list[Any] = []
        self._exception_middleware: list[Any] = []
        handler = convert_exception_to_response(self._get_response)  # type: ignore[attr-defined]
        for middleware in reversed(hot_middleware()):
            try:
                instance = middleware(handler)
            except MiddlewareNotUsed:
                continue
            if instance is None:
                raise ImproperlyConfigured(f"Middleware factory {middleware} returned None.")
            if hasattr(instance, "process_view"):
                self._view_middleware.insert(0, instance.process_view)
            if hasattr(instance, "process_template_response"):
                self._template_response_middleware.append(instance.process_template_response)
            if hasattr(instance, "process_exception"):
                self._exception_middleware.append(instance.process_exception)
            handler = convert_exception_to_response(instance)
        self._middleware_chain = handler


def hot_middleware() -> list[Middleware]:
    """settings.MIDDLEWARE in its order, less LEFT_TO_DJANGO."""
    return [import_string(path) for path in settings.MIDDLEWARE if path not in LEFT_TO_DJANGO]


def _bearer(authorization: str) -> bool:
    """Whether django-ninja's HttpBearer takes this Authorization header as its own (then it answers or
    refuses the call itself, and no session authentication after it is asked)."""
    return bool(authorization) and authorization.split(" ")[0].lower() == "bearer"


def _operations(views: frozenset[Callable[..., Any]]) -> dict[tuple[Any, str], Operation]:
    """(URL callback, method) → operation for each routed view, found in Django's URL configuration;
    start-up fails for a view that is not found, or whose first authentication is not a bearer token."""
    found: dict[tuple[Any, str], Operation] = {}
    seen: set[Callable[..., Any]] = set()
    for callback, path_view in _ninja_callbacks(get_resolver().url_patterns):
        for operation in path_view.operations:
            if operation.view_func not in views:
                continue
            _check(operation)
            seen.add(operation.view_func)
            for method in operation.methods:
                found.setdefault((callback, method), operation)
    if missing := views - seen:
        names = ", ".join(sorted(view.__qualname__ for view in missing))
        raise ImproperlyConfigured(f"Hot path: no django-ninja operation in the URLs for {names}")
    return found


def _check(operation: Operation) -> None:
    first = operation.auth_callbacks[0] if operation.auth_callbacks else None
    if not (
        isinstance(first, HttpBearer) and first.header == "Authorization" and first.openapi_scheme == "bearer"
    ):
        raise ImproperlyConfigured(
            f"Hot path: {operation.view_func.__qualname__} must authenticate a bearer token first"
        )


def _ninja_callbacks(patterns: Iterable[Any]) -> Iterable[tuple[Any, PathView]]:
    """Every URL callback of django-ninja in the URL configuration, with its PathView (the operations
    of one path, one per method)."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _ninja_callbacks(pattern.url_patterns)
        elif isinstance(pattern, URLPattern) and isinstance(
            owner := _closure_owner(pattern.callback), PathView
        ):
            yield pattern.callback, owner


def _closure_owner(callback: Any) -> Any:
    """The `self` a django-ninja URL callback closes over (PathView.get_view), or None."""
    if not inspect.isfunction(callback) or "self" not in callback.__code__.co_freevars:
        return None
    cell = (callback.__closure__ or ())[callback.__code__.co_freevars.index("self")]
    return cell.cell_contents
