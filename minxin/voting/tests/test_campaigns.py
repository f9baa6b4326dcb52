"""The campaign's life through the API: create, open (rules freeze), hidden counts, close, results,
publish, audit and quarantine; and the officer's scope."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from minxin.voting.models import Ballot, CampaignState
from minxin.voting.tests.conftest import AFTER, CLOSES, DURING, OPENS, id_number

pytestmark = [pytest.mark.django_db]

BODY = {
    "title": "廊坊市城建项目征求意见",
    "ballot": {"kind": "approval", "min": 1, "max": 2},
    "result_rule": "greedy",
    "budget": "5000",
    "candidates": [
        {"name": "公园", "category": "公园", "cost": "3000"},
        {"name": "道路", "category": "新建道路", "cost": "2500"},
        {"name": "路灯", "category": "路灯", "cost": "1000"},
    ],
    "opens_at": OPENS.isoformat(),
    "closes_at": CLOSES.isoformat(),
}


def post(client: Any, path: str, body: Any = None, **headers: Any) -> Any:
    return client.post(f"/api/v1{path}", body or {}, content_type="application/json", **headers)


def test_an_officer_creates_a_campaign_and_another_regions_officer_cannot_see_the_draft(
    client, voting, token_for
) -> None:
    with time_machine.travel(OPENS - dt.timedelta(days=1)):
        created = post(client, "/campaigns", BODY, **token_for(voting.olga))
        assert created.status_code == 201, created.content
        campaign_id = created.json()["id"]
        assert [c["id"] for c in created.json()["candidates"]] == [1, 2, 3]
        assert client.get(f"/api/v1/campaigns/{campaign_id}", **token_for(voting.sam)).status_code == 404
        assert post(client, f"/campaigns/{campaign_id}/open", **token_for(voting.sam)).status_code == 404


def test_rules_freeze_when_voting_opens(client, open_campaign, token_for) -> None:
    response = client.put(
        f"/api/v1/campaigns/{open_campaign.campaign.public_id}",
        BODY | {"region": "130300"},
        content_type="application/json",
        **token_for(open_campaign.olga),
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "rules_frozen"


def test_counts_are_hidden_from_everyone_until_close_admins_included(
    client, open_campaign, token_for
) -> None:
    from minxin.accounts.models import User

    root = User.objects.create_superuser(username="root", password="root-pass-123")
    path = f"/api/v1/campaigns/{open_campaign.campaign.public_id}/results"
    with time_machine.travel(DURING):
        for headers in ({}, token_for(open_campaign.olga), token_for(root)):
            response = client.get(path, **headers)
            assert response.status_code == 409
            assert response.json()["error"]["code"] == "not_closed"


def test_after_close_the_results_count_every_channel_and_fund_within_the_budget(
    client, open_campaign, token_for
) -> None:
    campaign = open_campaign.campaign
    headers = token_for(open_campaign.olga)
    with time_machine.travel(DURING):
        for n, (channel, choices) in enumerate(
            [("paper", [1]), ("email", [1, 3]), ("phone", [2]), ("wechat", [1, 2])]
        ):
            voter = {"id_number": id_number(n)} | ({"external_id": f"ox{n}"} if channel == "wechat" else {})
            response = post(
                client,
                f"/campaigns/{campaign.public_id}/ballots",
                {"choices": choices, "channel": channel, "voter": voter},
                **headers,
            )
            assert response.status_code == 201, response.content
    with time_machine.travel(AFTER):
        assert post(client, f"/campaigns/{campaign.public_id}/close", **headers).status_code == 200
        data = client.get(f"/api/v1/campaigns/{campaign.public_id}/results").json()
    assert data["participants"] == 4
    assert data["ballots_by_channel"] == {"paper": 1, "email": 1, "phone": 1, "wechat": 1}
    assert [(row["candidate"], row["votes"], row["rank"]) for row in data["ranking"]] == [
        (1, 3, 1),
        (2, 2, 2),
        (3, 1, 3),
        (4, 0, 4),
    ]
    # Budget 6,000,000: project 1 (3,000,000), not 2 (5,000,000), then 3; 4 fits but nobody chose it.
    assert data["funded"]["greedy"] == [1, 3]
    assert set(data["funded"]) == {"greedy", "equal_shares"}


def test_a_ballot_after_the_closing_time_is_refused(client, open_campaign, token_for) -> None:
    with time_machine.travel(CLOSES + dt.timedelta(minutes=1)):
        response = post(
            client,
            f"/campaigns/{open_campaign.campaign.public_id}/ballots",
            {"choices": [1], "channel": "paper", "voter": {"id_number": id_number(1)}},
            **token_for(open_campaign.olga),
        )
    assert response.json()["error"]["code"] == "voting_not_open"


def test_quarantined_ballots_are_kept_and_counted_apart(client, open_campaign, token_for) -> None:
    from minxin.voting.services import ballot_cast, campaign_close

    campaign = open_campaign.campaign
    with time_machine.travel(DURING):
        for n in range(6):
            ballot_cast(
                campaign=campaign,
                choices=[2],
                channel="wechat",
                id_number=id_number(n),
                external_id=f"bot{n}",
                entered_by=open_campaign.olga,
                ip="10.1.2.3",
                device="same-phone",
            )
        ballot_cast(
            campaign=campaign,
            choices=[1],
            channel="paper",
            id_number=id_number(99),
            entered_by=open_campaign.olga,
        )
    with time_machine.travel(AFTER):
        campaign = campaign_close(campaign=campaign, actor=open_campaign.olga)
        headers = token_for(open_campaign.olga)
        report = client.get(f"/api/v1/campaigns/{campaign.public_id}/audit", **headers).json()
        cluster = report["network"][0]["cluster"]
        assert cluster == "network:10.1.2.0/24"
        changed = post(
            client,
            f"/campaigns/{campaign.public_id}/quarantine",
            {"cluster": cluster, "reason": "同一网络批量投票"},
            **headers,
        )
        assert changed.json() == {"changed": 6}
        data = client.get(f"/api/v1/campaigns/{campaign.public_id}/results").json()
    assert Ballot.objects.count() == 7
    assert (data["participants"], data["quarantined"]) == (1, 6)
    assert next(row for row in data["ranking"] if row["candidate"] == 2)["quarantined_votes"] == 6


def test_the_audit_is_refused_before_close_and_outside_the_region(client, open_campaign, token_for) -> None:
    path = f"/api/v1/campaigns/{open_campaign.campaign.public_id}/audit"
    with time_machine.travel(DURING):
        assert client.get(path, **token_for(open_campaign.olga)).json()["error"]["code"] == "not_closed"
        assert client.get(path, **token_for(open_campaign.sam)).status_code == 404


def test_publish_moves_a_closed_campaign_to_published_results(client, open_campaign, token_for) -> None:
    headers = token_for(open_campaign.olga)
    path = f"/campaigns/{open_campaign.campaign.public_id}"
    with time_machine.travel(AFTER):
        post(client, f"{path}/close", **headers)
        response = post(client, f"{path}/publish", **headers)
    assert response.json()["state"] == CampaignState.RESULTS


def test_the_admin_lists_campaigns_but_no_ballots_and_freezes_an_open_campaign(client, open_campaign) -> None:
    from minxin.accounts.models import User

    root = User.objects.create_superuser(username="root", password="root-pass-123")
    client.force_login(root)
    assert client.get("/admin/voting/campaign/").status_code == 200
    assert client.get("/admin/voting/ballot/").status_code == 404
    change = client.get(f"/admin/voting/campaign/{open_campaign.campaign.pk}/change/").content.decode()
    assert 'name="title"' not in change  # read-only once voting has opened
