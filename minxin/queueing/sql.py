"""The queue's hand-written SQL that runs on both databases (the PostgreSQL-only one-statement hot
paths are in `pg.py`). The architecture test allows `connection.cursor()` only in these two modules.
Values always go as named parameters (`%(name)s`); table and column names come from the models."""

from __future__ import annotations

import datetime as dt
from contextlib import nullcontext
from typing import Any, NamedTuple

from django.db import connection, transaction

from minxin.queueing.models import QueueDay, Ticket

DAY = QueueDay._meta.db_table
TICKET = Ticket._meta.db_table
TICKET_FIELDS = list(Ticket._meta.concrete_fields)
TICKET_ATTNAMES = [field.attname for field in TICKET_FIELDS]
TICKET_COLUMNS = ", ".join(f'"{field.column}"' for field in TICKET_FIELDS)

# A number from the queue's day row: one upsert that also says how many left the line and how many are
# reserved, so "people ahead" costs nothing extra.
DAY_UPSERT = (
    f"INSERT INTO {DAY} (queue_id, service_date, issued, departed, reserved) "  # noqa: S608 - constant
    "VALUES (%(queue)s, %(day)s, 1, 0, %(reserved)s) "
    f"ON CONFLICT (queue_id, service_date) DO UPDATE SET issued = {DAY}.issued + 1, "
    f"reserved = {DAY}.reserved + excluded.reserved "
    "RETURNING issued, departed, reserved, last_called"
)
_TICKET_BY_PUBLIC_ID = f"SELECT {TICKET_COLUMNS} FROM {TICKET} WHERE public_id = %(public_id)s"  # noqa: S608
_LAST_CALLED = (
    f"SELECT last_called FROM {DAY} "  # noqa: S608 - constant
    "WHERE queue_id = %(queue)s AND service_date = %(day)s"
)
_RECORD_WAIT_MODEL = (
    f"UPDATE {TICKET} SET wait_shape = %(shape)s, wait_mean_minutes = %(mean)s "  # noqa: S608 - constant
    "WHERE id = %(ticket)s AND wait_shape IS NULL"
)
# One fixed statement for any batch (arrays, not a VALUES list of varying length), so it is prepared.
_RECORD_WAIT_MODELS = (
    f"UPDATE {TICKET} AS t SET wait_shape = v.shape, wait_mean_minutes = v.mean "  # noqa: S608
    "FROM unnest(%(ids)s::bigint[], %(shapes)s::float8[], %(means)s::float8[]) AS v(id, shape, mean) "
    # = ANY lets the plan find the tickets by primary key; with the join alone it may scan the table
    "WHERE t.id = ANY(%(ids)s::bigint[]) AND t.id = v.id AND t.wait_shape IS NULL"
)


class DayCount(NamedTuple):
    """The queue's day row right after a number was taken from it."""

    issued: int
    departed: int
    reserved: int
    last_called: str


def day_number_take(*, queue_id: int, service_date: dt.date, reserved: bool) -> DayCount:
    """The next number of the queue's day (its seq), counting a remote one as reserved."""
    with connection.cursor() as cursor:
        cursor.execute(DAY_UPSERT, {"queue": queue_id, "day": service_date, "reserved": int(reserved)})
        return DayCount(*cursor.fetchone())


def ticket_row_by_public_id(key: Any) -> tuple[Any, ...] | None:
    """The ticket's row (`TICKET_COLUMNS`) by its public id, already prepared for the database. A fixed
    statement: every step at the window asks it."""
    with connection.cursor() as cursor:
        cursor.execute(_TICKET_BY_PUBLIC_ID, {"public_id": key})
        row: tuple[Any, ...] | None = cursor.fetchone()
    return row


def queue_last_called(*, queue_id: int, service_date: dt.date) -> str | None:
    """The number called last in a queue on a date (kept on its day row by call-next), or None."""
    with connection.cursor() as cursor:  # a fixed statement: every ticket answer asks it
        cursor.execute(_LAST_CALLED, {"queue": queue_id, "day": service_date})
        row = cursor.fetchone()
    return (row[0] if row else "") or None


def ticket_wait_model_write(*, ticket_id: int, shape: float, mean_minutes: float) -> None:
    """Store one ticket's wait model, unless it has one already."""
    with connection.cursor() as cursor:
        cursor.execute(_RECORD_WAIT_MODEL, {"shape": shape, "mean": mean_minutes, "ticket": ticket_id})


def ticket_wait_models_write(*, ids: list[int], shapes: list[float], means: list[float]) -> None:
    """Store a batch of wait models (PostgreSQL), each unless its ticket has one already. Inside a
    caller's transaction a savepoint keeps a failed write from aborting the caller's work."""
    with (
        transaction.atomic() if connection.in_atomic_block else nullcontext(),
        connection.cursor() as cursor,
    ):
        cursor.execute(_RECORD_WAIT_MODELS, {"ids": ids, "shapes": shapes, "means": means})
