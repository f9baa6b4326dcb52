"""One error shape for the whole API: {"error": {"code", "message", "details"}}.

Services raise `DomainError` subclasses; the API layer turns them into responses with the right status.
Codes are stable snake_case identifiers that integrators can branch on; messages are translated.
"""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise


class DomainError(Exception):
    status = 400
    code = "bad_request"

    def __init__(
        self, message: str | Promise, *, code: str | None = None, details: dict[str, Any] | None = None
    ):
        super().__init__(str(message))
        self.message = str(message)
        if code is not None:
            self.code = code
        self.details = details or {}

    def as_dict(self) -> dict[str, Any]:
        return error_body(self.code, self.message, self.details)


class InvalidInput(DomainError):
    status = 422
    code = "invalid"


class NotAuthenticated(DomainError):
    status = 401
    code = "not_authenticated"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class Throttled(DomainError):
    status = 429
    code = "throttled"

    def __init__(self, message: str | Promise, *, retry_after: int, code: str | None = None):
        super().__init__(message, code=code, details={"retry_after": retry_after})
        self.retry_after = retry_after


class ServiceUnavailable(DomainError):
    status = 503
    code = "unavailable"


def error_body(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details or {}}}
