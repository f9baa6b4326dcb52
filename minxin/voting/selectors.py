"""Reads of the voting app: campaigns for the public and for officers, and the officer's scope."""

from __future__ import annotations

import uuid

from django.db.models import Q, QuerySet

from minxin.accounts.models import Role, User
from minxin.core.memo import memo
from minxin.orgs.models import Region, StaffMembership
from minxin.voting.models import Campaign, CampaignState, Candidate

PUBLIC_STATES = (CampaignState.PUBLISHED, CampaignState.VOTING, CampaignState.CLOSED, CampaignState.RESULTS)


def officer_regions(user: User) -> list[str] | None:
    """The region paths in which `user` runs campaigns; None means everywhere (system administrator)."""
    if not user.is_authenticated or not user.is_active:
        return []

    def load() -> tuple[str, ...] | None:
        if user.is_superuser:
            return None
        rows = StaffMembership.objects.filter(user_id=user.pk).filter(
            Q(role=Role.SYSTEM_ADMIN) | Q(role=Role.CAMPAIGN_OFFICER)
        )
        paths = []
        for role, path in rows.values_list("role", "region__path"):
            if role == Role.SYSTEM_ADMIN:
                return None
            paths.append(path)
        return tuple(paths)

    found = memo(("staff-roles", "voting", user.pk), 30, load)
    return None if found is None else list(found)


def officer_may_run(*, user: User, region: Region) -> bool:
    """A campaign officer of `region` or of a region above it, or a system administrator."""
    paths = officer_regions(user)
    return paths is None or any(region.path.startswith(path) for path in paths)


def campaigns_for_officer(*, user: User) -> QuerySet[Campaign]:
    paths = officer_regions(user)
    campaigns = Campaign.objects.select_related("region", "unit").order_by("-created_at")
    if paths is None:
        return campaigns
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(region__path__startswith=path)
    return campaigns.filter(condition)


def campaigns_public() -> QuerySet[Campaign]:
    return (
        Campaign.objects.filter(state__in=PUBLIC_STATES)
        .select_related("region", "unit")
        .order_by("-opens_at")
    )


def campaign_public_get(*, public_id: uuid.UUID | str) -> Campaign | None:
    try:
        key = uuid.UUID(str(public_id))
    except ValueError:
        return None
    return campaigns_public().filter(public_id=key).first()


def campaign_get(*, public_id: uuid.UUID | str) -> Campaign | None:
    try:
        key = uuid.UUID(str(public_id))
    except ValueError:
        return None
    return Campaign.objects.select_related("region", "unit").filter(public_id=key).first()


def campaign_for_ballot(*, public_id: uuid.UUID | str) -> Campaign | None:
    """The public campaign a ballot names, for the hot path: its id is kept per process (a public id
    never changes owner), then `campaign_rules` (kept while the rules are frozen). Whether voting is open
    is decided by the ballot's own statement."""
    try:
        key = uuid.UUID(str(public_id))
    except ValueError:
        return None

    def load() -> int | None:
        return Campaign.objects.filter(public_id=key).values_list("pk", flat=True).first()

    pk = memo(("voting-campaign-id", str(key)), 300, load)
    rules = campaign_rules(pk) if pk is not None else None
    if rules is None or rules[0].state not in PUBLIC_STATES:
        return None
    return rules[0]


def candidates_of(campaign: Campaign) -> list[Candidate]:
    return list(campaign.candidates.order_by("number"))


def candidates_by_category(campaign: Campaign) -> list[tuple[str, list[Candidate]]]:
    groups: dict[str, list[Candidate]] = {}
    for candidate in candidates_of(campaign):
        groups.setdefault(candidate.category, []).append(candidate)
    return list(groups.items())


def campaign_rules(campaign_id: int) -> tuple[Campaign, dict[int, Candidate]] | None:
    """The campaign and its candidates by number, kept per process for a few seconds: a ballot is checked
    against them on every submission, and once voting has opened they cannot change (rules freeze).
    Whether voting is still open is decided by the ballot's own statement, never by this copy."""

    def load() -> tuple[Campaign, dict[int, Candidate]] | None:
        campaign = Campaign.objects.select_related("region").filter(pk=campaign_id).first()
        if campaign is None:
            return None
        return campaign, {c.number: c for c in campaign.candidates.all()}

    found = memo(("voting-rules", campaign_id), 5, load)
    if found is not None and not found[0].rules_frozen:
        return load()  # not frozen yet: never trust a kept copy
    return found
