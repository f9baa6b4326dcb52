"""PostgreSQL: a round's scores in one INSERT … SELECT over the rubric's rows, the staged measures
(measures.py) and the round's evidence; no row per unit passes through Python.

The statement does what scoring.py does per unit, in the same order and with the same rounding:
veto items first (a vetoed unit gets a row without a total, breakdown or rank); each (unit, indicator)
line's method (a formula without data falls back), its band share from the indicator's bands (linear:
clamped to [0, 1]; steps: the first step reached in the stored order, else 0; a questionnaire without
bands rises from 1 to 5), its base rounded half-up to 0.01, its deductions capped at the indicator's
points, its points = (base − deductions, at least 0) × weight rounded to 0.01; per unit the sums per
dimension, the bonus capped at the rubric's bonus cap, the total, and the rank with the stated
tie-breaks (total, then indicator points without bonus, then fewer deductions; equals share a rank).
Every line is kept in the breakdown as JSON, so each number stays traceable to its inputs.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import connection

from minxin.competition.sql.measures import TABLE


def _band_share(bands: str, value: str) -> str:
    """The share of an indicator's points that `value` earns under `bands` (scoring.band_share)."""
    zero = f"({bands} -> 'linear' ->> 'zero')::numeric"
    full = f"({bands} -> 'linear' ->> 'full')::numeric"
    return f"""CASE WHEN {bands} ? 'linear'
        THEN LEAST(GREATEST(({value} - {zero}) / ({full} - {zero}), 0), 1)
        ELSE COALESCE((
            SELECT (step.pair ->> 1)::numeric
            FROM jsonb_array_elements({bands} -> 'steps') WITH ORDINALITY AS step(pair, position)
            WHERE CASE WHEN {bands} ->> 'better' = 'higher'
                       THEN {value} >= (step.pair ->> 0)::numeric
                       ELSE {value} <= (step.pair ->> 0)::numeric END
            ORDER BY step.position LIMIT 1), 0)
        END"""  # noqa: S608 - constant fragments only


_QUESTIONNAIRE_BANDS = (
    """COALESCE(NULLIF(bands, '{}'::jsonb), '{"linear": {"zero": "1", "full": "5"}}'::jsonb)"""
)

_EVIDENCE = """
    units AS (
        SELECT u.id AS unit_id
        FROM orgs_unit u JOIN orgs_region r ON r.id = u.region_id
        WHERE u.flag_category = %(category)s AND u.is_active AND r.path LIKE %(path)s
    ), vetoes AS (
        SELECT v.unit_id, jsonb_agg(item.name ORDER BY v.id) AS reasons
        FROM competition_vetofinding v JOIN competition_vetoitem item ON item.id = v.item_id
        WHERE v.round_id = %(round)s
        GROUP BY v.unit_id
    ), specs AS (
        SELECT i.code, d.code AS dimension, i.points, i.weight, i.is_bonus, i.method, i.formula, i.bands,
               i.fallback
        FROM competition_indicator i JOIN competition_dimension d ON d.id = i.dimension_id
        WHERE i.rubric_id = %(rubric)s
    ), found AS (
        SELECT s.unit_id, i.code, SUM(f.deduction) AS deductions, COUNT(*) AS findings
        FROM competition_finding f
        JOIN competition_inspection s ON s.id = f.inspection_id
        JOIN competition_indicator i ON i.id = f.indicator_id
        WHERE s.round_id = %(round)s
        GROUP BY s.unit_id, i.code
    ), reviews AS (
        SELECT v.unit_id, i.code, v.points
        FROM competition_documentreview v JOIN competition_indicator i ON i.id = v.indicator_id
        WHERE v.round_id = %(round)s
    ), answers AS (
        SELECT a.unit_id, e.key AS code, COUNT(*) AS answers, SUM(e.value::int) AS answer_sum
        FROM competition_questionnaireanswer a CROSS JOIN LATERAL jsonb_each_text(a.answers) AS e
        WHERE a.round_id = %(round)s
        GROUP BY a.unit_id, e.key
    )"""

