"""PostgreSQL's one-statement hot paths (DESIGN.md measured 1,000–1,200 issues/s this way against
370–470 with the ORM's seven round trips): a number taken, a call, a clerk's step, each ONE statement
with its event row and, through `core.events.publish_within`, its live signal. SQLite takes the ORM
paths in `services`, which do the same thing; `tests/test_sql_paths.py` runs both on PostgreSQL and
requires the same answers. Values are named parameters; table and column names come from the models.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection

from minxin.core.events import publish_within
from minxin.core.sql import Statement, one_row
from minxin.queueing.models import Service, TicketEvent, WindowState
from minxin.queueing.sql import DAY, DAY_UPSERT, TICKET, TICKET_COLUMNS, TICKET_FIELDS

EVENT = TicketEvent._meta.db_table
STATE = WindowState._meta.db_table
SERVICE = Service._meta.db_table
_RETURNING = ", ".join(f'{TICKET}."{field.column}"' for field in TICKET_FIELDS)
_CALLED_COLUMNS = ", ".join(f't."{field.column}"' for field in TICKET_FIELDS)
TICKET_WIDTH = len(TICKET_FIELDS)


def enabled() -> bool:
    """Whether the one-statement paths run (PostgreSQL). Tests turn them off to compare with the ORM's."""
    return connection.vendor == "postgresql"


def run(
    statement: Statement,
    *,
    topic: str,
    message: dict[str, Any],
    computed: dict[str, str],
    prepare: bool = True,
) -> tuple[Any, bool]:
    """Run `statement`, publishing `message` from its row `t` when the broker allows it: (the first
    row, whether the signal was published by the statement)."""
    published = publish_within(statement, source="t", topic=topic, message=message, computed=computed)
    return one_row(*_sql(published or statement), prepare=prepare), published is not None


def _sql(statement: Statement) -> tuple[str, dict[str, Any]]:
    return statement.sql, statement.params


# ---- a number taken: count, number, insert the ticket and its event (one round trip, no BEGIN/COMMIT
# of its own). Ticket numbers past 999 keep all their digits (lpad would cut them).
_ISSUE = (
    f"day AS ({DAY_UPSERT})",
    f"""t AS (
    INSERT INTO {TICKET} (public_id, hall_id, queue_id, service_id, service_date, seq, number, channel,
        status, priority, priority_reason, phone_hash, phone_masked, phone_encrypted, idempotency_key,
        issued_at, lapse_at, recalls)
    SELECT %(public_id)s, %(hall)s, %(queue)s, %(service)s, %(day)s, day.issued,
        %(prefix)s || CASE WHEN day.issued < 1000 THEN lpad(day.issued::text, 3, '0')
                      ELSE day.issued::text END,
        %(channel)s, %(status)s, %(priority)s, %(priority_reason)s, %(phone_hash)s, %(phone_masked)s,
        %(phone_encrypted)s, %(idempotency_key)s, %(issued_at)s, %(lapse_at)s, 0
    FROM day
    RETURNING id, seq, number
)""",  # noqa: S608 - table names are constants; every value is a parameter
    f"""e AS (
    INSERT INTO {EVENT} (ticket_id, kind, at, actor_id, channel, window_id, details)
    SELECT t.id, 'issued', %(issued_at)s, %(actor)s, %(channel)s, NULL, '{{}}'::jsonb FROM t
)""",  # noqa: S608
)
_ISSUE_SELECT = "t.id, t.seq, t.number, day.issued, day.departed, day.reserved, day.last_called FROM t, day"


def issue_statement(params: dict[str, Any]) -> Statement:
    """`params`: public_id, hall, queue, service, day, reserved (0/1), prefix, channel, status, priority,
    priority_reason, phone_hash, phone_masked, phone_encrypted, idempotency_key, issued_at, lapse_at,
    actor. Its row: ticket id, seq, number, then the day's issued, departed, reserved, last_called."""
    return Statement(_ISSUE, _ISSUE_SELECT, params)


