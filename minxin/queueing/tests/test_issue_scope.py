"""Who may take a number for whom: the hall's kiosks and staff, a citizen for themself, or a token
granted the hall's integration role, within its rate limits. Any other token is refused."""

from __future__ import annotations

import pytest

from minxin.accounts.models import Role, User
from minxin.core.tests.hotpath_harness import Apps
from minxin.orgs.services import membership_grant
from minxin.queueing.hotpath import ROUTES
from minxin.queueing.tests.test_api import post, shape

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("at_open_hall")]
TAKE = {"service": "huji", "channel": "api", "phone": "13800001111"}


@pytest.fixture
def lookout(cast) -> User:
    user = User.objects.create_user("lookout-token")
    membership_grant(user=user, role=Role.LOOKOUT_STAFF, unit=cast.hall.unit)
    return user


@pytest.fixture
def partner(cast) -> User:
    user = User.objects.create_user("wechat-server")
    membership_grant(user=user, role=Role.INTEGRATION, hall=cast.hall)
    return user


def test_a_token_of_another_trade_may_not_take_numbers(cast, line, client, token_for, lookout) -> None:
    auth = token_for(lookout)
    for channel in ("api", "web", "app"):
        shape(
            post(client, "/api/v1/halls/qhd/tickets", TAKE | {"channel": channel}, **auth),
            403,
            "out_of_scope",
        )


def test_the_halls_integration_takes_numbers_there_and_nowhere_else(cast, line, client, token_for, partner):
    auth = token_for(partner)
    response = post(client, "/api/v1/halls/qhd/tickets", TAKE, **auth)
    assert response.status_code == 201, response.content
    shape(post(client, "/api/v1/halls/sjz-tax/tickets", TAKE, **auth), 403, "out_of_scope")
    shape(post(client, "/api/v1/halls/qhd/tickets", TAKE | {"channel": "kiosk"}, **auth), 403, "out_of_scope")


def test_an_integration_is_limited_per_phone_and_per_token(cast, line, client, token_for, partner, settings):
    auth = token_for(partner)
    statuses = [post(client, "/api/v1/halls/qhd/tickets", TAKE, **auth).status_code for _ in range(4)]
    assert statuses == [201, 409, 409, 429]  # one active number per phone, then the day's limit
    settings.INTEGRATION_NUMBERS_PER_MINUTE = 5
    others = [TAKE | {"phone": f"1390000{index:04d}"} for index in range(3)]
    statuses = [post(client, "/api/v1/halls/qhd/tickets", body, **auth).status_code for body in others]
    assert statuses == [201, 429, 429]  # four attempts this minute above, then the token's limit


@pytest.mark.django_db(transaction=True)
def test_the_hot_path_refuses_as_django_does(cast, line, token_for, lookout) -> None:
    apps = Apps(ROUTES)
    auth = {"HTTP_AUTHORIZATION": token_for(lookout)["HTTP_AUTHORIZATION"]}
    for answer in apps.both("/api/v1/halls/qhd/tickets", TAKE, **auth):
        assert answer.status == 403
        assert answer.json()["error"]["code"] == "out_of_scope"
