"""Rounds: open (campaign officer), assign assessors, compute (set-based), review objections, freeze."""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from minxin.accounts.models import User
from minxin.competition import sql
from minxin.competition.formulas import REGISTRY, Measure, Scope
from minxin.competition.models import (
    Assignment,
    DocumentReview,
    Finding,
    Objection,
    QuestionnaireAnswer,
    Round,
    Rubric,
    UnitScore,
    VetoFinding,
)
from minxin.competition.scoring import Evidence, IndicatorSpec, unit_score
from minxin.competition.selectors import (
    assessor_may_work_in,
    is_unit_staff,
    officer_may_run,
    units_of_round,
)
from minxin.competition.services.rubrics import rubric_freeze
from minxin.core import clock
from minxin.core.audit import audit_record
from minxin.core.errors import Conflict, Forbidden, InvalidInput
from minxin.orgs.models import Region, Unit

BATCH = 2000


def require_officer(*, user: User, region: Region) -> None:
    if not officer_may_run(user=user, region=region):
        raise Forbidden(_("Only a campaign officer of this region may do this."), code="not_campaign_officer")


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


def _require_status(round: Round, *allowed: str) -> None:
    if round.status not in allowed:
        raise Conflict(
            _("The round is %(status)s.") % {"status": round.get_status_display()}, code="round_status"
        )


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


def _specs(rubric: Rubric) -> list[IndicatorSpec]:
    return [
        IndicatorSpec(
            code=i.code,
            dimension=i.dimension.code,
            points=i.points,
            weight=i.weight,
            is_bonus=i.is_bonus,
            method=i.method,
            formula=i.formula,
            bands=i.bands,
            fallback=i.fallback,
            deduction=i.deduction,
        )
        for i in rubric.indicators.select_related("dimension").order_by("dimension__position", "position")
    ]


def _vetoes(round: Round) -> dict[int, list[str]]:
    vetoes: dict[int, list[str]] = defaultdict(list)
    for unit_id, name in VetoFinding.objects.filter(round=round).values_list("unit_id", "item__name"):
        vetoes[unit_id].append(name)
    return vetoes


def _round_evidence(round: Round, specs: list[IndicatorSpec]) -> dict[tuple[int, str], dict[str, Any]]:
    """Findings, reviews and questionnaire answers of the round, grouped by (unit, indicator code):
    a few grouped queries for the whole round."""
    found: dict[tuple[int, str], dict[str, Any]] = defaultdict(dict)
    findings = (
        Finding.objects.filter(inspection__round=round)
        .values("inspection__unit_id", "indicator__code")
        .annotate(total=Sum("deduction"), count=Count("id"))
    )
    for row in findings:
        key = (row["inspection__unit_id"], row["indicator__code"])
        found[key]["deductions"] = row["total"]
        found[key]["findings"] = row["count"]
    reviews = DocumentReview.objects.filter(round=round).values_list("unit_id", "indicator__code", "points")
    for unit_id, code, points in reviews:
        found[(unit_id, code)]["review"] = points
    questionnaire = {s.code for s in specs if "questionnaire" in (s.method, s.fallback)}
    for unit_id, answers in QuestionnaireAnswer.objects.filter(round=round).values_list("unit_id", "answers"):
        for code, level in answers.items():
            if code in questionnaire:
                slot = found[(unit_id, code)]
                slot["answers"] = slot.get("answers", 0) + 1
                slot["answer_sum"] = slot.get("answer_sum", 0) + int(level)
    return found


LAST_SOURCE_SECONDS: dict[str, float] = {}  # each source statement's duration in the last compute (bench)


def _score_rows(round: Round, now: dt.datetime) -> Iterator[UnitScore]:
    rubric = round.rubric
    specs = _specs(rubric)
    scope = Scope(round.region.path, round.category, round.period_start, round.period_end)
    scope.cache["seconds"] = LAST_SOURCE_SECONDS
    LAST_SOURCE_SECONDS.clear()
    measures: dict[str, dict[int, Measure]] = {
        name: REGISTRY[name].compute(scope) for name in {s.formula for s in specs if s.method == "formula"}
    }
    vetoes = _vetoes(round)
    found = _round_evidence(round, specs)
    for unit_id in units_of_round(round=round).values_list("pk", flat=True).iterator(chunk_size=BATCH):
        if unit_id in vetoes:
            yield UnitScore(
                round=round,
                unit_id=unit_id,
                vetoed=True,
                veto_reasons=vetoes[unit_id],
                total=None,
                breakdown={},
                computed_at=now,
            )
            continue
        evidence = {}
        for spec in specs:
            slot = found.get((unit_id, spec.code), {})
            evidence[spec.code] = Evidence(
                measure=measures[spec.formula].get(unit_id) if spec.method == "formula" else None,
                deductions=slot.get("deductions", Decimal(0)),
                findings=slot.get("findings", 0),
                answers=slot.get("answers", 0),
                answer_sum=slot.get("answer_sum", 0),
                review=slot.get("review"),
            )
        result = unit_score(specs, evidence, bonus_cap=rubric.bonus_cap)
        yield UnitScore(
            round=round,
            unit_id=unit_id,
            standard_points=result.standard,
            bonus_points=result.bonus,
            deductions=result.deductions,
            total=result.total,
            breakdown=result.breakdown,
            computed_at=now,
        )


@transaction.atomic
def round_compute(*, officer: User, round: Round) -> int:
    """Compute every unit's score from the round's facts, then rank. Locks the round row so a freeze
    cannot pass a compute; may run again until frozen (evidence arrives, objections are upheld).
    Returns the number of units scored."""
    require_officer(user=officer, region=round.region)
    locked = Round.objects.select_for_update().select_related("region", "rubric").get(pk=round.pk)
    _require_status(locked, Round.Status.OPEN, Round.Status.COMPUTED)
    now = clock.now()
    sql.tune_for_compute()
    UnitScore.objects.filter(round=locked).delete()
    count = 0
    batch: list[UnitScore] = []
    started = time.perf_counter()
    for row in _score_rows(locked, now):
        batch.append(row)
        if len(batch) >= BATCH:
            UnitScore.objects.bulk_create(batch)
            count += len(batch)
            batch = []
    UnitScore.objects.bulk_create(batch)
    count += len(batch)
    sources = sum(v for k, v in LAST_SOURCE_SECONDS.items() if not k.startswith("("))
    LAST_SOURCE_SECONDS["(scoring and inserting)"] = float(f"{time.perf_counter() - started - sources:.2f}")
    started = time.perf_counter()
    sql.rank_round(round_id=locked.pk)
    LAST_SOURCE_SECONDS["(ranking)"] = float(f"{time.perf_counter() - started:.2f}")
    Round.objects.filter(pk=locked.pk).update(status=Round.Status.COMPUTED, computed_at=now)
    round.status, round.computed_at = Round.Status.COMPUTED, now
    audit_record(actor=officer, action="competition.round_compute", target=locked, details={"units": count})
    return count


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
