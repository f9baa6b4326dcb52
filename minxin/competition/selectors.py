"""Reads of the competition: who may do what (scopes), the units of a round, holders and histories."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from minxin.accounts.models import Role, User
from minxin.competition.models import FlagAward, Round, Title, UnitScore
from minxin.orgs.models import Region, StaffMembership, Unit

LIVE_TITLE = (
    Title.Status.GRANTED,
    Title.Status.RECHECKING,
    Title.Status.RETAINED,
    Title.Status.YELLOW_CARD,
    Title.Status.RESTORED,
)


def _is_admin(user: User) -> bool:
    return (
        bool(user.is_superuser) or StaffMembership.objects.filter(user=user, role=Role.SYSTEM_ADMIN).exists()
    )


def _region_role_reaches(user: User, role: str, region: Region) -> bool:
    """Whether `user` holds `role` in `region` or a region above it (or is a system admin)."""
    if not user.is_authenticated or not user.is_active:
        return False
    ancestors = [region.path[: i + 1] for i, char in enumerate(region.path) if char == "/"]
    held = StaffMembership.objects.filter(user=user).filter(
        Q(role=Role.SYSTEM_ADMIN) | Q(role=role, region__path__in=ancestors)
    )
    return held.exists()


def officer_may_run(*, user: User, region: Region) -> bool:
    """A campaign officer runs rounds, flags and titles of their region and every region under it."""
    return _region_role_reaches(user, Role.CAMPAIGN_OFFICER, region)


def assessor_may_work_in(*, user: User, region: Region) -> bool:
    return _region_role_reaches(user, Role.ASSESSOR, region)


def is_unit_staff(*, user: User, unit: Unit) -> bool:
    """Whether `user` works for `unit` (in the unit, or in one of its halls): such a user never scores,
    inspects, reviews or decides anything about it."""
    if not user.is_authenticated:
        return False
    return StaffMembership.objects.filter(Q(unit=unit) | Q(hall__unit=unit), user=user).exists()


def units_of_staff(*, user: User) -> QuerySet[Unit]:
    if not user.is_authenticated:
        return Unit.objects.none()
    memberships = StaffMembership.objects.filter(user=user)
    return Unit.objects.filter(
        Q(pk__in=memberships.filter(unit__isnull=False).values("unit"))
        | Q(pk__in=memberships.filter(hall__isnull=False).values("hall__unit"))
    ).distinct()


def units_of_round(*, round: Round) -> QuerySet[Unit]:
    return Unit.objects.filter(
        flag_category=round.category, is_active=True, region__path__startswith=round.region.path
    ).select_related("region")


def rounds_for_staff(*, user: User) -> QuerySet[Round]:
    """The rounds a campaign officer runs or an assessor works in (through any region above them)."""
    rounds = Round.objects.select_related("region", "rubric")
    if _is_admin(user):
        return rounds
    paths = list(
        StaffMembership.objects.filter(
            user=user, role__in=[Role.CAMPAIGN_OFFICER, Role.ASSESSOR], region__isnull=False
        ).values_list("region__path", flat=True)
    )
    if not paths:
        return rounds.none()
    condition = Q()
    for path in paths:
        condition |= Q(region__path__startswith=path)
    return rounds.filter(condition)


def may_see_round(*, user: User, round: Round) -> bool:
    """Scores of a frozen round are public; before that only its officers and assessors see them."""
    if round.status == Round.Status.FROZEN:
        return True
    return officer_may_run(user=user, region=round.region) or assessor_may_work_in(
        user=user, region=round.region
    )


def city_of(region_path: str) -> str:
    """The city's path of a region path (province/city/…): the first two segments."""
    parts = region_path.split("/")
    return "/".join(parts[:2]) + "/" if len(parts) > 2 else region_path


def latest_frozen_rounds(*, region: Region | None = None, category: str = "") -> list[Round]:
    """The latest frozen round of each region and category that covers units under `region` (a round of
    the region, of a region under it, or of a region above it), of `category`."""
    rounds = Round.objects.filter(status=Round.Status.FROZEN).select_related("region")
    if region is not None:
        above = [region.path[: i + 1] for i, char in enumerate(region.path) if char == "/"]
        rounds = rounds.filter(Q(region__path__startswith=region.path) | Q(region__path__in=above))
    if category:
        rounds = rounds.filter(category=category)
    latest: dict[tuple[int, str], Round] = {}
    for each in rounds.order_by("-period_start"):
        latest.setdefault((each.region_id, each.category), each)
    return sorted(latest.values(), key=lambda r: (r.region.path, r.category))


@dataclass(frozen=True, slots=True)
class Holders:
    round: Round
    red: list[FlagAward]
    black: list[FlagAward]


def current_holders(*, region: Region | None = None, category: str = "") -> list[Holders]:
    """Red flags: the awards of each latest frozen round (a red flag moves every round). Black flags: every
    black flag of that region and category not yet removed after a verified rectification."""
    result = []
    within = Q(unit__region__path__startswith=region.path) if region is not None else Q()
    for each in latest_frozen_rounds(region=region, category=category):
        red = list(
            FlagAward.objects.filter(within, round=each, colour=FlagAward.Colour.RED)
            .select_related("unit__region", "round__region")
            .order_by("unit__region__path", "rank")
        )
        black = list(
            FlagAward.objects.filter(
                within,
                round__region=each.region,
                round__category=each.category,
                colour=FlagAward.Colour.BLACK,
                removed_at__isnull=True,
            )
            .select_related("unit__region", "round__region")
            .order_by("-round__period_start", "rank")
        )
        result.append(Holders(each, red, black))
    return result


def flag_history(*, unit: Unit) -> QuerySet[FlagAward]:
    return (
        FlagAward.objects.filter(unit=unit).select_related("round__region").order_by("-round__period_start")
    )


def live_titles(*, region: Region | None = None, category: str = "") -> QuerySet[Title]:
    titles = Title.objects.filter(status__in=LIVE_TITLE).select_related("unit__region", "granted_by")
    if region is not None:
        titles = titles.filter(unit__region__path__startswith=region.path)
    if category:
        titles = titles.filter(unit__flag_category=category)
    return titles.order_by("unit__region__path", "unit__name")


def round_scores(*, round: Round) -> QuerySet[UnitScore]:
    return (
        UnitScore.objects.filter(round=round)
        .select_related("unit__region")
        .order_by("vetoed", "rank", "unit__region__path", "unit__name")
    )


def breakdown_rows(*, score: UnitScore, indicators: list[Any]) -> list[dict[str, Any]]:
    """The breakdown of a score in the rubric's order, each line with its indicator."""
    lines = score.breakdown.get("indicators", {})
    return [{"indicator": each, **lines[each.code]} for each in indicators if each.code in lines]
