"""The platform formulas' facts: each one statement over every unit of a
round at once (grouped by unit), never a query per unit. Named parameters; the few spellings that differ
between PostgreSQL and SQLite (elapsed seconds, the 90th percentile) are chosen by `dialect`.

Common parameters: %(start)s/%(end)s (the round's period, local service dates, inclusive), %(category)s
(the round's flag category), %(path)s (the round's region path followed by %, a prefix match).
"""

from __future__ import annotations

from typing import Any

from django.db import connection

# The units of a round: active units of its category anywhere under its region.
_UNITS_OF_ROUND = """
    JOIN orgs_hall h ON h.id = t.hall_id
    JOIN orgs_unit u ON u.id = h.unit_id
    JOIN orgs_region r ON r.id = u.region_id
    WHERE t.service_date BETWEEN %(start)s AND %(end)s
      AND u.flag_category = %(category)s AND u.is_active AND r.path LIKE %(path)s
"""


def _wait_seconds() -> str:
    """Seconds from joining the line (taking the number, or checking in for a remote number) to the call.
    SQLite's julianday is a float: rounded to the millisecond so 900 s stays 900 s."""
    if connection.vendor == "postgresql":
        return "EXTRACT(EPOCH FROM (t.called_at - COALESCE(t.checked_in_at, t.issued_at)))"
    return "ROUND((julianday(t.called_at) - julianday(COALESCE(t.checked_in_at, t.issued_at))) * 86400.0, 3)"


def queue_stats() -> str:
    """Per unit: numbers taken, called, called within 15 minutes, no-shows."""
    return f"""
    SELECT h.unit_id,
           COUNT(*) AS issued,
           COUNT(t.called_at) AS called,
           SUM(CASE WHEN t.called_at IS NOT NULL AND {_wait_seconds()} <= 900 THEN 1 ELSE 0 END) AS within_15,
           SUM(CASE WHEN t.status = 'no_show' THEN 1 ELSE 0 END) AS no_show
    FROM queueing_ticket t
    {_UNITS_OF_ROUND}
    GROUP BY h.unit_id
    """  # noqa: S608 - constant fragments only; values are named parameters


def queue_wait_p90() -> str:
    """Per unit: the 90th percentile of the waits of called numbers, by nearest rank (the smallest wait
    at or above which lie 10 % of the waits: rank ceil(0.9 n)), in seconds, and n. PostgreSQL's
    percentile_disc is exactly that; SQLite gets the same rank from a window."""
    if connection.vendor == "postgresql":
        return f"""
        SELECT h.unit_id, percentile_disc(0.9) WITHIN GROUP (ORDER BY {_wait_seconds()}) AS p90, COUNT(*) AS n
        FROM queueing_ticket t
        {_UNITS_OF_ROUND} AND t.called_at IS NOT NULL
        GROUP BY h.unit_id
        """  # noqa: S608 - constant fragments only; values are named parameters
    return f"""
    WITH waits AS (
        SELECT h.unit_id AS unit_id, {_wait_seconds()} AS wait
        FROM queueing_ticket t
        {_UNITS_OF_ROUND} AND t.called_at IS NOT NULL
    ), ranked AS (
        SELECT unit_id, wait,
               ROW_NUMBER() OVER (PARTITION BY unit_id ORDER BY wait) AS position,
               COUNT(*) OVER (PARTITION BY unit_id) AS n
        FROM waits
    )
    SELECT unit_id, wait AS p90, n FROM ranked WHERE position = (9 * n + 9) / 10
    """  # noqa: S608 - constant fragments only; values are named parameters


def _moves() -> str:
    """The line's moves on the busy queue-days: +1 when a called citizen joined it, −1 at the call. One
    pass over the tickets on PostgreSQL (each ticket unpivoted into its two moves); SQLite, without
    LATERAL, reads them twice."""
    if connection.vendor == "postgresql":
        return """
        SELECT t.queue_id AS queue_id, t.service_date AS day, m.at AS at, m.step AS step
        FROM queueing_ticket t JOIN busy b ON b.queue_id = t.queue_id AND b.day = t.service_date
        CROSS JOIN LATERAL (VALUES (COALESCE(t.checked_in_at, t.issued_at), 1), (t.called_at, -1))
            AS m(at, step)
        WHERE t.called_at IS NOT NULL"""
    return """
        SELECT t.queue_id AS queue_id, t.service_date AS day,
               COALESCE(t.checked_in_at, t.issued_at) AS at, 1 AS step
        FROM queueing_ticket t JOIN busy b ON b.queue_id = t.queue_id AND b.day = t.service_date
        WHERE t.called_at IS NOT NULL
        UNION ALL
        SELECT t.queue_id, t.service_date, t.called_at, -1
        FROM queueing_ticket t JOIN busy b ON b.queue_id = t.queue_id AND b.day = t.service_date
        WHERE t.called_at IS NOT NULL"""


