"""Every write of the voting app: campaigns (configuration and states), ballots (the hot path), audit."""

from minxin.voting.services.audit import ballots_quarantine
from minxin.voting.services.ballots import Cast, ballot_cast, receipt_check
from minxin.voting.services.campaigns import (
    CampaignData,
    CandidateData,
    campaign_close,
    campaign_create,
    campaign_open,
    campaign_publish,
    campaign_publish_draft,
    campaign_update,
    campaigns_close_due,
    eligible_voters_import,
    ensure_officer,
)

__all__ = [
    "CampaignData",
    "CandidateData",
    "Cast",
    "ballot_cast",
    "ballots_quarantine",
    "campaign_close",
    "campaign_create",
    "campaign_open",
    "campaign_publish",
    "campaign_publish_draft",
    "campaign_update",
    "campaigns_close_due",
    "eligible_voters_import",
    "ensure_officer",
    "receipt_check",
]
