"""Flags and titles. Flags are awarded when a round is frozen, from the region's FlagRule (rules as
data); black flags are removed after a verified rectification; three black flags within the rule's
window of rounds suspend the unit's title (a yellow card). Titles change only through TitleEvent rows
and conditional updates of their status."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from minxin.accounts.models import User
from minxin.competition.models import FlagAward, FlagRule, Round, Title, TitleEvent, UnitScore
from minxin.competition.selectors import LIVE_TITLE, city_of, is_unit_staff
from minxin.competition.services.common import require_officer
from minxin.core import clock
from minxin.core.audit import audit_record
from minxin.core.errors import Conflict, Forbidden, InvalidInput
from minxin.core.events import publish_on_commit
from minxin.orgs.models import Region, Unit


def flag_rule_for(*, round: Round) -> FlagRule:
    """The rule of the round's region and category, else the nearest region above with one, else the
    defaults (score ≥ 90 and first; the lowest below 70 gets the black flag; 3 black flags in 6 rounds)."""
    rules = {
        rule.region.path: rule
        for rule in FlagRule.objects.filter(category=round.category).select_related("region")
        if round.region.path.startswith(rule.region.path)
    }
    if rules:
        return rules[max(rules, key=len)]
    return FlagRule(region=round.region, category=round.category)


def _recent_rounds(round: Round, count: int) -> list[int]:
    """The ids of the last `count` frozen rounds of the region and category, this one included."""
    return list(
        Round.objects.filter(
            region=round.region,
            category=round.category,
            status=Round.Status.FROZEN,
            period_start__lte=round.period_start,
        )
        .order_by("-period_start")
        .values_list("pk", flat=True)[:count]
    )


def _red_streak_barred(round: Round, rule: FlagRule) -> set[int]:
    """Units that held the red flag in each of the previous `red_max_consecutive` rounds."""
    limit = rule.red_max_consecutive
    if not limit:
        return set()
    previous = _recent_rounds(round, limit + 1)[1:]
    if len(previous) < limit:
        return set()
    holders: set[int] | None = None
    for round_id in previous:
        these = set(
            FlagAward.objects.filter(round_id=round_id, colour="red").values_list("unit_id", flat=True)
        )
        holders = these if holders is None else holders & these
    return holders or set()


def _red_winners(scores: list[UnitScore], rule: FlagRule, barred: set[int]) -> list[tuple[UnitScore, str]]:
    eligible = [
        s for s in scores if s.total is not None and s.total >= rule.red_min_score and s.unit_id not in barred
    ]
    winners: list[tuple[UnitScore, str]] = []
    if rule.red_quota_per_city:
        per_city: dict[str, int] = {}
        for score in eligible:
            city = city_of(score.unit.region.path)
            if per_city.get(city, 0) < rule.red_quota_per_city:
                per_city[city] = per_city.get(city, 0) + 1
                winners.append(
                    (
                        score,
                        _("Best %(n)s in its city with %(total)s points (≥ %(min)s)")
                        % {"n": rule.red_quota_per_city, "total": score.total, "min": rule.red_min_score},
                    )
                )
        return winners
    last_rank = None
    for score in eligible:
        if len(winners) >= rule.red_top_k and score.rank != last_rank:
            break
        winners.append(
            (
                score,
                _("Rank %(rank)s with %(total)s points (≥ %(min)s, top %(k)s)")
                % {"rank": score.rank, "total": score.total, "min": rule.red_min_score, "k": rule.red_top_k},
            )
        )
        last_rank = score.rank
    return winners


def _black_losers(scores: list[UnitScore], rule: FlagRule, taken: set[int]) -> list[tuple[UnitScore, str]]:
    ranked = [s for s in scores if s.total is not None and s.unit_id not in taken]
    losers: list[tuple[UnitScore, str]] = []
    last_rank = None
    for score in reversed(ranked):
        assert score.total is not None
        if score.total >= rule.black_max_score:
            break
        if len(losers) >= rule.black_bottom_k and score.rank != last_rank:
            break
        losers.append(
            (
                score,
                _("Rank %(rank)s with %(total)s points (below %(max)s)")
                % {"rank": score.rank, "total": score.total, "max": rule.black_max_score},
            )
        )
        last_rank = score.rank
    return losers


def flags_award(*, round: Round) -> list[FlagAward]:
    """Award the red and black flags of a frozen round (called by round_freeze, in its transaction),
    then apply the black-flag streak rule to every unit that got one."""
    rule = flag_rule_for(round=round)
    scores = list(
        UnitScore.objects.filter(round=round, vetoed=False, rank__isnull=False)
        .select_related("unit__region")
        .defer("breakdown", "veto_reasons")
        .order_by("rank", "unit__region__path", "unit__name")
    )
    now = clock.now()
    red = _red_winners(scores, rule, _red_streak_barred(round, rule))
    black = _black_losers(scores, rule, {score.unit_id for score, _reason in red})
    awards = [
        FlagAward(
            round=round,
            unit_id=score.unit_id,
            colour=colour,
            total=score.total or Decimal(0),
            rank=score.rank or 0,
            reason=reason,
            awarded_at=now,
        )
        for colour, winners in (("red", red), ("black", black))
        for score, reason in winners
    ]
    FlagAward.objects.bulk_create(awards)
    for award in awards:
        if award.colour == "black":
            _black_streak(round=round, unit_id=award.unit_id, rule=rule)
    publish_on_commit(f"competition.flags.{round.region.code}", {"round": str(round.public_id)})
    return awards


def _black_streak(*, round: Round, unit_id: int, rule: FlagRule) -> None:
    recent = _recent_rounds(round, rule.black_window_rounds)
    count = FlagAward.objects.filter(round_id__in=recent, unit_id=unit_id, colour="black").count()
    if count < rule.suspend_after_black:
        return
    for title in Title.objects.filter(unit_id=unit_id, status__in=LIVE_TITLE).exclude(status="yellow_card"):
        _step(
            title=title,
            step=TitleEvent.Step.YELLOW_CARD,
            actor=None,
            round=round,
            decided_on=round.period_end,
            decision=_("Suspended: %(count)s black flags in the last %(window)s rounds")
            % {"count": count, "window": rule.black_window_rounds},
        )


@transaction.atomic
def flag_rectification_report(*, user: User, award: FlagAward, text: str) -> FlagAward:
    """The unit's staff report how a black flag's problems were put right (to be verified)."""
    if not is_unit_staff(user=user, unit=award.unit):
        raise Forbidden(_("Only the unit's own staff report its rectification."), code="not_unit_staff")
    if award.colour != FlagAward.Colour.BLACK or award.removed_at is not None:
        raise Conflict(_("Only a black flag still held is rectified."), code="not_black_flag")
    if not text.strip():
        raise InvalidInput(_("Say what was put right."), code="required", details={"field": "text"})
    FlagAward.objects.filter(pk=award.pk).update(rectification=text.strip(), rectified_at=clock.now())
    award.refresh_from_db()
    return award


@transaction.atomic
def flag_remove(*, officer: User, award: FlagAward, note: str = "") -> FlagAward:
    """Remove a black flag after the officer verified the rectification (a conditional update: once).
    The flag still counts for the streak rule: the history keeps it."""
    require_officer(user=officer, region=award.round.region)
    if is_unit_staff(user=officer, unit=award.unit):
        raise Forbidden(_("You work for this unit."), code="own_unit")
    if award.colour != FlagAward.Colour.BLACK:
        raise Conflict(_("Only a black flag is removed."), code="not_black_flag")
    if not award.rectified_at:
        raise Conflict(_("The unit has not reported its rectification."), code="not_rectified")
    changed = FlagAward.objects.filter(pk=award.pk, removed_at__isnull=True).update(
        removed_at=clock.now(), removed_by=officer
    )
    if not changed:
        raise Conflict(_("This black flag was removed already."), code="flag_removed")
    audit_record(actor=officer, action="competition.black_flag_remove", target=award, details={"note": note})
    award.refresh_from_db()
    return award


# The title lifecycle: which step leads from which statuses to which status.
TITLE_STEPS: dict[str, tuple[tuple[str, ...], str]] = {
    TitleEvent.Step.RECHECK: (("granted", "retained", "restored"), "rechecking"),
    TitleEvent.Step.RETAINED: (("rechecking",), "retained"),
    TitleEvent.Step.YELLOW_CARD: (("granted", "rechecking", "retained", "restored"), "yellow_card"),
    TitleEvent.Step.RESTORED: (("yellow_card",), "restored"),
    TitleEvent.Step.REVOKED: (("rechecking", "yellow_card"), "revoked"),
    TitleEvent.Step.TERMINATED: (
        ("granted", "rechecking", "retained", "yellow_card", "restored"),
        "terminated",
    ),
}


def _step(
    *,
    title: Title,
    step: str,
    actor: User | None,
    decision: str,
    decided_on: dt.date,
    round: Round | None = None,
) -> Title:
    sources, target = TITLE_STEPS[step]
    changed = Title.objects.filter(pk=title.pk, status__in=sources).update(status=target)
    if not changed:
        raise Conflict(
            _("A title that is %(status)s cannot take this step.") % {"status": title.get_status_display()},
            code="title_step_not_allowed",
        )
    TitleEvent.objects.create(
        title=title,
        step=step,
        decision=decision,
        decided_on=decided_on,
        actor=actor,
        round=round,
        at=clock.now(),
    )
    title.status = target
    return title


@transaction.atomic
def title_grant(
    *, officer: User, unit: Unit, granted_by: Region, name: str, decision: str, decided_on: dt.date
) -> Title:
    require_officer(user=officer, region=granted_by)
    if is_unit_staff(user=officer, unit=unit):
        raise Forbidden(_("You work for this unit."), code="own_unit")
    if not unit.region.path.startswith(granted_by.path):
        raise InvalidInput(
            _("The unit lies outside this region."), code="unit_outside", details={"field": "unit"}
        )
    try:
        with transaction.atomic():
            title = Title.objects.create(
                unit=unit,
                name=name,
                granted_by=granted_by,
                granted_on=decided_on,
                status=Title.Status.GRANTED,
            )
    except IntegrityError as error:
        raise Conflict(_("The unit holds this title already."), code="title_held") from error
    TitleEvent.objects.create(
        title=title,
        step=TitleEvent.Step.GRANTED,
        decision=decision,
        decided_on=decided_on,
        actor=officer,
        at=clock.now(),
    )
    return title


@transaction.atomic
def title_step(*, officer: User, title: Title, step: str, decision: str, decided_on: dt.date) -> Title:
    """Take one step of the lifecycle (recheck, retained, yellow card, restored, revoked, terminated)
    with its decision and date."""
    require_officer(user=officer, region=title.granted_by)
    if is_unit_staff(user=officer, unit=title.unit):
        raise Forbidden(_("You work for this unit."), code="own_unit")
    if step not in TITLE_STEPS:
        raise InvalidInput(_("Unknown step."), code="invalid", details={"field": "step"})
    if not decision.strip():
        raise InvalidInput(
            _("Give the decision (its document number)."), code="required", details={"field": "decision"}
        )
    title = _step(title=title, step=step, actor=officer, decision=decision.strip(), decided_on=decided_on)
    audit_record(actor=officer, action=f"competition.title_{step}", target=title)
    return title
