from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minxin.core.errors import error_body

logger = logging.getLogger(__name__)


class DatabaseUnavailableMiddleware:
    """Turn a lost database connection into a 503 (JSON under /api/, a page elsewhere), not a 500.

    Only connection-level failures are caught: an IntegrityError or a programming error is a bug and
    must stay a 500 with a traceback.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if is_busy_error(exception):
            logger.warning("database busy: %s", type(exception).__name__)
            body, retry_after = database_busy_body(), BUSY_RETRY_AFTER
        elif is_connection_error(exception):
            logger.error("database unavailable: %s", type(exception).__name__)
            body, retry_after = database_unavailable_body(), "5"
        else:
            return None
        if request.path.startswith("/api/"):
            response: HttpResponse = JsonResponse(body, status=503, json_dumps_params={"ensure_ascii": False})
        else:
            response = render(request, "503.html", {"message": body["error"]["message"]}, status=503)
        response["Retry-After"] = retry_after
        return response


_API_STATUS_CODES = {
    400: ("bad_request", gettext_lazy("The request is not valid.")),
    403: ("forbidden", gettext_lazy("You may not do this here.")),
    404: ("not_found", gettext_lazy("There is nothing at this address.")),
    405: ("method_not_allowed", gettext_lazy("This method is not allowed here.")),
    413: ("too_large", gettext_lazy("The request is too large.")),
}


REQUEST_FAILED = ("error", gettext_lazy("The request failed."))  # what an API 500 says


BUSY_RETRY_AFTER = "2"
# SQLSTATEs of a statement cancelled by statement_timeout and of a lock not had within lock_timeout.
BUSY_SQLSTATES = {"57014", "55P03"}


def database_busy_body() -> dict[str, Any]:
    """The API's answer (503) when the database did not answer in time (a held lock, a slow statement)."""
    return error_body("database_busy", _("The service is busy. Please try again in a moment."))


def is_busy_error(exception: BaseException) -> bool:
    """A statement or lock timeout (PostgreSQL) or a write lock not had in time (SQLite)."""
    if not isinstance(exception, OperationalError):
        return False
    cause = exception.__cause__
    if getattr(cause, "sqlstate", None) in BUSY_SQLSTATES:
        return True
    return "database is locked" in str(exception).lower()


def database_unavailable_body() -> dict[str, Any]:
    """The API's answer (503) when the database connection is lost."""
    return error_body("database_unavailable", _("The database is unavailable. Please try again shortly."))


class ApiErrorShapeMiddleware:
    """Give every API error the one JSON shape, including the few that frameworks answer themselves
    (django-ninja's plain-text 405, Django's HTML 400/413) before our handlers see them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith("/api/") or response.status_code < 400:
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        code, message = _API_STATUS_CODES.get(response.status_code, REQUEST_FAILED)
        shaped = JsonResponse(
            error_body(code, str(message)),
            status=response.status_code,
            json_dumps_params={"ensure_ascii": False},
        )
        for header in ("Allow", "Retry-After", "WWW-Authenticate"):
            if header in response:
                shaped[header] = response[header]
        return shaped


def is_connection_error(exception: BaseException) -> bool:
    if isinstance(exception, InterfaceError):
        return True
    if isinstance(exception, OperationalError):
        text = str(exception).lower()
        return any(
            marker in text
            for marker in ("connect", "connection", "server closed", "unable to open", "terminating")
        )
    return isinstance(exception, DatabaseError) and "connection" in str(exception).lower()
