"""Voting's part of personal data (PIPL). Ballots carry no voter (secrecy); what identifies a voter is
the one-vote-per-person hashes (`BallotIdentifier`), the residents list's hashes (`EligibleVoter`) and
each ballot's network and device hashes (for the audit of clustered ballots). They are needed only
while a campaign is open or under audit: VOTING_AUDIT_DAYS after its results are published, the
retention job deletes the first two and clears the third. A citizen's erasure request cannot remove
them earlier without reopening a second vote, so it says so."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minxin.core import clock
from minxin.core.personal_data import Erasure, Subject
from minxin.voting.models import (
    Ballot,
    BallotIdentifier,
    Campaign,
    CampaignState,
    EligibleVoter,
    IdentifierKind,
)


def _settled() -> QuerySet[Campaign]:
    cutoff = clock.now() - dt.timedelta(days=settings.VOTING_AUDIT_DAYS)
    return Campaign.objects.filter(state=CampaignState.RESULTS, published_at__lt=cutoff)


def voting_retention() -> int:
    """Worker job: forget who voted in campaigns whose results were published VOTING_AUDIT_DAYS ago."""
    campaigns = list(_settled().values_list("pk", flat=True))
    done = BallotIdentifier.objects.filter(campaign_id__in=campaigns).delete()[0]
    done += EligibleVoter.objects.filter(campaign_id__in=campaigns).delete()[0]
    done += (
        Ballot.objects.filter(campaign_id__in=campaigns)
        .exclude(ip_hash="", ip_prefix="", device_hash="")
        .update(ip_hash="", ip_prefix="", device_hash="")
    )
    return done


def _identifiers_of(subject: Subject) -> QuerySet[BallotIdentifier]:
    match = Q(kind=IdentifierKind.PHONE, value_hash=subject.phone_hash)
    if subject.id_number_hash:
        match |= Q(kind=IdentifierKind.ID_NUMBER, value_hash=subject.id_number_hash)
    return BallotIdentifier.objects.filter(match)


def voting_export(subject: Subject) -> list[dict[str, Any]]:
    """The campaigns where the citizen's phone or ID number voted (never the choices: ballots are
    secret and not linked to anyone; the receipt is the voter's own)."""
    campaigns = Campaign.objects.filter(pk__in=_identifiers_of(subject).values("campaign_id")).order_by(
        "opens_at"
    )
    return [{"campaign": campaign.title, "state": campaign.state} for campaign in campaigns]


@transaction.atomic
def voting_erase(subject: Subject) -> Erasure:
    erasure = Erasure()
    titles = list(
        Campaign.objects.filter(pk__in=_identifiers_of(subject).values("campaign_id"))
        .order_by("opens_at")
        .values_list("title", flat=True)
    )
    if titles:
        erasure.kept.append(
            _(
                "You voted in %(campaigns)s: a keyed hash of your phone or ID number (never your choices) is "
                "kept so that nobody votes twice, until %(days)d days after the results are published, "
                "then deleted."
            )
            % {"campaigns": "、".join(f"“{title}”" for title in titles), "days": settings.VOTING_AUDIT_DAYS}
        )
    return erasure


def register() -> None:
    """Called from VotingConfig.ready()."""
    from minxin.core.personal_data import register_personal_data

    register_personal_data(
        app="voting",
        label=gettext_lazy("Votes you cast"),
        export=voting_export,
        erase=voting_erase,
        retention=voting_retention,
    )
