"""The voting API's request and response shapes (django-ninja schemas; the ballot's are plain pydantic
models), re-exported by api.py."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Literal

from ninja import Schema
from pydantic import BaseModel, Field

from minxin.voting import selectors
from minxin.voting.models import Campaign
from minxin.voting.tally import TIE_BREAK


class CandidateOut(Schema):
    id: int = Field(description="The candidate's ballot number")
    name: str
    category: str
    cost: Decimal
    description: str
    location: str
    latitude: Decimal | None
    longitude: Decimal | None


class BallotRule(Schema):
    kind: Literal["approval", "ranking", "budget"] = "approval"
    min: int = Field(1, ge=1, le=100)
    max: int = Field(5, ge=1, le=100)
    budget: Decimal | None = Field(
        None, ge=0, description="Budget ballots: the most the chosen projects may cost"
    )


class CampaignOut(Schema):
    id: uuid.UUID
    title: str
    state: str
    region: str
    organiser: str | None
    letter: str
    ballot: BallotRule
    result_rule: str
    budget: Decimal | None
    tie_break: str
    eligibility: str
    opens_at: dt.datetime
    closes_at: dt.datetime
    candidates: list[CandidateOut]

    @staticmethod
    def of(campaign: Campaign) -> CampaignOut:
        return CampaignOut(
            id=campaign.public_id,
            title=campaign.title,
            state=campaign.state,
            region=campaign.region.name,
            organiser=campaign.unit.name if campaign.unit else None,
            letter=campaign.letter,
            ballot=BallotRule(
                kind=campaign.ballot_kind,  # type: ignore[arg-type]
                min=campaign.min_choices,
                max=campaign.max_choices,
                budget=campaign.ballot_budget,
            ),
            result_rule=campaign.result_rule,
            budget=campaign.budget,
            tie_break=TIE_BREAK,
            eligibility=campaign.eligibility,
            opens_at=campaign.opens_at,
            closes_at=campaign.closes_at,
            candidates=[
                CandidateOut(
                    id=c.number,
                    name=c.name,
                    category=c.category,
                    cost=c.cost,
                    description=c.description,
                    location=c.location,
                    latitude=c.latitude,
                    longitude=c.longitude,
                )
                for c in selectors.candidates_of(campaign)
            ],
        )


class CampaignSummary(Schema):
    id: uuid.UUID
    title: str
    state: str
    region: str
    opens_at: dt.datetime
    closes_at: dt.datetime


class CandidateIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    category: str = Field(min_length=1, max_length=64)
    cost: Decimal = Field(ge=0, max_digits=16, decimal_places=2)
    description: str = ""
    location: str = Field("", max_length=200)
    latitude: Decimal | None = Field(None, ge=-90, le=90)
    longitude: Decimal | None = Field(None, ge=-180, le=180)


class CampaignIn(Schema):
    title: str = Field(min_length=1, max_length=200)
    region: str | None = Field(None, description="Region code (GB/T 2260); defaults to the officer's region")
    letter: str = ""
    ballot: BallotRule = BallotRule(kind="approval", min=1, max=5, budget=None)
    result_rule: Literal["ranking", "greedy", "equal_shares"] = "ranking"
    budget: Decimal | None = Field(None, ge=0, max_digits=16, decimal_places=2)
    completion_step: Decimal = Field(Decimal(1), ge=0, max_digits=12, decimal_places=2)
    eligibility: Literal["anyone", "region", "list"] = "anyone"
    eligible_count: int | None = Field(None, ge=0)
    candidates: list[CandidateIn] = Field(min_length=1, max_length=500)
    opens_at: dt.datetime
    closes_at: dt.datetime


# The ballot's shapes are plain pydantic models: they never read an ORM object, so django-ninja's Schema
# (which wraps every value it validates for attribute access on models) would only add to each ballot.
class VoterIn(BaseModel):
    id_number: str = Field("", max_length=32)
    phone: str | None = Field(None, max_length=20)
    external_id: str = Field("", max_length=128)


class BallotIn(BaseModel):
    choices: list[int] = Field(
        max_length=100, description="Candidate ids (ballot numbers), in order for ranking"
    )
    channel: Literal["web", "wechat", "paper", "email", "phone"] = "web"
    voter: VoterIn | None = None


class ReceiptOut(BaseModel):
    receipt: str
    choices: list[int]
    channel: str
    cast_at: dt.datetime


class ReceiptCheckIn(Schema):
    code: str = Field(min_length=6, max_length=24)


class QuarantineIn(Schema):
    cluster: str = Field(min_length=3, max_length=300)
    reason: str = Field("", max_length=200)
    release: bool = False


class QuarantineOut(Schema):
    changed: int
