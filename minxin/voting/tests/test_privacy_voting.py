"""PIPL: the one-vote-per-person hashes are kept while a campaign is open or under audit, and deleted
VOTING_AUDIT_DAYS after its results are published; a voter's erasure request says so."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from minxin.accounts import personal
from minxin.core.personal_data import Subject
from minxin.voting.models import Ballot, BallotIdentifier
from minxin.voting.personal_data import voting_erase, voting_export, voting_retention
from minxin.voting.services import ballot_cast, campaign_close, campaign_publish

from .conftest import AFTER, DURING, id_number

pytestmark = pytest.mark.django_db
PHONE = "13800000001"


def voter() -> Subject:
    return Subject(citizen_id=0, public_id="", phone_hash=personal.keyed_hash(PHONE, purpose="phone"))


@pytest.fixture
def voted(open_campaign, settings):
    settings.VOTING_AUDIT_DAYS = 30
    with time_machine.travel(DURING, tick=False):
        ballot_cast(
            campaign=open_campaign.campaign,
            choices=[1],
            channel="web",
            id_number=id_number(1),
            phone_hash=voter().phone_hash,
            ip="203.0.113.9",
        )
    return open_campaign


def test_the_hashes_stay_while_the_campaign_is_under_audit(voted) -> None:
    with time_machine.travel(AFTER, tick=False):
        campaign_close(campaign=voted.campaign, actor=voted.olga)
        campaign_publish(campaign=voted.campaign, actor=voted.olga)
    with time_machine.travel(AFTER + dt.timedelta(days=29), tick=False):
        assert voting_retention() == 0
    assert BallotIdentifier.objects.filter(campaign=voted.campaign).count() == 2  # ID number and phone


def test_the_hashes_go_after_the_audit_period_and_the_ballots_stay(voted) -> None:
    with time_machine.travel(AFTER, tick=False):
        campaign_close(campaign=voted.campaign, actor=voted.olga)
        campaign_publish(campaign=voted.campaign, actor=voted.olga)
    with time_machine.travel(AFTER + dt.timedelta(days=31), tick=False):
        assert voting_retention() == 3  # two identifiers, one ballot's network hashes
        assert voting_retention() == 0
    assert not BallotIdentifier.objects.filter(campaign=voted.campaign).exists()
    ballot = Ballot.objects.get(campaign=voted.campaign)
    assert (ballot.choices, ballot.ip_hash, ballot.ip_prefix) == ("1", "", "")


def test_an_erasure_request_says_the_hash_is_kept_until_after_the_results(voted) -> None:
    assert voting_export(voter()) == [{"campaign": voted.campaign.title, "state": "voting"}]
    erasure = voting_erase(voter())
    assert erasure.erased == 0
    assert len(erasure.kept) == 1
    assert voted.campaign.title in erasure.kept[0]
    assert "30" in erasure.kept[0]
    assert BallotIdentifier.objects.filter(campaign=voted.campaign).count() == 2
