from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer
from ninja.security.session import SessionAuth

from minxin.accounts.models import User
from minxin.accounts.services import api_token_authenticate


class BearerToken(HttpBearer):
    """`Authorization: Bearer mx_…` for devices and integrations."""

    openapi_description = "API token created with `manage.py create_api_token` or in the admin."

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_authenticate(secret=token)
        request.user = user
        return user


class StaffSession(SessionAuth):
    """A signed-in staff browser session (CSRF-checked on unsafe methods)."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        return user if user is not None and user.is_active else None


staff_auth = [BearerToken(), StaffSession()]


def request_user(request: HttpRequest) -> User:
    """The staff user that authenticated this API request (by token or session)."""
    user = getattr(request, "auth", None)
    if not isinstance(user, User):
        raise TypeError("request_user() needs an endpoint with auth=staff_auth")
    return user
