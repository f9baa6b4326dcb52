"""Casting ballots through the API: one per person across channels, receipts, idempotency, rules."""

from __future__ import annotations

from typing import Any

import pytest

from minxin.voting.models import Ballot, BallotIdentifier
from minxin.voting.tests.conftest import id_number, sign_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("during")]


def url(campaign: Any, tail: str = "ballots") -> str:
    return f"/api/v1/campaigns/{campaign.public_id}/{tail}"


def test_a_verified_citizen_votes_and_gets_a_receipt_of_their_own_choices(
    client, open_campaign, sms_outbox
) -> None:
    sign_in(client, sms_outbox, "13800000001")
    response = client.post(
        url(open_campaign.campaign),
        {"choices": [3, 1], "voter": {"id_number": id_number(1)}},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["choices"] == [1, 3]
    check = client.post(
        url(open_campaign.campaign, "receipts/check"),
        {"code": body["receipt"]},
        content_type="application/json",
    )
    assert check.json()["choices"] == [1, 3]


def test_an_unverified_caller_cannot_vote(client, open_campaign) -> None:
    response = client.post(
        url(open_campaign.campaign),
        {"choices": [1], "voter": {"id_number": id_number(1)}},
        content_type="application/json",
    )
    assert response.status_code == 401


def test_a_bad_id_number_checksum_is_refused_naming_the_field(client, open_campaign, sms_outbox) -> None:
    sign_in(client, sms_outbox, "13800000001")
    good = id_number(1)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    response = client.post(
        url(open_campaign.campaign),
        {"choices": [1], "voter": {"id_number": bad}},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["error"]["details"]["field"] == "voter.id_number"


def test_the_same_id_number_on_paper_after_online_is_already_voted(
    client, open_campaign, sms_outbox, token_for
) -> None:
    sign_in(client, sms_outbox, "13800000001")
    client.post(
        url(open_campaign.campaign),
        {"choices": [1], "voter": {"id_number": id_number(7)}},
        content_type="application/json",
    )
    response = client.post(
        url(open_campaign.campaign),
        {"choices": [2], "channel": "paper", "voter": {"id_number": id_number(7)}},
        content_type="application/json",
        **token_for(open_campaign.olga),
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "already_voted"
    assert Ballot.objects.count() == 1


def test_the_same_phone_with_another_id_number_is_already_voted(client, open_campaign, sms_outbox) -> None:
    sign_in(client, sms_outbox, "13800000001")
    first = client.post(
        url(open_campaign.campaign),
        {"choices": [1], "voter": {"id_number": id_number(1)}},
        content_type="application/json",
    )
    assert first.status_code == 201
    second = client.post(
        url(open_campaign.campaign),
        {"choices": [1], "voter": {"id_number": id_number(2)}},
        content_type="application/json",
    )
    assert second.json()["error"]["code"] == "already_voted"


def test_a_wechat_external_id_votes_once(client, open_campaign, token_for) -> None:
    headers = token_for(open_campaign.olga)
    body = {"choices": [2], "channel": "wechat", "voter": {"id_number": id_number(1), "external_id": "oWx-1"}}
    assert (
        client.post(url(open_campaign.campaign), body, content_type="application/json", **headers).status_code
        == 201
    )
    body["voter"]["id_number"] = id_number(2)  # type: ignore[index]
    again = client.post(url(open_campaign.campaign), body, content_type="application/json", **headers)
    assert again.json()["error"]["code"] == "already_voted"


def test_a_retry_with_the_same_idempotency_key_returns_the_same_receipt(
    client, open_campaign, token_for
) -> None:
    headers = token_for(open_campaign.olga) | {"HTTP_IDEMPOTENCY_KEY": "k-1"}
    body = {"choices": [1, 2], "channel": "paper", "voter": {"id_number": id_number(3)}}
    first = client.post(url(open_campaign.campaign), body, content_type="application/json", **headers)
    second = client.post(url(open_campaign.campaign), body, content_type="application/json", **headers)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["receipt"] == second.json()["receipt"]
    assert Ballot.objects.count() == 1


def test_too_many_choices_are_refused_with_the_rule(client, open_campaign, token_for) -> None:
    body = {"choices": [1, 2, 3], "channel": "paper", "voter": {"id_number": id_number(3)}}
    response = client.post(
        url(open_campaign.campaign), body, content_type="application/json", **token_for(open_campaign.olga)
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "wrong_number_of_choices"


def test_an_officer_of_another_region_cannot_enter_ballots(client, open_campaign, token_for) -> None:
    body = {"choices": [1], "channel": "paper", "voter": {"id_number": id_number(3)}}
    response = client.post(
        url(open_campaign.campaign), body, content_type="application/json", **token_for(open_campaign.sam)
    )
    assert response.status_code == 403
    assert Ballot.objects.count() == 0


def test_identifiers_are_stored_as_keyed_hashes_only(client, open_campaign, token_for) -> None:
    body = {"choices": [1], "channel": "phone", "voter": {"id_number": id_number(3), "phone": "13900000003"}}
    client.post(
        url(open_campaign.campaign), body, content_type="application/json", **token_for(open_campaign.olga)
    )
    stored = list(BallotIdentifier.objects.values_list("kind", "value_hash"))
    assert sorted(kind for kind, _v in stored) == ["id_number", "phone"]
    assert all(id_number(3) not in value and "13900000003" not in value for _k, value in stored)


def test_a_draft_campaign_takes_no_ballots(client, voting, token_for) -> None:
    body = {"choices": [1], "channel": "paper", "voter": {"id_number": id_number(3)}}
    response = client.post(
        url(voting.campaign), body, content_type="application/json", **token_for(voting.olga)
    )
    assert response.status_code == 404  # a draft is not public at all