# ---- call-next: pick the best waiting ticket for the window, claim it, count it out of the line and
# log the call (the candidate row is locked with SKIP LOCKED, so windows calling at the same moment take
# different tickets and never wait for each other). The ordering is the one `services.calling` builds
# with the ORM for SQLite.
_NOT_PAUSED = (
    f"NOT EXISTS (SELECT 1 FROM {STATE} WHERE window_id = %(window)s AND status IN ('paused', 'closed'))"  # noqa: S608
)
_CANDIDATE = f"""c AS (
    SELECT id FROM {TICKET}
    WHERE hall_id = %(hall)s AND service_date = %(day)s AND status = 'waiting'
      AND (return_to_window_id IS NULL OR return_to_window_id = %(window)s)
      {{queues}}
      AND {_NOT_PAUSED}
      {{after_finish}}
    ORDER BY priority DESC{{order}}, issued_at, id
    LIMIT 1
    FOR UPDATE SKIP LOCKED
)"""  # noqa: S608
_CALL = (
    f"""t AS (
    UPDATE {TICKET} SET status = 'called', window_id = %(window)s, clerk_id = %(clerk)s,
        called_at = %(now)s, recalls = 0
    FROM c WHERE {TICKET}.id = c.id AND {TICKET}.status = 'waiting'
    RETURNING {_RETURNING}
)""",  # noqa: S608
    f"""d AS (
    UPDATE {DAY} SET departed = {DAY}.departed + 1, last_called = t.number
    FROM t WHERE {DAY}.queue_id = t.queue_id AND {DAY}.service_date = t.service_date
)""",  # noqa: S608
    f"""e AS (
    INSERT INTO {EVENT} (ticket_id, kind, at, actor_id, channel, window_id, details)
    SELECT t.id, 'called', %(now)s, %(clerk)s, '', %(window)s, '{{}}'::jsonb FROM t
)""",  # noqa: S608
)
# With `finish_current`, the window's current number is finished first, in the same statement. `f` runs
# to completion before the search `c` starts (c's filter reads f's count), so the index allowing one
# number per window never sees the new call next to the old one. The statement then always returns one
# row: the called ticket's columns (NULL when nobody was called) and the finished number's.
_FINISH = (
    f"""f AS (
    UPDATE {TICKET} SET status = 'done', finished_at = %(now)s, started_at = COALESCE(started_at, called_at)
    WHERE window_id = %(window)s AND status IN ('called', 'serving') AND {_NOT_PAUSED}
    RETURNING public_id AS f_public_id, number AS f_number, queue_id AS f_queue, service_id AS f_service,
        id AS f_id
)""",  # noqa: S608
    f"""fe AS (
    INSERT INTO {EVENT} (ticket_id, kind, at, actor_id, channel, window_id, details)
    SELECT f.f_id, 'finished', %(now)s, %(clerk)s, '', %(window)s, '{{}}'::jsonb FROM f
)""",  # noqa: S608
)
_AFTER_FINISH = "AND (SELECT count(*) FROM f) >= 0"
_FINISHED_SELECT = (
    f"{_CALLED_COLUMNS}, f_public_id, f_number, f_queue, f_service "
    "FROM (SELECT 1) AS one LEFT JOIN t ON true LEFT JOIN f ON true"
)
# The called ticket's part of its "called" signal, and the finished one's, read from the rows t and f.
CALLED_COMPUTED = {
    "ticket": "t.public_id::text",
    "number": "t.number",
    "queue": "t.queue_id",
    "service": f"(SELECT code FROM {SERVICE} WHERE id = t.service_id)",  # noqa: S608
}
FINISHED_COMPUTED = {
    "ticket": "f.f_public_id::text",
    "number": "f.f_number",
    "queue": "f.f_queue",
    "service": f"(SELECT code FROM {SERVICE} WHERE id = f.f_service)",  # noqa: S608
}


