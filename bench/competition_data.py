"""The benchmark's month of generated data, written set-based (`generate_series`, INSERT … SELECT) on the
throwaway PostgreSQL of bench_competition.py.

The big tables are loaded without their secondary indexes and without the foreign-key triggers
(`session_replication_role = replica`: the rows are consistent by construction); the indexes are built
again afterwards, so the compute sees the schema the migrations make. Columns a statement does not name
get the Django field's default (`insert_select`), so the generator follows the models as they change.
"""

# The generating SQL keeps its long column lists on one line each.
# ruff: noqa: E501

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Any

CITIES = [
    ("130100", "石家庄市"),
    ("130200", "唐山市"),
    ("130300", "秦皇岛市"),
    ("130400", "邯郸市"),
    ("130500", "邢台市"),
    ("130600", "保定市"),
    ("130700", "张家口市"),
    ("130800", "承德市"),
    ("130900", "沧州市"),
    ("131000", "廊坊市"),
    ("131100", "衡水市"),
]
BIG_TABLES = ("queueing_ticket", "cases_case", "feedback_rating", "feedback_rectification")


def insert_select(
    cursor: Any, model: Any, columns: dict[str, str], source: str, params: dict[str, Any]
) -> int:
    """INSERT INTO model's table (named columns from `source`'s expressions; every other non-null column
    its field's default) SELECT … `source` (a FROM clause and beyond)."""
    from django.db import connection

    given = dict(columns)
    values = dict(params)
    for field in model._meta.concrete_fields:
        if field.column in given or field.primary_key or field.null:
            continue
        default = field.get_default()
        if default is None:
            raise ValueError(f"{model._meta.db_table}.{field.column}: give a value")
        key = f"default_{field.column}"
        if field.get_internal_type() == "UUIDField":
            given[field.column] = "gen_random_uuid()"
            continue
        given[field.column] = f"%({key})s"
        values[key] = field.get_db_prep_save(default, connection)
    names = ", ".join(given)
    expressions = ", ".join(given.values())
    cursor.execute(f"INSERT INTO {model._meta.db_table} ({names}) SELECT {expressions} {source}", values)
    return int(cursor.rowcount)


ORGS = [
    """INSERT INTO orgs_region (code, name, level, parent_id, path)
       VALUES ('130000', '河北省', 'province', NULL, '130000/')""",
    """INSERT INTO orgs_region (code, name, level, parent_id, path)
       SELECT c.code, c.name, 'city', p.id, '130000/' || c.code || '/'
       FROM json_to_recordset(%(cities)s::json) AS c(code text, name text), orgs_region p
       WHERE p.code = '130000'""",
    """INSERT INTO orgs_unit (name, kind, flag_category, region_id, time_zone, is_active)
       SELECT '单位' || g, 'window', 'service', r.id, 'Asia/Shanghai', true
       FROM generate_series(1, %(units)s) g
       JOIN (SELECT id, row_number() OVER (ORDER BY code) - 1 AS k FROM orgs_region WHERE level = 'city') r
         ON r.k = g %% 11""",
    # a hall, a queue and a service for four units in five (the fifth: law enforcement without a hall)
    """INSERT INTO orgs_hall (code, name, unit_id, address, phone, time_zone, is_active)
       SELECT 'h' || u.id, '大厅' || u.id, u.id, '', '', 'Asia/Shanghai', true
       FROM orgs_unit u WHERE u.id %% 5 <> 0""",
    """INSERT INTO queueing_queue (hall_id, code, prefix, name, position, is_active)
       SELECT h.id, 'q', 'A', '综合', 0, true FROM orgs_hall h""",
    """INSERT INTO queueing_service (hall_id, code, name, queue_id, daily_quota, remote_allowed, position, is_active)
       SELECT q.hall_id, 's', '综合业务', q.id, NULL, true, 0, true FROM queueing_queue q""",
    """CREATE TEMP TABLE lines AS
       SELECT row_number() OVER (ORDER BY q.id) - 1 AS k, q.hall_id, h.unit_id, u.region_id, q.id AS queue_id,
              s.id AS service_id
       FROM queueing_queue q JOIN queueing_service s ON s.queue_id = q.id JOIN orgs_hall h ON h.id = q.hall_id
       JOIN orgs_unit u ON u.id = h.unit_id""",
    "CREATE INDEX ON lines (k)",
    "ANALYZE lines",
]

