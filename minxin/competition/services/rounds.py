"""Rounds: open (campaign officer), assign assessors, compute (set-based), review objections, freeze."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from minxin.accounts.models import User
from minxin.competition.models import Assignment, Objection, Round, Rubric
from minxin.competition.selectors import assessor_may_work_in, is_unit_staff, units_of_round
from minxin.competition.services.common import _require_status, require_officer
from minxin.competition.services.compute import LAST_PHASE_SECONDS, LAST_SOURCE_SECONDS, round_compute
from minxin.competition.services.rubrics import rubric_freeze
from minxin.core import clock
from minxin.core.audit import audit_record
from minxin.core.errors import Conflict, Forbidden, InvalidInput
from minxin.orgs.models import Region, Unit

__all__ = [
    "LAST_PHASE_SECONDS",
    "LAST_SOURCE_SECONDS",
    "objection_answer",
    "objection_raise",
    "require_officer",
    "round_assign",
    "round_compute",
    "round_freeze",
    "round_open",
]


@transaction.atomic
def round_open(
    *,
    officer: User,
    rubric: Rubric,
    region: Region,
    category: str,
    period_start: dt.date,
    period_end: dt.date,
) -> Round:
    """Open a round for a period, region and category; it freezes the rubric version it scores with."""
    require_officer(user=officer, region=region)
    if category not in Unit.FlagCategory.values:
        raise InvalidInput(
            _("Unknown flag category."), code="invalid_category", details={"field": "category"}
        )
    if rubric.category and rubric.category != category:
        raise InvalidInput(
            _("This rubric is for another category."), code="rubric_category", details={"field": "rubric"}
        )
    if period_end < period_start:
        raise InvalidInput(
            _("The period ends before it starts."), code="invalid_period", details={"field": "period_end"}
        )
    try:
        with transaction.atomic():
            round = Round.objects.create(
                rubric=rubric,
                region=region,
                category=category,
                period_start=period_start,
                period_end=period_end,
                opened_by=officer,
                opened_at=clock.now(),
            )
    except IntegrityError as error:
        raise Conflict(
            _("A round for this region, category and period exists already."), code="round_exists"
        ) from error
    rubric_freeze(rubric=rubric)
    audit_record(actor=officer, action="competition.round_open", target=round)
    return round


@transaction.atomic
def round_assign(*, officer: User, round: Round, unit: Unit, assessor: User) -> Assignment:
    """Assign an assessor to a unit of the round; never to a unit they work for."""
    require_officer(user=officer, region=round.region)
    _require_status(round, Round.Status.OPEN, Round.Status.COMPUTED)
    if not units_of_round(round=round).filter(pk=unit.pk).exists():
        raise InvalidInput(
            _("This unit does not compete in this round."),
            code="unit_not_in_round",
            details={"field": "unit"},
        )
    if not assessor_may_work_in(user=assessor, region=unit.region):
        raise InvalidInput(
            _("This user is not an assessor of the unit's region."),
            code="not_assessor",
            details={"field": "assessor"},
        )
    if is_unit_staff(user=assessor, unit=unit):
        raise Forbidden(_("An assessor never assesses their own unit."), code="own_unit")
    assignment, _created = Assignment.objects.get_or_create(
        round=round, unit=unit, assessor=assessor, defaults={"assigned_at": clock.now()}
    )
    return assignment


@transaction.atomic
def round_freeze(*, officer: User, round: Round) -> Round:
    """Freeze a computed round with every objection answered, and award its flags (flags.flags_award)."""
    from minxin.competition.services.flags import flags_award

    require_officer(user=officer, region=round.region)
    locked = Round.objects.select_for_update().select_related("region", "rubric").get(pk=round.pk)
    _require_status(locked, Round.Status.COMPUTED)
    if Objection.objects.filter(round=locked, status=Objection.Status.OPEN).exists():
        raise Conflict(_("Answer every objection before freezing the round."), code="objections_open")
    now = clock.now()
    Round.objects.filter(pk=locked.pk, status=Round.Status.COMPUTED).update(
        status=Round.Status.FROZEN, frozen_at=now
    )
    locked.status, locked.frozen_at = Round.Status.FROZEN, now
    flags_award(round=locked)
    audit_record(actor=officer, action="competition.round_freeze", target=locked)
    round.status, round.frozen_at = locked.status, now
    return locked


@transaction.atomic
def objection_raise(
    *, user: User, round: Round, unit: Unit, text: str, indicator_code: str = ""
) -> Objection:
    """A unit's staff objects to its computed score before the round is frozen."""
    if not is_unit_staff(user=user, unit=unit):
        raise Forbidden(_("Only the unit's own staff may object to its score."), code="not_unit_staff")
    _require_status(round, Round.Status.COMPUTED)
    if not text.strip():
        raise InvalidInput(_("Say what is wrong."), code="required", details={"field": "text"})
    indicator = round.rubric.indicators.filter(code=indicator_code).first() if indicator_code else None
    return Objection.objects.create(
        round=round, unit=unit, indicator=indicator, text=text.strip(), raised_by=user, raised_at=clock.now()
    )


@transaction.atomic
def objection_answer(*, officer: User, objection: Objection, upheld: bool, answer: str) -> Objection:
    """Answer an objection (a conditional update: answered once). An upheld objection is corrected in the
    evidence (a finding withdrawn, a review redone) and the round computed again."""
    require_officer(user=officer, region=objection.round.region)
    if is_unit_staff(user=officer, unit=objection.unit):
        raise Forbidden(_("You work for this unit."), code="own_unit")
    if not answer.strip():
        raise InvalidInput(_("Write the answer."), code="required", details={"field": "answer"})
    status = Objection.Status.UPHELD if upheld else Objection.Status.REJECTED
    now = clock.now()
    changed = Objection.objects.filter(pk=objection.pk, status=Objection.Status.OPEN).update(
        status=status, answer=answer.strip(), answered_by=officer, answered_at=now
    )
    if not changed:
        raise Conflict(_("This objection has been answered."), code="objection_answered")
    objection.refresh_from_db()
    audit_record(
        actor=officer, action="competition.objection_answer", target=objection, details={"status": status}
    )
    return objection
