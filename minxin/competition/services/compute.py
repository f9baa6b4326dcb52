"""Computing a round: every unit's score from the round's facts, then the ranking.

On PostgreSQL the work is set-based: the formulas' measures are staged per fact statement
(sql.measures), then one INSERT … SELECT scores, sums, caps and ranks every unit over the rubric's rows
(sql.scoring); memory in the process stays flat whatever the number of units. SQLite has no exact
decimal arithmetic in SQL, so there the same rules run in Python (scoring.py) over the same grouped
facts, streaming the units in batches; the fixture tests check both paths give the same Decimals.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Sum

from minxin.accounts.models import User
from minxin.competition import sql
from minxin.competition.formulas import REGISTRY, Measure, Scope
from minxin.competition.models import (
    DocumentReview,
    Finding,
    QuestionnaireAnswer,
    Round,
    Rubric,
    UnitScore,
    VetoFinding,
)
from minxin.competition.scoring import Evidence, IndicatorSpec, unit_score
from minxin.competition.selectors import units_of_round
from minxin.competition.services.common import _require_status, require_officer
from minxin.core import clock
from minxin.core.audit import audit_record

BATCH = 2000
LAST_PHASE_SECONDS: dict[str, float] = {}  # each phase's seconds in the last compute (the benchmark)
LAST_SOURCE_SECONDS = LAST_PHASE_SECONDS  # the name the benchmark used before


def _seconds(started: float) -> float:
    return round(time.perf_counter() - started, 2)


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


def _score_rows(round: Round, now: dt.datetime) -> Iterator[UnitScore]:
    rubric = round.rubric
    specs = _specs(rubric)
    scope = Scope(round.region.path, round.category, round.period_start, round.period_end)
    scope.cache["seconds"] = LAST_SOURCE_SECONDS
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


def _compute_in_python(the_round: Round, now: dt.datetime) -> int:
    count = 0
    batch: list[UnitScore] = []
    already = sum(LAST_PHASE_SECONDS.values())
    started = time.perf_counter()
    for row in _score_rows(the_round, now):
        batch.append(row)
        if len(batch) >= BATCH:
            UnitScore.objects.bulk_create(batch)
            count += len(batch)
            batch = []
    UnitScore.objects.bulk_create(batch)
    count += len(batch)
    sources = sum(LAST_PHASE_SECONDS.values()) - already
    LAST_PHASE_SECONDS["scoring and inserting (Python)"] = round(_seconds(started) - sources, 2)
    started = time.perf_counter()
    sql.rank_round(round_id=the_round.pk)
    LAST_PHASE_SECONDS["ranking"] = _seconds(started)
    return count


def _compute_in_sql(round: Round, now: dt.datetime) -> int:
    rubric = round.rubric
    scope = Scope(round.region.path, round.category, round.period_start, round.period_end)
    params = scope.params()
    formulas = rubric.indicators.filter(method="formula").values_list("formula", flat=True)
    for source, seconds in sql.stage_measures(formulas, params).items():
        LAST_PHASE_SECONDS[f"measures: {source}"] = seconds
    started = time.perf_counter()
    count = sql.score_round(
        round_id=round.pk,
        rubric_id=rubric.pk,
        bonus_cap=rubric.bonus_cap,
        category=round.category,
        path=params["path"],
        now=now,
    )
    LAST_PHASE_SECONDS["scoring, ranking and inserting (one statement)"] = _seconds(started)
    return count


@transaction.atomic
def round_compute(*, officer: User, round: Round) -> int:
    """Compute every unit's score from the round's facts, then rank. Locks the round row so a freeze
    cannot pass a compute; may run again until frozen (evidence arrives, objections are upheld).
    Returns the number of units scored."""
    require_officer(user=officer, region=round.region)
    locked = Round.objects.select_for_update().select_related("region", "rubric").get(pk=round.pk)
    _require_status(locked, Round.Status.OPEN, Round.Status.COMPUTED)
    now = clock.now()
    LAST_PHASE_SECONDS.clear()
    sql.tune_for_compute()
    started = time.perf_counter()
    UnitScore.objects.filter(round=locked).delete()
    LAST_PHASE_SECONDS["deleting the previous scores"] = _seconds(started)
    if connection.vendor == "postgresql":
        count = _compute_in_sql(locked, now)
    else:
        count = _compute_in_python(locked, now)
    Round.objects.filter(pk=locked.pk).update(status=Round.Status.COMPUTED, computed_at=now)
    round.status, round.computed_at = Round.Status.COMPUTED, now
    audit_record(actor=officer, action="competition.round_compute", target=locked, details={"units": count})
    return count
