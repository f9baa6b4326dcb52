from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

from minxin.accounts.models import ApiToken
from minxin.core import clock
from minxin.core.memo import memo

DEVICE_TOKEN_SESSION_KEY = "device_token_id"  # noqa: S105 - a session key name, not a secret


def _token_still_valid(token_id: int) -> bool:
    def load() -> bool:
        token = ApiToken.objects.filter(pk=token_id).values("revoked_at", "expires_at").first()
        if token is None or token["revoked_at"] is not None:
            return False
        return token["expires_at"] is None or token["expires_at"] > clock.now()

    return memo(("device-token", token_id), 30, load)


class DeviceSessionMiddleware:
    """A kiosk or board signed in with a token keeps a long session; revoking the token (or letting it
    expire) ends that session within half a minute, so a stolen or retired device is locked out."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token_id = request.session.get(DEVICE_TOKEN_SESSION_KEY)
        if isinstance(token_id, int) and not _token_still_valid(token_id):
            logout(request)
        return self.get_response(request)
