"""PostgreSQL's statements over the tickets for the staged measures (measures.py): the same figures as
facts.queue_stats, facts.queue_wait_p90 and facts.queue_crowding, written for a month of a province's
tickets. The round's halls are found once (a small hash) instead of joining every ticket to its hall,
unit and region; waits stay intervals (compared and sorted as such, cheaper than numeric seconds) and
become seconds only for each unit's 90th percentile."""

from __future__ import annotations

_ROUND_HALLS = """
    halls AS MATERIALIZED (
        SELECT h.id AS hall_id, h.unit_id
        FROM orgs_hall h JOIN orgs_unit u ON u.id = h.unit_id JOIN orgs_region r ON r.id = u.region_id
        WHERE u.flag_category = %(category)s AND u.is_active AND r.path LIKE %(path)s
    )"""

_WAIT = "(t.called_at - COALESCE(t.checked_in_at, t.issued_at))"

QUEUE = f"""
    WITH {_ROUND_HALLS}
    SELECT h.unit_id,
           COUNT(*) AS issued,
           COUNT(t.called_at) AS called,
           COUNT(*) FILTER (WHERE {_WAIT} <= INTERVAL '15 minutes') AS within_15,
           COUNT(*) FILTER (WHERE t.status = 'no_show') AS no_show,
           EXTRACT(EPOCH FROM percentile_disc(0.9) WITHIN GROUP (ORDER BY {_WAIT})) AS p90
    FROM queueing_ticket t JOIN halls h ON h.hall_id = t.hall_id
    WHERE t.service_date BETWEEN %(start)s AND %(end)s
    GROUP BY h.unit_id
"""  # noqa: S608 - constant fragments only; values are named parameters

CROWD = f"""
    WITH {_ROUND_HALLS}, days AS (
        SELECT t.hall_id, t.queue_id, t.service_date AS day, COUNT(*) AS called
        FROM queueing_ticket t JOIN halls h ON h.hall_id = t.hall_id
        WHERE t.service_date BETWEEN %(start)s AND %(end)s AND t.called_at IS NOT NULL
        GROUP BY t.hall_id, t.queue_id, t.service_date
    ), limits AS (
        SELECT h.unit_id, d.queue_id, d.day, d.called, COALESCE(qr.crowd_alert_waiting, 20) AS crowd_limit
        FROM days d JOIN halls h ON h.hall_id = d.hall_id
        LEFT JOIN queueing_queuerules qr ON qr.hall_id = d.hall_id
    ), busy AS (
        SELECT queue_id, day FROM limits WHERE crowd_limit > 0 AND called > crowd_limit
    ), moves AS (
        SELECT t.queue_id, t.service_date AS day, m.at, m.step
        FROM queueing_ticket t JOIN busy b ON b.queue_id = t.queue_id AND b.day = t.service_date
        CROSS JOIN LATERAL (VALUES (COALESCE(t.checked_in_at, t.issued_at), 1), (t.called_at, -1))
            AS m(at, step)
        WHERE t.called_at IS NOT NULL
    ), line AS (
        SELECT queue_id, day,
               SUM(step) OVER (PARTITION BY queue_id, day ORDER BY at, step
                               ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS waiting
        FROM moves
    ), peaks AS (
        SELECT queue_id, day, MAX(waiting) AS peak FROM line GROUP BY queue_id, day
    )
    SELECT l.unit_id, COUNT(*) AS queue_days,
           COUNT(*) FILTER (WHERE p.peak > l.crowd_limit) AS crowded
    FROM limits l LEFT JOIN peaks p ON p.queue_id = l.queue_id AND p.day = l.day
    GROUP BY l.unit_id
"""  # noqa: S608 - constant fragments only; values are named parameters
