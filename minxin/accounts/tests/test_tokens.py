from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from minxin.accounts.models import ApiToken
from minxin.accounts.services import api_token_create, api_token_revoke
from minxin.core import clock


@pytest.mark.django_db
def test_create_api_token_prints_a_token_that_authenticates(cast, client) -> None:
    out = io.StringIO()
    call_command("create_api_token", "--user", "bob", "--name", "window 1 rating pad", stdout=out)
    secret = out.getvalue().strip()
    assert secret.startswith("mx_")
    token = ApiToken.objects.get(user=cast.bob)
    assert secret not in token.token_hash
    assert token.prefix == secret[:10]
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200
    assert response.json()["username"] == "bob"
    assert response.json()["memberships"][0]["hall"] == "qhd"


@pytest.mark.django_db
def test_create_api_token_refuses_an_unknown_user() -> None:
    with pytest.raises(CommandError, match="No user named"):
        call_command("create_api_token", "--user", "nobody")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "header", ["", "Bearer", "Bearer mx_not-a-real-token", "Basic Ym9iOnB3", "Token abc"]
)
def test_a_missing_or_wrong_token_gets_401_in_the_error_shape(client, header: str) -> None:
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    response = client.get("/api/v1/me", **extra)
    assert response.status_code == 401
    assert response.json()["error"]["code"] in {"not_authenticated", "invalid_token"}
    assert set(response.json()["error"]) == {"code", "message", "details"}


@pytest.mark.django_db
def test_a_revoked_or_expired_token_stops_working(cast, client) -> None:
    revoked = api_token_create(user=cast.bob, name="old pad")
    api_token_revoke(token=revoked.token, actor=cast.alice)
    expired = api_token_create(user=cast.bob, name="temp", expires_at=clock.now() - dt.timedelta(minutes=1))
    for issued in (revoked, expired):
        response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {issued.secret}")
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "invalid_token"


@pytest.mark.django_db
def test_revoking_a_token_in_use_stops_it_at_once_in_this_process(cast, client) -> None:
    issued = api_token_create(user=cast.bob, name="pad")
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {issued.secret}").status_code == 200
    api_token_revoke(token=issued.token, actor=cast.alice)
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {issued.secret}")
    assert response.status_code == 401


@pytest.mark.django_db
def test_a_disabled_account_cannot_use_its_token(cast, client) -> None:
    issued = api_token_create(user=cast.bob, name="pad")
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {issued.secret}").status_code == 200
    cast.bob.is_active = False
    cast.bob.save(update_fields=["is_active"])
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {issued.secret}")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "account_disabled"
