"""The voting cast: olga runs campaigns in Qinhuangdao, sam in Shijiazhuang (and must be refused in
Qinhuangdao); citizens vote with phones 1380000xxxx and ID numbers from `id_number(n)`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
import time_machine

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)

# Voting runs 2026-12-01 to 2026-12-15 (Shanghai); "during" is a moment inside it.
OPENS = dt.datetime(2026, 12, 1, 0, 0, tzinfo=dt.UTC)
CLOSES = dt.datetime(2026, 12, 15, 0, 0, tzinfo=dt.UTC)
DURING = dt.datetime(2026, 12, 5, 2, 0, tzinfo=dt.UTC)
AFTER = dt.datetime(2026, 12, 16, 2, 0, tzinfo=dt.UTC)


def id_number(n: int, region: str = "130302") -> str:
    """A valid resident ID number (GB 11643 check digit) for person n."""
    body = f"{region}19{80 + n // 1000 % 20:02d}0101{n % 1000:03d}"
    total = sum(int(d) * w for d, w in zip(body, _WEIGHTS, strict=True))
    return body + "10X98765432"[total % 11]


@dataclass
class Voting:
    olga: Any
    sam: Any
    campaign: Any


def campaign_data(region: Any, **overrides: Any) -> Any:
    from minxin.voting.services import CampaignData, CandidateData

    candidates = [
        CandidateData(name="人民公园改造", category="生态廊道和公园", cost=Decimal("3000000")),
        CandidateData(name="新华路新建", category="新建道路", cost=Decimal("5000000")),
        CandidateData(name="和平路路灯", category="路灯", cost=Decimal("1000000")),
        CandidateData(name="光明道污水管网", category="污水", cost=Decimal("2000000")),
    ]
    fields = {
        "title": "城市建设项目征求意见",
        "region": region,
        "opens_at": OPENS,
        "closes_at": CLOSES,
        "candidates": candidates,
        "letter": "致全市人民的一封信\n\n请选择您最希望优先开工的项目。",
        "min_choices": 1,
        "max_choices": 2,
        "result_rule": "equal_shares",
        "budget": Decimal("6000000"),
    } | overrides
    return CampaignData(**fields)


@pytest.fixture
def voting(cast: Any) -> Voting:
    from minxin.accounts.models import Role, User
    from minxin.orgs.services import membership_grant
    from minxin.voting.services import campaign_create

    olga = User.objects.create_user(username="olga", password="olga-pass-123")
    sam = User.objects.create_user(username="sam", password="sam-pass-123")
    membership_grant(user=olga, role=Role.CAMPAIGN_OFFICER, region=cast.qhd_city)
    membership_grant(user=sam, role=Role.CAMPAIGN_OFFICER, region=cast.sjz_city)
    with time_machine.travel(OPENS - dt.timedelta(days=3), tick=False):
        campaign = campaign_create(data=campaign_data(cast.qhd_city), actor=olga)
    return Voting(olga=olga, sam=sam, campaign=campaign)


@pytest.fixture
def open_campaign(voting: Voting) -> Voting:
    from minxin.voting.services import campaign_open

    with time_machine.travel(OPENS, tick=False):
        voting.campaign = campaign_open(campaign=voting.campaign, actor=voting.olga)
    return voting


@pytest.fixture
def during() -> Any:
    with time_machine.travel(DURING, tick=True) as traveller:
        yield traveller


def sign_in(client: Any, sms_outbox: Any, phone: str) -> None:
    """Verify a phone on this client's session the way a citizen does (code read from the SMS outbox)."""
    response = client.post("/api/v1/citizens/otp", {"phone": phone}, content_type="application/json")
    assert response.status_code == 202, response.content
    code = "".join(ch for ch in sms_outbox[-1].text if ch.isdigit())[:6]
    response = client.post(
        "/api/v1/citizens/session", {"phone": phone, "code": code}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