@dataclass(frozen=True, slots=True)
class CallOrder:
    """How a window picks: its queues (none: any), those whose wait passed a limit first (queue id,
    issued at or before), and, to call in the listed order, each queue's rank."""

    queues: Sequence[int] = ()
    urgent: Sequence[tuple[int, dt.datetime]] = ()
    ranks: Sequence[tuple[int, int]] = ()

    def sql(self) -> tuple[str, str, dict[str, Any]]:
        """(the queue filter, the extra ORDER BY terms, their parameters)."""
        params: dict[str, Any] = {}
        queues = order = ""
        if self.queues:
            # `+ 0` keeps the queue index out: with several queues it gives no call order, and a plan
            # using it sorts the queues' whole line for each call.
            queues, params["queues"] = "AND queue_id + 0 = ANY(%(queues)s)", list(self.queues)
        if self.urgent:
            whens = [
                f"WHEN queue_id = %(uq{i})s AND issued_at <= %(us{i})s THEN 0"
                for i in range(len(self.urgent))
            ]
            order += ", CASE " + " ".join(whens) + " ELSE 1 END"
            for i, (queue, since) in enumerate(self.urgent):
                params[f"uq{i}"], params[f"us{i}"] = queue, since
        if self.ranks:
            whens = [f"WHEN %(rq{i})s THEN %(rp{i})s" for i in range(len(self.ranks))]
            order += ", CASE queue_id " + " ".join(whens) + " ELSE 999 END"
            for i, (queue, position) in enumerate(self.ranks):
                params[f"rq{i}"], params[f"rp{i}"] = queue, position
        return queues, order, params


def call_statement(*, call_order: CallOrder, finish: bool, params: dict[str, Any]) -> Statement:
    """`params`: hall, day, window, clerk, now. The row: the called ticket's columns (`TICKET_WIDTH`),
    then with `finish` the finished number's public id, number, queue and service (NULLs for none)."""
    queues, order, extra = call_order.sql()
    candidate = _CANDIDATE.format(queues=queues, order=order, after_finish=_AFTER_FINISH if finish else "")
    ctes = (*(_FINISH if finish else ()), candidate, *_CALL)
    select = _FINISHED_SELECT if finish else f"{TICKET_COLUMNS} FROM t"
    return Statement(ctes, select, params | extra)


def publish_finished(statement: Statement, *, topic: str, message: dict[str, Any]) -> Statement | None:
    """The call statement that also publishes the finished number's signal (None: not here)."""
    return publish_within(
        statement, source="f", topic=topic, message=message, computed=FINISHED_COMPUTED, name="live_finished"
    )


# ---- a clerk's step on a ticket at the window (start, finish): the guarded update and its event row.
# No row back means the ticket was not in a state that allows the step; the ORM path then says why.
STEP_ASSIGNMENTS = {
    "started": "status = 'serving', started_at = %(now)s",
    "finished": "status = 'done', finished_at = %(now)s, started_at = COALESCE(started_at, called_at)",
}


def step_statement(*, kind: str, params: dict[str, Any]) -> Statement:
    """`kind`: started or finished; `params`: ticket, allowed (statuses), kind, now, clerk. The row: the
    ticket's columns, then its queue's last called number."""
    ctes = (
        f"""t AS (
    UPDATE {TICKET} SET {STEP_ASSIGNMENTS[kind]}
    WHERE id = %(ticket)s AND status = ANY(%(allowed)s)
    RETURNING {_RETURNING}
)""",  # noqa: S608
        f"""e AS (
    INSERT INTO {EVENT} (ticket_id, kind, at, actor_id, channel, window_id, details)
    SELECT t.id, %(kind)s, %(now)s, %(clerk)s, '', t.window_id, '{{}}'::jsonb FROM t
)""",  # noqa: S608
    )
    select = (
        f"{TICKET_COLUMNS}, (SELECT last_called FROM {DAY} "  # noqa: S608
        "WHERE queue_id = t.queue_id AND service_date = t.service_date) FROM t"
    )
    return Statement(ctes, select, params | {"kind": kind})