def queue_crowding() -> str:
    """Per unit: queue-days with called numbers, and those on which the line of present citizens grew
    past the hall's crowd rule (QueueRules.crowd_alert_waiting, 20 without rules, 0 = off) at any
    moment, the moment a desk shows its crowd alert. The line is replayed as +1 when a called citizen
    joined it and −1 at the call (a leave first at equal instants); citizens who left uncalled are not
    counted. Only queue-days with more called numbers than the limit can be crowded, so only those are
    replayed (the replay sorts their tickets; the others are counted by a hash aggregate)."""
    return f"""
    WITH days AS (
        SELECT h.unit_id AS unit_id, t.hall_id AS hall_id, t.queue_id AS queue_id, t.service_date AS day,
               COUNT(*) AS called
        FROM queueing_ticket t
        {_UNITS_OF_ROUND} AND t.called_at IS NOT NULL
        GROUP BY h.unit_id, t.hall_id, t.queue_id, t.service_date
    ), limits AS (
        SELECT d.unit_id, d.queue_id, d.day, d.called, COALESCE(qr.crowd_alert_waiting, 20) AS crowd_limit
        FROM days d LEFT JOIN queueing_queuerules qr ON qr.hall_id = d.hall_id
    ), busy AS (
        SELECT queue_id, day FROM limits WHERE crowd_limit > 0 AND called > crowd_limit
    ), moves AS ({_moves()}
    ), line AS (
        SELECT queue_id, day,
               SUM(step) OVER (PARTITION BY queue_id, day ORDER BY at, step
                               ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS waiting
        FROM moves
    ), peaks AS (
        SELECT queue_id, day, MAX(waiting) AS peak FROM line GROUP BY queue_id, day
    )
    SELECT l.unit_id, COUNT(*) AS queue_days,
           SUM(CASE WHEN p.peak > l.crowd_limit THEN 1 ELSE 0 END) AS crowded
    FROM limits l LEFT JOIN peaks p ON p.queue_id = l.queue_id AND p.day = l.day
    GROUP BY l.unit_id
    """  # noqa: S608 - constant fragments only; values are named parameters


def unit_rows(query: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Run one grouped statement; its rows start with the unit id."""
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return list(cursor.fetchall())


RANK_ROUND = """
    UPDATE competition_unitscore SET rank = ranked.position
    FROM (
        SELECT id, RANK() OVER (ORDER BY total DESC, standard_points DESC, deductions ASC) AS position
        FROM competition_unitscore
        WHERE round_id = %(round)s AND NOT vetoed
    ) AS ranked
    WHERE competition_unitscore.id = ranked.id
"""  # Rank a round in one statement (both databases know UPDATE … FROM): total first, then the indicator
# points without bonus, then fewer deductions; units equal on all three share a rank (1, 2, 2, 4).


def tune_for_compute() -> None:
    """PostgreSQL: give this transaction's sorts and hashes room (the percentile and the line replay sort
    a month of tickets); the default 4 MB spills them to disk."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = '256MB'")


