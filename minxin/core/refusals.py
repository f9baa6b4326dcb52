"""Input that no field can take is refused in one place, before any view sees it.

PostgreSQL cannot store a NUL character in text: a NUL in a path, a query or a body used to reach the
database and come back as a 500 there (SQLite stores it, so tests on SQLite missed it). A JSON body
nested deeper than the parser's recursion limit raised RecursionError, another 500. Both are refused
here with the error shape (404 for a path, 422 for a value, 400 for a body that cannot be parsed), for
every app present and to come. The WSGI hot path hands such requests to Django, so they end here too.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from minxin.core.errors import error_body

NUL = "\x00"
TEXT_BODIES = {"application/json", "application/x-www-form-urlencoded"}
DEEP_BRACKETS = 500


def has_nul(value: Any) -> bool:
    """Whether a NUL character is anywhere in this parsed JSON value (keys included)."""
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(has_nul(key) or has_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(has_nul(item) for item in value)
    return False


def refused(request: HttpRequest, status: int, code: str, message: str, **details: Any) -> HttpResponse:
    if request.path_info.startswith("/api/") or request.content_type == "application/json":
        body = error_body(code, message, details or None)
        return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


class RefuseUnstorableInputMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.refusal(request) or self.get_response(request)

    def refusal(self, request: HttpRequest) -> HttpResponse | None:
        if NUL in request.path_info:
            return refused(request, 404, "not_found", _("There is nothing at this address."))
        for name, value in parse_qsl(request.META.get("QUERY_STRING", ""), keep_blank_values=True):
            if NUL in name or NUL in value:
                return refused(
                    request, 422, "invalid_text", _("Text may not contain NUL characters."), field=name
                )
        if request.method in {"GET", "HEAD", "OPTIONS"}:
            return None
        return self.body_refusal(request)

    def body_refusal(self, request: HttpRequest) -> HttpResponse | None:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        length = request.META.get("CONTENT_LENGTH") or "0"
        if limit is not None and (not length.isdigit() or int(length) > limit):
            return None  # the API answers 413 (core.api); reading it here would make it a 400
        bad: str | HttpResponse | None = None
        if request.content_type == "multipart/form-data":
            # Files may hold any byte; the form's text fields may not.
            fields = [(name, value) for name, values in request.POST.lists() for value in values]
            bad = next((name for name, value in fields if NUL in name or NUL in value), None)
        elif request.content_type in TEXT_BODIES:
            bad = self.text_body_problem(request)
        if bad is None or isinstance(bad, HttpResponse):
            return bad
        return refused(request, 422, "invalid_text", _("Text may not contain NUL characters."), field=bad)

    def text_body_problem(self, request: HttpRequest) -> str | HttpResponse | None:
        body = request.body
        if request.content_type == "application/x-www-form-urlencoded":
            if b"%00" not in body.lower() and b"\x00" not in body:
                return None
            pairs = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
            return next((name for name, value in pairs if NUL in name or NUL in value), None)
        if b"\x00" in body:
            return "body"
        # Nesting deep enough to exhaust the parser needs hundreds of brackets (counted in C, cheaply).
        deep = body.count(b"[") + body.count(b"{") > DEEP_BRACKETS
        if not deep and b"\\u0000" not in body.lower():
            return None  # leave parsing to the API, which words malformed JSON in the caller's language
        try:
            data = json.loads(body)
        except RecursionError:
            return refused(request, 400, "invalid_json", _("The body is nested too deeply."))
        except ValueError:
            return None  # the API answers malformed JSON in the caller's language
        try:
            return "body" if has_nul(data) else None
        except RecursionError:
            return refused(request, 400, "invalid_json", _("The body is nested too deeply."))


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Django's 400 (e.g. a Host not in ALLOWED_HOSTS) in the API's error shape under /api/."""
    if request.path_info.startswith("/api/"):
        return JsonResponse(
            error_body("bad_request", _("The request is not valid.")),
            status=400,
            json_dumps_params={"ensure_ascii": False},
        )
    return HttpResponse(_("The request is not valid."), status=400, content_type="text/plain; charset=utf-8")
