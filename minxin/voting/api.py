"""The voting API (one ninja Router, mounted under /api/v1/ by minxin.api)."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Header, Router, Status

from minxin.accounts.api_auth import BearerToken, CitizenSession, StaffSession, request_user, staff_auth
from minxin.accounts.models import Citizen, User
from minxin.core.audit import client_ip
from minxin.core.errors import InvalidInput, NotAuthenticated, NotFound
from minxin.voting import selectors, services, tally
from minxin.voting.models import Campaign, CampaignState, Channel
from minxin.voting.schemas import (
    BallotIn,
    BallotRule,
    CampaignIn,
    CampaignOut,
    CampaignSummary,
    CandidateIn,
    CandidateOut,
    QuarantineIn,
    QuarantineOut,
    ReceiptCheckIn,
    ReceiptOut,
    VoterIn,
)
from minxin.voting.services.audit import audit_report
from minxin.voting.services.ballots import receipt_display

__all__ = [
    "BallotIn",
    "BallotRule",
    "CampaignIn",
    "CampaignOut",
    "CampaignSummary",
    "CandidateIn",
    "CandidateOut",
    "QuarantineIn",
    "QuarantineOut",
    "ReceiptCheckIn",
    "ReceiptOut",
    "VoterIn",
    "ballot_cast_for",
    "router",
]

router = Router(tags=["voting"])
voter_auth = [BearerToken(), StaffSession(), CitizenSession()]
IDEMPOTENCY_KEY_MAX = 64


def campaign_or_404(campaign_id: uuid.UUID | str, *, public: bool = True) -> Campaign:
    found = (
        selectors.campaign_public_get(public_id=campaign_id)
        if public
        else selectors.campaign_get(public_id=campaign_id)
    )
    if found is None:
        raise NotFound(_("No such campaign."), code="campaign_not_found")
    return found


def campaign_data(payload: CampaignIn, user: User) -> services.CampaignData:
    from minxin.orgs.models import Region

    if payload.region:
        region = Region.objects.filter(code=payload.region).first()
        if region is None:
            raise InvalidInput(_("Unknown region."), details={"field": "region"})
    else:
        paths = selectors.officer_regions(user) or []
        region = Region.objects.filter(path=paths[0]).first() if paths else None
        if region is None:
            raise InvalidInput(_("Name the campaign's region."), details={"field": "region"})
    return services.CampaignData(
        title=payload.title,
        region=region,
        letter=payload.letter,
        ballot_kind=payload.ballot.kind,
        min_choices=payload.ballot.min,
        max_choices=payload.ballot.max,
        ballot_budget=payload.ballot.budget,
        result_rule=payload.result_rule,
        budget=payload.budget,
        completion_step=payload.completion_step,
        eligibility=payload.eligibility,
        eligible_count=payload.eligible_count,
        opens_at=payload.opens_at,
        closes_at=payload.closes_at,
        candidates=[services.CandidateData(**c.model_dump()) for c in payload.candidates],
    )


@router.get("/campaigns", response=list[CampaignSummary], summary="Public voting campaigns")
def campaign_list_api(request: HttpRequest) -> list[CampaignSummary]:
    return [
        CampaignSummary(
            id=c.public_id,
            title=c.title,
            state=c.state,
            region=c.region.name,
            opens_at=c.opens_at,
            closes_at=c.closes_at,
        )
        for c in selectors.campaigns_public()[:200]
    ]


@router.get("/campaigns/{campaign_id}", response=CampaignOut, auth=[*staff_auth, None], summary="A campaign")
def campaign_detail_api(request: HttpRequest, campaign_id: uuid.UUID) -> CampaignOut:
    campaign = selectors.campaign_get(public_id=campaign_id)
    user = getattr(request, "auth", None)
    visible = campaign is not None and (
        campaign.state != CampaignState.DRAFT
        or (isinstance(user, User) and selectors.officer_may_run(user=user, region=campaign.region))
    )
    if campaign is None or not visible:
        raise NotFound(_("No such campaign."), code="campaign_not_found")
    return CampaignOut.of(campaign)


@router.post("/campaigns", response={201: CampaignOut}, auth=staff_auth, summary="Create a campaign (draft)")
def campaign_create_api(request: HttpRequest, payload: CampaignIn) -> Status[CampaignOut]:
    user = request_user(request)
    campaign = services.campaign_create(data=campaign_data(payload, user), actor=user)
    return Status(201, CampaignOut.of(campaign))


@router.put(
    "/campaigns/{campaign_id}",
    response=CampaignOut,
    auth=staff_auth,
    summary="Change a campaign before voting opens",
)
def campaign_update_api(request: HttpRequest, campaign_id: uuid.UUID, payload: CampaignIn) -> CampaignOut:
    user = request_user(request)
    campaign = campaign_or_404(campaign_id, public=False)
    services.ensure_officer(user=user, region=campaign.region)
    return CampaignOut.of(
        services.campaign_update(campaign=campaign, data=campaign_data(payload, user), actor=user)
    )


def _officer_campaign(request: HttpRequest, campaign_id: uuid.UUID) -> tuple[User, Campaign]:
    user = request_user(request)
    campaign = campaign_or_404(campaign_id, public=False)
    if not selectors.officer_may_run(user=user, region=campaign.region):
        raise NotFound(_("No such campaign."), code="campaign_not_found")
    return user, campaign


@router.post(
    "/campaigns/{campaign_id}/open",
    response=CampaignOut,
    auth=staff_auth,
    summary="Open voting (rules freeze)",
)
def campaign_open_api(request: HttpRequest, campaign_id: uuid.UUID) -> CampaignOut:
    user, campaign = _officer_campaign(request, campaign_id)
    return CampaignOut.of(services.campaign_open(campaign=campaign, actor=user))


@router.post(
    "/campaigns/{campaign_id}/close", response=CampaignOut, auth=staff_auth, summary="Close voting and count"
)
def campaign_close_api(request: HttpRequest, campaign_id: uuid.UUID) -> CampaignOut:
    user, campaign = _officer_campaign(request, campaign_id)
    return CampaignOut.of(services.campaign_close(campaign=campaign, actor=user))


@router.post(
    "/campaigns/{campaign_id}/publish",
    response=CampaignOut,
    auth=staff_auth,
    summary="Publish: a draft to the public, or the results of a closed campaign",
)
def campaign_publish_api(request: HttpRequest, campaign_id: uuid.UUID) -> CampaignOut:
    user, campaign = _officer_campaign(request, campaign_id)
    if campaign.state == CampaignState.DRAFT:
        return CampaignOut.of(services.campaign_publish_draft(campaign=campaign, actor=user))
    return CampaignOut.of(services.campaign_publish(campaign=campaign, actor=user))


def ballot_cast_for(
    *,
    campaign_id: uuid.UUID | str,
    payload: BallotIn,
    auth: object,
    idempotency_key: str,
    device: str,
    ip: str | None,
) -> tuple[int, ReceiptOut]:
    """Cast a ballot for the API: the body of the ninja view below (which the hot path,
    minxin/core/hotpath.py, also serves). 201 with the receipt, 200 for a retry with the same
    Idempotency-Key."""
    if len(idempotency_key) > IDEMPOTENCY_KEY_MAX:
        raise InvalidInput(
            _("The Idempotency-Key is longer than 64 characters."), details={"field": "Idempotency-Key"}
        )
    campaign = selectors.campaign_for_ballot(public_id=campaign_id)
    if campaign is None:
        raise NotFound(_("No such campaign."), code="campaign_not_found")
    voter = payload.voter or VoterIn(id_number="", phone=None, external_id="")
    common: dict[str, Any] = {
        "campaign": campaign,
        "choices": payload.choices,
        "id_number": voter.id_number,
        "idempotency_key": idempotency_key,
        "ip": ip,
        "device": device,
    }
    if isinstance(auth, Citizen):
        if payload.channel != "web":
            raise InvalidInput(
                _("Citizens vote online; other channels are entered by officers."),
                details={"field": "channel"},
            )
        cast = services.ballot_cast(channel=Channel.WEB, phone_hash=auth.phone_hash, **common)
    elif isinstance(auth, User):
        services.ensure_officer(user=auth, region=campaign.region)
        if payload.channel == "web":
            raise InvalidInput(
                _("Officers enter paper, email, phone or WeChat ballots."), details={"field": "channel"}
            )
        cast = services.ballot_cast(
            channel=payload.channel,
            phone=voter.phone,
            external_id=voter.external_id,
            entered_by=auth,
            **common,
        )
    else:
        raise NotAuthenticated(_("Verify your phone first."))
    out = ReceiptOut(
        receipt=receipt_display(cast.receipt),
        choices=cast.choices,
        channel=cast.channel,
        cast_at=cast.cast_at,
    )
    return (200 if cast.replayed else 201), out


@router.post(
    "/campaigns/{campaign_id}/ballots",
    response={201: ReceiptOut, 200: ReceiptOut},
    auth=voter_auth,
    summary="Cast a ballot (Idempotency-Key supported)",
)
def ballot_cast_api(
    request: HttpRequest,
    campaign_id: uuid.UUID,
    payload: BallotIn,
    idempotency_key: str = Header(  # type: ignore[type-arg]
        "",
        alias="Idempotency-Key",
        description="Up to 64 characters; a retry with the same key returns the first receipt (200).",
    ),
    device: str = Header("", alias="X-Device-Id", description="The client device, for the after-close audit"),  # type: ignore[type-arg]
) -> Status[ReceiptOut]:
    status, out = ballot_cast_for(
        campaign_id=campaign_id,
        payload=payload,
        auth=getattr(request, "auth", None),
        idempotency_key=idempotency_key,
        device=device[:128] or request.headers.get("User-Agent", "")[:256],
        ip=client_ip(request),
    )
    return Status(status, out)


@router.post(
    "/campaigns/{campaign_id}/receipts/check",
    response=ReceiptOut,
    summary="Check a receipt: your own choices",
)
def receipt_check_api(request: HttpRequest, campaign_id: uuid.UUID, payload: ReceiptCheckIn) -> ReceiptOut:
    campaign = campaign_or_404(campaign_id)
    ballot = services.receipt_check(campaign=campaign, code=payload.code, ip=client_ip(request))
    return ReceiptOut(
        receipt=receipt_display(ballot.receipt),
        choices=[int(x) for x in ballot.choices.split(",")],
        channel=ballot.channel,
        cast_at=ballot.cast_at,
    )


@router.get("/campaigns/{campaign_id}/results", summary="Results (409 not_closed before voting closes)")
def results_api(request: HttpRequest, campaign_id: uuid.UUID) -> dict[str, Any]:
    return tally.results_for(campaign=campaign_or_404(campaign_id))


@router.get("/campaigns/{campaign_id}/audit", auth=staff_auth, summary="After-close audit clusters")
def audit_api(request: HttpRequest, campaign_id: uuid.UUID) -> dict[str, Any]:
    user, campaign = _officer_campaign(request, campaign_id)
    report = audit_report(campaign=campaign, actor=user)
    return {
        kind: [
            {
                "cluster": c.key,
                "ballots": c.ballots,
                "quarantined": c.quarantined,
                "first": c.first,
                "last": c.last,
            }
            for c in clusters
        ]
        for kind, clusters in report.items()
    }


@router.post(
    "/campaigns/{campaign_id}/quarantine",
    response=QuarantineOut,
    auth=staff_auth,
    summary="Quarantine a cluster",
)
def quarantine_api(request: HttpRequest, campaign_id: uuid.UUID, payload: QuarantineIn) -> QuarantineOut:
    user, campaign = _officer_campaign(request, campaign_id)
    changed = services.ballots_quarantine(
        campaign=campaign, cluster=payload.cluster, reason=payload.reason, actor=user, release=payload.release
    )
    return QuarantineOut(changed=changed)
