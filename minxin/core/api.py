"""The API's error handling: every failure leaves as {"error": {"code", "message", "details"}}."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.db import DatabaseError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError

from minxin.core.errors import DomainError, Throttled, error_body
from minxin.core.middleware import is_connection_error

_STATUS_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "invalid",
    429: "throttled",
    503: "unavailable",
}


def error_response(
    status: int, code: str, message: str, details: dict[str, Any] | None = None
) -> HttpResponse:
    return JsonResponse(
        error_body(code, message, details), status=status, json_dumps_params={"ensure_ascii": False}
    )


def _field_name(location: Any) -> str:
    parts = [
        str(part) for part in location if part not in {"body", "query", "path", "header", "form", "payload"}
    ]
    return ".".join(parts)


def install_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(DomainError)
    def domain_error(request: HttpRequest, error: DomainError) -> HttpResponse:
        response = error_response(error.status, error.code, error.message, error.details)
        if isinstance(error, Throttled):
            response["Retry-After"] = str(error.retry_after)
        return response

    @api.exception_handler(ValidationError)
    def validation_error(request: HttpRequest, error: ValidationError) -> HttpResponse:
        fields = [
            {
                "field": _field_name(item.get("loc", ())),
                "message": str(item.get("msg", "")),
                "type": item.get("type"),
            }
            for item in error.errors
        ]
        first = fields[0]["field"] if fields else ""
        message = (
            _("Invalid value for %(field)s.") % {"field": first} if first else _("The request is not valid.")
        )
        return error_response(422, "invalid", message, {"fields": fields})

    @api.exception_handler(AuthenticationError)
    def authentication_error(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
        response = error_response(401, "not_authenticated", _("Sign in or send a valid API token."))
        response["WWW-Authenticate"] = "Bearer"
        return response

    @api.exception_handler(AuthorizationError)
    def authorization_error(request: HttpRequest, error: AuthorizationError) -> HttpResponse:
        return error_response(403, "forbidden", _("You may not do this here."))

    @api.exception_handler(RequestDataTooBig)
    def too_large(request: HttpRequest, error: RequestDataTooBig) -> HttpResponse:
        return error_response(413, "too_large", _("The request is too large."))

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, error: Http404) -> HttpResponse:
        return error_response(404, "not_found", str(error) or _("Not found."))

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
        message = str(error)
        if error.status_code == 400 and message.startswith("Cannot parse request body"):
            # django-ninja's words are English, and name the parser
            message = _("The body is not valid JSON.")
        return error_response(error.status_code, _STATUS_CODES.get(error.status_code, "error"), message)

    @api.exception_handler(DatabaseError)
    def database_error(request: HttpRequest, error: DatabaseError) -> HttpResponse:
        if not is_connection_error(error):
            raise error
        response = error_response(
            503, "database_unavailable", _("The database is unavailable. Please try again shortly.")
        )
        response["Retry-After"] = "5"
        return response
