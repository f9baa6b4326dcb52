"""A large campaign is counted by the worker after close, not in the close request: meanwhile the API
says 409 `results_pending` and the results page says the results are being counted; the job counts it
once (claimed by a conditional update) and a recount after a quarantine serves the previous count."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from minxin.voting.models import Campaign, ResultSnapshot
from minxin.voting.tally import RESULTS_LEASE_SECONDS, results_due
from minxin.voting.tests.conftest import AFTER, DURING, id_number

pytestmark = [pytest.mark.django_db]
LATER = AFTER + dt.timedelta(minutes=1)  # after the close, when the worker comes round


def _vote(client: Any, campaign: Campaign, headers: dict[str, str], people: int) -> None:
    for n in range(people):
        response = client.post(
            f"/api/v1/campaigns/{campaign.public_id}/ballots",
            {"choices": [1 + n % 3], "channel": "paper", "voter": {"id_number": id_number(n)}},
            content_type="application/json",
            **headers,
        )
        assert response.status_code == 201, response.content


@pytest.fixture
def closed_large(client, open_campaign, token_for, settings) -> Any:
    """Three ballots, with the inline limit at two: a "large" campaign, closed through the API."""
    settings.VOTING_RESULTS_INLINE_MAX = 2
    campaign, headers = open_campaign.campaign, token_for(open_campaign.olga)
    with time_machine.travel(DURING):
        _vote(client, campaign, headers, 3)
    with time_machine.travel(AFTER):
        closed = client.post(f"/api/v1/campaigns/{campaign.public_id}/close", **headers)
    assert closed.status_code == 200, closed.content
    return open_campaign


def test_closing_a_large_campaign_leaves_the_count_to_the_worker(client, closed_large) -> None:
    campaign = closed_large.campaign
    assert not ResultSnapshot.objects.filter(campaign=campaign).exists()
    with time_machine.travel(LATER):
        response = client.get(f"/api/v1/campaigns/{campaign.public_id}/results")
        assert response.status_code == 409
        assert response.json()["error"]["code"] == "results_pending"
        page = client.get(f"/voting/{campaign.public_id}/results/")
        assert page.status_code == 200
        assert "结果正在计票中" in page.content.decode()  # "the results are being counted"
        assert results_due() == 1
        data = client.get(f"/api/v1/campaigns/{campaign.public_id}/results").json()
        assert "正在计票" not in client.get(f"/voting/{campaign.public_id}/results/").content.decode()
    assert data["participants"] == 3
    assert data["recounting"] is False
    assert Campaign.objects.get(pk=campaign.pk).results_due_at is None


def test_the_worker_counts_a_campaign_once_even_when_asked_twice(closed_large) -> None:
    with time_machine.travel(LATER):
        assert results_due() == 1
        assert results_due() == 0


def test_a_claimed_count_is_left_alone_until_its_lease_ends(closed_large) -> None:
    campaign = closed_large.campaign
    with time_machine.travel(LATER, tick=False):
        now = dt.datetime.now(dt.UTC)
        Campaign.objects.filter(pk=campaign.pk).update(
            results_due_at=now + dt.timedelta(seconds=RESULTS_LEASE_SECONDS)
        )  # another worker holds it
        assert results_due() == 0
    with time_machine.travel(LATER + dt.timedelta(seconds=RESULTS_LEASE_SECONDS + 1)):
        assert results_due() == 1  # that worker died: the count is due again


def test_a_small_campaign_is_still_counted_in_the_close_request(client, open_campaign, token_for) -> None:
    campaign, headers = open_campaign.campaign, token_for(open_campaign.olga)
    with time_machine.travel(DURING):
        _vote(client, campaign, headers, 2)
    with time_machine.travel(AFTER):
        client.post(f"/api/v1/campaigns/{campaign.public_id}/close", **headers)
        data = client.get(f"/api/v1/campaigns/{campaign.public_id}/results").json()
    assert data["participants"] == 2
    assert Campaign.objects.get(pk=campaign.pk).results_due_at is None


def test_a_recount_serves_the_previous_count_marked_as_recounting(
    client, closed_large, token_for, settings
) -> None:
    settings.VOTING_AUDIT_CLUSTER_MIN = 2
    campaign, headers = closed_large.campaign, token_for(closed_large.olga)
    with time_machine.travel(LATER):
        assert results_due() == 1
        clusters = client.get(f"/api/v1/campaigns/{campaign.public_id}/audit", **headers).json()
        key = next(c["cluster"] for kind in clusters.values() for c in kind)
        changed = client.post(
            f"/api/v1/campaigns/{campaign.public_id}/quarantine",
            {"cluster": key, "reason": "同一设备批量提交"},
            content_type="application/json",
            **headers,
        )
        assert changed.status_code == 200, changed.content
        during_recount = client.get(f"/api/v1/campaigns/{campaign.public_id}/results").json()
        assert during_recount["recounting"] is True
        assert during_recount["participants"] == 3
    with time_machine.travel(LATER + dt.timedelta(minutes=1)):
        assert results_due() == 1
        after = client.get(f"/api/v1/campaigns/{campaign.public_id}/results").json()
    assert after["recounting"] is False
    assert after["participants"] + after["quarantined"] == 3