# The month's tickets. Halls differ in size as they do (line k draws ∝ 1/√k: a few city halls take
# hundreds of numbers a day, most county windows a handful); days uniform over the month; issued
# 09:00–17:00 local; waits skewed long (random()³ × 60 min); 3 % never called, 5 % no-shows.
TICKETS_FROM = """
    FROM (
        SELECT g, %(start)s::date + floor(random() * %(days)s)::int AS day, random() AS r,
               floor(%(lines)s * random() ^ 2)::int AS k, random() AS wait, 32400 + random() * 28800 AS at
        FROM generate_series(1, %(tickets)s) g
    ) t JOIN lines l ON l.k = t.k"""
TICKET_COLUMNS = {
    "hall_id": "l.hall_id",
    "queue_id": "l.queue_id",
    "service_id": "l.service_id",
    "service_date": "t.day",
    "seq": "t.g",
    "number": "'A' || t.g",
    "channel": "'kiosk'",
    "status": "CASE WHEN t.r < 0.03 THEN 'cancelled' WHEN t.r < 0.08 THEN 'no_show' ELSE 'done' END",
    "issued_at": "t.day::timestamp AT TIME ZONE 'Asia/Shanghai' + make_interval(secs => t.at)",
    "called_at": "CASE WHEN t.r < 0.03 THEN NULL ELSE t.day::timestamp AT TIME ZONE 'Asia/Shanghai' + make_interval(secs => t.at + t.wait ^ 3 * 3600) END",
}

# The month's cases (received from 10 days before the period): 10 % get a correction notice; the others
# are accepted with a promised time of 10 working days; 70 % of those are decided 1–14 days later
# (handling days 1–14), 60 % completed the day after, with 0–2 trips.
CASES_FROM = """
    FROM (
        SELECT g, random() AS r, random() AS d, floor(%(lines)s * random() ^ 2)::int AS k,
               (%(start)s::date - 10 + floor(random() * (%(days)s + 10))::int)::timestamp AT TIME ZONE 'Asia/Shanghai'
                   + make_interval(secs => 32400 + random() * 28800) AS received,
               1 + floor(random() * 14)::int AS took, floor(random() * 3)::int AS trips
        FROM generate_series(1, %(cases)s) g
    ) c JOIN lines l ON l.k = c.k"""
CASE_COLUMNS = {
    "number": "'C' || c.g",
    "hall_id": "l.hall_id",
    "department_id": "%(department)s",
    "item_version_id": "%(item_version)s",
    "applicant_id": "%(applicant)s",
    "clerk_id": "%(clerk)s",
    "status": "CASE WHEN c.r < 0.1 THEN 'correction' WHEN c.d < 0.42 THEN 'completed' WHEN c.d < 0.7 THEN 'decided' ELSE 'in_review' END",
    "outcome": "CASE WHEN c.r < 0.1 THEN 'correct' ELSE 'accept' END",
    "created_at": "c.received",
    "accepted_at": "CASE WHEN c.r >= 0.1 THEN c.received END",
    "accepted_on": "CASE WHEN c.r >= 0.1 THEN c.received::date END",
    "promised_due": "CASE WHEN c.r >= 0.1 THEN c.received::date + 14 END",
    "statutory_due": "CASE WHEN c.r >= 0.1 THEN c.received::date + 28 END",
    "decided_at": "CASE WHEN c.r >= 0.1 AND c.d < 0.7 THEN c.received + make_interval(days => c.took) END",
    "decision": "CASE WHEN c.r >= 0.1 AND c.d < 0.7 THEN 'approve' ELSE '' END",
    "handling_days": "CASE WHEN c.r >= 0.1 AND c.d < 0.7 THEN c.took END",
    "completed_at": "CASE WHEN c.r >= 0.1 AND c.d < 0.42 THEN c.received + make_interval(days => c.took + 1) END",
    "trips_made": "c.trips",
}

# Ratings of three in five called numbers (3 M of 5 M), satisfied mostly; the bad ones (score ≤ 2)
# tick the attitude indicator one time in three and open a rectification loop, closed on time mostly.
RATINGS_FROM = """
    FROM (SELECT t.*, random() AS s FROM queueing_ticket t WHERE t.status = 'done' AND t.id %% 100 < %(rated_percent)s) t
    JOIN orgs_hall h ON h.id = t.hall_id JOIN orgs_unit u ON u.id = h.unit_id"""