def rank_round(*, round_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(RANK_ROUND, {"round": round_id})


def _local_date(column: str) -> str:
    """The local date of an instant in the hall's zone. SQLite knows no zone names: it reads the default
    zone's fixed offset (%(utc_offset)s, Asia/Shanghai: '+8 hours', no daylight saving)."""
    if connection.vendor == "postgresql":
        return f"CAST(({column} AT TIME ZONE h.time_zone) AS date)"
    return f"date({column}, %(utc_offset)s)"


def cases_stats() -> str:
    """Per unit, over its halls' cases (the case app's definitions, docs/cases.md): decided in the period
    and on time (decided on or before the promised date); working days used and promised for the decided
    ones of items with a promised time; completed in the period, in at most one visit, in none; received
    in the period, with a one-time correction notice. %(since)s/%(until)s bound the instants a day beyond
    the period so the local-date tests decide."""
    decided = f"{_local_date('c.decided_at')} BETWEEN %(start)s AND %(end)s"
    completed = f"{_local_date('c.completed_at')} BETWEEN %(start)s AND %(end)s"
    received = f"{_local_date('c.created_at')} BETWEEN %(start)s AND %(end)s"
    return f"""
    SELECT h.unit_id,
           SUM(CASE WHEN {decided} THEN 1 ELSE 0 END) AS decided,
           SUM(CASE WHEN {decided} AND {_local_date("c.decided_at")} <= c.promised_due
                    THEN 1 ELSE 0 END) AS on_time,
           SUM(CASE WHEN {decided} AND iv.promised_days > 0
                    THEN COALESCE(c.handling_days, 0) ELSE 0 END) AS used,
           SUM(CASE WHEN {decided} AND iv.promised_days > 0 THEN iv.promised_days ELSE 0 END) AS promised,
           SUM(CASE WHEN {completed} THEN 1 ELSE 0 END) AS completed,
           SUM(CASE WHEN {completed} AND c.trips_made <= 1 THEN 1 ELSE 0 END) AS one_visit,
           SUM(CASE WHEN {completed} AND c.trips_made = 0 THEN 1 ELSE 0 END) AS zero_trip,
           SUM(CASE WHEN {received} THEN 1 ELSE 0 END) AS received,
           SUM(CASE WHEN {received} AND c.outcome = 'correct' THEN 1 ELSE 0 END) AS correction
    FROM cases_case c
    JOIN catalog_itemversion iv ON iv.id = c.item_version_id
    JOIN orgs_hall h ON h.id = c.hall_id
    JOIN orgs_unit u ON u.id = h.unit_id
    JOIN orgs_region r ON r.id = u.region_id
    WHERE u.flag_category = %(category)s AND u.is_active AND r.path LIKE %(path)s
      AND c.created_at < %(until)s
      AND (c.created_at >= %(since)s OR c.decided_at >= %(since)s OR c.completed_at >= %(since)s)
    GROUP BY h.unit_id
    """  # noqa: S608 - constant fragments only; values are named parameters


def _cites_attitude() -> str:
    if connection.vendor == "postgresql":
        return "f.indicators @> '[\"attitude\"]'::jsonb"
    return "EXISTS (SELECT 1 FROM json_each(f.indicators) WHERE json_each.value = 'attitude')"


def ratings_attitude() -> str:
    """Per unit: ratings counted in scores (no upheld appeal) in the period, and the bad ones (score ≤ 2)
    that tick the attitude indicator."""
    return f"""
    SELECT f.unit_id, COUNT(*) AS scored,
           SUM(CASE WHEN f.score <= 2 AND {_cites_attitude()} THEN 1 ELSE 0 END) AS attitude_bad
    FROM feedback_rating f
    JOIN orgs_unit u ON u.id = f.unit_id
    JOIN orgs_region r ON r.id = u.region_id
    WHERE f.service_date BETWEEN %(start)s AND %(end)s AND f.excluded_at IS NULL
      AND u.flag_category = %(category)s AND u.is_active AND r.path LIKE %(path)s
    GROUP BY f.unit_id
    """  # noqa: S608 - constant fragments only; values are named parameters


def ratings_stats() -> str:
    """Per unit, over the ratings of the period (the feedback app's definitions, docs/feedback.md):
    scored (no upheld appeal), satisfied (score ≥ %(satisfied_min)s), bad reviews with a rectification
    loop, and those closed as rectified without being late."""
    return """
    SELECT f.unit_id,
           SUM(CASE WHEN f.excluded_at IS NULL THEN 1 ELSE 0 END) AS scored,
           SUM(CASE WHEN f.excluded_at IS NULL AND f.score >= %(satisfied_min)s
                    THEN 1 ELSE 0 END) AS satisfied,
           COUNT(x.id) AS rectifications,
           SUM(CASE WHEN x.status = 'closed' AND x.resolution = 'rectified' AND NOT x.late THEN 1 ELSE 0 END)
               AS rectified_on_time
    FROM feedback_rating f
    LEFT JOIN feedback_rectification x ON x.rating_id = f.id
    JOIN orgs_unit u ON u.id = f.unit_id
    JOIN orgs_region r ON r.id = u.region_id
    WHERE f.service_date BETWEEN %(start)s AND %(end)s
      AND u.flag_category = %(category)s AND u.is_active AND r.path LIKE %(path)s
    GROUP BY f.unit_id
    """


def ratings_all() -> str:
    """PostgreSQL, for the staged measures: ratings_stats and ratings_attitude in one pass."""
    return f"""
    SELECT f.unit_id,
           COUNT(*) FILTER (WHERE f.excluded_at IS NULL) AS scored,
           COUNT(*) FILTER (WHERE f.excluded_at IS NULL AND f.score >= %(satisfied_min)s) AS satisfied,
           COUNT(x.id) AS rectifications,
           COUNT(*) FILTER (WHERE x.status = 'closed' AND x.resolution = 'rectified' AND NOT x.late)
               AS rectified_on_time,
           COUNT(*) FILTER (WHERE f.excluded_at IS NULL AND f.score <= 2 AND {_cites_attitude()})
               AS attitude_bad
    FROM feedback_rating f
    LEFT JOIN feedback_rectification x ON x.rating_id = f.id
    JOIN orgs_unit u ON u.id = f.unit_id
    JOIN orgs_region r ON r.id = u.region_id
    WHERE f.service_date BETWEEN %(start)s AND %(end)s
      AND u.flag_category = %(category)s AND u.is_active AND r.path LIKE %(path)s
    GROUP BY f.unit_id
    """  # noqa: S608 - constant fragments only; values are named parameters


HONOURED_STARS = """
    SELECT h.unit_id, COUNT(*) AS stars
    FROM feedback_honour o
    JOIN orgs_hall h ON h.id = o.hall_id
    JOIN orgs_unit u ON u.id = h.unit_id
    JOIN orgs_region r ON r.id = u.region_id
    WHERE o.kind = 'service_star' AND o.status = 'confirmed' AND o.month BETWEEN %(month_start)s AND %(end)s
      AND u.flag_category = %(category)s AND u.is_active AND r.path LIKE %(path)s
    GROUP BY h.unit_id
"""  # Per unit: its clerks confirmed as monthly service stars (model workers) in the period's months.
