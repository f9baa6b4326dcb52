"""Campaign configuration and its states: draft → published → voting → closed → results published.

Every transition is a conditional UPDATE on the state (two officers pressing "open" open it once), and
the rules (ballot kind, limits, candidates, result rule, budget) freeze when voting opens: an edit after
that is refused with `rules_frozen`, by the same conditional update, not by a check that could race.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from minxin.accounts import personal
from minxin.accounts.models import User
from minxin.core import clock
from minxin.core.audit import audit_record
from minxin.core.errors import Conflict, Forbidden, InvalidInput
from minxin.core.memo import forget as memo_forget
from minxin.orgs.models import Region, Unit
from minxin.voting.models import (
    BallotKind,
    Campaign,
    CampaignEvent,
    CampaignState,
    Candidate,
    Eligibility,
    EligibleVoter,
    ResultRule,
)
from minxin.voting.selectors import officer_may_run

EDITABLE = (CampaignState.DRAFT, CampaignState.PUBLISHED)


@dataclass(frozen=True)
class CandidateData:
    name: str
    category: str
    cost: Decimal
    description: str = ""
    location: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None


@dataclass(frozen=True)
class CampaignData:
    title: str
    region: Region
    opens_at: dt.datetime
    closes_at: dt.datetime
    candidates: Sequence[CandidateData]
    unit: Unit | None = None
    letter: str = ""
    ballot_kind: str = BallotKind.APPROVAL
    min_choices: int = 1
    max_choices: int = 5
    ballot_budget: Decimal | None = None
    result_rule: str = ResultRule.RANKING
    budget: Decimal | None = None
    completion_step: Decimal = Decimal(1)
    eligibility: str = Eligibility.ANYONE
    eligible_count: int | None = None
    extra: dict[str, object] = field(default_factory=dict)


def ensure_officer(*, user: User, region: Region) -> None:
    if not officer_may_run(user=user, region=region):
        raise Forbidden(_("You do not run campaigns in this region."), code="not_campaign_officer")


def _validated(data: CampaignData) -> dict[str, object]:
    if not data.title.strip():
        raise InvalidInput(_("Give the campaign a title."), details={"field": "title"})
    if data.ballot_kind not in BallotKind.values:
        raise InvalidInput(_("Unknown ballot kind."), details={"field": "ballot.kind"})
    if data.result_rule not in ResultRule.values:
        raise InvalidInput(_("Unknown result rule."), details={"field": "result_rule"})
    if data.eligibility not in Eligibility.values:
        raise InvalidInput(_("Unknown eligibility."), details={"field": "eligibility"})
    if data.closes_at <= data.opens_at:
        raise InvalidInput(_("Voting must close after it opens."), details={"field": "closes_at"})
    if not 1 <= data.min_choices <= data.max_choices:
        raise InvalidInput(
            _("The fewest choices must be at least 1 and at most the most choices."),
            details={"field": "ballot.min"},
        )
    if data.ballot_kind == BallotKind.BUDGET and not (data.ballot_budget and data.ballot_budget > 0):
        raise InvalidInput(_("A budget ballot needs its budget limit."), details={"field": "ballot.budget"})
    if data.result_rule != ResultRule.RANKING and not (data.budget and data.budget > 0):
        raise InvalidInput(_("This result rule needs a budget."), details={"field": "budget"})
    if data.completion_step < 0:
        raise InvalidInput(_("The completion step cannot be negative."), details={"field": "completion_step"})
    for position, candidate in enumerate(data.candidates):
        where = {"field": f"candidates[{position}]"}
        if not candidate.name.strip() or not candidate.category.strip():
            raise InvalidInput(_("Every candidate needs a name and a category."), details=where)
        try:
            if candidate.cost < 0:
                raise InvalidInput(_("A cost cannot be negative."), details=where)
        except InvalidOperation:
            raise InvalidInput(_("A cost must be a number."), details=where) from None
    return {
        "title": data.title.strip(),
        "region": data.region,
        "unit": data.unit,
        "letter": data.letter,
        "ballot_kind": data.ballot_kind,
        "min_choices": data.min_choices,
        "max_choices": data.max_choices,
        "ballot_budget": data.ballot_budget,
        "result_rule": data.result_rule,
        "budget": data.budget,
        "completion_step": data.completion_step,
        "eligibility": data.eligibility,
        "eligible_count": data.eligible_count,
        "opens_at": data.opens_at,
        "closes_at": data.closes_at,
    }


def _candidates_replace(campaign: Campaign, candidates: Iterable[CandidateData]) -> None:
    Candidate.objects.filter(campaign=campaign).delete()
    Candidate.objects.bulk_create(
        Candidate(
            campaign=campaign,
            number=number,
            name=c.name.strip(),
            category=c.category.strip(),
            cost=c.cost,
            description=c.description,
            location=c.location,
            latitude=c.latitude,
            longitude=c.longitude,
        )
        for number, c in enumerate(candidates, start=1)
    )


def _event(campaign: Campaign, kind: str, actor: User | None, **details: object) -> None:
    CampaignEvent.objects.create(campaign=campaign, kind=kind, at=clock.now(), actor=actor, details=details)
    if actor is not None:
        audit_record(actor=actor, action=f"voting.campaign.{kind}", target=campaign, details=details)


def campaign_create(*, data: CampaignData, actor: User) -> Campaign:
    """A new draft campaign with its candidates (numbered 1… in the order given)."""
    ensure_officer(user=actor, region=data.region)
    fields = _validated(data)
    with transaction.atomic():
        campaign = Campaign.objects.create(**fields, created_by=actor, created_at=clock.now())
        _candidates_replace(campaign, data.candidates)
        _event(campaign, "created", actor, candidates=len(data.candidates))
    return campaign


def campaign_update(*, campaign: Campaign, data: CampaignData, actor: User) -> Campaign:
    """Change the rules and candidates of a draft or published campaign. Refused (409 rules_frozen) once
    voting has opened: the UPDATE only matches an editable state, so it cannot race an opening."""
    ensure_officer(user=actor, region=campaign.region)
    ensure_officer(user=actor, region=data.region)
    fields = _validated(data)
    with transaction.atomic():
        changed = Campaign.objects.filter(pk=campaign.pk, state__in=EDITABLE).update(**fields)
        if not changed:
            raise Conflict(_("Voting has opened: the rules can no longer change."), code="rules_frozen")
        _candidates_replace(campaign, data.candidates)
        _event(campaign, "edited", actor)
    memo_forget("voting-rules")
    campaign.refresh_from_db()
    return campaign


def _transition(
    campaign: Campaign, *, actor: User | None, source: Sequence[str], target: str, kind: str, **stamps: object
) -> Campaign:
    if actor is not None:
        ensure_officer(user=actor, region=campaign.region)
    with transaction.atomic():
        changed = Campaign.objects.filter(pk=campaign.pk, state__in=list(source)).update(
            state=target, **stamps
        )
        if not changed:
            current = Campaign.objects.filter(pk=campaign.pk).values_list("state", flat=True).first()
            raise Conflict(
                _("The campaign is %(state)s: it cannot do that now.")
                % {"state": CampaignState(current).label if current else "?"},
                code="wrong_state",
                details={"state": current},
            )
        _event(campaign, kind, actor)
    memo_forget("voting-rules")
    campaign.refresh_from_db()
    return campaign


def campaign_publish_draft(*, campaign: Campaign, actor: User) -> Campaign:
    """Show the campaign (letter, candidates) to the public before voting opens."""
    return _transition(
        campaign, actor=actor, source=[CampaignState.DRAFT], target=CampaignState.PUBLISHED, kind="published"
    )


def campaign_open(*, campaign: Campaign, actor: User) -> Campaign:
    """Open voting: from now on the rules are frozen. Needs at least one candidate."""
    if not campaign.candidates.exists():
        raise InvalidInput(
            _("Add the candidate projects before voting opens."), details={"field": "candidates"}
        )
    return _transition(
        campaign,
        actor=actor,
        source=EDITABLE,
        target=CampaignState.VOTING,
        kind="opened",
        opened_at=clock.now(),
    )


def campaign_close(*, campaign: Campaign, actor: User | None) -> Campaign:
    """Close voting and count (the counts become visible to officers; the public sees them once
    published). A large campaign is counted by the worker (tally.results_schedule)."""
    from minxin.voting.tally import results_schedule

    campaign = _transition(
        campaign,
        actor=actor,
        source=[CampaignState.VOTING],
        target=CampaignState.CLOSED,
        kind="closed",
        closed_at=clock.now(),
    )
    results_schedule(campaign=campaign)
    return campaign


def campaign_publish(*, campaign: Campaign, actor: User) -> Campaign:
    """Publish the results of a closed campaign."""
    return _transition(
        campaign,
        actor=actor,
        source=[CampaignState.CLOSED],
        target=CampaignState.RESULTS,
        kind="results_published",
        published_at=clock.now(),
    )


def campaigns_close_due() -> int:
    """Worker job: close every campaign whose voting period has ended (claimed by the conditional
    update in `campaign_close`, so two workers close it once)."""
    closed = 0
    for campaign in Campaign.objects.filter(state=CampaignState.VOTING, closes_at__lte=clock.now()):
        try:
            campaign_close(campaign=campaign, actor=None)
        except Conflict:
            continue
        closed += 1
    return closed


def eligible_voters_import(
    *, campaign: Campaign, id_numbers: Iterable[str], actor: User
) -> tuple[int, list[int]]:
    """Add ID numbers to the campaign's residents list (kept as keyed hashes only). Returns how many were
    added and the (1-based) lines that were not valid ID numbers."""
    ensure_officer(user=actor, region=campaign.region)
    hashes, bad = set(), []
    for line, raw in enumerate(id_numbers, start=1):
        if not raw.strip():
            continue
        normalized = personal.normalize_id_number(raw)
        if normalized is None:
            bad.append(line)
            continue
        hashes.add(personal.keyed_hash(normalized, purpose="id_number"))
    with transaction.atomic():
        before = EligibleVoter.objects.filter(campaign=campaign).count()
        EligibleVoter.objects.bulk_create(
            [EligibleVoter(campaign=campaign, id_number_hash=value) for value in hashes],
            ignore_conflicts=True,
        )
        added = EligibleVoter.objects.filter(campaign=campaign).count() - before
        _event(campaign, "residents_imported", actor, added=added, refused_lines=len(bad))
    return added, bad