RATING_COLUMNS = {
    "ticket_id": "t.id",
    "hall_id": "t.hall_id",
    "unit_id": "h.unit_id",
    "region_id": "u.region_id",
    "service_date": "t.service_date",
    "service_name": "'综合业务'",
    "score": "CASE WHEN t.s < 0.03 THEN 1 WHEN t.s < 0.06 THEN 2 WHEN t.s < 0.15 THEN 3 WHEN t.s < 0.4 THEN 4 ELSE 5 END",
    "indicators": "CASE WHEN t.s < 0.02 THEN '[\"attitude\"]'::jsonb ELSE '[]'::jsonb END",
    "channel": "'device'",
    "rated_at": "t.called_at + interval '10 minutes'",
}
RECTIFICATIONS_FROM = """
    FROM (SELECT f.*, random() AS p FROM feedback_rating f WHERE f.score <= 2) f"""
RECTIFICATION_COLUMNS = {
    "rating_id": "f.id",
    "hall_id": "f.hall_id",
    "department_id": "%(department)s",
    "status": "CASE WHEN f.p < 0.9 THEN 'closed' ELSE 'rectifying' END",
    "opened_at": "f.rated_at",
    "step_due": "f.service_date + 5",
    "late": "f.p >= 0.8",
    "resolution": "CASE WHEN f.p < 0.9 THEN 'rectified' ELSE '' END",
}


def _secondary_indexes(cursor: Any) -> list[tuple[str, str]]:
    cursor.execute(
        """SELECT indexname, indexdef FROM pg_indexes
           WHERE tablename = ANY(%(tables)s)
             AND indexname NOT IN (SELECT conname FROM pg_constraint)""",
        {"tables": list(BIG_TABLES)},
    )
    return list(cursor.fetchall())


def _catalogue(cursor: Any) -> dict[str, int]:
    """One department, item version and applicant the generated cases refer to (the formulas do not
    read them)."""
    from minxin.accounts.models import User
    from minxin.cases.models import Applicant
    from minxin.catalog.services import department_station, item_create
    from minxin.orgs.models import Hall

    hall = Hall.objects.order_by("id").first()
    assert hall is not None
    department = department_station(hall=hall, code="b", name="市场监管局", stationed_on=dt.date(2016, 1, 1))
    content = {
        "name": "营业执照",
        "implementing_body": "市场监管局",
        "statutory_days": 20,
        "promised_days": 10,
    }
    version = item_create(
        department=department, code="000101001000", content=content, publish_on=dt.date(2017, 1, 1)
    )
    now = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
    applicant = Applicant.objects.create(
        kind="person",
        name="申请人",
        id_hash="x",
        id_encrypted="x",
        id_masked="1301**",
        created_at=now,
        updated_at=now,
    )
    clerk = User.objects.create_user(username="bench-clerk", password="bench-pass-123")
    return {
        "department": department.pk,
        "item_version": version.pk,
        "applicant": applicant.pk,
        "clerk": clerk.pk,
    }


def generate(
    cursor: Any, *, units: int, tickets: int, cases: int, ratings: int, start: dt.date, days: int
) -> dict[str, float]:
    """Write the data; returns each step's seconds."""
    from minxin.cases.models import Case
    from minxin.feedback.models import Rating, Rectification
    from minxin.queueing.models import Ticket

    lines = units - units // 5
    params = {
        "cities": json.dumps([{"code": c, "name": n} for c, n in CITIES]),
        "units": units,
        "tickets": tickets,
        "cases": cases,
        "start": start,
        "days": days,
        "lines": lines,
        "rated_percent": min(100, round(100 * ratings / max(1, int(tickets * 0.92)))),
    }
    seconds: dict[str, float] = {}

    def step(name: str, started: float) -> None:
        seconds[name] = round(time.perf_counter() - started, 1)

    started = time.perf_counter()
    for statement in ORGS:
        cursor.execute(statement, params)
    params |= _catalogue(cursor)
    step("units, halls, queues", started)
    indexes = _secondary_indexes(cursor)
    for name, _definition in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
    cursor.execute("SET session_replication_role = replica")
    started = time.perf_counter()
    insert_select(cursor, Ticket, TICKET_COLUMNS, TICKETS_FROM, params)
    step("tickets", started)
    started = time.perf_counter()
    insert_select(cursor, Case, CASE_COLUMNS, CASES_FROM, params)
    step("cases", started)
    started = time.perf_counter()
    insert_select(cursor, Rating, RATING_COLUMNS, RATINGS_FROM, params)
    insert_select(cursor, Rectification, RECTIFICATION_COLUMNS, RECTIFICATIONS_FROM, params)
    step("ratings and rectifications", started)
    cursor.execute("SET session_replication_role = DEFAULT")
    started = time.perf_counter()
    for _name, definition in indexes:
        cursor.execute(definition)
    cursor.execute("ANALYZE")
    step("indexes and ANALYZE", started)
    return seconds