_LINES = f"""
    facts AS (
        SELECT u.unit_id, s.*, m.value AS measured, m.inputs,
               (s.method = 'formula' AND m.unit_id IS NULL) AS no_data,
               COALESCE(f.deductions, 0) AS deductions, COALESCE(f.findings, 0) AS findings,
               COALESCE(a.answers, 0) AS answers, COALESCE(a.answer_sum, 0) AS answer_sum,
               rv.points AS review
        FROM units u CROSS JOIN specs s
        LEFT JOIN {TABLE} m ON s.method = 'formula' AND m.formula = s.formula AND m.unit_id = u.unit_id
        LEFT JOIN found f ON f.unit_id = u.unit_id AND f.code = s.code
        LEFT JOIN reviews rv ON rv.unit_id = u.unit_id AND rv.code = s.code
        LEFT JOIN answers a ON a.unit_id = u.unit_id AND a.code = s.code
                           AND 'questionnaire' IN (s.method, s.fallback)
        WHERE NOT EXISTS (SELECT 1 FROM vetoes v WHERE v.unit_id = u.unit_id)
    ), methods AS (
        SELECT facts.*,
               CASE WHEN no_data THEN COALESCE(NULLIF(fallback, ''), 'inspection') ELSE method END AS used,
               CASE WHEN answers > 0 THEN answer_sum::numeric / answers END AS mean,
               LEAST(deductions, points) AS applied
        FROM facts
    ), bases AS MATERIALIZED (
        SELECT unit_id, code, dimension, is_bonus, weight, points, used, no_data, findings, measured, inputs,
               answers, answer_sum, mean, review, applied, ROUND(CASE used
            WHEN 'formula' THEN points * {_band_share("bands", "measured")}
            WHEN 'questionnaire' THEN CASE WHEN answers > 0
                THEN points * {_band_share(_QUESTIONNAIRE_BANDS, "mean")} ELSE points END
            WHEN 'document' THEN CASE WHEN review IS NULL THEN 0 ELSE LEAST(review, points) END
            ELSE points END, 2) AS base
        FROM methods
    ), lines AS (
        SELECT unit_id, code, dimension, is_bonus, ROUND(applied, 2) AS applied,
               ROUND(GREATEST(base - applied, 0) * weight, 2) AS earned,
               json_strip_nulls(json_build_object(
                   'method', used, 'base', base::text, 'findings', findings,
                   'deductions', ROUND(applied, 2)::text,
                   'points', ROUND(GREATEST(base - applied, 0) * weight, 2)::text,
                   'no_data', CASE WHEN no_data THEN TRUE END,
                   'value', CASE used WHEN 'formula' THEN measured::text
                                      WHEN 'questionnaire' THEN ROUND(mean, 2)::text
                                      WHEN 'document' THEN CASE WHEN review IS NOT NULL
                                                           THEN LEAST(review, points)::text END END,
                   'inputs', CASE used WHEN 'formula' THEN inputs::json
                                       WHEN 'questionnaire' THEN CASE WHEN answers > 0 THEN
                                           json_build_object('answers', answers, 'sum', answer_sum) END END,
                   'no_answers', CASE WHEN used = 'questionnaire' AND answers = 0 THEN TRUE END,
                   'not_reviewed', CASE WHEN used = 'document' AND review IS NULL THEN TRUE END
               )) AS line
        FROM bases
    )"""  # noqa: S608 - constant fragments only; values are named parameters

_TOTALS = """
    per_unit AS (
        SELECT unit_id,
               COALESCE(SUM(earned) FILTER (WHERE NOT is_bonus), 0) AS standard,
               COALESCE(SUM(earned) FILTER (WHERE is_bonus), 0) AS bonus_claimed,
               SUM(applied) AS deductions,
               json_object_agg(code, line) AS indicators
        FROM lines GROUP BY unit_id
    ), per_dimension AS (
        SELECT unit_id, json_object_agg(dimension, earned::text) AS dimensions
        FROM (SELECT unit_id, dimension, SUM(earned) AS earned
              FROM lines WHERE NOT is_bonus GROUP BY unit_id, dimension) AS d
        GROUP BY unit_id
    ), totals AS (
        SELECT p.*, LEAST(p.bonus_claimed, %(bonus_cap)s) AS bonus,
               p.standard + LEAST(p.bonus_claimed, %(bonus_cap)s) AS total,
               COALESCE(d.dimensions, '{}'::json) AS dimensions
        FROM per_unit p LEFT JOIN per_dimension d ON d.unit_id = p.unit_id
    )"""

SCORE_ROUND = (
    "WITH"  # noqa: S608 - constant fragments only; values are named parameters
    + _EVIDENCE
    + ","
    + _LINES
    + ","
    + _TOTALS
    + """
    INSERT INTO competition_unitscore (round_id, unit_id, vetoed, veto_reasons, standard_points,
                                       bonus_points, deductions, total, rank, breakdown, computed_at)
    SELECT %(round)s, t.unit_id, FALSE, '[]'::jsonb, t.standard, t.bonus, t.deductions, t.total,
           RANK() OVER (ORDER BY t.total DESC, t.standard DESC, t.deductions ASC),
           json_build_object('indicators', t.indicators, 'dimensions', t.dimensions,
                             'bonus_claimed', t.bonus_claimed::text)::jsonb,
           %(now)s
    FROM totals t
    UNION ALL
    SELECT %(round)s, v.unit_id, TRUE, v.reasons, 0, 0, 0, NULL, NULL, '{}'::jsonb, %(now)s
    FROM vetoes v JOIN units u ON u.unit_id = v.unit_id
    """
)


def score_round(
    *, round_id: int, rubric_id: int, bonus_cap: Decimal, category: str, path: str, now: datetime
) -> int:
    """Insert every unit's score of the round (its measures staged already), ranked; returns the rows."""
    params: dict[str, Any] = {
        "round": round_id,
        "rubric": rubric_id,
        "bonus_cap": bonus_cap,
        "category": category,
        "path": path,
        "now": now,
    }
    with connection.cursor() as cursor:
        cursor.execute(SCORE_ROUND, params)
        return int(cursor.rowcount)
