"""Casting a ballot through the API with a bearer token (an officer's desk tool or a WeChat-style
integration) answered in front of Django's request machinery (minxin/accounts/hotpath.py), running the
very function the django-ninja view runs (`api.ballot_cast_for`). A citizen votes with a session
cookie, which needs Django (CSRF): those requests go to Django unchanged."""

from __future__ import annotations

import re

from django.conf import settings
from pydantic import BaseModel

from minxin.accounts.hotpath import HotCall, HotRoute
from minxin.voting.api import BallotIn, ballot_cast_for

_UUID = r"(?P<campaign>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"


def _client_ip(headers: dict[str, str]) -> str | None:
    """`core.audit.client_ip` from the headers: behind the proxy, the entry it appended. Directly exposed,
    the peer address is not among the headers, so the ballot records none (it only feeds the audit's
    network clusters; nothing is limited by address on this path, which carries no citizen)."""
    if settings.BEHIND_PROXY:
        last = headers.get("x-forwarded-for", "").rsplit(",", 1)[-1].strip()
        return last or None
    return None


def _cast(call: HotCall) -> tuple[int, BaseModel | None]:
    assert isinstance(call.payload, BallotIn)  # the route validated it
    headers = call.headers
    return ballot_cast_for(
        campaign_id=call.params["campaign"],
        payload=call.payload,
        auth=call.user,
        idempotency_key=headers.get("idempotency-key", ""),
        device=headers.get("x-device-id", "")[:128] or headers.get("user-agent", "")[:256],
        ip=_client_ip(headers),
    )


ROUTES = (HotRoute(re.compile(rf"/api/v1/campaigns/{_UUID}/ballots"), _cast, body=BallotIn),)
