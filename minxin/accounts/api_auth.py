from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer
from ninja.security.session import SessionAuth

from minxin.accounts.models import User
from minxin.accounts.services import api_token_authenticate, citizen_of_session


class BearerToken(HttpBearer):
    """`Authorization: Bearer mx_…` for devices and integrations."""

    openapi_description = "API token created with `manage.py create_api_token` or in the admin."

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_authenticate(secret=token)
        request.user = user
        return user


class StaffSession(SessionAuth):
    """A signed-in staff browser session (CSRF-checked on unsafe methods). A request without a signed-in
    user passes on to the next authenticator untouched: the CSRF check guards sessions, and an anonymous
    caller has none to abuse."""

    def __call__(self, request: HttpRequest) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        return super().__call__(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        return user if user is not None and user.is_active else None


class CitizenSession(SessionAuth):
    """A citizen signed in on this browser with a phone and one-time code (CSRF-checked)."""

    def __call__(self, request: HttpRequest) -> Any:
        if not isinstance(request.session.get("citizen_id"), int):
            return None
        return super().__call__(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return citizen_of_session(request.session)


staff_auth = [BearerToken(), StaffSession()]


def request_user(request: HttpRequest) -> User:
    """The staff user that authenticated this API request (by token or session)."""
    user = getattr(request, "auth", None)
    if not isinstance(user, User):
        raise TypeError("request_user() needs an endpoint with auth=staff_auth")
    return user
